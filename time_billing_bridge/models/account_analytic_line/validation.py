# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 2 of the billing pipeline: can this time be billed as it is?

Durations and dates, a contract on the date, an open billing period, then
duplicates and overlaps (``duplicates.py``). The checks themselves are plain
functions in ``tools/validation.py``; the methods below gather the records
and turn the codes into messages. A line that fails becomes an exception; a
line that passes gets its billing period and its warnings.
"""

from odoo import api, fields, models
from odoo.tools.misc import format_date, format_duration

from ...const import BILLING_EXCEPTION_TYPES, LOCKED_STATES
from ...tools.validation import ContractSpan, coverage_gap, duration_issue


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_period_id = fields.Many2one(
        comodel_name="time.billing.period",
        string="Billing Period",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Period this time is billed in: the period of its date, or the next "
        "open one for a late entry.",
    )
    billing_exception_type = fields.Selection(
        selection=BILLING_EXCEPTION_TYPES,
        string="Exception Type",
        copy=False,
        readonly=True,
    )

    billing_warning = fields.Char(
        copy=False,
        readonly=True,
        help="Checks that do not stop billing: a late entry billed in a later "
        "period, time of one person that overlaps.",
    )

    def _billing_validate(self):
        """Flag lines that cannot be billed as they are (stage 2).

        Approved, invoiced and rejected time is left alone: approved and
        invoiced time is locked, rejected time waits for its author to fix it
        (an edit sends it back, see :meth:`_billing_reopen_edited`).
        """
        lines = self.filtered(
            lambda line: line.project_id
            and line.billing_state not in (*LOCKED_STATES, "rejected")
        )
        if lines:
            lines._billing_check_lines()
        # Lines flagged as duplicates of these ones are checked again: the
        # original may have changed.
        dependents = self.search(
            [
                ("billing_duplicate_of_id", "in", self.ids),
                ("id", "not in", self.ids),
            ]
        )
        if dependents:
            dependents._billing_refresh()

    def _billing_check_lines(self):
        """Validate these timesheet lines, set their billing period and warnings."""
        today = fields.Date.context_today(self)
        old_periods = self.billing_period_id
        in_scope, out_of_scope = self._billing_split_scope()
        # Time of projects that never had a contract is not billable: clear
        # what an earlier contract may have left on it.
        leftovers = out_of_scope.filtered(
            lambda line: line.billing_state
            or line.billing_period_id
            or line.billing_exception_type
        )
        if leftovers:
            leftovers._billing_write(self._billing_cleared_vals())
        issues = {}
        for line in in_scope:
            message = line._billing_check_duration(today)
            if message:
                issues[line] = message
        in_scope._billing_check_coverage(issues)
        periods = in_scope._billing_assign_periods(issues)
        # Read before anything is written: a query on lines written meanwhile
        # would first send the pending updates of the whole batch.
        neighbours = in_scope._billing_same_day_lines()
        in_scope._billing_check_duplicates(issues, neighbours)
        vals_by_line = {}
        for line in in_scope:
            if line in issues:
                exception_type, message, extra = issues[line]
                vals_by_line[line] = {
                    **self._billing_exception_vals(exception_type, message),
                    "billing_period_id": periods.get(line, False),
                    **extra,
                }
                continue
            vals = {
                "billing_period_id": periods.get(line, False),
                "billing_exception_type": False,
                "billing_duplicate_of_id": False,
            }
            if line.billing_state == "exception":
                vals.update(billing_state=False, billing_note=False)
            vals_by_line[line] = vals
        self._billing_write_grouped(vals_by_line)
        in_scope.filtered(lambda line: line not in issues)._billing_update_warnings(
            neighbours | in_scope
        )
        (old_periods - self.billing_period_id)._sync_approval_activities()

    def _billing_update_warnings(self, neighbours):
        """Write the warnings of these lines: late entry, overlapping time.

        :param neighbours: lines of the same people and days, these or others
            (:meth:`_billing_same_day_lines`)
        """
        lines = self.filtered(
            lambda line: line.billing_contract_id and line.billing_state != "exception"
        )
        late = lines._billing_late_notes()
        overlaps = lines._billing_check_overlaps(neighbours)
        self._billing_write_grouped(
            {
                line: {
                    "billing_warning": "; ".join(
                        filter(None, [late.get(line), overlaps.get(line)])
                    )
                    or False
                }
                for line in lines
            }
        )

    def _billing_late_notes(self):
        """``{line: note}`` for the lines billed after the period of their date."""
        late = self.filtered(
            lambda line: line.billing_period_id
            and line.billing_period_id.date_from > line.date
        )
        if not late:
            return {}
        dates = late.mapped("date")
        own_periods = self.env["time.billing.period"].search(
            [
                ("contract_id", "in", late.billing_contract_id.ids),
                ("date_from", "<=", max(dates)),
                ("date_to", ">=", min(dates)),
            ]
        )
        notes = {}
        for line in late:
            own = own_periods.filtered(
                lambda p, line=line: p.contract_id == line.billing_contract_id
                and p.date_from <= line.date <= p.date_to
            )[:1]
            notes[line] = self.env._(
                "Late entry from %(date)s (closed period %(period)s), billed in "
                "%(target)s",
                date=format_date(self.env, line.date),
                period=own.display_name or "-",
                target=line.billing_period_id.display_name,
            )
        return notes

    def _billing_split_scope(self):
        """Split lines into those billing looks at (under a contract, or on a
        project that has contracts at other dates) and the others."""
        uncovered = self.filtered(lambda line: not line.billing_contract_id)
        projects_with_contract = (
            self.env["time.billing.contract"]
            .search([("project_ids", "in", uncovered.project_id.ids)])
            .project_ids
        )
        out_of_scope = uncovered.filtered(
            lambda line: line.project_id not in projects_with_contract
        )
        return self - out_of_scope, out_of_scope

    @api.model
    def _billing_cleared_vals(self):
        return {
            "billing_state": False,
            "billing_note": False,
            "billing_period_id": False,
            "billing_exception_type": False,
            "billing_duplicate_of_id": False,
            "billing_warning": False,
            "billing_review_note": False,
            "billing_auto_approve_date": False,
            "billable_hours": 0.0,
            "billing_rate": 0.0,
            "billing_amount": 0.0,
        }

    @api.model
    def _billing_exception_vals(self, exception_type, message):
        """An exception is not billed: no price, no approval pending."""
        return {
            "billing_state": "exception",
            "billing_exception_type": exception_type,
            "billing_note": message,
            "billing_duplicate_of_id": False,
            "billing_warning": False,
            "billing_review_note": False,
            "billing_auto_approve_date": False,
            "billable_hours": 0.0,
            "billing_rate": 0.0,
            "billing_amount": 0.0,
        }

    def _billing_check_duration(self, today):
        """Return ``(type, message, extra vals)`` when the duration or the date
        of this line cannot be billed, else ``None``."""
        self.ensure_one()
        issue = duration_issue(self.unit_amount)
        hours = format_duration(self.unit_amount)
        if issue == "zero":
            message = self.env._("Duration is zero: there is no time to bill.")
        elif issue == "negative":
            message = self.env._(
                "Negative duration (%(hours)s h): time cannot be billed below zero.",
                hours=hours,
            )
        elif issue == "too_long":
            message = self.env._(
                "Duration of %(hours)s h is longer than a day of 24 hours.",
                hours=hours,
            )
        elif self.date > today:
            return (
                "future_date",
                self.env._(
                    "Dated %(date)s, in the future: time is billed once it is worked.",
                    date=format_date(self.env, self.date),
                ),
                {},
            )
        else:
            return None
        return "duration", message, {}

    def _billing_check_coverage(self, issues):
        """Flag time on a project with contracts when none covers its date."""
        uncovered = self.filtered(
            lambda line: not line.billing_contract_id and line not in issues
        )
        if not uncovered:
            return
        contracts = self.env["time.billing.contract"].search(
            [("project_ids", "in", uncovered.project_id.ids)]
        )
        for line in uncovered:
            spans = [
                ContractSpan(
                    key=contract.id,
                    name=contract.display_name,
                    date_start=contract.date_start,
                    date_end=contract.date_end,
                    closed=contract.state == "closed",
                )
                for contract in contracts
                if line.project_id in contract.project_ids
                and contract.company_id == line.company_id
            ]
            gap = coverage_gap(line.date, spans)
            if not gap:
                continue
            kind, span = gap
            values = {
                "project": line.project_id.display_name,
                "date": format_date(self.env, line.date),
                "contract": span.name,
            }
            if kind == "closed":
                message = self.env._(
                    "No contract covers %(project)s on %(date)s (contract "
                    "'%(contract)s' is closed)",
                    **values,
                )
            elif kind == "ends":
                message = self.env._(
                    "No contract covers %(project)s on %(date)s (contract "
                    "'%(contract)s' ends %(end)s)",
                    end=format_date(self.env, span.date_end),
                    **values,
                )
            else:
                message = self.env._(
                    "No contract covers %(project)s on %(date)s (contract "
                    "'%(contract)s' starts %(start)s)",
                    start=format_date(self.env, span.date_start),
                    **values,
                )
            issues[line] = ("no_contract", message, {})

    def _billing_assign_periods(self, issues):
        """Find the billing period of each line under a contract.

        A line dated in a closed period goes to the next open one, with a note;
        when the contract has no open period left, it becomes an exception.
        Return ``{line: period id}``.
        """
        lines = self.filtered(
            lambda line: line.billing_contract_id and line not in issues
        )
        found = self.env["time.billing.period"]._get_for_dates(
            {(line.billing_contract_id, line.date) for line in lines}
        )
        periods, next_open = {}, {}
        for line in lines:
            contract = line.billing_contract_id
            period = found[contract, line.date]
            if period.state == "open":
                periods[line] = period.id
                continue
            if period not in next_open:
                next_open[period] = period._get_next_open()
            target = next_open[period]
            if not target:
                issues[line] = (
                    "closed_period",
                    self.env._(
                        "Late entry from %(date)s (closed period %(period)s): "
                        "contract '%(contract)s' has no open period left to bill "
                        "it in.",
                        date=format_date(self.env, line.date),
                        period=period.display_name,
                        contract=contract.display_name,
                    ),
                    {},
                )
                continue
            periods[line] = target.id
        return periods

    @api.model
    def _billing_revalidate_due(self, today=None):
        """Check again time that was in the future and is not anymore."""
        today = today or fields.Date.context_today(self)
        lines = self.sudo().search(
            [
                ("billing_state", "=", "exception"),
                ("billing_exception_type", "=", "future_date"),
                ("date", "<=", today),
            ]
        )
        lines._billing_refresh()
        return lines
