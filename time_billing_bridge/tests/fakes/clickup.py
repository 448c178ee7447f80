# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake ClickUp API v2: workspaces with their members, time entries, and
the webhook calls ClickUp makes when time is tracked.

Auth: the personal token itself in ``Authorization`` (``pk_...``, no
``Bearer``). ``GET /api/v2/team/{team_id}/time_entries`` answers
``{"data": [...]}`` without paging: the entries that started between
``start_date`` and ``end_date`` (Unix milliseconds; default the last 30
days), of the ``assignee`` ids (default: the token's owner only). Instants
and durations are milliseconds, ``duration`` a string and negative while the
timer runs. A 429 carries ``X-RateLimit-Reset`` (Unix seconds), no
``Retry-After``.
"""

import hashlib
import hmac
import json

from .base import FakeServer, json_response

DAY_MS = 86_400_000


def _ms(moment):
    return int(moment.timestamp() * 1000)


class FakeClickUp(FakeServer):
    label = "ClickUp"
    api_root = "/api/v2"
    first_id = 1_963_465_985_517_105_000

    def __init__(self, token="pk_42_FAKE", account_id="9015000001", **kw):
        super().__init__(token=token, account_id=account_id, **kw)

    # -- data ------------------------------------------------------------------

    def object_id(self, kind, index):
        if kind == "user":
            return 81_000_000 + index + 1
        if kind == "task":
            return f"86b{index + 1:04x}"
        offsets = {"client": 90_100_000, "project": 901_500_000}
        return offsets.get(kind, 90_200_000) + index + 1

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
        start = _ms(started)
        record = {
            "id": str(record_id),
            "wid": self.account_id,
            "user": self._user(person),
            "billable": billable,
            "start": start,
            "duration": str(seconds * 1000),
            "description": notes or "",
            "tags": [],
            "source": "clickup",
            "at": str(start + seconds * 1000),
            "task_location": {
                "list_id": project.id,
                "folder_id": project.id + 1_000,
                "space_id": project.client.id,
                "list_name": project.name,
                "folder_name": "Clients",
                "space_name": project.client.name,
            },
        }
        if task is not None:
            record["task"] = {
                "id": task.id,
                "custom_id": None,
                "name": task.name,
                "status": {"status": "in progress", "type": "custom"},
                "custom_type": None,
            }
        if running:
            record["duration"] = str(-start)
        else:
            record["end"] = start + seconds * 1000
        return record

    @staticmethod
    def _user(person):
        return {
            "id": person.id,
            "username": person.name,
            "email": person.email,
            "color": "#08c7e0",
            "initials": person.first_name[0] + person.last_name[0],
            "profilePicture": None,
        }

    def _touch(self, record):
        record["at"] = str(_ms(self.now()))

    def stop_timer(self, record_id, seconds):
        record = self.find(record_id)
        return self.edit(
            record_id,
            end=record["start"] + seconds * 1000,
            duration=str(seconds * 1000),
        )

    def webhook_call(self, record_id, action="Edited", secret=None):
        """``(raw body, headers)`` of ClickUp's ``taskTimeTrackedUpdated`` call
        for a time entry ``Created``, ``Edited`` or ``Deleted``."""
        record = self.find(record_id) if action != "Deleted" else {"id": record_id}
        body = json.dumps(
            {
                "event": "taskTimeTrackedUpdated",
                "history_items": [
                    {
                        "id": f"2800{record_id}",
                        "type": 1,
                        "date": str(_ms(self.now())),
                        "field": "time_spent",
                        "user": {"id": self.people[0].id if self.people else 1},
                    }
                ],
                "task_id": (record.get("task") or {}).get("id"),
                "data": {
                    "description": f"Time Tracking {action}",
                    "interval_id": str(record_id),
                },
                "webhook_id": "4b67ac88-e506-4a29-9d42-26e504e3435e",
            },
            separators=(",", ":"),
        ).encode()
        key = (secret or self.webhook_secret).encode()
        signature = hmac.new(key, body, hashlib.sha256).hexdigest()
        return body, {"Content-Type": "application/json", "X-Signature": signature}

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        response = json_response(
            {"err": "Rate limit reached", "ECODE": "APP_002"}, status
        )
        if status == 429:
            reset = int(self.now().timestamp()) + 2
            response.headers.update(
                {
                    "X-RateLimit-Limit": "100",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": str(reset),
                }
            )
        return response

    def check_auth(self, request):
        if request.header("Authorization") != self.token:
            return json_response({"err": "Token invalid", "ECODE": "OAUTH_025"}, 401)
        return None

    def not_found(self, request):
        return json_response({"err": "Route not found", "ECODE": "APP_001"}, 404)

    def route(self, request):
        if request.method != "GET":
            return self.not_found(request)
        if request.path == "/api/v2/team":
            if not self.people:
                self.build_world()
            return json_response(
                {
                    "teams": [
                        {
                            "id": self.account_id,
                            "name": "Bridge Consulting",
                            "members": [
                                {"user": {**self._user(p), "timezone": p.timezone}}
                                for p in self.people
                            ],
                        }
                    ]
                }
            )
        prefix = f"/api/v2/team/{self.account_id}/time_entries"
        if request.path == prefix:
            return self._time_entries(request)
        if request.path.startswith(prefix + "/"):
            try:
                return json_response(
                    {"data": self.find(request.path[len(prefix) + 1 :])}
                )
            except KeyError:
                return json_response(
                    {"err": "Time entry not found", "ECODE": "TIMEENTRY_001"}, 404
                )
        if request.path.startswith("/api/v2/team/"):
            return json_response(
                {"err": "Team not authorized", "ECODE": "OAUTH_027"}, 401
            )
        return self.not_found(request)

    def _time_entries(self, request):
        params = request.params
        now = _ms(self.now())
        try:
            start = int(params.get("start_date") or now - 30 * DAY_MS)
            end = int(params.get("end_date") or now)
        except ValueError:
            return json_response({"err": "Invalid date", "ECODE": "TIMEENTRY_020"}, 400)
        if params.get("assignee"):
            wanted = {a for a in params["assignee"].split(",") if a}
        else:
            wanted = {str(self.people[0].id)} if self.people else set()
        with self._lock:
            records = [
                r
                for r in self.records
                if str(r["user"]["id"]) in wanted and start <= r["start"] <= end
            ]
        records.sort(key=lambda r: (r["start"], r["id"]))
        return json_response({"data": records})
