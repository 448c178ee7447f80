# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools.periods import period_bounds
from ..tools.rating import RateRow, Terms, Usage
from .account_analytic_line import COUNTED_BILLING_STATES as COUNTED_STATES

BILLING_MODES = [
    ("hourly", "Hourly"),
    ("fixed", "Fixed Fee"),
    ("capped", "Hourly, Not to Exceed"),
    ("retainer", "Retainer"),
    ("mixed", "Fixed Fee + Hourly"),
]
ROUNDING_METHODS = [
    ("up", "Up"),
    ("nearest", "Nearest"),
    ("down", "Down"),
]
CAP_TYPES = [
    ("none", "No Cap"),
    ("hours", "Hours"),
    ("amount", "Amount"),
]
CAP_SCOPES = [
    ("contract", "Whole Contract"),
    ("period", "Each Billing Period"),
]
CAP_ACTIONS = [
    ("hold", "Hold the Excess for Approval"),
    ("write_off", "Write the Excess Off"),
]
RETAINER_UNITS = [
    ("hours", "Hours"),
    ("amount", "Amount"),
]
RETAINER_EXHAUSTED_ACTIONS = [
    ("flag", "Flag and Keep Billing Hourly"),
    ("stop", "Stop: Hold New Time for Approval"),
]
INVOICE_GROUPINGS = [
    ("task", "Per Task"),
    ("employee", "Per Employee"),
    ("role", "Per Role"),
    ("day", "Per Day"),
    ("entry", "One Line per Entry"),
]
BILLING_PERIODS = [
    ("weekly", "Weekly"),
    ("biweekly", "Every Two Weeks"),
    ("monthly", "Monthly"),
    ("milestone", "On Milestone"),
    ("manual", "Manual"),
]
# Terms whose change re-prices the open time of the contract.
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
OPEN_BILLING_STATES = (False, "to_approve", "non_billable", "exception")
# Contract fields that decide who approves which time: changing them routes
# the time not approved yet again.
APPROVAL_FIELDS = (
    "approval_hours_threshold",
    "approval_amount_threshold",
    "approval_budget_share",
    "auto_approve_delay",
    "approver_id",
    "user_id",
)
# Contract fields that decide which time the contract covers. (Closing a
# contract does not sweep its open time away at once: it leaves the contract
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


def _same(value, other):
    """Compare field values of a form's record and of its origin."""
    if isinstance(value, models.BaseModel):
        return value._origin == other._origin
    return value == other


CONTRACT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("closed", "Closed"),
]


class TimeBillingContract(models.Model):
    _name = "time.billing.contract"
    _description = "Time Billing Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    reference = fields.Char(
        help="Engagement letter or matter reference, printed on invoices."
    )
    active = fields.Boolean(default=True)
    state = fields.Selection(
        selection=CONTRACT_STATES, required=True, default="draft", tracking=True
    )
    partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Client",
        required=True,
        tracking=True,
        check_company=True,
    )
    project_ids = fields.Many2many(
        comodel_name="project.project",
        relation="time_billing_contract_project_rel",
        column1="contract_id",
        column2="project_id",
        string="Projects",
        check_company=True,
        help="Every timesheet line on these projects is billed under this contract.",
    )
    company_id = fields.Many2one(
        comodel_name="res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    currency_id = fields.Many2one(
        comodel_name="res.currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        tracking=True,
    )
    date_start = fields.Date(
        string="Start Date", required=True, default=fields.Date.context_today
    )
    date_end = fields.Date(
        string="End Date", help="Leave empty for an open-ended engagement."
    )
    approver_id = fields.Many2one(
        comodel_name="res.users",
        string="Approver",
        default=lambda self: self.env.user,
        tracking=True,
        help="Engagement manager who approves time above the thresholds and "
        "receives escalations.",
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Billing Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    rate_rule_ids = fields.One2many(
        comodel_name="time.billing.rate.rule",
        inverse_name="contract_id",
        string="Rate Card",
        copy=True,
    )

    # Billing mode and pricing
    billing_mode = fields.Selection(
        selection=BILLING_MODES, required=True, default="hourly", tracking=True
    )
    default_rate = fields.Monetary(
        string="Default Hourly Rate",
        currency_field="currency_id",
        help="Used when no line of the rate card applies.",
        tracking=True,
    )
    fixed_amount = fields.Monetary(
        string="Fixed Fee",
        currency_field="currency_id",
        help="Billed once per billing period in fixed-fee and mixed modes.",
    )
    discount = fields.Float(
        string="Discount (%)",
        digits="Discount",
        help="Applied to every time line of this contract.",
    )
    product_id = fields.Many2one(
        comodel_name="product.product",
        string="Invoiced Product",
        check_company=True,
        domain=[("type", "=", "service")],
        default=lambda self: self.env.company.time_billing_product_id,
        help="Service product used on invoice lines; its taxes and income "
        "account apply.",
    )
    payment_term_id = fields.Many2one(
        comodel_name="account.payment.term", check_company=True
    )

    # Multipliers
    weekend_multiplier = fields.Float(default=1.0, digits=(16, 4))
    holiday_multiplier = fields.Float(
        string="Public Holiday Multiplier", default=1.0, digits=(16, 4)
    )
    overtime_daily_hours = fields.Float(
        string="Overtime After (h/day)",
        help="Hours per person and day beyond which the overtime multiplier "
        "applies. 0 disables it.",
    )
    overtime_weekly_hours = fields.Float(
        string="Overtime After (h/week)",
        help="Hours per person and week beyond which the overtime multiplier "
        "applies. 0 disables it.",
    )
    overtime_multiplier = fields.Float(default=1.0, digits=(16, 4))

    # Rounding
    rounding_increment = fields.Integer(
        string="Rounding Increment (min)",
        default=lambda self: self.env.company.time_billing_rounding_increment,
        help="Billable time is rounded to this many minutes, e.g. 6 (0.1 h) "
        "or 15. 0 bills the exact duration.",
    )
    rounding_method = fields.Selection(
        selection=ROUNDING_METHODS,
        required=True,
        default=lambda self: self.env.company.time_billing_rounding_method,
    )
    minimum_minutes = fields.Integer(
        string="Minimum per Entry (min)",
        help="Each billable entry is billed at least this many minutes.",
    )

    # Caps
    cap_type = fields.Selection(
        selection=CAP_TYPES, required=True, default="none", tracking=True
    )
    cap_scope = fields.Selection(
        selection=CAP_SCOPES, required=True, default="contract"
    )
    cap_value = fields.Float(
        string="Cap", help="Hours or amount, depending on the cap type."
    )
    cap_action = fields.Selection(selection=CAP_ACTIONS, required=True, default="hold")

    # Retainer
    retainer_size = fields.Float(
        string="Retainer Block", help="Prepaid hours or amount."
    )
    retainer_unit = fields.Selection(
        selection=RETAINER_UNITS, required=True, default="hours"
    )
    retainer_alert_percent = fields.Float(
        string="Alert at (%)",
        default=80.0,
        help="The billing responsible is warned when this share of the "
        "retainer is consumed.",
    )
    retainer_exhausted_action = fields.Selection(
        selection=RETAINER_EXHAUSTED_ACTIONS, required=True, default="flag"
    )

    # Invoicing
    billing_period = fields.Selection(
        selection=BILLING_PERIODS,
        required=True,
        default=lambda self: self.env.company.time_billing_period,
        tracking=True,
    )
    invoice_grouping = fields.Selection(
        selection=INVOICE_GROUPINGS,
        required=True,
        default="task",
        help="How time lines are grouped on the invoice.",
    )

    # Approval
    approval_hours_threshold = fields.Float(
        string="Approve Entries Above (h)",
        help="Entries longer than this wait for the approver. 0 disables the check.",
    )
    approval_amount_threshold = fields.Monetary(
        string="Approve Entries Above (amount)",
        currency_field="currency_id",
        help="Entries worth more than this wait for the approver. 0 disables "
        "the check.",
    )
    approval_budget_share = fields.Float(
        string="Approve Entries Above (% of budget)",
        help="Entries worth more than this share of the cap or retainer wait "
        "for the approver. 0 disables the check.",
    )
    auto_approve_delay = fields.Integer(
        string="Grace Period (days)",
        help="Entries below the thresholds are approved after this many days, "
        "leaving time to correct them. 0 approves them immediately.",
    )

    timesheet_ids = fields.One2many(
        comodel_name="account.analytic.line",
        inverse_name="billing_contract_id",
        string="Timesheet Lines",
    )
    timesheet_count = fields.Integer(compute="_compute_timesheet_count")

    _date_check = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)",
        "The end date of a contract cannot be before its start date.",
    )
    _discount_check = models.Constraint(
        "CHECK(discount >= 0 AND discount <= 100)",
        "A discount is a percentage between 0 and 100.",
    )

    @api.depends("timesheet_ids")
    def _compute_timesheet_count(self):
        counts = dict(
            self.env["account.analytic.line"]._read_group(
                [("billing_contract_id", "in", self.ids)],
                ["billing_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.timesheet_count = counts.get(contract, 0)

    @api.constrains(
        "cap_type",
        "cap_value",
        "billing_mode",
        "retainer_size",
        "rounding_increment",
        "minimum_minutes",
        "retainer_alert_percent",
    )
    def _check_terms(self):
        for contract in self:
            if contract.cap_type != "none" and contract.cap_value <= 0:
                raise ValidationError(
                    self.env._(
                        "Contract '%(name)s': a cap must be positive.",
                        name=contract.name,
                    )
                )
            if contract.billing_mode == "capped" and contract.cap_type == "none":
                raise ValidationError(
                    self.env._(
                        "Contract '%(name)s' is billed hourly with a "
                        "not-to-exceed cap: set the cap.",
                        name=contract.name,
                    )
                )
            if contract.billing_mode == "retainer" and contract.retainer_size <= 0:
                raise ValidationError(
                    self.env._(
                        "Contract '%(name)s' is a retainer: set the size of "
                        "the prepaid block.",
                        name=contract.name,
                    )
                )
            if contract.rounding_increment < 0 or contract.minimum_minutes < 0:
                raise ValidationError(
                    self.env._(
                        "Contract '%(name)s': rounding increment and minimum "
                        "cannot be negative.",
                        name=contract.name,
                    )
                )
            if not 0 <= contract.retainer_alert_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Contract '%(name)s': the retainer alert is a "
                        "percentage between 0 and 100.",
                        name=contract.name,
                    )
                )

    @api.constrains("project_ids", "date_start", "date_end", "active", "state")
    def _check_project_overlap(self):
        """A project is billed under at most one contract on any given day."""
        for contract in self.filtered(lambda c: c.active and c.state != "closed"):
            domain = Domain.AND(
                [
                    Domain("id", "!=", contract.id),
                    Domain("project_ids", "in", contract.project_ids.ids),
                    Domain("state", "!=", "closed"),
                    Domain("date_end", "=", False)
                    | Domain("date_end", ">=", contract.date_start),
                ]
            )
            if contract.date_end:
                domain &= Domain("date_start", "<=", contract.date_end)
            other = self.search(domain, limit=1)
            if other:
                shared = contract.project_ids & other.project_ids
                raise ValidationError(
                    self.env._(
                        "Project %(project)s is already billed under contract "
                        "'%(other)s' for overlapping dates.",
                        project=shared[:1].display_name,
                        other=other.display_name,
                    )
                )

    def action_activate(self):
        self.write({"state": "active"})

    def action_close(self):
        self.write({"state": "closed"})

    def action_reset_draft(self):
        self.write({"state": "draft"})

    def action_view_timesheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.account_analytic_line_billing_action"
        )
        action["domain"] = [("billing_contract_id", "=", self.id)]
        action["context"] = {"search_default_groupby_billing_state": 1}
        return action

    def _covering(self, project, company, date):
        """Return the first of these contracts that bills ``project`` on ``date``."""
        return self.filtered(
            lambda c: (
                project in c.project_ids
                and c.company_id == company
                and c.state != "closed"
                and c.date_start <= date
                and (not c.date_end or c.date_end >= date)
            )
        )[:1]

    # ------------------------------------------------------------------
    # Rating: terms as plain values, re-rating, budget gauges, notes.
    # ------------------------------------------------------------------

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
        if self.env.context.get("time_billing_no_rerate"):
            return super().write(vals)
        res = super(
            TimeBillingContract, self.with_context(time_billing_no_rerate=True)
        ).write(vals)
        scope_changed = bool(set(vals) & set(SCOPE_FIELDS))
        if scope_changed or set(vals) & set(PRICING_FIELDS):
            self._rerate_open_lines(include_scope=scope_changed)
        elif set(vals) & set(APPROVAL_FIELDS):
            self._billing_reroute_open_lines()
        return res

    def _get_rerate_domain(self):
        """Time these contracts price again when their terms change. Hook."""
        return Domain("billing_contract_id", "in", self.ids) & Domain(
            "billing_state", "in", OPEN_BILLING_STATES
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
                "billing_state", "in", OPEN_BILLING_STATES
            )
        lines = self.env["account.analytic.line"].sudo().search(domain)
        lines._billing_refresh()
        self._billing_update_retainer_alerts()
        return lines

    def action_rerate(self):
        """Price the open time of these contracts again (button)."""
        lines = self._rerate_open_lines(include_scope=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s open time lines priced again.", count=len(lines)
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

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
                    not _same(contract[fname], origin[fname])
                    for fname in PRICING_FIELDS
                    if fname != "rate_rule_ids"
                )
                or rules._origin != origin.rate_rule_ids
                or any(
                    not _same(rule[fname], rule._origin[fname])
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
                start = period_bounds(
                    day,
                    contract.billing_period,
                    contract.date_start,
                    contract.date_end,
                )[0]
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
                "time_billing_bridge.mail_act_time_billing_budget_alert",
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

    # -- billing notes -------------------------------------------------------

    def _billing_format(self, value, unit):
        """``value`` as hours ("1.50 h") or as an amount of the contract."""
        if unit == "hours":
            return self.env._("%(hours)s h", hours=f"{value:.2f}")
        digits = self.currency_id.decimal_places
        return f"{Decimal(str(value)):,.{digits}f}"

    def _billing_validity(self, params):
        start, end = params.get("date_from"), params.get("date_to")
        if not (start or end):
            return ""
        return self.env._(
            " (valid %(start)s..%(end)s)",
            start=start.isoformat() if start else "",
            end=end.isoformat() if end else "",
        )

    def _billing_cap_label(self, params):
        cap = self._billing_format(params["cap"], params["unit"])
        if params["scope"] == "period":
            return self.env._("%(cap)s per billing period", cap=cap)
        return cap

    def _billing_note_text(self, notes):
        """Translate the rating notes of a line into its billing note."""
        return "; ".join(self._billing_note_part(note) for note in notes)

    def _billing_note_part(self, note):  # noqa: C901 - one branch per code
        self.ensure_one()
        p = note.params
        code = note.code

        def money(value):
            return self._billing_format(value, "amount")

        def hours(value):
            return self._billing_format(value, "hours")

        def unit(value, key="unit"):
            return self._billing_format(value, p[key])

        def factor(value):
            return format(Decimal(value).normalize(), "f")

        if code == "rate_default":
            return self.env._("Rate %(rate)s (contract default)", rate=money(p["rate"]))
        if code == "rate_row":
            return self.env._(
                "Rate %(rate)s from '%(line)s'%(validity)s",
                rate=money(p["rate"]),
                line=p["label"],
                validity=self._billing_validity(p),
            )
        if code == "non_billable_row":
            return self.env._(
                "Not billable: rate card line '%(line)s'%(validity)s",
                line=p["label"],
                validity=self._billing_validity(p),
            )
        if code == "non_billable_source":
            return self.env._("Not billable: marked so in the time tracker")
        if code == "fixed_fee":
            return self.env._("Not billed by the hour: covered by the fixed fee")
        if code == "zero_duration":
            return self.env._("Zero duration: nothing to bill")
        if code == "minimum":
            return self.env._(
                "%(raw)s raw billed as %(hours)s (%(minimum)s-minute minimum)",
                raw=hours(p["raw"]),
                hours=hours(p["hours"]),
                minimum=p["minimum"],
            )
        if code == "rounding":
            values = {
                "raw": hours(p["raw"]),
                "hours": hours(p["hours"]),
                "increment": p["increment"],
            }
            if p["method"] == "up":
                return self.env._(
                    "%(raw)s rounded up to %(hours)s (%(increment)s-minute steps)",
                    **values,
                )
            if p["method"] == "down":
                return self.env._(
                    "%(raw)s rounded down to %(hours)s (%(increment)s-minute steps)",
                    **values,
                )
            return self.env._(
                "%(raw)s rounded to %(hours)s (nearest %(increment)s minutes)",
                **values,
            )
        if code == "weekend":
            return self.env._("Weekend x%(factor)s", factor=factor(p["multiplier"]))
        if code == "holiday":
            return self.env._(
                "Public holiday x%(factor)s", factor=factor(p["multiplier"])
            )
        if code == "overtime":
            values = {
                "factor": factor(p["multiplier"]),
                "hours": hours(p["hours"]),
                "limit": factor(p["limit"]),
            }
            if p["per"] == "day":
                return self.env._(
                    "Overtime x%(factor)s on %(hours)s (beyond %(limit)s h a day)",
                    **values,
                )
            return self.env._(
                "Overtime x%(factor)s on %(hours)s (beyond %(limit)s h a week)",
                **values,
            )
        if code == "discount":
            return self.env._("Discount %(percent)s%%", percent=factor(p["percent"]))
        if code == "cap_write_off":
            if p["whole"]:
                return self.env._(
                    "Cap of %(cap)s reached before this entry: all of it "
                    "written off (%(written_off)s)",
                    cap=self._billing_cap_label(p),
                    written_off=unit(p["written_off"]),
                )
            return self.env._(
                "Crosses the cap of %(cap)s (%(used)s used before): billed up "
                "to the cap, %(written_off)s written off",
                cap=self._billing_cap_label(p),
                used=unit(p["used"]),
                written_off=unit(p["written_off"]),
            )
        if code == "cap_hold_crossing":
            return self.env._(
                "Crosses the cap of %(cap)s (%(used)s used before): held as a "
                "whole for approval",
                cap=self._billing_cap_label(p),
                used=unit(p["used"]),
            )
        if code == "cap_hold_reached":
            return self.env._(
                "Cap of %(cap)s already reached: held for approval",
                cap=self._billing_cap_label(p),
            )
        if code == "retainer":
            return self.env._(
                "Retainer: %(used)s of %(size)s used",
                used=unit(p["used"]),
                size=unit(p["size"]),
            )
        if code == "retainer_flag":
            return self.env._(
                "Retainer of %(size)s used up: %(beyond)s beyond it billed hourly",
                size=unit(p["size"]),
                beyond=unit(p["beyond"]),
            )
        if code == "retainer_stop":
            return self.env._(
                "Retainer of %(size)s used up: held for approval (%(beyond)s "
                "beyond it)",
                size=unit(p["size"]),
                beyond=unit(p["beyond"]),
            )
        return code

    # Approval and billing periods

    billing_period_ids = fields.One2many(
        comodel_name="time.billing.period",
        inverse_name="contract_id",
        string="Billing Periods",
    )
    to_approve_count = fields.Integer(
        string="Time to Approve", compute="_compute_to_approve_count"
    )

    def _compute_to_approve_count(self):
        counts = dict(
            self.env["account.analytic.line"]._read_group(
                [
                    ("billing_contract_id", "in", self.ids),
                    ("billing_state", "=", "to_approve"),
                ],
                ["billing_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.to_approve_count = counts.get(contract, 0)

    def _billing_reroute_open_lines(self):
        """Route again the time of these contracts not approved yet, after a
        change of thresholds, grace period or approver."""
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("billing_contract_id", "in", self.ids),
                    ("billing_state", "in", [False, "to_approve"]),
                ]
            )
        )
        lines._route_billing()
        return lines

    def _get_period_rhythm(self):
        """``(billing_period, anchor, end)`` for :func:`period_bounds`."""
        self.ensure_one()
        return self.billing_period, self.date_start, self.date_end

    def _get_billing_approver(self):
        """Who approves this contract's time above the thresholds. Hook for
        extensions (e.g. an approver per employee or per period)."""
        self.ensure_one()
        return self.approver_id or self.user_id

    def action_view_lines_to_approve(self, period=None):
        """Open the time of this contract waiting for approval, optionally of
        one billing period (a ``time.billing.period`` record or id)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.account_analytic_line_to_approve_action"
        )
        domain = Domain("billing_contract_id", "=", self.id)
        period = self.env["time.billing.period"].browse(
            period.id if isinstance(period, models.BaseModel) else period or []
        )
        if period:
            domain &= Domain("billing_period_id", "=", period.id)
            action["display_name"] = self.env._(
                "Time to Approve: %(contract)s, %(period)s",
                contract=self.display_name,
                period=period.display_name,
            )
        else:
            action["display_name"] = self.env._(
                "Time to Approve: %(contract)s", contract=self.display_name
            )
        action["domain"] = list(
            domain
            & Domain("project_id", "!=", False)
            & Domain("billing_state", "=", "to_approve")
        )
        action["context"] = {}
        return action
