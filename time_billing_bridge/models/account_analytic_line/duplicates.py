# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 2 of the billing pipeline, continued: duplicates and overlaps.

Time received twice (from two sources, or from a source and typed in Odoo)
is billed once: the later copy becomes a ``duplicate`` exception. Time of one
person that cannot all have been worked is billed, with a warning. Both read
the same people's other lines of the same days in one query
(:meth:`_billing_same_day_lines`).
"""

from collections import defaultdict
from datetime import timezone
from zoneinfo import ZoneInfo

from odoo import fields, models
from odoo.fields import Domain
from odoo.tools.misc import format_date, format_duration

from ...tools.validation import (
    MAX_HOURS_PER_DAY,
    duplicate_key,
    entry_interval,
    find_duplicates,
    overlapping,
)


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_duplicate_of_id = fields.Many2one(
        comodel_name="account.analytic.line",
        string="Duplicate Of",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        readonly=True,
    )

    def _billing_get_sources(self):
        """``{line: backend}`` of the lines imported from a backend; lines
        typed in Odoo are not in it."""
        sources = {}
        for entry in self.env["time.billing.entry"].search_fetch(
            [("timesheet_id", "in", self.ids)],
            ["timesheet_id", "backend_id"],
            order="id",
        ):
            sources.setdefault(entry.timesheet_id, entry.backend_id)
        return sources

    def _billing_check_duplicates(self, issues, neighbours):
        """Flag time that repeats work already received from another source:
        same person, date, duration and description.

        :param neighbours: the other lines of the same people and days
            (:meth:`_billing_same_day_lines`)
        """
        candidates = self.filtered(
            lambda line: line.billing_contract_id and line not in issues
        )
        if not candidates:
            return
        days = candidates._billing_days()
        in_place = neighbours.filtered(
            lambda line: (line.employee_id, line.date) in days
            and line.billing_contract_id
            and line.billing_exception_type != "duplicate"
            and line.billing_state != "rejected"
        )

        sources = (candidates | in_place)._billing_get_sources()

        def triple(line):
            key = duplicate_key(
                line.employee_id.id, line.date, line.unit_amount, line.name
            )
            source = sources.get(line)
            return line.id, key, source.id if source else 0

        duplicates = find_duplicates(
            [triple(line) for line in candidates],
            [triple(line) for line in in_place],
        )
        for line_id, original_id in duplicates.items():
            line, original = self.browse(line_id), self.browse(original_id)
            source = sources.get(original)
            if source:
                message = self.env._(
                    "Duplicate of line #%(line)s imported from %(backend)s",
                    line=original.id,
                    backend=source.name,
                )
            else:
                message = self.env._(
                    "Duplicate of line #%(line)s entered in Odoo", line=original.id
                )
            issues[line] = (
                "duplicate",
                message,
                {"billing_duplicate_of_id": original.id},
            )

    def _billing_days(self):
        """The ``(employee, date)`` pairs of these lines."""
        return {(line.employee_id, line.date) for line in self}

    def _billing_same_day_lines(self):
        """The other timesheet lines of the same people on the same days, with
        what the duplicate and overlap checks read, in one query."""
        if not self:
            return self
        same_days = Domain.OR(
            Domain("employee_id", "=", employee.id)
            & Domain("date", "in", sorted(set(lines.mapped("date"))))
            for employee, lines in self.grouped("employee_id").items()
        )
        return self.search_fetch(
            Domain("project_id", "!=", False)
            & same_days
            & Domain("id", "not in", self.ids),
            [
                "employee_id",
                "date",
                "unit_amount",
                "name",
                "billing_contract_id",
                "billing_exception_type",
                "billing_state",
            ],
        )

    def _billing_check_overlaps(self, neighbours):
        """Warn about time of one person that cannot all have been worked.

        With start and end times (imported entries whose source records them),
        overlapping intervals are reported. Time typed in Odoo has a duration
        only: there, more than 24 hours of one person on one day is the signal.
        Duplicates are left out: they are not billed.

        :param neighbours: lines of the same people and days, these or others
            (:meth:`_billing_same_day_lines`)
        Return ``{line: warning}``.
        """
        if not self:
            return {}
        days = self._billing_days()
        same_days = (neighbours | self).filtered(
            lambda line: (line.employee_id, line.date) in days
            and line.billing_exception_type != "duplicate"
        )
        totals = defaultdict(float)
        for line in same_days:
            totals[line.employee_id, line.date] += line.unit_amount
        warnings = defaultdict(list)
        for line in self:
            total = totals[line.employee_id, line.date]
            if total > MAX_HOURS_PER_DAY + 1e-6:
                warnings[line].append(
                    self.env._(
                        "%(employee)s logged %(hours)s h on %(date)s: entries overlap.",
                        employee=line.employee_id.name,
                        hours=format_duration(total),
                        date=format_date(self.env, line.date),
                    )
                )
        # Start and end times come from the imported entries: first those of
        # these lines, then, if any has them, those of the same people's other
        # lines of the same days.
        intervals = self._billing_get_intervals()
        timed = self.browse(list(intervals))
        if timed:
            timed_days = timed._billing_days()
            others = (same_days - timed).filtered(
                lambda line: (line.employee_id, line.date) in timed_days
            )
            intervals.update(others._billing_get_intervals())
            lines = self.browse(list(intervals))
            for (_employee, _day), group in lines.grouped(
                lambda line: (line.employee_id, line.date)
            ).items():
                found = overlapping((line.id, *intervals[line.id]) for line in group)
                for line_id, overlapped in found.items():
                    line = self.browse(line_id)
                    if line in self:
                        warnings[line].append(
                            self.env._(
                                "Overlaps %(lines)s of the same person.",
                                lines=[
                                    self.env._(
                                        "'%(name)s' (%(hours)s h)",
                                        name=other.name,
                                        hours=format_duration(other.unit_amount),
                                    )
                                    for other in self.browse(overlapped)
                                ],
                            )
                        )
        return {line: " ".join(texts) for line, texts in warnings.items()}

    def _billing_get_intervals(self):
        """``{line id: (start, end)}`` (naive UTC) of these lines whose imported
        entry recorded when the work started and ended. Local clock times are
        read in the employee's time zone."""
        times = {}
        for entry in self.env["time.billing.entry"].search_fetch(
            [("timesheet_id", "in", self.ids), ("source_start", "!=", False)],
            ["timesheet_id", "source_start", "source_end"],
            order="id",
        ):
            times.setdefault(entry.timesheet_id, (entry.source_start, entry.source_end))
        intervals = {}
        for line, (start_text, end_text) in times.items():
            span = entry_interval(start_text, end_text)
            if not span:
                continue
            start, end = span
            if start.tzinfo is None:
                zone = ZoneInfo(line.employee_id.tz or self.env.user.tz or "UTC")
                start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
            intervals[line.id] = (
                start.astimezone(timezone.utc).replace(tzinfo=None),
                end.astimezone(timezone.utc).replace(tzinfo=None),
            )
        return intervals
