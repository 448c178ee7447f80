# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The provider-neutral JSON accepted by the generic webhook endpoint.

Sources without a webhook scheme of their own (an in-house tool, a script, an
integration platform) push entries in this shape, signed with HMAC-SHA256::

    {
      "entries": [
        {"external_id": "A-1", "date": "2026-03-02", "hours": 1.5,
         "description": "Kick-off", "user_email": "alice@example.com",
         "project_ref": "P-7", "project_name": "Audit",
         "updated_at": "2026-03-02T17:00:00Z"}
      ],
      "deleted": ["A-0"]
    }

A single entry object (without the ``entries`` wrapper) is accepted too. The
keys are the fields of :class:`~.base.ExternalEntry`; ``external_id``,
``date`` and ``hours`` are required, ``updated_at`` is an ISO 8601 moment.
``start`` and ``end`` (``stop`` is read as ``end`` too) are the optional ISO
8601 moments the work started and ended: with a UTC offset, or without one
for the person's local time; when either is missing or unreadable, the entry
has no interval (it is not an error). Entries that cannot be read become
:class:`~.base.EntryError` and never block the others.
"""

from .base import EntryError, ExternalEntry, Page
from .common import (
    MalformedRecord,
    check_plausible,
    number,
    parse_date,
    parse_moment,
    record_error,
    ref,
    require,
    text,
    to_naive_utc,
    work_interval,
)

LABEL = "Webhook"

TEXT_FIELDS = (
    "description",
    "user_ref",
    "user_name",
    "user_email",
    "project_ref",
    "project_name",
    "project_code",
    "task_ref",
    "task_name",
    "client_ref",
    "client_name",
    "client_email",
    "client_phone",
    "approval_status",
)
REF_FIELDS = ("user_ref", "project_ref", "task_ref", "client_ref")


def _to_entry(record):
    if not isinstance(record, dict):
        raise MalformedRecord(f"expected an object, got {type(record).__name__}")
    values = {
        name: (ref(record.get(name)) if name in REF_FIELDS else text(record.get(name)))
        for name in TEXT_FIELDS
    }
    billable = record.get("billable")
    if billable is not None and not isinstance(billable, bool):
        raise MalformedRecord(f"billable {billable!r} is not true or false")
    hours = number(record.get("hours"), "hours")
    if hours < 0:
        raise MalformedRecord(f"hours {hours!r} is negative")
    end = record.get("end")
    start, end = work_interval(
        parse_moment(record.get("start")),
        parse_moment(record.get("stop") if end is None else end),
    )
    return ExternalEntry(
        external_id=ref(require(record, "external_id")),
        date=parse_date(record.get("date"), "date"),
        hours=hours,
        updated_at=to_naive_utc(record.get("updated_at"), "updated_at"),
        billable=billable,
        is_locked=bool(record.get("is_locked")),
        start=start,
        end=end,
        raw=record,
        **values,
    )


def parse_generic_payload(payload):
    """Neutral webhook payload (dict) -> :class:`~.base.Page`.

    Raises MalformedRecord when the payload as a whole has the wrong shape
    (not an object, ``entries`` not a list...).
    """
    if not isinstance(payload, dict):
        raise MalformedRecord("the body must be a JSON object")
    if "entries" in payload or "deleted" in payload:
        records = payload.get("entries")
        deleted = payload.get("deleted")
        records = [] if records is None else records
        deleted = [] if deleted is None else deleted
        if not isinstance(records, list):
            raise MalformedRecord("'entries' must be a list")
        if not isinstance(deleted, list):
            raise MalformedRecord("'deleted' must be a list of external ids")
    else:
        records, deleted = [payload], []
    entries, errors = [], []
    for record in records:
        try:
            entries.append(check_plausible(_to_entry(record)))
        except (MalformedRecord, TypeError, ValueError) as err:
            errors.append(
                record_error(record, err, LABEL, id_of=lambda r: r.get("external_id"))
            )
    deleted_ids = []
    for value in deleted:
        external_id = ref(value) if isinstance(value, str | int) else ""
        if external_id:
            deleted_ids.append(external_id)
        else:
            errors.append(
                EntryError(
                    message=f"{LABEL} sent a deletion without an external id: "
                    f"{value!r}.",
                    raw={"deleted": value},
                )
            )
    return Page(entries=entries, errors=errors, deleted_ids=deleted_ids)
