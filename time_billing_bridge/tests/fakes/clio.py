# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Clio Manage API v4: time entries (activities), contacts, current user.

Auth: ``Authorization: Bearer <token>``; the ``X-API-VERSION`` header must
name a 4.0.x version the fake knows (else 410), and ``quantity`` is in
seconds from 4.0.4 on. ``GET /api/v4/activities.json`` filters on ``type``,
``updated_since``, ``start_date`` / ``end_date`` and ``ids[]``, returns only
``id`` and ``etag`` unless ``fields`` names more (nested as
``matter{id,display_number}``), sorts by id and pages with a cursor: the
``page_token`` of ``meta.paging.next``, ``limit`` 1-200 (default 200).
Every answer carries ``X-RateLimit-*`` headers.
"""

import base64
import hashlib
import json
from datetime import timedelta
from urllib.parse import urlencode

from .base import FakeServer, iso_utc, json_response, parse_iso

MAX_LIMIT = 200
KNOWN_VERSIONS = {f"4.0.{minor}" for minor in range(0, 14)}


def _fields(spec):
    """``id,matter{id,display_number}`` -> {"id": None, "matter": {...}}."""
    result, depth, name, inner = {}, 0, "", ""
    for char in spec + ",":
        if depth:
            if char == "}" and depth == 1:
                result[name.strip()] = _fields(inner)
                name, inner, depth = "", "", 0
                continue
            depth += char == "{"
            depth -= char == "}"
            inner += char
        elif char == "{":
            depth = 1
        elif char == ",":
            if name.strip():
                result[name.strip()] = None
            name = ""
        else:
            name += char
    return result


def _select(record, fields):
    """``record`` cut down to ``fields`` (only id and etag by default)."""
    fields = fields or {"id": None, "etag": None}
    selected = {}
    for key, inner in fields.items():
        value = record.get(key)
        if isinstance(value, dict):
            value = _select(value, inner)
        selected[key] = value
    return selected


class FakeClio(FakeServer):
    label = "Clio"
    api_root = "/api/v4"
    first_id = 1_054_873_000

    def __init__(self, token="clio-token", account_id="", **kw):
        super().__init__(token=token, account_id=account_id, **kw)

    # -- data ------------------------------------------------------------------

    def object_id(self, kind, index):
        offsets = {"user": 345_000_000, "client": 223_000_000, "project": 112_000_000}
        return offsets.get(kind, 445_000) + index + 1

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
        updated = started + timedelta(seconds=seconds)
        record = {
            "id": record_id,
            "type": "TimeEntry",
            "date": started.date().isoformat(),
            "quantity": float(seconds),
            "quantity_in_hours": round(seconds / 3600, 4),
            "rounded_quantity_in_hours": round(seconds / 3600, 1),
            "quantity_redacted": False,
            "price": 350.0,
            "total": round(350.0 * seconds / 3600, 2),
            "note": notes or "",
            "billed": False,
            "on_bill": False,
            "non_billable": not billable,
            "no_charge": False,
            "flat_rate": False,
            "created_at": iso_utc(updated),
            "updated_at": iso_utc(updated),
            "currency": {"code": "USD", "sign": "$"},
            "timer": {
                "id": record_id,
                "start_time": iso_utc(started),
                "elapsed_time": 0.5,
            }
            if running
            else None,
            "user": {
                "id": person.id,
                "name": person.name,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
            },
            "matter": {
                "id": project.id,
                "display_number": f"{project.code}-{project.client.name.split()[0]}",
                "number": int(project.code[1:]),
                "description": project.name,
                "status": "Open",
                "billable": True,
                "client": {"id": project.client.id, "etag": '"c"'},
            },
            "activity_description": {"id": task.id, "name": task.name}
            if task
            else None,
        }
        self._etag(record)
        return record

    @staticmethod
    def _etag(record):
        body = json.dumps(
            {k: v for k, v in record.items() if k != "etag"}, sort_keys=True
        )
        record["etag"] = '"' + hashlib.md5(body.encode()).hexdigest() + '"'

    def _touch(self, record):
        record["updated_at"] = iso_utc(self.now())
        self._etag(record)

    def stop_timer(self, record_id, seconds):
        return self.edit(
            record_id,
            timer=None,
            quantity=float(seconds),
            quantity_in_hours=round(seconds / 3600, 4),
        )

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        return json_response(
            {"error": {"type": "Error", "message": f"Injected failure {status}"}},
            status,
        )

    def _error(self, status, message, kind="ArgumentError"):
        return json_response({"error": {"type": kind, "message": message}}, status)

    def check_auth(self, request):
        if request.header("Authorization") != f"Bearer {self.token}":
            return self._error(401, "The access token is invalid", "Unauthorized")
        version = request.header("X-API-VERSION")
        if version and version not in KNOWN_VERSIONS:
            return self._error(410, f"API version {version} is not supported", "Gone")
        return None

    def _limits(self, response):
        response.headers.update(
            {
                "X-RateLimit-Limit": "50",
                "X-RateLimit-Remaining": "49",
                "X-RateLimit-Reset": str(int(self.now().timestamp()) + 60),
                "X-API-VERSION": "4.0.9",
            }
        )
        return response

    def route(self, request):
        if request.method != "GET":
            return self.not_found(request)
        if request.path == "/api/v4/users/who_am_i.json":
            if not self.people:
                self.build_world()
            person = self.people[0]
            user = {"id": person.id, "name": person.name, "email": person.email}
            fields = _fields(request.params.get("fields") or "id,etag")
            return self._limits(json_response({"data": _select(user, fields)}))
        if request.path == "/api/v4/activities.json":
            return self._limits(self._activities(request))
        if request.path == "/api/v4/contacts.json":
            return self._limits(self._contacts(request))
        return self.not_found(request)

    def not_found(self, request):
        return self._error(404, "Not found", "RecordNotFound")

    def _activities(self, request):
        params = request.params
        try:
            limit = int(params.get("limit") or MAX_LIMIT)
        except ValueError:
            return self._error(400, "limit must be a number")
        if not 1 <= limit <= MAX_LIMIT:
            return self._error(400, f"limit must be between 1 and {MAX_LIMIT}")
        if params.get("order", "id(asc)") != "id(asc)":
            return self._error(400, "cursor paging needs order=id(asc)")
        after = 0
        if params.get("page_token"):
            try:
                state = json.loads(base64.urlsafe_b64decode(params["page_token"]))
                after = int(state["after"])
            except (ValueError, KeyError, TypeError):
                return self._error(400, "page_token is invalid")
        version = request.header("X-API-VERSION") or "4.0.9"
        with self._lock:
            records = sorted(self.records, key=lambda r: r["id"])
        if params.get("type"):
            records = [r for r in records if r["type"] == params["type"]]
        if params.get("updated_since"):
            since = parse_iso(params["updated_since"])
            if since is None:
                return self._error(400, "updated_since is not an ISO-8601 date-time")
            records = [r for r in records if parse_iso(r["updated_at"]) > since]
        if params.get("start_date"):
            records = [r for r in records if r["date"] >= params["start_date"]]
        if params.get("end_date"):
            records = [r for r in records if r["date"] <= params["end_date"]]
        records = [r for r in records if r["id"] > after]
        chunk, more = records[:limit], len(records) > limit
        fields = _fields(params.get("fields") or "")
        data = []
        for record in chunk:
            if int(version.rsplit(".", 1)[1]) < 4:
                record = dict(record, quantity=record["quantity"] / 3600)
            data.append(_select(record, fields))
        meta = {"paging": {}, "records": len(records)}
        if more:
            token = base64.urlsafe_b64encode(
                json.dumps({"after": chunk[-1]["id"]}).encode()
            ).decode()
            kept = {k: v for k, v in params.items() if k != "page_token"}
            meta["paging"]["next"] = (
                "https://app.clio.com/api/v4/activities.json?"
                + urlencode({**kept, "page_token": token})
            )
        return json_response({"data": data, "meta": meta})

    def _contacts(self, request):
        ids = set(request.query.get("ids[]") or [])
        fields = _fields(request.params.get("fields") or "")
        contacts = [
            {"id": client.id, "name": client.name, "type": "Company"}
            for client in self.clients
            if not ids or str(client.id) in ids
        ]
        return json_response(
            {"data": [_select(c, fields) for c in contacts], "meta": {"paging": {}}}
        )
