# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from datetime import date, timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools.misc import format_amount, format_date, format_duration

from ..const import ACTIVITY_APPROVAL, COUNTED_STATES, GROUP_MANAGER, PERIOD_STATES
from ..tools.guard import pipeline_write
from ..tools.validation import fit_bounds


class TimeBillingPeriod(models.Model):
    """One billing period of a contract (a week, a month, the whole engagement).

    Periods are created on demand when time is logged in them. A closed period
    takes no more time: a late entry is billed in the next open period.
    """

    _name = "time.billing.period"
    _inherit = ["time.billing.pipeline.mixin"]
    _description = "Time Billing Period"
    _order = "contract_id, date_from desc, id desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        comodel_name="time.billing.contract",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(related="contract_id.partner_id")
    currency_id = fields.Many2one(related="contract_id.currency_id")
    date_from = fields.Date(required=True, readonly=True)
    date_to = fields.Date(required=True, readonly=True)
    state = fields.Selection(
        selection=PERIOD_STATES, required=True, default="open", readonly=True
    )
    closed_by_id = fields.Many2one(
        comodel_name="res.users", string="Closed By", readonly=True
    )
    closed_date = fields.Datetime(string="Closed On", readonly=True)
    timesheet_ids = fields.One2many(
        comodel_name="account.analytic.line",
        inverse_name="billing_period_id",
        string="Timesheet Lines",
    )
    timesheet_count = fields.Integer(compute="_compute_billing_figures")
    to_approve_count = fields.Integer(compute="_compute_billing_figures")
    billed_hours = fields.Float(
        compute="_compute_billing_figures",
        help="Billable hours of the time billed in this period, waiting or approved.",
    )
    billed_amount = fields.Monetary(
        compute="_compute_billing_figures", currency_field="currency_id"
    )
    held_hours = fields.Float(
        compute="_compute_billing_figures",
        help="Hours of the time pricing held for the approver (cap reached, "
        "retainer used up), still waiting.",
    )
    unbilled_count = fields.Integer(
        compute="_compute_billing_figures",
        help="Priced time lines of this period not invoiced yet.",
    )
    cap_used = fields.Float(
        compute="_compute_billing_figures",
        help="What this period used of the contract's cap per billing period: "
        "billable hours or amount of its priced time (waiting, approved, "
        "invoiced).",
    )
    cap_limit = fields.Float(
        compute="_compute_billing_figures",
        help="The contract's cap per billing period, in hours or amount; zero "
        "when the contract has no cap per period.",
    )
    cap_label = fields.Char(string="Cap", compute="_compute_billing_figures")
    cap_percent = fields.Float(
        string="Cap Used (%)", compute="_compute_billing_figures"
    )
    cap_over = fields.Float(
        string="Over Cap",
        compute="_compute_billing_figures",
        help="How far this period's priced time is over the cap, in hours or amount.",
    )

    _contract_date_uniq = models.Constraint(
        "UNIQUE(contract_id, date_from)",
        "A contract has one billing period starting on a given day.",
    )
    _date_check = models.Constraint(
        "CHECK(date_to >= date_from)",
        "A billing period cannot end before it starts.",
    )

    @api.model
    def _get_pipeline_write_message(self):
        # Periods are created as time arrives in them; reopening one needs a
        # billing manager (action_reopen).
        return self.env._(
            "Billing periods are created by billing and change only through "
            "Close and Reopen."
        )

    @api.depends("date_from", "date_to", "contract_id.billing_period")
    def _compute_display_name(self):
        for period in self:
            period.display_name = period._get_label()

    def _get_label(self):
        """Name of the period as people say it: "March 2026", "Week 11, 2026"."""
        self.ensure_one()
        if not self.date_from:
            return ""
        return self._get_label_for(
            self.contract_id.billing_period, self.date_from, self.date_to
        )

    @api.model
    def _get_label_for(self, rhythm, date_from, date_to):
        """The label of a period of ``rhythm`` from ``date_from`` to
        ``date_to``, whether or not the period exists yet."""
        same_month = (date_from.year, date_from.month) == (
            date_to.year,
            date_to.month,
        )
        if rhythm == "monthly" and same_month:
            return format_date(self.env, date_from, date_format="MMMM y")
        if rhythm == "weekly":
            year, week, _weekday = date_from.isocalendar()
            return self.env._("Week %(week)s, %(year)s", week=week, year=year)
        if date_to == date.max:
            return self.env._("From %(start)s", start=format_date(self.env, date_from))
        return self.env._(
            "%(start)s to %(end)s",
            start=format_date(self.env, date_from),
            end=format_date(self.env, date_to),
        )

    def _compute_billing_figures(self):
        """Counts and sums of the time of these periods, by billing state: all
        of it for the figures, the priced time for the cap, the waiting time
        held by pricing for ``held_hours``."""
        Line = self.env["account.analytic.line"]
        figures = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0.0]))
        for period, state, count, hours, amount in Line._read_group(
            [("billing_period_id", "in", self.ids)],
            ["billing_period_id", "billing_state"],
            ["__count", "billable_hours:sum", "billing_amount:sum"],
        ):
            figures[period][state] = [count, hours, amount]
        held = dict(
            Line._read_group(
                [
                    ("billing_period_id", "in", self.ids),
                    ("billing_state", "=", "to_approve"),
                    ("billing_hold_reason", "!=", False),
                ],
                ["billing_period_id"],
                ["unit_amount:sum"],
            )
        )
        for period in self:
            by_state = figures[period]
            totals = [sum(values) for values in zip(*by_state.values(), strict=True)]
            count, hours, amount = totals or (0, 0.0, 0.0)
            counted = [by_state[state] for state in COUNTED_STATES if state in by_state]
            counted_hours = sum(values[1] for values in counted)
            counted_amount = sum(values[2] for values in counted)
            period.timesheet_count = count
            period.billed_hours = hours
            period.billed_amount = amount
            period.to_approve_count = by_state["to_approve"][0]
            period.held_hours = held.get(period, 0.0)
            period.unbilled_count = (
                sum(values[0] for values in counted) - (by_state["invoiced"][0])
            )
            period._set_cap_figures(counted_hours, counted_amount)

    def _set_cap_figures(self, hours, amount):
        """Fill the cap columns of this period from its priced ``hours`` and
        ``amount``: only a cap per billing period applies to a period."""
        contract = self.contract_id
        cap = contract.cap_value
        if contract.cap_type == "none" or contract.cap_scope != "period" or not cap:
            self.cap_used = self.cap_limit = self.cap_percent = self.cap_over = 0.0
            self.cap_label = False
            return
        used = hours if contract.cap_type == "hours" else amount
        self.cap_used = used
        self.cap_limit = cap
        self.cap_percent = 100.0 * used / cap
        self.cap_over = max(used - cap, 0.0)
        self.cap_label = contract._billing_format(cap, contract.cap_type)

    # Finding periods

    @api.model
    def _get_for_date(self, contract, day):
        """Return the period of ``contract`` containing ``day``, created if needed.

        The caller makes sure ``day`` lies within the contract's dates.
        """
        day = fields.Date.to_date(day)
        return self._get_for_dates([(contract, day)])[contract, day]

    @api.model
    def _get_for_dates(self, contract_days):
        """``{(contract, day): period}`` for ``(contract, day)`` pairs, the
        missing periods created in one go.

        A new period follows the contract's rhythm (``_billing_period_bounds``)
        and stops where an existing period starts or ends.
        """
        days_by_contract = defaultdict(set)
        for contract, day in contract_days:
            days_by_contract[contract].add(day)
        envelopes = {
            contract: (
                contract._billing_period_bounds(min(days))[0],
                contract._billing_period_bounds(max(days))[1],
            )
            for contract, days in days_by_contract.items()
        }
        existing = self.search(
            Domain.OR(
                Domain("contract_id", "=", contract.id)
                & Domain("date_from", "<=", last)
                & Domain("date_to", ">=", first)
                for contract, (first, last) in envelopes.items()
            )
        ).grouped("contract_id")
        result, planned = {}, []
        for contract, days in days_by_contract.items():
            spans = [(p.date_from, p.date_to, p) for p in existing.get(contract, [])]
            for day in sorted(days):
                match = next(
                    (span for span in spans if span[0] <= day <= span[1]), None
                )
                if not match:
                    first, last = contract._billing_period_bounds(day)
                    first, last = fit_bounds(
                        first, last, day, [(span[0], span[1]) for span in spans]
                    )
                    match = (first, last, len(planned))
                    planned.append(
                        {
                            "contract_id": contract.id,
                            "date_from": first,
                            "date_to": last,
                        }
                    )
                    spans.append(match)
                result[contract, day] = match[2]
        with pipeline_write():
            created = self.create(planned)
        return {
            key: created[value] if isinstance(value, int) else value
            for key, value in result.items()
        }

    def _billing_with_invoice(self):
        """Those of these periods a live invoice (draft or posted) bills."""
        if not self:
            return self
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("billing_period_id", "in", self.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "!=", "cancel"),
                ]
            )
            .billing_period_id
        )

    def _get_next_open(self):
        """Return the first open period after this one, created if needed, or
        an empty recordset when the contract ends before one."""
        self.ensure_one()
        period = self
        contract = self.contract_id
        while period.state == "closed":
            day = period.date_to + timedelta(days=1)
            if period.date_to == date.max or (
                contract.date_end and day > contract.date_end
            ):
                return self.browse()
            period = self._get_for_date(contract, day)
        return period

    # Closing

    def action_close(self):
        to_close = self.filtered(lambda p: p.state == "open")
        if not to_close:
            raise UserError(self.env._("These billing periods are already closed."))
        with pipeline_write():
            to_close.write(
                {
                    "state": "closed",
                    "closed_by_id": self.env.uid,
                    "closed_date": fields.Datetime.now(),
                }
            )
        for period in to_close:
            period.contract_id.message_post(
                body=self.env._(
                    "Billing period %(period)s closed by %(user)s: time logged in it "
                    "from now on is billed in the next open period.",
                    period=period.display_name,
                    user=self.env.user.name,
                )
            )
        return True

    def action_reopen(self):
        if not (self.env.su or self.env.user.has_group(GROUP_MANAGER)):
            raise AccessError(
                self.env._("Only a billing manager can reopen a billing period.")
            )
        to_open = self.filtered(lambda p: p.state == "closed")
        with pipeline_write():
            to_open.write(
                {"state": "open", "closed_by_id": False, "closed_date": False}
            )
        for period in to_open:
            period.contract_id.message_post(
                body=self.env._(
                    "Billing period %(period)s reopened by %(user)s.",
                    period=period.display_name,
                    user=self.env.user.name,
                )
            )
        return True

    def action_view_timesheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.account_analytic_line_billing_action"
        )
        action["domain"] = [("billing_period_id", "=", self.id)]
        action["context"] = {"search_default_groupby_billing_state": 1}
        action["display_name"] = self.env._(
            "%(contract)s, %(period)s",
            contract=self.contract_id.display_name,
            period=self.display_name,
        )
        return action

    def action_view_lines_to_approve(self):
        self.ensure_one()
        return self.contract_id.action_view_lines_to_approve(self)

    # Approval activities

    def _get_review_url(self):
        """Link to the time of this period waiting for approval."""
        self.ensure_one()
        return (
            f"/odoo/time.billing.period/{self.id}"
            "/action-time_billing_bridge.account_analytic_line_period_to_approve_action"
        )

    @api.model
    def _get_waiting_domain(self):
        """Time that waits for a person (not for the end of a grace period)."""
        return Domain("billing_state", "=", "to_approve") & Domain(
            "billing_auto_approve_date", "=", False
        )

    def _sync_approval_activities(self, feedback=None):
        """Keep ONE approval activity per approver, contract and period, telling
        how much time and money wait; mark it done when nothing waits anymore.

        Call it on the periods whose waiting time may have changed.
        """
        periods = self.sudo().exists()
        if not periods:
            return
        activity_type = self.env.ref(ACTIVITY_APPROVAL, raise_if_not_found=False)
        if not activity_type:
            return
        waiting = {
            period: (count, hours, amount)
            for period, count, hours, amount in self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                Domain("billing_period_id", "in", periods.ids)
                & self._get_waiting_domain(),
                ["billing_period_id"],
                ["__count", "unit_amount:sum", "billing_amount:sum"],
            )
        }
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "time.billing.contract"),
                    ("activity_type_id", "=", activity_type.id),
                    ("time_billing_period_id", "in", periods.ids),
                ]
            )
        )
        by_period = activities.grouped("time_billing_period_id")
        for period in periods:
            current = by_period.get(period, self.env["mail.activity"])
            if period not in waiting:
                if current:
                    current.action_feedback(
                        feedback=feedback or self.env._("Nothing left to approve.")
                    )
                continue
            contract = period.contract_id
            approver = contract._get_billing_approver()
            summary, note = period._get_approval_activity_texts(*waiting[period])
            if current:
                vals = {"summary": summary, "note": note}
                if approver and current[0].user_id != approver:
                    vals["user_id"] = approver.id
                current[0].write(vals)
                current[1:].unlink()
            elif approver:
                contract.sudo().activity_schedule(
                    ACTIVITY_APPROVAL,
                    date_deadline=activity_type._get_date_deadline(),
                    summary=summary,
                    note=note,
                    user_id=approver.id,
                    time_billing_period_id=period.id,
                )

    def _get_approval_activity_texts(self, count, hours, amount):
        """Summary and note of the approval activity of this period."""
        self.ensure_one()
        money = format_amount(self.env, amount, self.currency_id)
        summary = self.env._(
            "Approve %(hours)s h (%(amount)s), %(period)s",
            hours=format_duration(hours),
            amount=money,
            period=self.display_name,
        )
        text = self.env._(
            "%(contract)s, %(period)s: %(entries)s wait for your approval, "
            "%(hours)s h, %(amount)s.",
            entries=self.env["account.analytic.line"]._billing_entries_label(count),
            contract=self.contract_id.display_name,
            period=self.display_name,
            hours=format_duration(hours),
            amount=money,
        )
        note = Markup('<p>%(text)s</p><p><a href="%(url)s">%(link)s</a></p>') % {
            "text": text,
            "url": self._get_review_url(),
            "link": self.env._("Review and approve them"),
        }
        return summary, note
