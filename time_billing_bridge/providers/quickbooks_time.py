# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""QuickBooks Time (formerly TSheets) API v1 adapter.

``GET /timesheets`` with ``modified_since`` for incremental runs, paged with
``page`` / ``limit`` while the answer says ``more``; the run's start is fixed
as ``modified_before`` so that pages do not shift under it. Results are
objects keyed by id, with the people and jobcodes they name in
``supplemental_data``. Deleted timesheets come from their own endpoint
(``/timesheets_deleted``, kept 180 days at the source).

Jobcodes form a tree (customer > job > task...): a timesheet on a jobcode
without children of its own, under a parent, has the parent as its project
and the jobcode as its task; on a jobcode at the top or with children, the
jobcode is the project and there is no task. The top of the tree, when it is
not the project, names the client. A timesheet is approved when its
date is on or before its person's ``approved_to`` (submitted likewise with
``submitted_to``); ``locked`` is a lock (exported, invoiced), not approval.
"""

import json
from datetime import datetime, timedelta, timezone
from functools import partial

from ..exceptions import ProviderError
from . import register
from .base import ExternalEntry, Page
from .common import (
    MalformedRecord,
    map_records,
    parse_date,
    parse_moment,
    ref,
    require,
    seconds_to_hours,
    start_window,
    text,
    to_naive_utc,
    work_interval,
)
from .http import HttpAdapter, HttpClient
from .paging import PageGuard, read_resume_token

LABEL = "QuickBooks Time"
# The first run reads everything changed since then unless a start date is set.
EPOCH = "2000-01-01T00:00:00+00:00"


def _moment(value):
    """Aware datetime -> ``2026-03-02T09:00:00+00:00`` (an offset is required)."""
    return value.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _results(data, kind):
    """The records of a list answer: ``results.<kind>`` keyed by id, or an
    empty list."""
    results = data.get("results") if isinstance(data, dict) else None
    records = results.get(kind) if isinstance(results, dict) else None
    if isinstance(records, dict):
        return list(records.values())
    if isinstance(records, list):
        return records
    raise ProviderError(
        f"QuickBooks Time answered GET /{kind} without results.{kind}; check "
        f"that the API URL points to QuickBooks Time API v1."
    )


def _approval(record, user):
    """ "approved", "submitted" or "" from the person's approval dates."""
    day = text(record.get("date"))
    if day and day <= text(user.get("approved_to")):
        return "approved"
    if day and day <= text(user.get("submitted_to")):
        return "submitted"
    return ""


def _jobcode_path(jobcode_id, jobcodes):
    """The jobcodes from ``jobcode_id`` up to the top of its tree."""
    path, seen = [], set()
    code = jobcodes.get(ref(jobcode_id))
    while code and ref(code.get("id")) not in seen:
        seen.add(ref(code.get("id")))
        path.append(code)
        parent = ref(code.get("parent_id"))
        code = jobcodes.get(parent) if parent not in ("", "0") else None
    return path


def _to_entry(record, users=None, jobcodes=None):
    """QuickBooks Time timesheet dict -> ExternalEntry (pure)."""
    if not isinstance(record, dict):
        raise TypeError(f"expected an object, got {type(record).__name__}")
    external_id = ref(require(record, "id"))
    running = bool(record.get("on_the_clock"))
    duration = record.get("duration")
    hours = 0.0 if running and not duration else seconds_to_hours(duration)
    if hours < 0:
        raise MalformedRecord(f"duration {duration!r} is negative")
    user = (users or {}).get(ref(record.get("user_id"))) or {}
    name = " ".join(
        part
        for part in (text(user.get("first_name")), text(user.get("last_name")))
        if part
    )
    path = _jobcode_path(record.get("jobcode_id"), jobcodes or {})
    code = path[0] if path else {}
    if len(path) > 1 and not code.get("has_children"):
        task, project = code, path[1]
    else:
        task, project = {}, code
    client = path[-1] if path and path[-1] is not project else {}
    billable = code.get("billable")
    began, ended = work_interval(
        parse_moment(record.get("start")), parse_moment(record.get("end"))
    )
    locked = record.get("locked")
    return ExternalEntry(
        external_id=external_id,
        date=parse_date(record.get("date"), "date"),
        hours=hours,
        description=text(record.get("notes")),
        updated_at=to_naive_utc(record.get("last_modified"), "last_modified"),
        user_ref=ref(record.get("user_id")),
        user_name=name or text(user.get("username")),
        user_email=text(user.get("email")),
        project_ref=ref(project.get("id")),
        project_name=text(project.get("name")),
        project_code=text(project.get("short_code")),
        task_ref=ref(task.get("id")),
        task_name=text(task.get("name")),
        client_ref=ref(client.get("id")),
        client_name=text(client.get("name")),
        billable=billable if isinstance(billable, bool) else None,
        is_running=running,
        is_locked=isinstance(locked, int | float) and locked > 0,
        approval_status=_approval(record, user),
        start=began,
        end=ended,
        raw=record,
    )


@register
class QuickBooksTimeAdapter(HttpAdapter):
    """QuickBooks Time v1: ``Authorization: Bearer <access token>``.

    The token is one an administrator creates in QuickBooks Time (Feature
    Add-ons > API > Add a new application); it identifies the company, so
    no account ID is needed. Options: ``start_date`` (first run: timesheets
    dated from then; default: everything changed since 2000).
    """

    provider = "quickbooks_time"
    label = LABEL
    default_api_url = "https://rest.tsheets.com/api/v1"
    # Approval is a date on the person, not a change of the timesheet: the
    # incremental read does not bring a waiting timesheet back, so each
    # synchronisation reads the waiting ones again (recheck_approvals).
    reports_approval = True
    default_page_size = 200
    max_page_size = 200

    def __init__(self, config):
        super().__init__(config)
        self._jobcodes = None

    def _build_http(self):
        return HttpClient(
            self.config,
            LABEL,
            self.base_url,
            headers={"Authorization": f"Bearer {self.config.api_token}"},
            auth_message=(
                "QuickBooks Time refused the access token: it may have expired. "
                "Create or extend the token in QuickBooks Time (Feature Add-ons > "
                "API) and paste it in the backend."
            ),
        )

    def check_connection(self):
        data, _response = self.http.get_json("current_user")
        users = _results(data, "users")
        if not users or not isinstance(users[0], dict):
            raise ProviderError("QuickBooks Time did not name the token's user.")
        user = users[0]
        name = " ".join(
            part
            for part in (text(user.get("first_name")), text(user.get("last_name")))
            if part
        )
        return (
            f"Connected to QuickBooks Time as {name or '?'} "
            f"<{text(user.get('email'))}>."
        )

    def _query(self, since, until):
        """Filters of one run: what changed since ``since`` (or, on the first
        run, what is dated from the start date), before the run began."""
        until = until or datetime.now(timezone.utc)
        if until.tzinfo is None:
            until = until.replace(tzinfo=timezone.utc)
        # Rounded up: the API takes whole seconds, and a timesheet changed
        # earlier in the run's first second must not wait for the next run.
        params = {"modified_before": _moment(until + timedelta(seconds=1))}
        if since is not None:
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            params["modified_since"] = _moment(since)
        else:
            first_day = start_window(None, self.options)
            if first_day:
                params["start_date"] = first_day.isoformat()
            else:
                params["modified_since"] = EPOCH
        return params

    def iter_pages(self, since=None, until=None, resume_token=None):
        if resume_token:
            params, page = read_resume_token(
                LABEL,
                resume_token,
                lambda state: (dict(state["params"]), int(state["page"])),
            )
        else:
            params, page = self._query(since, until), 1
        params.update(on_the_clock="both", jobcode_type="regular", limit=self.page_size)
        while True:
            data, _response = self.http.get_json("timesheets", {**params, "page": page})
            records, entries, errors = self._read_answer(data)
            more = data.get("more") is True and bool(records)
            token = None
            if more:
                kept = {
                    k: params[k]
                    for k in ("modified_since", "modified_before", "start_date")
                    if k in params
                }
                token = json.dumps({"params": kept, "page": page + 1}, sort_keys=True)
            yield Page(entries=entries, errors=errors, resume_token=token)
            if not more:
                break
            page += 1

    def _read_answer(self, data):
        """``(records, entries, errors)`` of one answer of GET /timesheets."""
        records = _results(data, "timesheets")
        supplemental = data.get("supplemental_data") or {}
        users = supplemental.get("users") if isinstance(supplemental, dict) else {}
        to_entry = partial(
            _to_entry,
            users={ref(k): v for k, v in (users or {}).items()},
            jobcodes=self._jobcode_tree(),
        )
        entries, errors = map_records(records, to_entry, LABEL)
        return records, entries, errors

    def recheck_approvals(self, waiting):
        """The waiting timesheets dated on or before their person's
        ``approved_to`` now: read again by id (``GET /timesheets?ids=``,
        200 at a time), with their person as the answer gives it."""
        ids = [str(item["external_id"]) for item in waiting]
        approved = []
        for start in range(0, len(ids), self.max_page_size):
            params = {
                "ids": ",".join(ids[start : start + self.max_page_size]),
                "on_the_clock": "both",
                "limit": self.max_page_size,
            }
            for data, _records in self._read_all(
                "timesheets", params, "approvals", "timesheets"
            ):
                _records, entries, _errors = self._read_answer(data)
                approved += [e for e in entries if e.approval_status == "approved"]
        return Page(entries=approved)

    def iter_deleted(self, since=None):
        """Ids deleted at the source since ``since`` (none on a first run:
        nothing was imported before it)."""
        if since is None:
            return
        params = self._query(since, None)
        params["limit"] = self.page_size
        listing = self._read_all(
            "timesheets_deleted", params, "deleted timesheets", "timesheets"
        )
        for _data, records in listing:
            for record in records:
                if isinstance(record, dict) and record.get("id") is not None:
                    yield ref(record["id"])

    def _read_all(self, path, params, what, key):
        """``(answer, records)`` of each page of a listing read whole (the
        ``key`` list of its results), until it says there is no more."""
        guard = PageGuard(f"{LABEL} ({what})", self.config.max_pages)
        page = 1
        while True:
            data, _response = self.http.get_json(path, {**params, "page": page})
            guard.check()
            records = _results(data, key)
            yield data, records
            if data.get("more") is not True or not records:
                return
            page += 1

    def _jobcode_tree(self):
        """Every jobcode by id, read once per adapter (a timesheet's own
        supplemental data lacks the jobcode's parents)."""
        if self._jobcodes is None:
            codes = {}
            params = {"type": "all", "active": "both", "limit": 200}
            for _data, records in self._read_all(
                "jobcodes", params, "jobcodes", "jobcodes"
            ):
                for code in records:
                    if isinstance(code, dict) and code.get("id") is not None:
                        codes[ref(code["id"])] = code
            self._jobcodes = codes
        return self._jobcodes
