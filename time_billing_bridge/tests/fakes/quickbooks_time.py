# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake QuickBooks Time (formerly TSheets) API v1: timesheets, deleted
timesheets, jobcodes and the current user.

Auth: ``Authorization: Bearer <token>``. Lists answer ``{"results": {<kind>:
{<id>: {...}}}, "more": bool, "supplemental_data": {...}}`` (an empty list is
``[]``), page with ``page`` / ``limit`` (1-200, default 200) and refuse a
timesheet query without one of ``ids``, ``start_date``, ``modified_since`` or
``modified_before`` (417). Times carry the person's local offset; running
timesheets are left out unless ``on_the_clock`` is ``yes`` or ``both``.
Jobcodes form a tree: client > project > task.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from .base import FakeServer, json_response, parse_iso

MAX_LIMIT = 200


def _offset_iso(moment):
    """``2026-03-02T10:00:00+01:00``: QuickBooks Time's form of a moment."""
    return moment.replace(microsecond=0).isoformat()


class FakeQuickBooksTime(FakeServer):
    label = "QuickBooks Time"
    api_root = "/api/v1"
    first_id = 135_000_000

    def __init__(self, token="qbt-token", account_id="", **kw):
        super().__init__(token=token, account_id=account_id, **kw)
        self.deleted = []
        # person id -> (submitted_to, approved_to) as YYYY-MM-DD
        self.approvals = {}

    # -- data ------------------------------------------------------------------

    def _build_record(
        self,
        record_id,
        person,
        project,
        task,
        started,
        seconds,
        notes,
        billable,
        running,
        rng,
    ):
        local = started.astimezone(ZoneInfo(person.timezone))
        ended = local + timedelta(seconds=seconds)
        offset = local.utcoffset().total_seconds() / 3600
        return {
            "id": record_id,
            "user_id": person.id,
            "jobcode_id": task.id if task else project.id,
            "start": _offset_iso(local),
            "end": "" if running else _offset_iso(ended),
            "duration": 0 if running else seconds,
            "date": local.date().isoformat(),
            "tz": int(offset) if offset.is_integer() else offset,
            "tz_str": "",
            "type": "regular",
            "location": "",
            "on_the_clock": running,
            "locked": 0,
            "notes": notes or "",
            "customfields": "",
            "attached_files": [],
            "created_by_user_id": person.id,
            "last_modified": _offset_iso(
                (started + timedelta(seconds=seconds)).astimezone(ZoneInfo("UTC"))
            ),
        }

    def _touch(self, record):
        record["last_modified"] = _offset_iso(self.now().astimezone(ZoneInfo("UTC")))

    def stop_timer(self, record_id, seconds):
        """Clock a running timesheet out after ``seconds``."""
        with self._lock:
            record = self.find(record_id)
            ended = parse_iso(record["start"]) + timedelta(seconds=seconds)
            return self.edit(
                record_id,
                end=_offset_iso(ended),
                duration=seconds,
                on_the_clock=False,
            )

    def delete(self, record_id):
        """Delete a timesheet; it stays listed in ``/timesheets_deleted``."""
        with self._lock:
            record = super().delete(record_id)
            gone = dict(record, active="0", created=record["last_modified"])
            self._touch(gone)
            self.deleted.append(gone)
            self.changed()
            return gone

    def approve_until(self, person, day, submitted=None):
        """Approve ``person``'s time up to ``day`` (a date)."""
        with self._lock:
            self.approvals[person.id] = (
                (submitted or day).isoformat(),
                day.isoformat(),
            )
            self.changed()

    def jobcodes(self):
        """Every jobcode by id: clients at the top, projects, then tasks."""
        codes = {}
        for client in self.clients:
            codes[client.id] = self._jobcode(client.id, client.name, 0, True)
        for project in self.projects:
            codes[project.id] = self._jobcode(
                project.id, project.name, project.client.id, bool(project.tasks)
            )
            for task in project.tasks:
                codes[task.id] = self._jobcode(task.id, task.name, project.id, False)
        return codes

    @staticmethod
    def _jobcode(code_id, name, parent_id, has_children):
        return {
            "id": code_id,
            "parent_id": parent_id,
            "assigned_to_all": True,
            "billable": True,
            "active": True,
            "type": "regular",
            "has_children": has_children,
            "billable_rate": 150.0,
            "short_code": "",
            "name": name,
            "last_modified": "2026-01-01T00:00:00+00:00",
            "created": "2026-01-01T00:00:00+00:00",
        }

    def user_object(self, person):
        submitted, approved = self.approvals.get(person.id, ("", ""))
        return {
            "id": person.id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "display_name": "",
            "group_id": 0,
            "active": True,
            "employee_number": 0,
            "username": person.email.split("@")[0],
            "email": person.email,
            "payroll_id": "",
            "submitted_to": submitted or "2000-01-01",
            "approved_to": approved or "2000-01-01",
            "last_modified": "2026-01-01T00:00:00+00:00",
        }

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        messages = {429: "Too Many Requests", 500: "Internal Server Error"}
        return json_response(
            {"error": {"code": status, "message": messages.get(status, "Error")}},
            status,
        )

    def _error(self, status, message):
        return json_response({"error": {"code": status, "message": message}}, status)

    def check_auth(self, request):
        if request.header("Authorization") != f"Bearer {self.token}":
            return self._error(401, "Unauthorized. Check the access token.")
        return None

    def not_found(self, request):
        return self._error(404, "Not Found")

    def route(self, request):
        if request.method != "GET":
            return self.not_found(request)
        if request.path == "/api/v1/current_user":
            if not self.people:
                self.build_world()
            person = self.people[0]
            return json_response(
                {
                    "results": {"users": {str(person.id): self.user_object(person)}},
                    "more": False,
                    "supplemental_data": {},
                }
            )
        if request.path == "/api/v1/timesheets":
            return self._timesheets(request, self.records, deleted=False)
        if request.path == "/api/v1/timesheets_deleted":
            return self._timesheets(request, self.deleted, deleted=True)
        if request.path == "/api/v1/jobcodes":
            return self._jobcodes(request)
        return self.not_found(request)

    def _paging(self, params):
        try:
            page = int(params.get("page") or 1)
            limit = int(params.get("limit") or MAX_LIMIT)
        except ValueError:
            return None
        if page < 1 or not 1 <= limit <= MAX_LIMIT:
            return None
        return page, limit

    def _envelope(self, kind, items, page, limit, supplemental):
        chunk = items[(page - 1) * limit : page * limit]
        results = {str(item["id"]): item for item in chunk} if chunk else []
        return json_response(
            {
                "results": {kind: results},
                "more": page * limit < len(items),
                "supplemental_data": supplemental(chunk),
            }
        )

    def _timesheets(self, request, source, deleted):
        params = request.params
        paging = self._paging(params)
        if paging is None:
            return self._error(417, "page and limit must be numbers, limit 1 to 200")
        wanted = ("ids", "start_date", "modified_since", "modified_before")
        if not any(params.get(key) for key in wanted):
            return self._error(
                417,
                "One of ids, start_date, modified_since or modified_before is "
                "required.",
            )
        bounds = {}
        for key in ("modified_since", "modified_before"):
            if params.get(key):
                moment = parse_iso(params[key])
                if moment is None or "T" not in params[key]:
                    return self._error(417, f"{key} must be an ISO 8601 date-time")
                bounds[key] = moment
        with self._lock:
            records = list(source)
        if params.get("ids"):
            ids = set(params["ids"].split(","))
            records = [r for r in records if str(r["id"]) in ids]
        if params.get("start_date"):
            records = [r for r in records if r["date"] >= params["start_date"]]
        if params.get("end_date"):
            records = [r for r in records if r["date"] <= params["end_date"]]
        if "modified_since" in bounds:
            since = bounds["modified_since"]
            records = [r for r in records if parse_iso(r["last_modified"]) >= since]
        if "modified_before" in bounds:
            before = bounds["modified_before"]
            records = [r for r in records if parse_iso(r["last_modified"]) < before]
        clock = params.get("on_the_clock") or "no"
        if not deleted and clock != "both":
            running = clock == "yes"
            records = [r for r in records if bool(r["on_the_clock"]) == running]
        records.sort(key=lambda r: r["id"])
        page, limit = paging
        with_data = (params.get("supplemental_data") or "yes") == "yes"
        return self._envelope(
            "timesheets",
            records,
            page,
            limit,
            self._supplemental if with_data else (lambda chunk: {}),
        )

    def _supplemental(self, chunk):
        people = {p.id: p for p in self.people}
        codes = self.jobcodes()
        users = {
            str(r["user_id"]): self.user_object(people[r["user_id"]])
            for r in chunk
            if r["user_id"] in people
        }
        jobcodes = {
            str(r["jobcode_id"]): codes[r["jobcode_id"]]
            for r in chunk
            if r["jobcode_id"] in codes
        }
        return {"users": users, "jobcodes": jobcodes}

    def _jobcodes(self, request):
        paging = self._paging(request.params)
        if paging is None:
            return self._error(417, "page and limit must be numbers, limit 1 to 200")
        codes = sorted(self.jobcodes().values(), key=lambda c: c["id"])
        page, limit = paging
        return self._envelope("jobcodes", codes, page, limit, lambda chunk: {})
