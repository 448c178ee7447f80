# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The contract's side of pricing: its terms and rate card as plain values
for ``tools/rating.py``, re-rating its open time when they change, the
budget gauges (cap and retainer) and the retainer alert.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.fields import Domain

from ...const import ACTIVITY_BUDGET_ALERT, COUNTED_STATES, CTX_NO_RERATE, OPEN_STATES
from ...tools.notify import RELOAD, notification
from ...tools.periods import period_bounds
from ...tools.rating import RateRow, Terms, Usage
from ...tools.values import holds

PRICING_FIELDS = (
    "billing_mode",
    "currency_id",
    "default_rate",
    "discount",
    "weekend_multiplier",
    "holiday_multiplier",
    "overtime_daily_hours",
    "overtime_weekly_hours",
    "overtime_multiplier",
    "rounding_increment",
    "rounding_method",
    "minimum_minutes",
    "cap_type",
    "cap_scope",
    "cap_value",
    "cap_action",
    "retainer_size",
    "retainer_unit",
    "retainer_exhausted_action",
    "billing_period",
    "rate_rule_ids",
)
# Time that re-rating prices again: not approved, invoiced or rejected.
# when it is next edited or re-rated.)
SCOPE_FIELDS = ("project_ids", "date_start", "date_end", "company_id")
# Rate card line fields compared to tell whether the form changed the card.
RATE_RULE_FIELDS = (
    "sequence",
    "employee_id",
    "job_id",
    "task_id",
    "product_id",
    "rate",
    "billable",
    "date_from",
    "date_to",
)


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    retainer_alert_sent = fields.Boolean(
        copy=False,
        readonly=True,
        help="Set once the billing responsible was warned that the retainer "
        "reached its alert threshold; cleared when consumption falls back "
        "under it, so the next crossing warns again.",
    )
    rerate_line_count = fields.Integer(
        string="Open Lines",
        compute="_compute_rerate_line_count",
        help="Time lines of this contract that are not approved, invoiced or "
        "rejected: saving new terms or rates prices them again.",
    )
    rerate_pending = fields.Boolean(
        compute="_compute_rerate_pending",
        help="The terms or the rate card were changed and not saved yet.",
    )
    billed_hours = fields.Float(
        string="Priced Hours",
        compute="_compute_budget",
        help="Billable hours of the priced time: open, approved and invoiced.",
    )
    billed_amount = fields.Monetary(
        string="Priced Amount",
        currency_field="currency_id",
        compute="_compute_budget",
    )
    cap_period_start = fields.Date(
        string="Current Cap Period",
        compute="_compute_budget",
        help="First day of the billing period the cap gauge shows.",
    )
    cap_consumed = fields.Float(string="Cap Used", compute="_compute_budget")
    cap_remaining = fields.Float(string="Cap Left", compute="_compute_budget")
    cap_percent = fields.Float(string="Cap Used (%)", compute="_compute_budget")
    retainer_consumed = fields.Float(string="Retainer Used", compute="_compute_budget")
    retainer_remaining = fields.Float(
        string="Retainer Balance", compute="_compute_budget"
    )
    retainer_percent = fields.Float(
        string="Retainer Used (%)", compute="_compute_budget"
    )

    @api.model_create_multi
    def create(self, vals_list):
        contracts = super().create(vals_list)
        # Time already logged on the projects joins the new contract.
        contracts._rerate_open_lines(include_scope=True)
        return contracts

    def write(self, vals):
        if self.env.context.get(CTX_NO_RERATE):
            return super().write(vals)
        res = super(
            TimeBillingContract, self.with_context(**{CTX_NO_RERATE: True})
        ).write(vals)
        scope_changed = bool(set(vals) & set(SCOPE_FIELDS))
        if scope_changed or set(vals) & set(PRICING_FIELDS):
            self._rerate_open_lines(include_scope=scope_changed)
        return res

    def _get_rerate_domain(self):
        """Time these contracts price again when their terms change. Hook."""
        return Domain("billing_contract_id", "in", self.ids) & Domain(
            "billing_state", "in", OPEN_STATES
        )

    def _rerate_open_lines(self, include_scope=False):
        """Run the billing pipeline again on the open time of these contracts.

        Approved, invoiced and rejected lines keep their price. With
        ``include_scope``, open time on the contracts' projects that no
        contract covers yet is picked up too (new projects or dates).
        Return the lines processed.
        """
        if not self:
            return self.env["account.analytic.line"]
        domain = self._get_rerate_domain()
        if include_scope:
            domain |= Domain("project_id", "in", self.project_ids.ids) & Domain(
                "billing_state", "in", OPEN_STATES
            )
        lines = self.env["account.analytic.line"].sudo().search(domain)
        lines._billing_refresh()
        self._billing_update_retainer_alerts()
        return lines

    def action_rerate(self):
        """Price the open time of these contracts again (button)."""
        lines = self._rerate_open_lines(include_scope=True)
        return notification(
            self.env._("%(count)s open time lines priced again.", count=len(lines)),
            next_action=RELOAD,
        )

    @api.depends("timesheet_ids.billing_state")
    def _compute_rerate_line_count(self):
        origins = self._origin
        counts = dict(
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                origins._get_rerate_domain(), ["billing_contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.rerate_line_count = counts.get(contract._origin, 0)

    @api.depends(
        *(fname for fname in PRICING_FIELDS if fname != "rate_rule_ids"),
        *(f"rate_rule_ids.{fname}" for fname in RATE_RULE_FIELDS),
    )
    def _compute_rerate_pending(self):
        for contract in self:
            origin = contract._origin
            if not origin or contract == origin:
                contract.rerate_pending = False
                continue
            rules = contract.rate_rule_ids
            contract.rerate_pending = (
                any(
                    not holds(origin, fname, contract[fname])
                    for fname in PRICING_FIELDS
                    if fname != "rate_rule_ids"
                )
                or rules._origin != origin.rate_rule_ids
                or any(
                    not holds(rule._origin, fname, rule[fname])
                    for rule in rules
                    for fname in RATE_RULE_FIELDS
                )
            )

    @api.depends(
        "timesheet_ids.billable_hours",
        "timesheet_ids.billing_amount",
        "timesheet_ids.billing_state",
        "cap_type",
        "cap_scope",
        "cap_value",
        "retainer_size",
        "retainer_unit",
    )
    def _compute_budget(self):
        totals = defaultdict(lambda: [0.0, 0.0])
        by_period = defaultdict(lambda: [0.0, 0.0])
        for contract, start, hours, amount in (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                Domain("billing_contract_id", "in", self._origin.ids)
                & Domain("billing_state", "in", COUNTED_STATES),
                ["billing_contract_id", "billing_period_start:day"],
                ["billable_hours:sum", "billing_amount:sum"],
            )
        ):
            totals[contract][0] += hours
            totals[contract][1] += amount
            by_period[contract, start][0] += hours
            by_period[contract, start][1] += amount
        today = fields.Date.context_today(self)
        for contract in self:
            origin = contract._origin
            hours, amount = totals[origin]
            contract.billed_hours = hours
            contract.billed_amount = amount
            contract.cap_period_start = False
            consumed = (hours, amount)
            if contract.cap_scope == "period" and contract.date_start:
                day = max(today, contract.date_start)
                if contract.date_end:
                    day = min(day, contract.date_end)
                start = contract._billing_period_bounds(day)[0]
                contract.cap_period_start = start
                consumed = by_period[origin, start]
            used = consumed[0] if contract.cap_type == "hours" else consumed[1]
            cap = contract.cap_value if contract.cap_type != "none" else 0.0
            contract.cap_consumed = used if cap else 0.0
            contract.cap_remaining = cap - used if cap else 0.0
            contract.cap_percent = 100.0 * used / cap if cap else 0.0
            size = contract.retainer_size if contract.billing_mode == "retainer" else 0
            used = hours if contract.retainer_unit == "hours" else amount
            contract.retainer_consumed = used if size else 0.0
            contract.retainer_remaining = size - used if size else 0.0
            contract.retainer_percent = 100.0 * used / size if size else 0.0

    def _get_rating_terms(self):
        """The billing terms as plain values for ``tools.rating``."""
        self.ensure_one()
        return Terms(
            default_rate=self.default_rate,
            billing_mode=self.billing_mode,
            weekend_multiplier=self.weekend_multiplier,
            holiday_multiplier=self.holiday_multiplier,
            overtime_daily_hours=self.overtime_daily_hours,
            overtime_weekly_hours=self.overtime_weekly_hours,
            overtime_multiplier=self.overtime_multiplier,
            rounding_increment=self.rounding_increment,
            rounding_method=self.rounding_method,
            minimum_minutes=self.minimum_minutes,
            discount=self.discount,
            cap_type=self.cap_type,
            cap_scope=self.cap_scope,
            cap_value=self.cap_value,
            cap_action=self.cap_action,
            retainer_size=self.retainer_size,
            retainer_unit=self.retainer_unit,
            retainer_exhausted_action=self.retainer_exhausted_action,
            currency_rounding=self.currency_id.rounding,
        )

    def _get_rating_rows(self):
        """The rate card as plain values for ``tools.rating``."""
        self.ensure_one()
        return [
            RateRow(
                id=rule.id,
                rate=rule.rate,
                billable=rule.billable,
                employee_id=rule.employee_id.id or None,
                job_id=rule.job_id.id or None,
                task_id=rule.task_id.id or None,
                product_id=rule.product_id.id or None,
                date_from=rule.date_from or None,
                date_to=rule.date_to or None,
                sequence=rule.sequence,
                label=rule.display_name,
            )
            for rule in self.rate_rule_ids
        ]

    def _billing_update_retainer_alerts(self):
        """Check the retainer alerts against the time priced so far."""
        retainers = self.filtered(lambda c: c._get_rating_terms().has_retainer)
        if not retainers:
            return
        consumed = {
            contract: (hours, amount)
            for contract, hours, amount in self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                Domain("billing_contract_id", "in", retainers.ids)
                & Domain("billing_state", "in", COUNTED_STATES),
                ["billing_contract_id"],
                ["billable_hours:sum", "billing_amount:sum"],
            )
        }
        for contract in retainers:
            hours, amount = consumed.get(contract, (0.0, 0.0))
            used = hours if contract.retainer_unit == "hours" else amount
            contract._billing_check_retainer_alert(Usage(retainer=Decimal(str(used))))

    def _billing_check_retainer_alert(self, usage):
        """Warn the billing responsible once per crossing of the alert level."""
        self.ensure_one()
        terms = self._get_rating_terms()
        if not terms.has_retainer or self.retainer_alert_percent <= 0:
            return
        size = Decimal(str(self.retainer_size))
        share = usage.retainer * 100 / size
        reached = share >= Decimal(str(self.retainer_alert_percent))
        contract = self.sudo()
        if reached and not contract.retainer_alert_sent:
            unit = self._billing_format(usage.retainer, self.retainer_unit)
            contract.activity_schedule(
                ACTIVITY_BUDGET_ALERT,
                user_id=(self.user_id or self.approver_id or self.env.user).id,
                summary=self.env._(
                    "Retainer %(percent)s%% used", percent=f"{share:.0f}"
                ),
                note=self.env._(
                    "%(used)s of the %(size)s retainer of %(contract)s is used "
                    "(alert at %(alert)s%%). Time beyond it will be %(action)s.",
                    used=unit,
                    size=self._billing_format(size, self.retainer_unit),
                    contract=self.display_name,
                    alert=f"{self.retainer_alert_percent:g}",
                    action=self.env._("held for approval")
                    if self.retainer_exhausted_action == "stop"
                    else self.env._("billed hourly and flagged"),
                ),
            )
            contract.retainer_alert_sent = True
        elif not reached and contract.retainer_alert_sent:
            contract.retainer_alert_sent = False

    def _get_period_rhythm(self):
        """``(billing_period, anchor, end)`` for :func:`period_bounds`. Hook for
        extensions (e.g. periods anchored on another day)."""
        self.ensure_one()
        return self.billing_period, self.date_start, self.date_end

    def _billing_period_bounds(self, day):
        """``(first_day, last_day)`` of this contract's billing period that
        contains ``day``."""
        return period_bounds(day, *self._get_period_rhythm())
