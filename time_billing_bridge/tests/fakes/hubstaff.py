# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Hubstaff API v2: an organization's daily activities, and the token
endpoint that exchanges a personal access token for an access token.

``POST /access_tokens`` (form fields ``grant_type=refresh_token`` and
``refresh_token``) answers ``access_token``, ``expires_in`` and
``refresh_token``; with ``rotate=True`` that refresh token is a new one and
the previous one stops working. The API wants ``Authorization: Bearer`` with
a live access token (:meth:`expire_access_tokens` ends them all).

``GET /v2/organizations/{id}/activities/daily`` answers the rows dated from
``date[start]`` to ``date[stop]`` (inclusive), ordered by id, ``page_limit``
at a time from ``page_start_id``, with ``pagination.next_page_start_id``
while more follow, and the ``users``, ``projects`` and ``tasks`` they name
when asked with ``include[]``. Each record is one row: several rows of one
person, project, task and day are what the adapter adds up.
"""

from datetime import date
from urllib.parse import parse_qs

from .base import FakeServer, iso_utc, json_response


class FakeHubstaff(FakeServer):
    label = "Hubstaff"
    api_root = "/v2"
    first_id = 7_000_000

    def __init__(
        self,
        token="hubstaff-refresh-1",
        account_id="41234",
        rotate=False,
        lifetime=3600,
        **kw,
    ):
        super().__init__(token=token, account_id=account_id, **kw)
        self.rotate = rotate
        self.lifetime = lifetime
        self.access_tokens = set()
        self._issued = 0

    # -- tokens -----------------------------------------------------------------

    def expire_access_tokens(self):
        """Every access token issued so far stops working (401)."""
        with self._lock:
            self.access_tokens.clear()

    def _access_tokens(self, request):
        form = {k: v[-1] for k, v in parse_qs(request.body.decode()).items()}
        if (
            form.get("grant_type") != "refresh_token"
            or form.get("refresh_token") != self.token
        ):
            return json_response(
                {
                    "error": "invalid_grant",
                    "error_description": "The refresh token is invalid or expired.",
                },
                400,
            )
        with self._lock:
            self._issued += 1
            access = f"hubstaff-access-{self._issued}"
            self.access_tokens.add(access)
            if self.rotate:
                self.token = f"hubstaff-refresh-{self._issued + 1}"
        return json_response(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": self.lifetime,
                "refresh_token": self.token,
            }
        )

    # -- data -------------------------------------------------------------------

    def object_id(self, kind, index):
        offsets = {"user": 900_000, "client": 910_000, "project": 920_000}
        return offsets.get(kind, 930_000) + index + 1

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
        moment = iso_utc(started)
        return {
            "id": record_id,
            "date": started.date().isoformat(),
            "user_id": person.id,
            "project_id": project.id,
            "task_id": task.id if task is not None else None,
            "tracked": seconds,
            "input_tracked": seconds,
            "keyboard": seconds // 3,
            "mouse": seconds // 2,
            "overall": seconds // 2,
            "billable": seconds if billable else 0,
            "manual": 0,
            "idle": 0,
            "timesheet_locked": False,
            "created_at": moment,
            "updated_at": moment,
        }

    def _touch(self, record):
        record["updated_at"] = iso_utc(self.now())

    # -- HTTP -------------------------------------------------------------------

    def error_body(self, status):
        return json_response({"code": str(status), "error": "Injected failure"}, status)

    def check_auth(self, request):
        if request.path == "/access_tokens":
            return None
        header = request.header("Authorization") or ""
        scheme, _sep, access = header.partition(" ")
        if scheme != "Bearer" or access not in self.access_tokens:
            return json_response(
                {"code": "unauthorized", "error": "Invalid or expired token"}, 401
            )
        return None

    def route(self, request):
        if request.method == "POST" and request.path == "/access_tokens":
            return self._access_tokens(request)
        if request.method != "GET":
            return self.not_found(request)
        organization = f"/v2/organizations/{self.account_id}"
        if request.path == organization:
            return json_response(
                {"organization": {"id": int(self.account_id), "name": "Bridge Labs"}}
            )
        if request.path == organization + "/activities/daily":
            return self._daily(request)
        if request.path.startswith("/v2/organizations/"):
            return json_response({"code": "forbidden", "error": "Forbidden"}, 403)
        return self.not_found(request)

    def _daily(self, request):
        params = request.params
        try:
            first = date.fromisoformat(params["date[start]"])
            last = date.fromisoformat(params["date[stop]"])
            limit = int(params.get("page_limit") or 100)
            start_id = int(params.get("page_start_id") or 0)
        except (KeyError, ValueError):
            return json_response({"code": "invalid", "error": "Bad parameters"}, 400)
        if (last - first).days > 30:
            return json_response(
                {"code": "invalid", "error": "Date range is limited to 31 days"}, 400
            )
        with self._lock:
            rows = sorted(
                (
                    r
                    for r in self.records
                    if first.isoformat() <= r["date"] <= last.isoformat()
                    and r["id"] >= start_id
                ),
                key=lambda r: r["id"],
            )
        page, rest = rows[:limit], rows[limit:]
        body = {"daily_activities": page}
        if rest:
            body["pagination"] = {"next_page_start_id": rest[0]["id"]}
        if "include[]" in request.query:
            body.update(self._included(page, request.query["include[]"]))
        return json_response(body)

    def _included(self, rows, kinds):
        users = {r["user_id"] for r in rows}
        projects = {r["project_id"] for r in rows}
        tasks = {r["task_id"] for r in rows}
        included = {}
        if "users" in kinds:
            included["users"] = [
                {"id": p.id, "name": p.name, "email": p.email, "time_zone": p.timezone}
                for p in self.people
                if p.id in users
            ]
        if "projects" in kinds:
            included["projects"] = [
                {"id": p.id, "name": p.name, "status": "active"}
                for p in self.projects
                if p.id in projects
            ]
        if "tasks" in kinds:
            included["tasks"] = [
                {"id": t.id, "summary": t.name, "project_id": p.id}
                for p in self.projects
                for t in p.tasks
                if t.id in tasks
            ]
        return included
