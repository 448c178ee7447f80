# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Turn provider-neutral entries into staging values, and back."""

import hashlib
import json
from datetime import date, datetime

import phonenumbers

from ..providers.base import ExternalEntry

# time.billing.entry field -> ExternalEntry attribute, for the plain values the
# importer stores so that an entry can be re-processed without the source.
STAGING_FIELDS = {
    "date": "date",
    "hours": "hours",
    "description": "description",
    "external_updated_at": "updated_at",
    "external_user_ref": "user_ref",
    "external_user_name": "user_name",
    "external_user_email": "user_email",
    "external_project_ref": "project_ref",
    "external_project_name": "project_name",
    "external_project_code": "project_code",
    "external_task_ref": "task_ref",
    "external_task_name": "task_name",
    "external_client_ref": "client_ref",
    "external_client_name": "client_name",
    "external_client_email": "client_email",
    "external_client_phone": "client_phone",
    "is_running": "is_running",
    "locked_at_source": "is_locked",
    "approval_status_at_source": "approval_status",
    "line_number": "line_number",
    # ISO 8601 text of the datetimes, as they are: with their UTC offset when
    # aware, without one for local wall-clock time (a Datetime field would
    # shift local times by the user's time zone).
    "source_start": "start",
    "source_end": "end",
}
# The ExternalEntry datetimes staged as ISO 8601 text.
MOMENT_ATTRS = ("start", "end")

BILLABLE_VALUES = {True: "billable", False: "non_billable", None: False}

# Marker stored as a hash when a conflict is about a deletion reported by id
# only (no payload to hash).
DELETED_MARKER = "deleted"


def payload_text(raw):
    """The raw payload as stored: JSON with sorted keys, dates as ISO strings."""
    return json.dumps(raw or {}, sort_keys=True, default=str, ensure_ascii=False)


def payload_hash(text):
    """A short digest of the stored payload, to spot unchanged entries."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def advisory_lock_key(*parts):
    """A signed 64-bit key for ``pg_advisory_*lock`` built from ``parts``."""
    digest = hashlib.blake2b(
        "\x1f".join(str(part) for part in parts).encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


# Entry locks are taken per bucket of external ids, not per id: a
# transaction holds at most this many per backend, whatever the size of the
# file (one per id made 20,000 rows exhaust PostgreSQL's lock table, "out of
# shared memory"; TestImportFileScale.test_big_file_holds_few_locks). Two
# imports of the same entry always meet on its bucket.
ENTRY_LOCK_BUCKETS = 64


def entry_lock_keys(backend_id, external_ids):
    """The sorted advisory lock keys that serialise imports of ``external_ids``."""
    buckets = {
        advisory_lock_key(external_id) % ENTRY_LOCK_BUCKETS
        for external_id in external_ids
    }
    return sorted(
        advisory_lock_key("time.billing.entry", backend_id, "bucket", bucket)
        for bucket in buckets
    )


def normalise_key(value):
    """Case- and space-insensitive form of a name, e-mail or reference."""
    if not value:
        return ""
    return " ".join(str(value).split()).casefold()


def normalise_phone(number, region=None):
    """E.164 form of ``number`` (``region``: ISO country code), or "" if invalid."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def staging_values(entry):
    """Values of ``time.billing.entry`` describing ``entry`` (no payload)."""
    vals = {
        fname: getattr(entry, attr) or False for fname, attr in STAGING_FIELDS.items()
    }
    vals["hours"] = entry.hours or 0.0
    vals["billable_at_source"] = BILLABLE_VALUES[entry.billable]
    for fname, attr in STAGING_FIELDS.items():
        if attr in MOMENT_ATTRS:
            moment = getattr(entry, attr)
            vals[fname] = moment.isoformat() if moment else False
    return vals


def staging_to_json(vals):
    """``staging_values`` made JSON-serialisable (for a pending version)."""
    return {
        key: value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in vals.items()
    }


def staging_from_json(data):
    """Inverse of :func:`staging_to_json`."""
    vals = dict(data)
    if vals.get("date"):
        vals["date"] = date.fromisoformat(vals["date"])
    if vals.get("external_updated_at"):
        vals["external_updated_at"] = datetime.fromisoformat(
            vals["external_updated_at"]
        )
    return vals


def entry_from_staging(external_id, vals, raw=None):
    """Rebuild the :class:`ExternalEntry` an entry was staged from."""
    billable = {"billable": True, "non_billable": False}.get(
        vals.get("billable_at_source")
    )
    kwargs = {
        attr: vals.get(fname) for fname, attr in STAGING_FIELDS.items() if fname in vals
    }
    for attr, value in list(kwargs.items()):
        if value is False or value is None:
            kwargs[attr] = (
                None
                if attr in ("date", "updated_at", "line_number", *MOMENT_ATTRS)
                else ""
            )
        elif attr in MOMENT_ATTRS:
            kwargs[attr] = datetime.fromisoformat(value)
    for attr in ("is_running", "is_locked"):
        kwargs[attr] = bool(kwargs.get(attr))
    kwargs["hours"] = float(kwargs.get("hours") or 0.0)
    return ExternalEntry(
        external_id=external_id, billable=billable, raw=raw or {}, **kwargs
    )
