# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Toggl Track: API v9 (me, workspace, users, own time entries with
``since``), Reports API v3 detailed search and the webhook envelope.

Records are stored as v9 TimeEntry objects (``start`` in UTC, ``duration``
in seconds, negative while running, ``at`` = last update,
``server_deleted_at`` once deleted). The detailed report shows them in the
token owner's time zone (``report_timezone``), grouped into rows of entries
with identical attributes, ``page_size`` rows at a time, continued through
``X-Next-ID`` / ``X-Next-Row-Number`` (-> ``first_id`` / ``first_row_number``).
"""

import base64
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .base import UTC, FakeServer, json_response, parse_iso, text_response

MAX_RANGE_DAYS = 366


def _iso(moment):
    return moment.isoformat(timespec="seconds")


class FakeToggl(FakeServer):
    label = "Toggl Track"
    api_root = ""
    first_id = 3_100_000_000

    def __init__(self, token="toggl-token", account_id="7654321", **kw):
        super().__init__(token=token, account_id=account_id, **kw)
        self.report_timezone = "Europe/Berlin"
        self.workspace_name = "Bridge Consulting"
        # Reproduce the reported quirk: an empty page when both first_id and
        # first_row_number are sent.
        self.empty_when_both_cursors = False
        self.users_forbidden = False

    # -- data ------------------------------------------------------------------

    def object_id(self, kind, index):
        offsets = {"user": 9_500_000, "client": 61_000_000, "project": 190_000_000}
        return offsets.get(kind, 88_000_000) + index + 1

    @property
    def owner(self):
        """The person whose token the fake accepts (the first one)."""
        if not self.people:
            self.build_world()
        return self.people[0]

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
        stop = None if running else started + timedelta(seconds=seconds)
        updated = stop or started
        return {
            "id": record_id,
            "workspace_id": int(self.account_id),
            "project_id": project.id,
            "task_id": task.id,
            "user_id": person.id,
            "billable": billable,
            "start": _iso(started),
            "stop": _iso(stop) if stop else None,
            "duration": -int(started.timestamp()) if running else seconds,
            "description": notes or None,
            "tags": [],
            "tag_ids": [],
            "duronly": True,
            "at": _iso(updated),
            "server_deleted_at": None,
            "permissions": None,
        }

    def _touch(self, record):
        record["at"] = _iso(self.now())

    def delete(self, record_id):
        """Delete at the source: v9 keeps a tombstone (``server_deleted_at``)."""
        with self._lock:
            record = self.find(record_id)
            record["server_deleted_at"] = _iso(self.now())
            self._touch(record)
            self.changed()
            return record

    def stop_timer(self, record_id, seconds):
        """Stop a running entry after ``seconds``."""
        record = self.find(record_id)
        started = parse_iso(record["start"])
        return self.edit(
            record_id,
            stop=_iso(started + timedelta(seconds=seconds)),
            duration=seconds,
        )

    def add_broken(self):
        """An entry whose start cannot be read."""
        record = self.add()
        record["start"] = "yesterday morning"
        self.changed()
        return record

    def quota_exceeded(self, resets_in=1800, times=1):
        """Answer the next calls with Toggl's hourly-quota refusal (402)."""
        self.fail_next(
            402,
            times=times,
            headers={
                "X-Toggl-Quota-Remaining": "0",
                "X-Toggl-Quota-Resets-In": str(resets_in),
            },
        )

    # -- webhooks ----------------------------------------------------------------

    def webhook_event(self, record_id, action="updated", subscription_id=42):
        """The envelope Toggl posts for ``action`` on a time entry."""
        record = self.find(record_id)
        now = self.now()
        return {
            "event_id": int(now.timestamp() * 1000),
            "created_at": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "creator_id": record["user_id"],
            "metadata": {
                "action": action,
                "event_user_id": str(record["user_id"]),
                "model": "time_entry",
                "model_owner_id": str(record["user_id"]),
                "path": f"/api/v9/workspaces/{self.account_id}/time_entries/"
                f"{record['id']}",
                "request_body": json.dumps({"description": record["description"]}),
                "request_type": "DELETE" if action == "deleted" else "PUT",
                "time_entry_id": str(record["id"]),
                "workspace_id": str(self.account_id),
            },
            "payload": dict(record),
            "subscription_id": subscription_id,
            "timestamp": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "url_callback": "https://odoo.example.com/time_billing/webhook/toggl",
        }

    def ping_event(self, validation_code="a1b2c3d4"):
        """The PING sent to a subscription that is not validated yet."""
        return {
            "event_id": 1,
            "created_at": "2026-03-02T09:00:00.000Z",
            "creator_id": self.owner.id,
            "metadata": {"request_type": "POST", "event_user_id": str(self.owner.id)},
            "payload": "ping",
            "subscription_id": 42,
            "timestamp": "2026-03-02T09:00:00Z",
            "url_callback": "https://odoo.example.com/time_billing/webhook/toggl",
            "validation_code": validation_code,
            "validation_code_url": f"https://api.track.toggl.com/webhooks/api/v1/"
            f"validate/{self.account_id}/42/{validation_code}",
        }

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        if status == 402:
            return text_response(
                "You have hit your hourly limit for API calls. Your quota will "
                "reset shortly.",
                402,
            )
        if status == 429:
            return text_response("Too Many Requests", 429)
        return text_response("Internal Server Error", status)

    def check_auth(self, request):
        expected = base64.b64encode(f"{self.token}:api_token".encode()).decode()
        if request.header("Authorization") != f"Basic {expected}":
            return text_response("Incorrect username and/or password", 403)
        return None

    def route(self, request):
        path, method = request.path, request.method
        workspace_prefix = f"/api/v9/workspaces/{self.account_id}"
        if method == "GET" and path == "/api/v9/me":
            return json_response(self._me())
        if method == "GET" and path == "/api/v9/me/time_entries":
            return self._my_time_entries(request)
        if method == "GET" and path == workspace_prefix:
            return json_response(
                {
                    "id": int(self.account_id),
                    "name": self.workspace_name,
                    "premium": True,
                    "default_currency": "EUR",
                }
            )
        if method == "GET" and path == workspace_prefix + "/users":
            if self.users_forbidden:
                return text_response("Forbidden", 403)
            return json_response(
                [
                    {
                        "id": p.id,
                        "email": p.email,
                        "fullname": p.name,
                        "inactive": False,
                    }
                    for p in self.people
                ]
            )
        if (
            method == "POST"
            and path
            == f"/reports/api/v3/workspace/{self.account_id}/search/time_entries"
        ):
            return self._search(request)
        if path.startswith(("/api/v9/workspaces/", "/reports/api/v3/workspace/")):
            return text_response("Workspace not found", 404)
        return text_response("404 page not found", 404)

    def _me(self):
        owner = self.owner
        return {
            "id": owner.id,
            "email": owner.email,
            "fullname": owner.name,
            "timezone": self.report_timezone,
            "default_workspace_id": int(self.account_id),
            "beginning_of_week": 1,
            "at": "2026-01-01T00:00:00+00:00",
        }

    def _my_time_entries(self, request):
        since = request.params.get("since")
        records = [r for r in self.records if r.get("user_id") == self.owner.id]
        if since:
            try:
                moment = datetime.fromtimestamp(int(since), UTC)
            except ValueError:
                return text_response("Invalid since", 400)
            records = [
                r for r in records if (parse_iso(r.get("at")) or moment) >= moment
            ]
        else:
            records = [r for r in records if not r.get("server_deleted_at")]
        return json_response(sorted(records, key=lambda r: r["start"], reverse=True))

    def _search(self, request):
        body = request.json
        if not isinstance(body, dict):
            return text_response("Invalid JSON body", 400)
        try:
            start = date.fromisoformat(body["start_date"])
            end = date.fromisoformat(body["end_date"])
        except (KeyError, TypeError, ValueError):
            return text_response("start_date and end_date are required", 400)
        if end < start:
            return text_response("end_date must be after start_date", 400)
        if (end - start).days > MAX_RANGE_DAYS:
            return text_response(
                f"Maximum allowed date range is {MAX_RANGE_DAYS} days", 400
            )
        page_size = int(body.get("page_size") or 50)
        if (
            self.empty_when_both_cursors
            and body.get("first_id") is not None
            and body.get("first_row_number") is not None
        ):
            return json_response([])
        enrich = bool(body.get("enrich_response"))
        rows = self.cached(
            ("rows", start, end, enrich), lambda: self._rows(start, end, enrich)
        )
        index = 0
        if body.get("first_row_number") is not None:
            index = int(body["first_row_number"]) - 1
        elif body.get("first_id") is not None:
            for position, row in enumerate(rows):
                if any(te["id"] == body["first_id"] for te in row["time_entries"]):
                    index = position
                    break
        chunk = rows[index : index + page_size]
        headers = {}
        if index + page_size < len(rows):
            following = rows[index + page_size]
            first = following["time_entries"][0]
            headers = {
                "X-Next-ID": str(first["id"]),
                "X-Next-Row-Number": str(following["row_number"]),
                "X-Next-Timestamp": str(int(parse_iso(first["start"]).timestamp())),
            }
        return json_response(chunk, headers=headers)

    def _rows(self, start, end, enrich=False):
        zone = ZoneInfo(self.report_timezone)
        projects = {p.id: p for p in self.projects}
        tasks = {t.id: t for p in self.projects for t in p.tasks}
        people = {p.id: p for p in self.people}
        selected = []
        for record in self.records:
            if record.get("server_deleted_at"):
                continue
            started = parse_iso(record.get("start"))
            if started is None:
                # What the report makes of an entry it cannot date: a row
                # whose entry has no readable start.
                selected.append((datetime.max.replace(tzinfo=UTC), record, None))
                continue
            local = started.astimezone(zone)
            if start <= local.date() <= end:
                selected.append((local, record, zone))
        selected.sort(key=lambda item: (item[0], item[1]["id"]), reverse=True)
        rows, by_key = [], {}
        for local, record, zone in selected:
            key = (
                record.get("user_id"),
                record.get("project_id"),
                record.get("task_id"),
                record.get("description"),
                record.get("billable"),
                tuple(record.get("tag_ids") or ()),
            )
            row = by_key.get(key)
            if row is None:
                person = people.get(record.get("user_id"))
                row = {
                    "user_id": record.get("user_id"),
                    "username": person.name if person else "",
                    "project_id": record.get("project_id"),
                    "task_id": record.get("task_id"),
                    "billable": record.get("billable"),
                    "description": record.get("description") or "",
                    "tag_ids": record.get("tag_ids") or [],
                    "billable_amount_in_cents": None,
                    "hourly_rate_in_cents": 15000 if record.get("billable") else None,
                    "currency": "EUR",
                    "row_number": len(rows) + 1,
                    "time_entries": [],
                }
                if enrich:
                    project = projects.get(record.get("project_id"))
                    task = tasks.get(record.get("task_id"))
                    row["project_name"] = project.name if project else None
                    row["client_name"] = project.client.name if project else None
                    row["task_name"] = task.name if task else None
                by_key[key] = row
                rows.append(row)
            stop = parse_iso(record.get("stop")) if record.get("stop") else None
            if zone is None:
                start_text, stop_text = record.get("start"), record.get("stop")
            else:
                start_text = _iso(local)
                stop_text = _iso(stop.astimezone(zone)) if stop else None
            duration = record.get("duration")
            if stop is None and local is not None and zone is not None:
                duration = int((self.now() - local).total_seconds())
            row["time_entries"].append(
                {
                    "id": record["id"],
                    "seconds": duration,
                    "start": start_text,
                    "stop": stop_text,
                    "at": record.get("at"),
                }
            )
        return rows
