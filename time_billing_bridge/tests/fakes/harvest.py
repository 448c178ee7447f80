# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Harvest API v2 (time entries, users, company).

Auth: ``Authorization: Bearer <token>`` + ``Harvest-Account-Id`` +
``User-Agent``. ``GET /v2/time_entries`` sorts by ``spent_date`` (newest
first, then id), filters on ``updated_since``, ``from``/``to``, ``user_id``,
``project_id``, ``client_id``, ``task_id``, ``is_running``, ``is_billed``, and
pages with ``per_page`` (1-2,000, default 2,000) and an opaque ``cursor``
followed through ``links.next``. :meth:`FakeHarvest.break_paging` makes the
next links of a listing repeat or never end.
"""

import base64
import json
import math
from bisect import bisect_left
from datetime import timedelta
from urllib.parse import urlencode

from .base import FakeServer, iso_utc, json_response, parse_iso

MAX_PER_PAGE = 2000
FILTERS = (
    "updated_since",
    "from",
    "to",
    "user_id",
    "project_id",
    "client_id",
    "task_id",
    "is_running",
    "is_billed",
)


def _encode_cursor(record):
    spent_date, record_id = _sort_key(record)
    data = {"after": {"spent_date": spent_date, "id": record_id}}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _decode_cursor(value):
    padded = value + "=" * (-len(value) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    after = data["after"]
    return str(after["spent_date"]), int(after["id"])


def _sort_key(record):
    # Newest spent_date first, then highest id: (spent_date desc, id desc).
    return (str(record.get("spent_date") or ""), _int(record.get("id")))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class FakeHarvest(FakeServer):
    label = "Harvest"
    api_root = "/v2"
    first_id = 2_400_000_000

    def __init__(self, token="harvest-token", account_id="123456", **kw):
        super().__init__(token=token, account_id=account_id, **kw)
        # A member's token may not list users (403), like Harvest.
        self.users_forbidden = False
        self.company_name = "Bridge Consulting Ltd"
        # Listing ("time_entries", "users") -> "repeat" or "endless".
        self.paging_faults = {}
        self._laps = 0

    def break_paging(self, listing="time_entries", how="repeat"):
        """Make the next links of ``listing`` misbehave from now on:
        "repeat" sends the same next link on every page (a provider stuck
        on a cursor), "endless" a new one on every page, also on the last
        (a listing that never ends)."""
        with self._lock:
            self.paging_faults[listing] = how

    def _broken_next(self, listing, next_url, params):
        """The next link of a page of ``listing`` under its paging fault."""
        how = self.paging_faults.get(listing)
        if how == "repeat":
            # Whatever the page, the link of the first one that had a link.
            return self.__dict__.setdefault(f"_stuck_{listing}", next_url)
        if how == "endless":
            self._laps += 1
            query = {**params, "lap": self._laps}
            if listing == "time_entries":
                # After the newest entry: the last page again, forever.
                query["cursor"] = _encode_cursor(
                    {"spent_date": "9999-12-31", "id": 10**12}
                )
            return f"{self.url}/{listing}?{urlencode(query)}"
        return next_url

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
        hours = round(seconds / 3600, 2)
        spent = started.date().isoformat()
        created = started + timedelta(seconds=seconds)
        return {
            "id": record_id,
            "spent_date": spent,
            "hours": hours,
            "hours_without_timer": 0.0 if running else hours,
            "rounded_hours": math.ceil(hours * 4) / 4,
            "notes": notes or None,
            "is_locked": False,
            "locked_reason": None,
            "approval_status": "unsubmitted",
            "is_closed": False,
            "is_billed": False,
            "timer_started_at": iso_utc(started) if running else None,
            "started_time": None,
            "ended_time": None,
            "is_running": running,
            "billable": billable,
            "budgeted": True,
            "billable_rate": 150.0 if billable else None,
            "cost_rate": 60.0,
            "created_at": iso_utc(created),
            "updated_at": iso_utc(created),
            "user": {"id": person.id, "name": person.name},
            "client": {
                "id": project.client.id,
                "name": project.client.name,
                "currency": "EUR",
            },
            "project": {"id": project.id, "name": project.name, "code": project.code},
            "task": {"id": task.id, "name": task.name},
            "user_assignment": {"id": record_id % 100000 + 1, "is_active": True},
            "task_assignment": {"id": task.id + 500, "billable": billable},
            "invoice": None,
            "external_reference": None,
        }

    def _touch(self, record):
        record["updated_at"] = iso_utc(self.now())

    def approve(self, record_id, locked=True):
        """Approve an entry in Harvest's timesheet approval (and lock it)."""
        return self.edit(
            record_id,
            approval_status="approved",
            is_closed=True,
            is_locked=locked,
            locked_reason="Item Approved and Locked for this Time Period"
            if locked
            else None,
        )

    def add_broken(self, problem="hours"):
        """A record Harvest could not send as such: unreadable ``problem``."""
        record = self.add()
        if problem == "hours":
            record["hours"] = "two and a half"
        elif problem == "spent_date":
            record["spent_date"] = "31/02/2026"
        elif problem == "id":
            record.pop("id")
        self.changed()
        return record

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        if status == 429:
            body = {"error": "rate_limited", "error_description": "Too Many Requests"}
        else:
            body = {"status": status, "error": "Internal Server Error"}
        return json_response(body, status)

    def check_auth(self, request):
        if not request.header("User-Agent"):
            return json_response(
                {
                    "error": "bad_request",
                    "error_description": "A User-Agent header is required",
                },
                400,
            )
        if (
            request.header("Authorization") != f"Bearer {self.token}"
            or request.header("Harvest-Account-Id") != self.account_id
        ):
            return json_response(
                {
                    "error": "invalid_token",
                    "error_description": "The access token provided is expired, "
                    "revoked, malformed or invalid for other reasons.",
                },
                401,
            )
        return None

    def route(self, request):
        if request.method != "GET":
            return self.not_found(request)
        path = request.path
        if path == "/v2/time_entries":
            return self._time_entries(request)
        if path.startswith("/v2/time_entries/"):
            try:
                return json_response(self.find(path.rsplit("/", 1)[1]))
            except KeyError:
                return self.not_found(request)
        if path == "/v2/users/me":
            person = self.people[0] if self.people else None
            return json_response(
                self._user(person)
                if person
                else {
                    "id": 1,
                    "first_name": "Api",
                    "last_name": "User",
                    "email": "api@example.com",
                }
            )
        if path == "/v2/users":
            return self._users(request)
        if path == "/v2/company":
            return json_response(
                {
                    "base_uri": "https://bridge.harvestapp.com",
                    "full_domain": "bridge.harvestapp.com",
                    "name": self.company_name,
                    "is_active": True,
                    "week_start_day": "Monday",
                    "wants_timestamp_timers": False,
                    "time_format": "hours_minutes",
                    "currency": "EUR",
                }
            )
        return self.not_found(request)

    def _user(self, person):
        return {
            "id": person.id,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "timezone": "Eastern Time (US & Canada)",
            "is_active": True,
            "weekly_capacity": 126000,
            "roles": [],
        }

    def _users(self, request):
        if self.users_forbidden:
            return json_response(
                {
                    "error": "forbidden",
                    "error_description": "You do not have access to this resource",
                },
                403,
            )
        users = [self._user(person) for person in self.people]
        return json_response(
            {
                "users": users,
                "per_page": MAX_PER_PAGE,
                "total_pages": 1,
                "total_entries": len(users),
                "next_page": None,
                "previous_page": None,
                "page": 1,
                "links": {
                    "first": f"{self.url}/users?page=1&per_page={MAX_PER_PAGE}",
                    "next": self._broken_next(
                        "users",
                        f"{self.url}/users?page=2&per_page={MAX_PER_PAGE}",
                        {"per_page": MAX_PER_PAGE},
                    )
                    if "users" in self.paging_faults
                    else None,
                    "previous": None,
                    "last": f"{self.url}/users?page=1&per_page={MAX_PER_PAGE}",
                },
            }
        )

    def _select(self, params):
        records = list(self.records)
        if params.get("updated_since"):
            since = parse_iso(params["updated_since"])
            records = [
                r for r in records if (parse_iso(r.get("updated_at")) or since) >= since
            ]
        if params.get("from"):
            records = [r for r in records if str(r.get("spent_date")) >= params["from"]]
        if params.get("to"):
            records = [r for r in records if str(r.get("spent_date")) <= params["to"]]
        for name, key in (
            ("user_id", "user"),
            ("project_id", "project"),
            ("client_id", "client"),
            ("task_id", "task"),
        ):
            if params.get(name):
                records = [
                    r
                    for r in records
                    if str((r.get(key) or {}).get("id")) == params[name]
                ]
        for flag in ("is_running", "is_billed"):
            if params.get(flag) in ("true", "false"):
                wanted = params[flag] == "true"
                records = [r for r in records if bool(r.get(flag)) == wanted]
        records.sort(key=_sort_key)
        return records, [_sort_key(r) for r in records]

    def _unprocessable(self, message):
        return json_response({"message": message}, 422)

    def _time_entries(self, request):
        params = request.params
        try:
            per_page = int(params.get("per_page") or MAX_PER_PAGE)
        except ValueError:
            return self._unprocessable("per_page must be an integer")
        if not 1 <= per_page <= MAX_PER_PAGE:
            return self._unprocessable(f"per_page must be between 1 and {MAX_PER_PAGE}")
        filters = tuple((k, params[k]) for k in FILTERS if params.get(k))
        if params.get("updated_since") and parse_iso(params["updated_since"]) is None:
            return self._unprocessable("updated_since is not an ISO 8601 date")
        # Ascending (spent_date, id); pages are read from the end backwards,
        # which is Harvest's newest-first order.
        records, keys = self.cached(
            ("time_entries", filters), lambda: self._select(params)
        )
        total = len(records)
        first_page = "cursor" not in params
        if not first_page:
            try:
                after = _decode_cursor(params["cursor"])
            except (ValueError, KeyError, TypeError):
                return self._unprocessable("cursor is invalid")
            end = bisect_left(keys, after)
        elif params.get("page"):
            end = max(0, total - (max(1, _int(params["page"])) - 1) * per_page)
        else:
            end = total
        chunk = records[max(0, end - per_page) : end][::-1]
        more = end > per_page
        kept = {k: params[k] for k in FILTERS if params.get(k)}
        next_url = None
        if more:
            query = urlencode(
                {
                    "cursor": _encode_cursor(chunk[-1]),
                    "per_page": per_page,
                    **kept,
                    "ref": "next_cursor",
                }
            )
            next_url = f"{self.url}/time_entries?{query}"
        if "time_entries" in self.paging_faults:
            next_url = self._broken_next(
                "time_entries", next_url, {"per_page": per_page, **kept}
            )
        first_url = f"{self.url}/time_entries?" + urlencode(
            {"page": 1, "per_page": per_page, **kept, "ref": "first"}
        )
        total_pages = max(1, math.ceil(total / per_page))
        return json_response(
            {
                "time_entries": chunk,
                "per_page": per_page,
                "total_pages": total_pages,
                "total_entries": total,
                "next_page": 2 if first_page and more else None,
                "previous_page": None,
                "page": 1 if first_page else None,
                "links": {
                    "first": first_url,
                    "next": next_url,
                    "previous": None,
                    "last": f"{self.url}/time_entries?"
                    + urlencode(
                        {
                            "page": total_pages,
                            "per_page": per_page,
                            **kept,
                            "ref": "last",
                        }
                    ),
                },
            }
        )
