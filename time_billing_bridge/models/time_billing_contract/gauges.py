# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the contract form says of its budget: the cap gauge named after its
period, the earlier open periods that need a look (over their cap, or with
time held by pricing), and the multipliers as people write them ("×1.5").

The figures come from ``rating.py`` (the gauges) and the periods
(``time.billing.period._compute_billing_figures``); this only words them.
"""

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.tools.float_utils import float_is_zero

from .notes import format_multiplier


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    cap_gauge_label = fields.Char(
        string="Cap Gauge",
        compute="_compute_cap_gauge_label",
        help="The period the cap gauge shows and how much of the cap it used.",
    )
    budget_warning_period_ids = fields.Many2many(
        comodel_name="time.billing.period",
        string="Periods to Look At",
        compute="_compute_budget_warning",
        help="Earlier billing periods with time held by pricing for the "
        "approver, or still open and over the cap.",
    )
    budget_warning = fields.Html(
        compute="_compute_budget_warning", sanitize_attributes=False
    )
    multiplier_summary = fields.Char(
        string="Multipliers", compute="_compute_multiplier_summary"
    )

    @api.depends("cap_period_start", "cap_percent", "cap_scope", "billing_period")
    def _compute_cap_gauge_label(self):
        Period = self.env["time.billing.period"]
        for contract in self:
            if contract.cap_type == "none":
                contract.cap_gauge_label = False
                continue
            start = contract.cap_period_start
            if start:
                end = contract._billing_period_bounds(start)[1]
                scope = Period._get_label_for(contract.billing_period, start, end)
            else:
                scope = self.env._("Whole contract")
            contract.cap_gauge_label = self.env._(
                "%(scope)s: %(percent)s %% of the cap used",
                scope=scope,
                percent=round(contract.cap_percent),
            )

    @api.depends(
        "billing_period_ids.state",
        "timesheet_ids.billing_state",
        "timesheet_ids.billable_hours",
        "timesheet_ids.billing_amount",
        "timesheet_ids.billing_hold_reason",
        "cap_type",
        "cap_scope",
        "cap_value",
    )
    def _compute_budget_warning(self):
        today = fields.Date.context_today(self)
        for contract in self:
            periods = contract._get_budget_warning_periods(today)
            contract.budget_warning_period_ids = periods
            contract.budget_warning = contract._get_budget_warning_html(periods)

    def _get_budget_warning_periods(self, today):
        """The periods before the current one with time not invoiced yet
        that hold time, or are still open and over their cap."""
        self.ensure_one()
        contract = self._origin
        if not (contract and self.date_start):
            return self.env["time.billing.period"]
        day = max(today, self.date_start)
        if self.date_end:
            day = min(day, self.date_end)
        current_start = self._billing_period_bounds(day)[0]
        earlier = contract.billing_period_ids.filtered(
            lambda period: period.date_from < current_start and period.unbilled_count
        )
        # Held time waits for the approver even once invoicing closed its
        # period; time over the cap matters only while the period is open.
        return earlier.filtered(
            lambda period: period.held_hours
            or (period.state == "open" and not float_is_zero(period.cap_over, 2))
        ).sorted("date_from")

    def _get_budget_warning_html(self, periods):
        """One line per period: "March 2026: over its cap by 12:30 h, 8:00 h
        held", the period's name a link to it."""
        if not periods:
            return False
        items = []
        for period in periods:
            facts = []
            if period.state == "closed":
                facts.append(self.env._("closed"))
            if period.state == "open" and not float_is_zero(period.cap_over, 2):
                facts.append(
                    self.env._(
                        "over its cap by %(over)s",
                        over=self._billing_format(period.cap_over, self.cap_type),
                    )
                )
            if period.held_hours:
                facts.append(
                    self.env._(
                        "%(hours)s held",
                        hours=self._billing_format(period.held_hours, "hours"),
                    )
                )
            items.append(
                Markup('<li><a href="/odoo/time.billing.period/%s">%s</a>: %s</li>')
                % (period.id, period.display_name, ", ".join(facts))
            )
        title = escape(self.env._("Earlier periods need a look before invoicing:"))
        return Markup("<p class='mb-1'>%s</p><ul class='mb-0'>%s</ul>") % (
            title,
            Markup("").join(items),
        )

    @api.depends(
        "weekend_multiplier",
        "holiday_multiplier",
        "overtime_multiplier",
        "overtime_daily_hours",
        "overtime_weekly_hours",
    )
    def _compute_multiplier_summary(self):
        for contract in self:
            parts = [
                self.env._(
                    "weekend %s", format_multiplier(contract.weekend_multiplier)
                ),
                self.env._(
                    "public holidays %s",
                    format_multiplier(contract.holiday_multiplier),
                ),
                self.env._(
                    "overtime %s", format_multiplier(contract.overtime_multiplier)
                ),
            ]
            contract.multiplier_summary = ", ".join(parts)

    def action_view_budget_warning_periods(self):
        """Open the earlier periods the warning names (button)."""
        self.ensure_one()
        periods = self.budget_warning_period_ids
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.time_billing_period_action"
        )
        action["context"] = {}
        if len(periods) == 1:
            action.update(view_mode="form", views=[(False, "form")], res_id=periods.id)
        else:
            action["domain"] = [("id", "in", periods.ids)]
        return action
