# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Toggl Track adapter: Reports API v3 for everybody's entries, API v9 for
deletions, the account and webhooks.

Reports v3 has no "updated since" filter: each run re-reads the entries that
started in a window (``since`` minus ``options['lookback_days']``, default 90
days) and the importer recognises the unchanged ones. Deleted entries come
from ``GET /api/v9/me/time_entries?since=`` (the token owner's entries only)
and from webhooks. The hourly quota answer (402) pauses the run.
"""

import json
import logging
from datetime import date, datetime, timedelta, timezone
from functools import partial

from requests.auth import HTTPBasicAuth

from ..exceptions import ProviderAuthError, ProviderError, ProviderNotFound
from . import register
from .base import EntryError, ExternalEntry, Page
from .common import (
    get_zone,
    local_date,
    map_records,
    parse_datetime,
    parse_moment,
    record_error,
    ref,
    require,
    seconds_to_hours,
    start_window,
    text,
    to_naive_utc,
    work_interval,
)
from .http import HttpAdapter, HttpClient
from .paging import read_resume_token
from .webhooks import header, toggl_validation_response, verify_toggl_signature

_logger = logging.getLogger(__name__)

LABEL = "Toggl Track"
# Reports v3 refuses ranges longer than a year.
MAX_RANGE_DAYS = 365
FIRST_RUN_DAYS = 365


def _optional_bool(value):
    return value if isinstance(value, bool) else None


def _duration(seconds, stop):
    """(hours, is_running) from Toggl's seconds and stop.

    A running entry has no stop and a negative duration (-1, or minus the
    start as a UNIX time in older payloads); its hours are unknown yet.
    """
    negative = (
        isinstance(seconds, int | float)
        and not isinstance(seconds, bool)
        and seconds < 0
    )
    if stop in (None, "") or negative:
        return 0.0, True
    return seconds_to_hours(seconds, "seconds"), False


def _interval(item):
    """``(start, end)`` of a time entry: ``start`` and ``stop`` carry an
    offset (the report owner's, or UTC in API v9); none while running."""
    return work_interval(
        parse_moment(item.get("start")), parse_moment(item.get("stop"))
    )


def _to_entry(record, user_emails=None):
    """One Reports v3 row narrowed to one entry -> ExternalEntry (pure).

    ``record`` is the report row (user, project, task, description, billable...)
    whose ``time_entries`` holds the single entry to map: rows group entries
    with identical attributes. The date is the start's date in the offset
    Toggl gives, the report owner's time zone.
    """
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    items = record.get("time_entries")
    if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
        raise ValueError("a report row must be narrowed to one time entry")
    item = items[0]
    external_id = ref(require(item, "id"))
    start = parse_datetime(item.get("start"), "start")
    hours, running = _duration(item.get("seconds"), item.get("stop"))
    began, ended = _interval(item)
    user_ref = ref(record.get("user_id"))
    return ExternalEntry(
        external_id=external_id,
        date=start.date(),
        hours=hours,
        description=text(record.get("description")),
        updated_at=to_naive_utc(item.get("at"), "at"),
        user_ref=user_ref,
        user_name=text(record.get("username")) or text(record.get("user_name")),
        user_email=text(record.get("user_email"))
        or (user_emails or {}).get(user_ref, ""),
        project_ref=ref(record.get("project_id")),
        project_name=text(record.get("project_name")),
        task_ref=ref(record.get("task_id")),
        task_name=text(record.get("task_name")),
        client_ref=ref(record.get("client_id")),
        client_name=text(record.get("client_name")),
        billable=_optional_bool(record.get("billable")),
        is_running=running,
        start=began,
        end=ended,
        raw=record,
    )


def _v9_to_entry(record, tz_name=None, user_emails=None):
    """API v9 / webhook TimeEntry -> ExternalEntry (pure).

    v9 gives ``start`` in UTC; ``tz_name`` (the Toggl profile's time zone of
    the report owner) turns it into the same local date the reports give.
    """
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "id"))
    start = parse_datetime(record.get("start"), "start")
    hours, running = _duration(record.get("duration"), record.get("stop"))
    began, ended = _interval(record)
    user_ref = ref(record.get("user_id") or record.get("uid"))
    return ExternalEntry(
        external_id=external_id,
        date=local_date(start, tz_name),
        hours=hours,
        description=text(record.get("description")),
        updated_at=to_naive_utc(record.get("at"), "at"),
        user_ref=user_ref,
        user_name=text(record.get("user_name")),
        user_email=(user_emails or {}).get(user_ref, ""),
        project_ref=ref(record.get("project_id") or record.get("pid")),
        project_name=text(record.get("project_name")),
        task_ref=ref(record.get("task_id") or record.get("tid")),
        task_name=text(record.get("task_name")),
        client_ref=ref(record.get("client_id")),
        client_name=text(record.get("client_name")),
        billable=_optional_bool(record.get("billable")),
        is_running=running,
        deleted=bool(record.get("server_deleted_at")),
        start=began,
        end=ended,
        raw=record,
    )


def _entry_id(record):
    """Id of the one entry of a narrowed report row."""
    return record["time_entries"][0]["id"]


def _split_rows(rows):
    """Report rows -> one narrowed row per time entry, plus unreadable rows."""
    narrowed, errors = [], []
    for row in rows:
        items = row.get("time_entries") if isinstance(row, dict) else None
        if not isinstance(items, list):
            errors.append(
                record_error(row, ValueError("report row without time_entries"), LABEL)
            )
            continue
        for item in items:
            narrowed.append({**row, "time_entries": [item]})
    return narrowed, errors


def _resume_position(state):
    """``(start, end, chunk, cursor)`` of the state in a resume token."""
    start, end, chunk = (
        date.fromisoformat(state[key]) for key in ("start", "end", "chunk")
    )
    cursor = {
        key: state[key]
        for key in ("first_row_number", "first_id", "first_timestamp")
        if state.get(key) is not None
    }
    return start, end, chunk, cursor


@register
class TogglAdapter(HttpAdapter):
    """Toggl Track: HTTP Basic ``<token>:api_token``; workspace in account_ref.

    Options: ``lookback_days`` (window re-read on incremental runs, default
    90), ``start_date`` (first run; default one year back), ``timezone``
    (IANA name of the Toggl profile that owns the token, used to date webhook
    events, which Toggl sends in UTC).
    """

    provider = "toggl"
    label = LABEL
    default_api_url = "https://api.track.toggl.com"
    default_page_size = 50
    max_page_size = 1000
    requires_account = True
    account_label = "Toggl workspace ID"
    supports_webhooks = True

    def __init__(self, config):
        super().__init__(config)
        self._user_emails = None

    @property
    def workspace(self):
        return str(self.config.account_ref).strip()

    def _build_http(self):
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            auth=HTTPBasicAuth(self.config.api_token, "api_token"),
            auth_message=(
                f"Toggl Track refused the API token for workspace {self.workspace}: "
                f"check the token and workspace ID in the backend."
            ),
            quota_status=402,
            quota_reset_header="X-Toggl-Quota-Resets-In",
        )

    def check_connection(self):
        me, _response = self.http.get_json("api/v9/me")
        workspace, _response = self.http.get_json(f"api/v9/workspaces/{self.workspace}")
        if not isinstance(me, dict) or not isinstance(workspace, dict):
            raise ProviderError("Toggl Track answered /me with an unexpected shape.")
        return (
            f"Connected to Toggl Track workspace {self.workspace} "
            f"({text(workspace.get('name')) or '?'}) as "
            f"{text(me.get('fullname')) or '?'} <{text(me.get('email'))}>."
        )

    def profile_timezone(self):
        """Time zone of the token's Toggl profile (what reports are dated in)."""
        me, _response = self.http.get_json("api/v9/me")
        return text(me.get("timezone")) if isinstance(me, dict) else ""

    # -- polling -----------------------------------------------------------

    def _window(self, since, until):
        today = datetime.now(timezone.utc).date()
        start = start_window(since, self.options) or today - timedelta(
            days=FIRST_RUN_DAYS
        )
        end = (until.date() if until else today) + timedelta(days=1)
        return start, max(end, start + timedelta(days=1))

    def iter_pages(self, since=None, until=None, resume_token=None):
        if resume_token:
            start, end, chunk, cursor = read_resume_token(
                LABEL, resume_token, _resume_position
            )
        else:
            start, end = self._window(since, until)
            chunk, cursor = start, {}
        # Consecutive ranges share their boundary day (whether Toggl reads
        # end_date inclusively or not), so ids already yielded are skipped.
        seen = set()
        while True:
            chunk_end = min(chunk + timedelta(days=MAX_RANGE_DAYS), end)
            rows, next_cursor = self._report_page(chunk, chunk_end, cursor)
            narrowed, errors = _split_rows(rows)
            fresh = []
            for record in narrowed:
                item = record["time_entries"][0]
                item_id = ref(item.get("id")) if isinstance(item, dict) else ""
                if item_id:
                    if item_id in seen:
                        continue
                    seen.add(item_id)
                fresh.append(record)
            to_entry = partial(_to_entry, user_emails=self._emails())
            entries, bad = map_records(fresh, to_entry, LABEL, id_of=_entry_id)
            if next_cursor:
                cursor = next_cursor
            elif chunk_end < end:
                chunk, cursor = chunk_end, {}
            else:
                cursor = None
            token = None
            if cursor is not None:
                token = json.dumps(
                    {
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                        "chunk": chunk.isoformat(),
                        **cursor,
                    },
                    sort_keys=True,
                )
            yield Page(entries=entries, errors=errors + bad, resume_token=token)
            if cursor is None:
                break

    def _report_page(self, start, end, cursor):
        """POST one detailed-report page; return ``(rows, next cursor)``."""
        path = f"reports/api/v3/workspace/{self.workspace}/search/time_entries"
        body = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "page_size": self.page_size,
            "enrich_response": True,
            **cursor,
        }
        rows, response = self.http.post_json(path, body)
        if cursor.get("first_id") is not None and rows == []:
            # Some accounts answer an empty page when first_id and
            # first_row_number are both sent: ask again by row number only.
            retry = {
                key: value
                for key, value in body.items()
                if key not in ("first_id", "first_timestamp")
            }
            _logger.debug("Toggl Track: empty continuation page, retrying by row")
            rows, response = self.http.post_json(path, retry)
        if not isinstance(rows, list):
            raise ProviderError(
                "Toggl Track answered the detailed report with an unexpected "
                "shape (a list of rows was expected)."
            )
        headers = response.headers
        next_cursor = {}
        for header_name, key in (
            ("X-Next-Row-Number", "first_row_number"),
            ("X-Next-ID", "first_id"),
            ("X-Next-Timestamp", "first_timestamp"),
        ):
            value = headers.get(header_name)
            if value not in (None, ""):
                try:
                    next_cursor[key] = int(value)
                except ValueError:
                    next_cursor[key] = value
        if "first_row_number" not in next_cursor and "first_id" not in next_cursor:
            next_cursor = {}
        return rows, next_cursor

    def _emails(self):
        """Toggl user id -> e-mail, from the workspace users (admins only)."""
        if self._user_emails is None:
            emails = {}
            try:
                users, _response = self.http.get_json(
                    f"api/v9/workspaces/{self.workspace}/users"
                )
                for user in users if isinstance(users, list) else []:
                    if isinstance(user, dict) and user.get("id") is not None:
                        emails[ref(user["id"])] = text(user.get("email"))
            except (ProviderAuthError, ProviderNotFound) as err:
                _logger.debug("Toggl workspace users not readable: %s", err)
            self._user_emails = emails
        return self._user_emails

    def iter_deleted(self, since=None):
        """Ids of the token owner's entries deleted since ``since``.

        Toggl only lists deletions of the token's own entries
        (``/me/time_entries?since=``); other people's deletions arrive by
        webhook.
        """
        if since is None:
            return
        if since.tzinfo is None:
            since = since.replace(tzinfo=timezone.utc)
        records, _response = self.http.get_json(
            "api/v9/me/time_entries", {"since": int(since.timestamp())}
        )
        if not isinstance(records, list):
            raise ProviderError(
                "Toggl Track answered /me/time_entries with an unexpected shape."
            )
        for record in records:
            if not isinstance(record, dict) or not record.get("server_deleted_at"):
                continue
            workspace = record.get("workspace_id") or record.get("wid")
            if workspace is not None and ref(workspace) != self.workspace:
                continue
            if record.get("id") is not None:
                yield ref(record["id"])

    # -- webhooks ------------------------------------------------------------

    def verify_webhook(self, raw_body, headers):
        return verify_toggl_signature(
            self.config.webhook_secret,
            raw_body,
            header(headers, "X-Webhook-Signature-256"),
        )

    def webhook_handshake(self, payload):
        return toggl_validation_response(payload)

    def parse_webhook(self, payload, headers=None):
        """One Toggl webhook event -> Page.

        Pings and events about other models give an empty page; ``deleted``
        actions give ``deleted_ids``; created/updated time entries give one
        entry mapped like the polled one (dated in ``options['timezone']``).
        """
        if not isinstance(payload, dict):
            return Page(
                errors=[
                    EntryError(
                        message="Toggl Track sent a webhook event that is not a "
                        "JSON object.",
                        raw={"value": payload},
                    )
                ]
            )
        body = payload.get("payload")
        metadata = (
            payload.get("metadata") if isinstance(payload.get("metadata"), dict) else {}
        )
        if not isinstance(body, dict) or metadata.get("model") not in (
            None,
            "time_entry",
        ):
            return Page()  # ping, validation or another model
        workspace = metadata.get("workspace_id") or body.get("workspace_id")
        if workspace is not None and ref(workspace) != self.workspace:
            return Page(
                errors=[
                    EntryError(
                        message=(
                            f"Toggl Track sent an event of workspace {ref(workspace)} "
                            f"to the backend of workspace {self.workspace}; ignored."
                        ),
                        external_id=ref(body.get("id")),
                        raw=payload,
                    )
                ]
            )
        action = text(metadata.get("action")).lower()
        if action == "deleted" or body.get("server_deleted_at"):
            external_id = ref(body.get("id") or metadata.get("time_entry_id"))
            if not external_id:
                return Page(
                    errors=[record_error(body, ValueError("missing id"), LABEL)]
                )
            return Page(deleted_ids=[external_id])
        tz_name = self.options.get("timezone")
        if tz_name and get_zone(tz_name) is None:
            _logger.debug("Toggl Track: unknown time zone %r, using UTC", tz_name)
        entries, errors = map_records(
            [body], partial(_v9_to_entry, tz_name=tz_name), LABEL
        )
        return Page(entries=entries, errors=errors)
