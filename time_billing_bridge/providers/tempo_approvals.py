# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Tempo timesheet approvals, as the approval of each worklog.

Tempo approves a person's timesheet for a period (``GET /4/timesheet-
approvals/user/{accountId}?from=&to=`` answers the period holding those
dates, ``{period: {from, to}, status: {key}}``, the key one of ``OPEN``,
``IN_REVIEW``, ``APPROVED``, ``REJECTED``). A worklog's approval is that of
its author's period on its date. Approving does not change the worklogs
(their ``updatedAt`` stays), so a backend that waits for approvals asks
again for the worklogs still waiting (:meth:`TempoApprovals.status`), once
per person and period in a run.
"""

from datetime import date
from urllib.parse import quote

from ..exceptions import ProviderAuthError, ProviderNotFound
from .common import nested, parse_day, text


class TempoApprovals:
    """Approval lookups of one run, cached per person and period."""

    def __init__(self, http):
        self.http = http
        # accountId -> [(first day, last day, status), ...]
        self._periods = {}

    def status(self, account_id, day):
        """``"approved"``, ``"open"``, ``"in review"``, ``"rejected"``... of
        ``account_id``'s period holding ``day``; "" when Tempo knows none."""
        if not account_id or not isinstance(day, date):
            return ""
        for first, last, status in self._periods.get(account_id, ()):
            if first <= day <= last:
                return status
        try:
            data, _response = self.http.get_json(
                f"timesheet-approvals/user/{quote(account_id, safe='')}",
                {"from": day.isoformat(), "to": day.isoformat()},
            )
        except ProviderNotFound:
            data = {}
        except ProviderAuthError as err:
            raise ProviderAuthError(
                "Tempo refused to show the timesheet approvals: give the token "
                "access to timesheet approvals, or untick Bill Only Time "
                "Approved at the Source on the backend.",
                status=err.status,
            ) from err
        key = text(nested(data, "status", "key"))
        status = key.lower().replace("_", " ")
        first = parse_day(nested(data, "period", "from") or "") or day
        last = parse_day(nested(data, "period", "to") or "") or day
        if not first <= day <= last:
            first = last = day
        self._periods.setdefault(account_id, []).append((first, last, status))
        return status
