# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Clockify API v1: current user, workspaces, workspace users and each
user's time entries (``page`` / ``page-size``, ``start`` / ``end``,
``hydrated``), one entry (``hydrated``), the change log of time entries
(``entities/created``, ``entities/updated``, ``entities/deleted``: ``type``,
``start`` / ``end``, ``page`` from 0, ``limit``), plus the webhook call
Clockify makes.

The change log follows what Clockify documents: an entry created and updated
in the range asked is listed only as created, one created and deleted in it
not at all. ``changes_available = False`` answers it 404, like a workspace
without it.

Auth: ``X-Api-Key``. Times are UTC (``2026-03-02T09:00:00Z``), durations ISO
8601 (``PT1H30M``); a running timer has ``end`` and ``duration`` null.
"""

from datetime import timedelta

from .base import FakeServer, iso_utc, json_response, parse_iso

MAX_PAGE_SIZE = 5000


def iso_duration(seconds):
    """Seconds -> ``PT1H30M`` (Clockify's notation; ``PT0S`` for zero)."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs or text == "PT":
        text += f"{secs}S"
    return text


class FakeClockify(FakeServer):
    label = "Clockify"
    api_root = "/api/v1"

    def __init__(
        self, token="clockify-key", account_id="65f0c0ffee0000000000abcd", **kw
    ):
        super().__init__(token=token, account_id=account_id, **kw)
        self.workspace_name = "Bridge Consulting"
        self.changes_available = True
        # id -> when created / last updated / deleted (aware UTC).
        self.created_at, self.updated_at, self.deleted_at = {}, {}, {}
        self.deleted_records = {}

    # -- data ------------------------------------------------------------------

    def object_id(self, kind, index):
        prefixes = {"user": "5a0", "client": "5c1", "project": "5d2", "task": "5e3"}
        return f"{prefixes.get(kind, '5f4')}{index + 1:021x}"

    def new_id(self):
        return f"66a{super().new_id():021x}"

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
        end = None if running else started + timedelta(seconds=seconds)
        self.created_at[record_id] = self.now()
        return {
            "id": record_id,
            "description": notes,
            "tagIds": [],
            "userId": person.id,
            "billable": billable,
            "taskId": task.id,
            "projectId": project.id,
            "workspaceId": self.account_id,
            "timeInterval": {
                "start": iso_utc(started),
                "end": iso_utc(end) if end else None,
                "duration": iso_duration(seconds) if end else None,
            },
            "customFieldValues": [],
            "type": "REGULAR",
            "kioskId": None,
            "hourlyRate": {"amount": 15000, "currency": "EUR"} if billable else None,
            "costRate": {"amount": 6000, "currency": "EUR"},
            "isLocked": False,
            "approvalRequestId": None,
        }

    def _touch(self, record):
        # Clockify entries carry no update time; the change log has it.
        self.updated_at[record["id"]] = self.now()

    def delete(self, record_id):
        record = super().delete(record_id)
        self.deleted_at[record["id"]] = self.now()
        self.deleted_records[record["id"]] = record
        return record

    def stop_timer(self, record_id, seconds):
        record = self.find(record_id)
        started = parse_iso(record["timeInterval"]["start"])
        interval = dict(
            record["timeInterval"],
            end=iso_utc(started + timedelta(seconds=seconds)),
            duration=iso_duration(seconds),
        )
        return self.edit(record_id, timeInterval=interval)

    def add_broken(self):
        """An entry whose duration is not ISO 8601."""
        record = self.add()
        record["timeInterval"] = dict(record["timeInterval"], duration="90 minutes")
        self.changed()
        return record

    def _hydrate(self, record):
        projects = {p.id: p for p in self.projects}
        tasks = {t.id: t for p in self.projects for t in p.tasks}
        project = projects.get(record.get("projectId"))
        task = tasks.get(record.get("taskId"))
        hydrated = dict(record)
        hydrated["project"] = (
            {
                "id": project.id,
                "name": project.name,
                "clientId": project.client.id,
                "clientName": project.client.name,
                "workspaceId": self.account_id,
                "billable": True,
                "color": "#03A9F4",
                "archived": False,
            }
            if project
            else None
        )
        hydrated["task"] = (
            {"id": task.id, "name": task.name, "projectId": project.id}
            if task and project
            else None
        )
        hydrated["tags"] = []
        return hydrated

    def _user(self, person):
        return {
            "id": person.id,
            "email": person.email,
            "name": person.name,
            "activeWorkspace": self.account_id,
            "defaultWorkspace": self.account_id,
            "status": "ACTIVE",
            "settings": {"timeZone": person.timezone, "weekStart": "MONDAY"},
        }

    # -- webhooks ----------------------------------------------------------------

    def webhook_event(self, record_id, event="TIME_ENTRY_UPDATED"):
        """``(payload, headers)`` of the call Clockify makes for ``event``.

        ``TIME_ENTRY_DELETED`` deletes the record at the source first, as the
        deletion that Clockify reports.
        """
        record = self.find(record_id)
        if event == "TIME_ENTRY_DELETED":
            self.delete(record_id)
        people = {p.id: p for p in self.people}
        payload = self._hydrate(record)
        person = people.get(record.get("userId"))
        if person:
            payload["user"] = {"id": person.id, "name": person.name, "status": "ACTIVE"}
        headers = {
            "Content-Type": "application/json",
            "Clockify-Signature": self.webhook_secret,
            "Clockify-Webhook-Event-Type": event,
        }
        return payload, headers

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        messages = {429: "Too many requests", 500: "Internal server error"}
        return json_response(
            {"message": messages.get(status, "Service unavailable"), "code": status},
            status,
        )

    def check_auth(self, request):
        if request.header("X-Api-Key") != self.token:
            return json_response(
                {
                    "message": "Full authentication is required to access this "
                    "resource",
                    "code": 1000,
                },
                401,
            )
        return None

    def route(self, request):
        if request.method != "GET":
            return self.not_found(request)
        path = request.path
        workspace = f"/api/v1/workspaces/{self.account_id}"
        if path == "/api/v1/user":
            if not self.people:
                self.build_world()
            return json_response(self._user(self.people[0]))
        if path == "/api/v1/workspaces":
            return json_response(
                [
                    {
                        "id": self.account_id,
                        "name": self.workspace_name,
                        "hourlyRate": {"amount": 15000, "currency": "EUR"},
                    }
                ]
            )
        if path.startswith("/api/v1/workspaces/") and not path.startswith(
            workspace + "/"
        ):
            return json_response({"message": "Access Denied", "code": 403}, 403)
        if path == workspace + "/users":
            return self._page(request, [self._user(p) for p in self.people])
        entry_prefix = workspace + "/time-entries/"
        if path.startswith(entry_prefix) and "/" not in path[len(entry_prefix) :]:
            try:
                record = self.find(path[len(entry_prefix) :])
            except KeyError:
                return json_response(
                    {"message": "Time entry doesn't exist", "code": 404}, 404
                )
            if request.params.get("hydrated") == "true":
                record = self._hydrate(record)
            return json_response(record)
        if path.startswith(workspace + "/entities/"):
            return self._changes(request, path[len(workspace + "/entities/") :])
        prefix = workspace + "/user/"
        if path.startswith(prefix) and path.endswith("/time-entries"):
            user_id = path[len(prefix) : -len("/time-entries")]
            return self._time_entries(request, user_id)
        return self.not_found(request)

    def not_found(self, request):
        return json_response({"message": "Not found", "code": 404}, 404)

    def _page(self, request, items):
        params = request.params
        try:
            page = int(params.get("page") or 1)
            size = int(params.get("page-size") or 50)
        except ValueError:
            return json_response({"message": "Invalid page", "code": 400}, 400)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            return json_response({"message": "Invalid page size", "code": 400}, 400)
        chunk = items[(page - 1) * size : page * size]
        last = page * size >= len(items)
        return json_response(chunk, headers={"Last-Page": "true" if last else "false"})

    def _time_entries(self, request, user_id):
        if user_id not in {str(p.id) for p in self.people}:
            return json_response({"message": "User not found", "code": 404}, 404)
        params = request.params
        records = [r for r in self.records if str(r.get("userId")) == user_id]
        start = parse_iso(params.get("start"))
        end = parse_iso(params.get("end"))

        def started(record):
            return parse_iso((record.get("timeInterval") or {}).get("start"))

        if start:
            records = [r for r in records if (started(r) or start) >= start]
        if end:
            records = [r for r in records if (started(r) or end) <= end]
        if params.get("in-progress") == "true":
            records = [r for r in records if not r["timeInterval"].get("end")]
        records.sort(
            key=lambda r: ((r.get("timeInterval") or {}).get("start") or "", r["id"]),
            reverse=True,
        )
        if params.get("hydrated") == "true":
            records = [self._hydrate(r) for r in records]
        return self._page(request, records)

    def _changes(self, request, kind):
        if not self.changes_available or kind not in ("created", "updated", "deleted"):
            return self.not_found(request)
        params = request.params
        if "TIME_ENTRY" not in request.query.get("type", []):
            return json_response({"message": "type is required", "code": 400}, 400)
        start, end = parse_iso(params.get("start")), parse_iso(params.get("end"))
        if not start or not end:
            return json_response({"message": "start and end", "code": 400}, 400)
        try:
            page, limit = int(params.get("page") or 0), int(params.get("limit") or 50)
        except ValueError:
            return json_response({"message": "Invalid page", "code": 400}, 400)

        def within(moment):
            return moment is not None and start <= moment <= end

        live = {r["id"]: r for r in self.records}
        rows = []
        stamps = {
            "created": self.created_at,
            "updated": self.updated_at,
            "deleted": self.deleted_at,
        }[kind]
        for record_id, moment in sorted(stamps.items(), key=lambda kv: kv[1]):
            if not within(moment):
                continue
            if kind != "created" and within(self.created_at.get(record_id)):
                continue  # created in the range: listed as created only
            document = (
                self.deleted_records.get(record_id)
                if kind == "deleted"
                else live.get(record_id)
            )
            if document is None:
                continue
            row = {"id": f"log{record_id}", "documentCode": "TIME_ENTRY"}
            row["document"] = dict(document)
            if kind == "deleted":
                row["deletedAt"] = iso_utc(moment)
            rows.append(row)
        chunk = rows[page * limit : (page + 1) * limit]
        return json_response({"response": chunk})
