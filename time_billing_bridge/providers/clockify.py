# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Clockify API v1 adapter.

The workspace's users first (``GET /workspaces/{ws}/users``), then each user's
entries page by page (``GET /workspaces/{ws}/user/{id}/time-entries`` with
``page`` / ``page-size``, hydrated so that project, client and task names come
along). Durations are ISO 8601 (``PT1H30M``); times are UTC and are dated in
the person's Clockify time zone.

What each run reads:

- the first run (no ``since``): every user's entries that started from
  ``options['start_date']`` (all history without it), through the listing
  above, which filters only by start time;
- an incremental run: only what changed since the previous run, from
  Clockify's change log (:mod:`.clockify_changes`): the ids of the entries
  created or updated since ``since`` (the previous run's start, less a few
  minutes), each then read once (``GET /workspaces/{ws}/time-entries/{id}``,
  hydrated), so an edit of an entry of any age arrives; the deleted ones
  come from the same log (:meth:`ClockifyAdapter.iter_deleted`);
- an incremental run on a workspace whose change log cannot be read
  (Clockify marks it experimental; an answer 400, 403, 404, 405 or 422):
  the entries that started in a window, ``since`` minus
  ``options['lookback_days']`` (default 90 days), with a note on the run;
  edits of older entries, and deletions, then arrive only by webhook.
"""

import json
import logging
from datetime import datetime, time, timedelta, timezone
from functools import partial
from urllib.parse import quote

from ..exceptions import ProviderError, ProviderNotFound
from . import register
from .base import EntryError, ExternalEntry, Page
from .clockify_changes import is_unavailable, list_changes
from .common import (
    local_date,
    map_records,
    number,
    parse_datetime,
    parse_iso_duration,
    parse_moment,
    ref,
    require,
    start_window,
    text,
    utc_iso,
    work_interval,
)
from .http import HttpAdapter, HttpClient
from .paging import PageGuard, read_resume_token
from .webhooks import header, verify_clockify_signature

_logger = logging.getLogger(__name__)

LABEL = "Clockify"
TIME_ENTRY_EVENTS = {
    "NEW_TIME_ENTRY",
    "NEW_TIMER_STARTED",
    "TIMER_STOPPED",
    "TIME_ENTRY_UPDATED",
    "TIME_ENTRY_DELETED",
}
DELETION_EVENT = "TIME_ENTRY_DELETED"


def _naive_utc(moment=None):
    """``moment`` (aware, or naive UTC) as naive UTC; now without one."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _object(record, key):
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _hours(interval, start):
    """(hours, is_running) from a ``timeInterval``."""
    end = interval.get("end")
    if end in (None, ""):
        return 0.0, True
    duration = interval.get("duration")
    if isinstance(duration, str) and duration:
        return parse_iso_duration(duration), False
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        return number(duration, "timeInterval.duration") / 3600.0, False  # reports
    end_at = parse_datetime(end, "timeInterval.end")
    return (end_at - start).total_seconds() / 3600.0, False


def _to_entry(record, user=None, tz_name=None):
    """Clockify time entry (hydrated or not) -> ExternalEntry (pure).

    ``user`` is the workspace user the entry belongs to (name, e-mail and
    ``settings.timeZone``); ``tz_name`` the fallback time zone.
    """
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "id"))
    interval = _object(record, "timeInterval")
    start = parse_datetime(interval.get("start"), "timeInterval.start")
    hours, running = _hours(interval, start)
    # When the work started and ended, as written (UTC, or with an offset).
    began, ended = work_interval(
        parse_moment(interval.get("start")), parse_moment(interval.get("end"))
    )
    user = user or _object(record, "user")
    zone = text(_object(user, "settings").get("timeZone")) or tz_name
    project = _object(record, "project")
    task = _object(record, "task")
    billable = record.get("billable")
    return ExternalEntry(
        external_id=external_id,
        date=local_date(start, zone),
        hours=hours,
        description=text(record.get("description")),
        user_ref=ref(record.get("userId") or user.get("id")),
        user_name=text(user.get("name")),
        user_email=text(user.get("email")),
        project_ref=ref(record.get("projectId") or project.get("id")),
        project_name=text(project.get("name")),
        task_ref=ref(record.get("taskId") or task.get("id")),
        task_name=text(task.get("name")),
        client_ref=ref(project.get("clientId")),
        client_name=text(project.get("clientName")),
        billable=billable if isinstance(billable, bool) else None,
        is_running=running,
        is_locked=bool(record.get("isLocked")),
        start=began,
        end=ended,
        raw=record,
    )


@register
class ClockifyAdapter(HttpAdapter):
    """Clockify: ``X-Api-Key``; workspace ID in account_ref.

    Options: ``lookback_days`` (default 90), ``start_date`` (first run;
    default: all history), ``timezone`` (for people whose Clockify time
    zone is unknown, e.g. in webhook events).
    """

    provider = "clockify"
    label = LABEL
    default_api_url = "https://api.clockify.me/api/v1"
    lists_present_entries = True
    default_page_size = 200
    max_page_size = 1000
    requires_account = True
    account_label = "Clockify workspace ID"
    supports_webhooks = True

    @property
    def workspace(self):
        return str(self.config.account_ref).strip()

    def _build_http(self):
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={"X-Api-Key": self.config.api_token},
            auth_message=(
                f"Clockify refused the API key for workspace {self.workspace}: "
                f"check the API key and workspace ID in the backend."
            ),
        )

    def check_connection(self):
        me, _response = self.http.get_json("user")
        workspaces, _response = self.http.get_json("workspaces")
        if not isinstance(me, dict) or not isinstance(workspaces, list):
            raise ProviderError("Clockify answered /user with an unexpected shape.")
        names = {
            ref(ws.get("id")): text(ws.get("name"))
            for ws in workspaces
            if isinstance(ws, dict)
        }
        if self.workspace not in names:
            raise ProviderError(
                f"Clockify accepted the API key, but workspace {self.workspace} is "
                f"not among the workspaces it can read: check the workspace ID in "
                f"the backend."
            )
        return (
            f"Connected to Clockify workspace {self.workspace} "
            f"({names[self.workspace] or '?'}) as {text(me.get('name')) or '?'} "
            f"<{text(me.get('email'))}>."
        )

    def _users(self):
        """All users of the workspace, sorted by id (a stable resume order)."""
        users, page = [], 1
        size = 100
        guard = PageGuard(f"{LABEL} (users)", self.config.max_pages)
        while True:
            batch, _response = self.http.get_json(
                f"workspaces/{self.workspace}/users",
                {"page": page, "page-size": size},
            )
            guard.check()
            if not isinstance(batch, list):
                raise ProviderError(
                    "Clockify answered the workspace users with an unexpected shape."
                )
            users.extend(u for u in batch if isinstance(u, dict) and u.get("id"))
            if len(batch) < size:
                break
            page += 1
        return sorted(users, key=lambda user: ref(user["id"]))

    def iter_pages(self, since=None, until=None, resume_token=None):
        state = self._resume_state(resume_token) if resume_token else {}
        if state.get("mode") == "changes" or (not state and since is not None):
            pages = self._iter_changed(since, until, state)
            first = next(pages, None)
            if first is not None:
                yield first
                yield from pages
                return
            # The change log cannot be read: re-read the window instead.
            state = {}
            note = (
                "Clockify's change log could not be read for this workspace: the "
                "entries that started in the last "
                f"{int(self.options.get('lookback_days', 90))} days before the "
                "previous synchronisation were read again instead."
            )
        else:
            note = None
        for page in self._iter_window(since, until, state):
            if note:
                page.notes.append(note)
                note = None
            yield page

    def _resume_state(self, resume_token):
        def read(state):
            if state.get("mode") == "changes":
                int(state["done"])
                str(state["start"]), str(state["end"])
            else:
                str(state["user"]), int(state["page"])
            return state

        return read_resume_token(LABEL, resume_token, read)

    def _iter_changed(self, since, until, state):
        """Pages of the entries created or updated from ``since`` to
        ``until`` (now by default), read one by one; nothing at all when
        the change log cannot be read (the caller falls back)."""
        if state:
            start = parse_datetime(state["start"], "start").replace(tzinfo=None)
            end = parse_datetime(state["end"], "end").replace(tzinfo=None)
            done = int(state["done"])
        else:
            start = _naive_utc(since)
            # Rounded up: the log takes whole seconds, and a change in the
            # run's last second must not wait for the next run.
            end = _naive_utc(until) + timedelta(seconds=1)
            done = 0
        try:
            ids = self._changed_ids(start, end)
        except ProviderError as err:
            if is_unavailable(err):
                _logger.info("Clockify change log unavailable: %s", err)
                return
            raise
        users = {ref(user["id"]): user for user in self._users()}
        tz_name = self.options.get("timezone")
        size = self.page_size
        bounds = {"mode": "changes", "start": utc_iso(start), "end": utc_iso(end)}
        if not ids[done:]:
            yield Page()
            return
        for offset in range(done, len(ids), size):
            records = []
            for external_id in ids[offset : offset + size]:
                record = self._read_entry(external_id)
                if record is not None:
                    records.append(record)
            entries, errors = [], []
            for record in records:
                user = users.get(ref(record.get("userId")))
                mapped, failed = map_records(
                    [record], partial(_to_entry, user=user, tz_name=tz_name), LABEL
                )
                entries += mapped
                errors += failed
            following = offset + size
            token = (
                json.dumps({**bounds, "done": following}, sort_keys=True)
                if following < len(ids)
                else None
            )
            yield Page(entries=entries, errors=errors, resume_token=token)

    def _changed_ids(self, start, end):
        """Ids created or updated from ``start`` to ``end``, sorted."""
        ids = set()
        for kind in ("created", "updated"):
            ids.update(
                list_changes(
                    self.http, self.workspace, kind, start, end, self.config.max_pages
                )
            )
        return sorted(ids)

    def _read_entry(self, external_id):
        """One time entry, hydrated; None when deleted since it changed."""
        try:
            record, _response = self.http.get_json(
                f"workspaces/{self.workspace}/time-entries/"
                f"{quote(str(external_id), safe='')}",
                {"hydrated": "true"},
            )
        except ProviderNotFound:
            return None
        return record

    def iter_deleted(self, since=None):
        """The entries deleted since ``since``, from the change log; nothing
        on a first run or when the log cannot be read."""
        if since is None:
            return
        try:
            ids = list_changes(
                self.http,
                self.workspace,
                "deleted",
                _naive_utc(since),
                _naive_utc() + timedelta(seconds=1),
                self.config.max_pages,
            )
        except ProviderError as err:
            if is_unavailable(err):
                return
            raise
        yield from ids

    def _iter_window(self, since, until, state):
        """Every user's entries that started in the run's window."""
        if state:
            start, end = state.get("start"), state.get("end")
            resume_user, page = str(state["user"]), int(state["page"])
        else:
            first_day = start_window(since, self.options)
            start = (
                utc_iso(datetime.combine(first_day, time.min)) if first_day else None
            )
            end = utc_iso(until + timedelta(seconds=1)) if until else None
            resume_user, page = None, 1
        users = self._users()
        if resume_user is not None:
            users = [user for user in users if ref(user["id"]) >= resume_user]
        tz_name = self.options.get("timezone")
        size = self.page_size
        for index, user in enumerate(users):
            user_id = ref(user["id"])
            if resume_user is None or user_id != resume_user:
                page = 1
            while True:
                params = {"page": page, "page-size": size, "hydrated": "true"}
                if start:
                    params["start"] = start
                if end:
                    params["end"] = end
                records, _response = self.http.get_json(
                    f"workspaces/{self.workspace}/user/{user_id}/time-entries", params
                )
                if not isinstance(records, list):
                    raise ProviderError(
                        "Clockify answered the time entries with an unexpected "
                        "shape (a list was expected)."
                    )
                entries, errors = map_records(
                    records, partial(_to_entry, user=user, tz_name=tz_name), LABEL
                )
                more = len(records) >= size
                if more:
                    cursor = {"user": user_id, "page": page + 1}
                elif index + 1 < len(users):
                    cursor = {"user": ref(users[index + 1]["id"]), "page": 1}
                else:
                    cursor = None
                token = (
                    json.dumps({"start": start, "end": end, **cursor}, sort_keys=True)
                    if cursor
                    else None
                )
                if records or cursor is None:
                    yield Page(entries=entries, errors=errors, resume_token=token)
                if not more:
                    break
                page += 1

    def listed_user_refs(self):
        """The workspace's users: :meth:`iter_pages` reads each one's entries."""
        return frozenset(ref(user["id"]) for user in self._users())

    # -- webhooks ------------------------------------------------------------

    def verify_webhook(self, raw_body, headers):
        return verify_clockify_signature(
            self.config.webhook_secret, header(headers, "Clockify-Signature")
        )

    def webhook_delivery_kind(self, headers):
        # The event type is not signed: only a deletion differs in effect
        # from a creation or an update carrying the same body.
        event = text(header(headers, "Clockify-Webhook-Event-Type")).upper()
        return "deletion" if event == DELETION_EVENT else ""

    def confirm_deleted(self, external_ids):
        """Ask Clockify for each entry (``GET /workspaces/{ws}/time-entries/
        {id}``): only those it no longer knows (404) are gone. Its webhook
        token is fixed and signs nothing, so a deletion is never taken on the
        call's word."""
        gone = []
        for external_id in external_ids:
            try:
                self.http.get_json(
                    f"workspaces/{self.workspace}/time-entries/"
                    f"{quote(str(external_id), safe='')}"
                )
            except ProviderNotFound:
                gone.append(external_id)
        return gone

    def parse_webhook(self, payload, headers=None):
        """One Clockify webhook call -> Page.

        The event type comes from the ``Clockify-Webhook-Event-Type`` header;
        the body is the time entry. Events about other objects give an empty
        page.
        """
        event = text(header(headers, "Clockify-Webhook-Event-Type")).upper()
        if event and event not in TIME_ENTRY_EVENTS:
            return Page()
        if not isinstance(payload, dict):
            return Page(
                errors=[
                    EntryError(
                        message="Clockify sent a webhook event that is not a JSON "
                        "object.",
                        raw={"value": payload},
                    )
                ]
            )
        workspace = payload.get("workspaceId")
        if workspace and self.workspace and ref(workspace) != self.workspace:
            return Page(
                errors=[
                    EntryError(
                        message=(
                            f"Clockify sent an event of workspace {ref(workspace)} to "
                            f"the backend of workspace {self.workspace}; ignored."
                        ),
                        external_id=ref(payload.get("id")),
                        raw=payload,
                    )
                ]
            )
        if event == DELETION_EVENT:
            if not payload.get("id"):
                return Page(
                    errors=[
                        EntryError(
                            message="Clockify sent a deletion without an entry id.",
                            raw=payload,
                        )
                    ]
                )
            return Page(deleted_ids=[ref(payload["id"])])
        entries, errors = map_records(
            [payload],
            partial(_to_entry, tz_name=self.options.get("timezone")),
            LABEL,
        )
        return Page(entries=entries, errors=errors)
