# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A client engagement: who is billed, for which projects and dates, on
which terms. Re-rating, budget gauges and retainer alerts are in
``rating.py``, the text of billing notes in ``notes.py``, who approves in
``approval.py``.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ...const import BILLING_PERIODS, CONTRACT_STATES, ROUNDING_METHODS

BILLING_MODES = [
    ("hourly", "Hourly"),
    ("fixed", "Fixed Fee"),
    ("capped", "Hourly, Not to Exceed"),
    ("retainer", "Retainer"),
    ("mixed", "Fixed Fee + Hourly"),
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
# Terms whose change re-prices the open time of the contract.


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
