# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fake Tempo Cloud REST API v4: worklogs and work attributes.

Auth: ``Authorization: Bearer <token>``. ``GET /4/worklogs`` filters on
``updatedFrom`` (alone, as Tempo documents), or ``from`` / ``to`` (worklog
date), pages with ``offset`` / ``limit`` (max 5,000, default 50) and answers
``{self, metadata: {count, offset, limit, next?, previous?}, results}``.

``GET /4/timesheet-approvals/user/{accountId}?from=&to=`` answers the
approval of the person's monthly period holding ``from`` (status ``OPEN``
unless :meth:`FakeTempo.set_approval` says otherwise); approving changes no
worklog, as in Tempo.
"""

from datetime import date, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from .base import FakeServer, iso_utc, json_response, parse_iso

MAX_LIMIT = 5000
JIRA_SITE = "https://bridge.atlassian.net"


class FakeTempo(FakeServer):
    label = "Tempo"
    api_root = "/4"
    first_id = 7_000

    def __init__(self, token="tempo-token", account_id="", **kw):
        super().__init__(token=token, account_id=account_id, **kw)
        # (accountId, first day of the month) -> status key
        self.approvals = {}

    # -- data ------------------------------------------------------------------

    def object_id(self, kind, index):
        if kind == "user":
            return f"5b10a2844c20165700ede{index + 1:03d}"
        if kind == "client":
            return f"CLIENT-{index + 1}"
        offsets = {"project": 10_000, "task": 20_000}
        return offsets.get(kind, 30_000) + index + 1

    def issue_key(self, issue_id):
        return f"BRG-{int(issue_id) - 20_000}"

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
        # Tempo has no running timers: a worklog is logged once done.
        local = started.astimezone(ZoneInfo(person.timezone))
        updated = started + timedelta(seconds=seconds)
        return {
            "self": f"{self.url if self._server else ''}/worklogs/{record_id}",
            "tempoWorklogId": record_id,
            "issue": {
                "self": f"{JIRA_SITE}/rest/api/2/issue/{task.id}",
                "id": task.id,
            },
            "timeSpentSeconds": seconds,
            "billableSeconds": seconds if billable else 0,
            "startDate": local.date().isoformat(),
            "startTime": local.strftime("%H:%M:%S"),
            "startDateTimeUtc": iso_utc(started),
            "description": notes or "Working on issue",
            "createdAt": iso_utc(updated),
            "updatedAt": iso_utc(updated),
            "author": {
                "self": f"{JIRA_SITE}/rest/api/2/user?accountId={person.id}",
                "accountId": person.id,
            },
            "attributes": {
                "self": f"{self.url if self._server else ''}/worklogs/{record_id}"
                "/work-attribute-values",
                "values": [{"key": "_Account_", "value": project.client.id}],
            },
        }

    def record_id(self, record):
        return record.get("tempoWorklogId")

    @staticmethod
    def period(day):
        """``(first, last)`` day of the monthly period holding ``day``."""
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)

    def set_approval(self, account_id, day, status="APPROVED"):
        """Set the status of ``account_id``'s period holding ``day``; the
        worklogs stay as they are."""
        self.approvals[(account_id, self.period(day)[0])] = status

    def _approval(self, request, account_id):
        try:
            day = date.fromisoformat(request.params.get("from") or "")
        except ValueError:
            return self._bad_request("from must be a date (YYYY-MM-DD)")
        first, last = self.period(day)
        status = self.approvals.get((account_id, first), "OPEN")
        return json_response(
            {
                "self": f"{self.url}/timesheet-approvals/user/{account_id}",
                "user": {"accountId": account_id},
                "period": {"from": first.isoformat(), "to": last.isoformat()},
                "requiredSeconds": 576000,
                "timeSpentSeconds": 0,
                "status": {"key": status, "updatedAt": iso_utc(self.now())},
            }
        )

    def _touch(self, record):
        record["updatedAt"] = iso_utc(self.now())

    def add_broken(self):
        """A worklog whose time spent is not a number."""
        record = self.add()
        record["timeSpentSeconds"] = "1h"
        self.changed()
        return record

    # -- HTTP ------------------------------------------------------------------

    def error_body(self, status):
        return json_response(
            {"errors": [{"message": f"Request failed with status {status}"}]}, status
        )

    def check_auth(self, request):
        if request.header("Authorization") != f"Bearer {self.token}":
            return json_response(
                {"errors": [{"message": "Bearer token is invalid or expired"}]}, 401
            )
        return None

    def route(self, request):
        if request.method != "GET":
            return self.not_found(request)
        if request.path == "/4/worklogs":
            return self._worklogs(request)
        if request.path.startswith("/4/worklogs/"):
            try:
                return json_response(self.find(request.path.rsplit("/", 1)[1]))
            except KeyError:
                return self.not_found(request)
        approvals = "/4/timesheet-approvals/user/"
        if request.path.startswith(approvals):
            return self._approval(request, request.path[len(approvals) :])
        if request.path == "/4/work-attributes":
            results = [
                {
                    "self": f"{self.url}/work-attributes/_Account_",
                    "key": "_Account_",
                    "name": "Account",
                    "type": "ACCOUNT",
                    "required": False,
                }
            ]
            return json_response(
                {
                    "self": f"{self.url}/work-attributes",
                    "metadata": {"count": 1, "offset": 0, "limit": 50},
                    "results": results,
                }
            )
        return self.not_found(request)

    def not_found(self, request):
        return json_response({"errors": [{"message": "Not found"}]}, 404)

    def _bad_request(self, message):
        return json_response({"errors": [{"message": message}]}, 400)

    def _select(self, params):
        records = list(self.records)
        if params.get("updatedFrom"):
            since = parse_iso(params["updatedFrom"])
            records = [
                r for r in records if (parse_iso(r.get("updatedAt")) or since) >= since
            ]
        if params.get("from"):
            records = [r for r in records if str(r.get("startDate")) >= params["from"]]
        if params.get("to"):
            records = [r for r in records if str(r.get("startDate")) <= params["to"]]
        records.sort(key=lambda r: str(r.get("tempoWorklogId")).zfill(20))
        return records

    def _worklogs(self, request):
        params = request.params
        try:
            offset = int(params.get("offset") or 0)
            limit = int(params.get("limit") or 50)
        except ValueError:
            return self._bad_request("offset and limit must be integers")
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            return self._bad_request(
                f"limit must be between 1 and {MAX_LIMIT}, offset positive"
            )
        if params.get("updatedFrom") and parse_iso(params["updatedFrom"]) is None:
            return self._bad_request("updatedFrom is not a valid date")
        filters = tuple(
            (k, params[k]) for k in ("updatedFrom", "from", "to") if params.get(k)
        )
        records = self.cached(("worklogs", filters), lambda: self._select(params))
        chunk = records[offset : offset + limit]
        kept = {k: params[k] for k in ("updatedFrom", "from", "to") if params.get(k)}
        metadata = {"count": len(chunk), "offset": offset, "limit": limit}
        if offset + limit < len(records):
            metadata["next"] = f"{self.url}/worklogs?" + urlencode(
                {**kept, "offset": offset + limit, "limit": limit}
            )
        if offset > 0:
            metadata["previous"] = f"{self.url}/worklogs?" + urlencode(
                {**kept, "offset": max(0, offset - limit), "limit": limit}
            )
        query = urlencode({**kept, "offset": offset, "limit": limit})
        return json_response(
            {
                "self": f"{self.url}/worklogs?{query}",
                "metadata": metadata,
                "results": chunk,
            }
        )
