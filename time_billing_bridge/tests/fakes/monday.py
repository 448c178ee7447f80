# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake monday.com GraphQL API: boards (the projects of the world) whose
items (the tasks) carry a time tracking column with its history of sessions.

One endpoint, ``POST /v2``, with ``{"query", "variables"}``. The fake does not
parse GraphQL: it recognises the query by the root field it names
(``boards`` with ``columns`` or ``items_page``, ``next_items_page``,
``users``, ``me``) and reads every argument from the variables, as the
adapter sends them. Auth: the token as is in ``Authorization``; the
``API-Version`` header is recorded. Application errors are answered HTTP 200
with an ``errors`` list, as monday does.

A record is one session: the fields of a history item, plus ``_board``,
``_item`` and ``_column`` (not served). Dates are ISO 8601 in UTC; a running
session has no ``ended_at``. The ``status`` values are illustrative
("running", "stopped"): monday's are not documented.
"""

import base64
import json
import re
from datetime import timedelta

from .base import FakeServer, iso_utc, json_response, parse_iso

COLUMN = "time_tracking"


class FakeMonday(FakeServer):
    label = "monday.com"
    api_root = "/v2"
    first_id = 7_100_000_000

    def __init__(self, token="monday-token", **kw):
        super().__init__(token=token, account_id="", **kw)
        self._cursors = {}
        self.hidden_users = set()  # user ids the users query does not return

    # -- data ------------------------------------------------------------------

    def object_id(self, kind, index):
        offsets = {
            "user": 64_000_000,
            "client": 1_000,
            "project": 5_000_000_000,
            "task": 6_000_000_000,
        }
        return offsets.get(kind, 9_000_000_000) + index + 1

    def build_world(self, *args, **kw):
        result = super().build_world(*args, **kw)
        # The backend's board ids: every project of the world.
        self.account_id = ",".join(str(p.id) for p in self.projects)
        return result

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
        ended = None if running else iso_utc(started + timedelta(seconds=seconds))
        return {
            "id": str(record_id),
            "status": "running" if running else "stopped",
            "started_at": iso_utc(started),
            "ended_at": ended,
            "started_user_id": str(person.id),
            "ended_user_id": None if running else str(person.id),
            "created_at": iso_utc(started),
            "updated_at": ended or iso_utc(started),
            "_board": str(project.id),
            "_item": str(task.id),
            "_column": COLUMN,
        }

    def _touch(self, record):
        record["updated_at"] = iso_utc(self.now())

    def external_id(self, record):
        """The adapter's id of a session record."""
        return f"{record['_item']}:{record['_column']}:{record['id']}"

    def stop_timer(self, record_id, seconds):
        record = self.find(record_id)
        end = parse_iso(record["started_at"]) + timedelta(seconds=seconds)
        return self.edit(
            record_id,
            ended_at=iso_utc(end),
            ended_user_id=record["started_user_id"],
            status="stopped",
        )

    def expire_cursors(self):
        """The cursors given so far are refused (monday's last 60 minutes)."""
        with self._lock:
            self._cursors.clear()

    def exhaust_budget(self, retry_in=7, times=1, legacy=False):
        """The next ``times`` calls find the complexity budget used up: in the
        current format (HTTP 200, ``COMPLEXITY_BUDGET_EXHAUSTED`` with
        ``retry_in_seconds``), or the older one (HTTP 429,
        ``ComplexityException``, the wait only in the message)."""
        if legacy:
            message = (
                f"Complexity budget exhausted, query cost 30001 budget remaining "
                f"19986 out of 1000000 reset in {retry_in} seconds"
            )
            body = {
                "error_code": "ComplexityException",
                "status_code": 429,
                "error_message": message,
                "error_data": {},
                "errors": [message],
                "account_id": 1,
            }
            self.fail_next(429, times=times, body=body)
            return
        body = {
            "errors": [
                {
                    "message": "Complexity budget exhausted",
                    "extensions": {
                        "code": "COMPLEXITY_BUDGET_EXHAUSTED",
                        "retry_in_seconds": retry_in,
                    },
                }
            ]
        }
        self.fail_next(200, times=times, body=body)

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        """monday's body for an injected status; a 429 names no wait unless
        the test passes a ``Retry-After`` header."""
        message = "Rate limit exceeded" if status == 429 else "Internal server error"
        return json_response(
            {"errors": [{"message": message, "extensions": {"status_code": status}}]},
            status,
        )

    def check_auth(self, request):
        if request.header("Authorization") != self.token:
            return json_response(
                {"errors": [{"message": "Not Authenticated"}], "status_code": 401},
                401,
            )
        return None

    @staticmethod
    def _error(message, code):
        return json_response(
            {"errors": [{"message": message, "extensions": {"code": code}}]}
        )

    def route(self, request):
        if request.method != "POST" or request.path != self.api_root:
            return self.not_found(request)
        body = request.json if isinstance(request.json, dict) else {}
        query = body.get("query") or ""
        variables = body.get("variables") or {}
        if "next_items_page" in query:
            return self._items(None, variables.get("cursor"), variables, query)
        if "items_page" in query:
            return self._items(
                self._one(variables.get("board")), None, variables, query
            )
        if "boards" in query:
            return self._boards(self._one(variables.get("board")))
        if "users" in query:
            return self._users(variables.get("ids") or [])
        if "me" in query:
            person = self.people[0]
            return json_response(
                {
                    "data": {
                        "me": {
                            "id": str(person.id),
                            "name": person.name,
                            "email": person.email,
                        }
                    }
                }
            )
        return self._error("Unknown query", "GRAPHQL_PARSE_FAILED")

    @staticmethod
    def _one(value):
        return str(value[0]) if isinstance(value, list) and value else str(value)

    def _project(self, board_id):
        return next((p for p in self.projects if str(p.id) == board_id), None)

    def _boards(self, board_id):
        project = self._project(board_id)
        if project is None:
            return json_response({"data": {"boards": []}})
        columns = [{"id": "name", "title": "Name", "type": "name"}]
        if not getattr(project, "no_time_tracking", False):
            columns.append({"id": COLUMN, "title": "Time Tracking", "type": COLUMN})
        return json_response(
            {
                "data": {
                    "boards": [
                        {"id": board_id, "name": project.name, "columns": columns}
                    ]
                }
            }
        )

    def _item(self, project, task, columns, query):
        with self._lock:
            sessions = [
                r
                for r in self.records
                if r.get("_board") == str(project.id) and r.get("_item") == str(task.id)
            ]
        sessions.sort(key=lambda r: (str(r.get("started_at") or ""), r["id"]))
        values = []
        if COLUMN in columns:
            # Only the fields the query asks for, as GraphQL answers.
            history = [
                {k: v for k, v in r.items() if re.search(rf"\b{k}\b", query)}
                for r in sessions
            ]
            values.append(
                {
                    "id": COLUMN,
                    "type": COLUMN,
                    "running": any(not r.get("ended_at") for r in sessions),
                    "updated_at": max(
                        (str(r.get("updated_at") or "") for r in sessions),
                        default=None,
                    ),
                    "history": history,
                }
            )
        return {"id": str(task.id), "name": task.name, "column_values": values}

    def _items(self, board_id, cursor, variables, query):
        offset = 0
        if cursor is not None:
            if cursor not in self._cursors:
                return self._error(
                    "CursorException: cursor has expired", "CursorExpiredError"
                )
            board_id, offset = self._cursors[cursor]
        project = self._project(board_id)
        if project is None:
            return json_response({"data": {"boards": []}})
        limit = int(variables.get("limit") or 25)
        columns = variables.get("columns") or []
        tasks = project.tasks[offset : offset + limit]
        items = [self._item(project, task, columns, query) for task in tasks]
        next_cursor = None
        if offset + limit < len(project.tasks):
            next_cursor = base64.b64encode(
                json.dumps([board_id, offset + limit, self.new_id()]).encode()
            ).decode()
            self._cursors[next_cursor] = (board_id, offset + limit)
        page = {"cursor": next_cursor, "items": items}
        if cursor is not None:
            return json_response({"data": {"next_items_page": page}})
        return json_response({"data": {"boards": [{"items_page": page}]}})

    def _users(self, ids):
        wanted = {str(i) for i in ids} - self.hidden_users
        users = [
            {"id": str(p.id), "name": p.name, "email": p.email}
            for p in self.people
            if str(p.id) in wanted
        ]
        return json_response({"data": {"users": users}})
