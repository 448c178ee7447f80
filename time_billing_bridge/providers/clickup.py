# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""ClickUp API v2 adapter: time entries of a Workspace.

``GET /team/{workspace}/time_entries`` has no paging and no "changed since"
filter: entries are read by windows of start dates (a week each, for the
Workspace's members in batches, as ``assignee``), over the ``lookback_days``
before the previous synchronisation (default 90) or, on the first run, from
``options['start_date']`` (default: a year back). Instants and durations are
milliseconds; a negative duration is a running timer. The list is the
project, the task the task; the person's ClickUp time zone dates the entry.

Webhooks: ClickUp signs each call (``X-Signature``, hex HMAC-SHA256 of the
body with the webhook's secret). A ``taskTimeTrackedUpdated`` call names the
time entry (``data.interval_id``), which is then read from the API; "Time
Tracking Deleted" deletes it.
"""

import json
import math
import time as time_module
from datetime import UTC, datetime, time, timedelta
from functools import partial

from ..exceptions import ProviderError, ProviderNotFound
from . import register
from .base import ExternalEntry, Page
from .common import (
    MalformedRecord,
    local_date,
    map_records,
    nested,
    ref,
    require,
    start_window,
    text,
    work_interval,
)
from .http import HttpAdapter, HttpClient
from .paging import read_resume_token
from .webhooks import header, verify_hmac_signature

LABEL = "ClickUp"
WINDOW = timedelta(days=7)
ASSIGNEE_BATCH = 50
DEFAULT_HISTORY = timedelta(days=365)
TIME_EVENT = "taskTimeTrackedUpdated"


def _ms(value, field_name):
    """Unix milliseconds (number or string) -> int."""
    if isinstance(value, bool):
        raise MalformedRecord(f"{field_name} {value!r} is not a time")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise MalformedRecord(f"{field_name} {value!r} is not a time") from None


def _moment(value, field_name):
    try:
        return datetime.fromtimestamp(_ms(value, field_name) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedRecord(f"{field_name} {value!r} is not a time") from None


def _to_entry(record, zones=None, tz_name=None):
    """ClickUp time entry dict -> ExternalEntry (pure). ``zones`` maps user
    ids to their ClickUp time zone; ``tz_name`` is the fallback."""
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "id"))
    start = _moment(record.get("start"), "start")
    duration = _ms(record.get("duration"), "duration")
    running = duration < 0
    end = None if running else _moment(record.get("end"), "end")
    user = record.get("user") if isinstance(record.get("user"), dict) else {}
    user_ref = ref(user.get("id"))
    task = record.get("task") if isinstance(record.get("task"), dict) else {}
    location = record.get("task_location")
    location = location if isinstance(location, dict) else {}
    billable = record.get("billable")
    began, ended = work_interval(start, end)
    return ExternalEntry(
        external_id=external_id,
        date=local_date(start, (zones or {}).get(user_ref) or tz_name),
        hours=0.0 if running else duration / 3_600_000,
        description=text(record.get("description")),
        user_ref=user_ref,
        user_name=text(user.get("username")),
        user_email=text(user.get("email")),
        project_ref=ref(location.get("list_id")),
        project_name=text(location.get("list_name")),
        task_ref=ref(task.get("id")),
        task_name=text(task.get("name")),
        billable=billable if isinstance(billable, bool) else None,
        is_running=running,
        approval_status=text(nested(record, "approval", "status")),
        start=began,
        end=ended,
        raw=record,
    )


class ClickUpClient(HttpClient):
    """ClickUp's 429 says when the rate limit resets (``X-RateLimit-Reset``,
    Unix seconds), not how long to wait."""

    def _raise_for_status(self, response, where, attempt, attempts, err):
        reset = response.headers.get("X-RateLimit-Reset")
        if (
            response.status_code == 429
            and reset
            and "Retry-After" not in response.headers
        ):
            try:
                wait = float(reset) - time_module.time()
            except ValueError:
                wait = None
            if wait is not None and math.isfinite(wait):
                response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
        return super()._raise_for_status(response, where, attempt, attempts, err)


@register
class ClickUpAdapter(HttpAdapter):
    """ClickUp v2: a personal token (``pk_...``, sent as is) or an OAuth
    access token (sent as ``Bearer``); the Workspace ID in account_ref.

    Options: ``lookback_days`` (default 90), ``start_date`` (first run),
    ``timezone`` (for people whose ClickUp time zone is unknown).
    """

    provider = "clickup"
    label = LABEL
    default_api_url = "https://api.clickup.com/api/v2"
    reports_approval = True
    lists_present_entries = True
    requires_account = True
    account_label = "ClickUp Workspace ID"
    supports_webhooks = True

    def __init__(self, config):
        super().__init__(config)
        self._members = None

    @property
    def workspace(self):
        return str(self.config.account_ref).strip()

    def _build_http(self):
        token = self.config.api_token.strip()
        return ClickUpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={
                "Authorization": token
                if token.startswith("pk_")
                else f"Bearer {token}",
                "Content-Type": "application/json",
            },
            auth_message=(
                f"ClickUp refused the token for Workspace {self.workspace}: check "
                f"the token (Settings > Apps) and the Workspace ID in the backend."
            ),
        )

    def _team(self):
        data, _response = self.http.get_json("team")
        teams = data.get("teams") if isinstance(data, dict) else None
        for team in teams or []:
            if isinstance(team, dict) and ref(team.get("id")) == self.workspace:
                return team
        raise ProviderError(
            f"ClickUp accepted the token, but Workspace {self.workspace} is not "
            f"among the Workspaces it may read: check the Workspace ID."
        )

    def check_connection(self):
        team = self._team()
        return (
            f"Connected to ClickUp Workspace {self.workspace} "
            f"({text(team.get('name')) or '?'}), "
            f"{len(team.get('members') or [])} members."
        )

    def _member_zones(self):
        """Member id -> ClickUp time zone, sorted by id (a stable order)."""
        if self._members is None:
            zones = {}
            for member in self._team().get("members") or []:
                user = member.get("user") if isinstance(member, dict) else None
                if isinstance(user, dict) and user.get("id") is not None:
                    zones[ref(user["id"])] = text(user.get("timezone"))
            self._members = dict(sorted(zones.items()))
        return self._members

    def iter_pages(self, since=None, until=None, resume_token=None):
        zones = self._member_zones()
        members = list(zones)
        batches = [
            members[i : i + ASSIGNEE_BATCH]
            for i in range(0, len(members), ASSIGNEE_BATCH)
        ] or [[]]
        if resume_token:
            start, end, batch_index = read_resume_token(
                LABEL,
                resume_token,
                lambda state: tuple(
                    int(state[key]) for key in ("start", "end", "batch")
                ),
            )
        else:
            first_day = start_window(since, self.options)
            first = (
                datetime.combine(first_day, time.min, tzinfo=UTC)
                if first_day
                else datetime.now(UTC) - DEFAULT_HISTORY
            )
            last = (
                until.replace(tzinfo=until.tzinfo or UTC)
                if until
                else datetime.now(UTC)
            )
            start, end = (
                int(first.timestamp() * 1000),
                int(last.timestamp() * 1000) + 1000,
            )
            batch_index = 0
        step = int(WINDOW.total_seconds() * 1000)
        to_entry = partial(_to_entry, zones=zones, tz_name=self.options.get("timezone"))
        while start <= end:
            window_end = min(start + step - 1, end)
            for index in range(batch_index, len(batches)):
                params = {
                    "start_date": start,
                    "end_date": window_end,
                    "include_location_names": "true",
                    "include_approval_details": "true",
                }
                if batches[index]:
                    params["assignee"] = ",".join(batches[index])
                data, _response = self.http.get_json(
                    f"team/{self.workspace}/time_entries", params
                )
                records = data.get("data") if isinstance(data, dict) else None
                if not isinstance(records, list):
                    raise ProviderError(
                        "ClickUp answered the time entries without a data list."
                    )
                entries, errors = map_records(records, to_entry, LABEL)
                if index + 1 < len(batches):
                    cursor = {"start": start, "batch": index + 1}
                elif window_end < end:
                    cursor = {"start": window_end + 1, "batch": 0}
                else:
                    cursor = None
                token = (
                    json.dumps({**cursor, "end": end}, sort_keys=True)
                    if cursor
                    else None
                )
                yield Page(entries=entries, errors=errors, resume_token=token)
            start, batch_index = window_end + 1, 0

    def listed_user_refs(self):
        """The Workspace's members: :meth:`iter_pages` asks for their entries
        (``assignee``), so a former member's entries are not listed."""
        return frozenset(self._member_zones())

    # -- webhooks ------------------------------------------------------------

    def verify_webhook(self, raw_body, headers):
        return verify_hmac_signature(
            self.config.webhook_secret, raw_body, header(headers, "X-Signature")
        )

    def parse_webhook(self, payload, headers=None):
        """One ClickUp webhook call -> Page: the time entry it names, read
        from the API, or its deletion. Other events give an empty page."""
        if not isinstance(payload, dict) or payload.get("event") != TIME_EVENT:
            return Page()
        entry_id = ref(nested(payload, "data", "interval_id"))
        if not entry_id:
            return Page()
        action = text(nested(payload, "data", "description")).lower()
        if action.endswith("deleted"):
            return Page(deleted_ids=[entry_id])
        try:
            data, _response = self.http.get_json(
                f"team/{self.workspace}/time_entries/{entry_id}",
                {"include_location_names": "true"},
            )
        except ProviderNotFound:
            return Page(deleted_ids=[entry_id])
        record = data.get("data") if isinstance(data, dict) else None
        if isinstance(record, list):
            record = record[0] if record else None
        to_entry = partial(
            _to_entry, zones=self._member_zones(), tz_name=self.options.get("timezone")
        )
        entries, errors = map_records([record], to_entry, LABEL)
        return Page(entries=entries, errors=errors)
