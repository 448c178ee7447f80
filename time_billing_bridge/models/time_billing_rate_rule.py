# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..const import CTX_NO_RERATE, GROUP_MANAGER

# Most specific first; rate resolution walks this order.
RULE_LEVELS = [
    ("employee_task", "Employee + Task"),
    ("employee", "Employee"),
    ("role", "Role"),
    ("task", "Task / Product"),
    ("default", "Contract Default"),
]


class TimeBillingRateRule(models.Model):
    _name = "time.billing.rate.rule"
    _description = "Time Billing Rate Rule"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        comodel_name="time.billing.contract",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    sequence = fields.Integer(default=10)
    employee_id = fields.Many2one(comodel_name="hr.employee", check_company=True)
    job_id = fields.Many2one(
        comodel_name="hr.job",
        string="Role",
        check_company=True,
        help="Job position of the employee.",
    )
    task_id = fields.Many2one(comodel_name="project.task", check_company=True)
    product_id = fields.Many2one(
        comodel_name="product.product",
        check_company=True,
        help="Service (activity) the rate applies to.",
    )
    rate = fields.Monetary(string="Hourly Rate", currency_field="currency_id")
    billable = fields.Boolean(
        default=True, help="Untick to make matching time non-billable."
    )
    date_from = fields.Date(string="Valid From")
    date_to = fields.Date(string="Valid To")
    level = fields.Selection(
        selection=RULE_LEVELS,
        compute="_compute_level",
        store=True,
        help="Precedence of this line: the most specific matching line wins.",
    )

    _date_check = models.Constraint(
        "CHECK(date_to IS NULL OR date_from IS NULL OR date_to >= date_from)",
        "A rate line cannot end before it starts.",
    )
    _rate_check = models.Constraint("CHECK(rate >= 0)", "A rate cannot be negative.")

    @api.depends("employee_id", "job_id", "task_id", "product_id")
    def _compute_level(self):
        for rule in self:
            if rule.employee_id and rule.task_id:
                rule.level = "employee_task"
            elif rule.employee_id:
                rule.level = "employee"
            elif rule.job_id:
                rule.level = "role"
            elif rule.task_id or rule.product_id:
                rule.level = "task"
            else:
                rule.level = "default"

    @api.constrains("employee_id", "job_id", "task_id", "product_id")
    def _check_combination(self):
        for rule in self:
            if rule.employee_id and rule.job_id:
                raise ValidationError(
                    self.env._(
                        "A rate line targets an employee or a role, not both "
                        "(%(employee)s, %(job)s).",
                        employee=rule.employee_id.name,
                        job=rule.job_id.name,
                    )
                )
            if (
                rule.task_id
                and rule.contract_id.project_ids
                and (rule.task_id.project_id not in rule.contract_id.project_ids)
            ):
                raise ValidationError(
                    self.env._(
                        "Task %(task)s does not belong to a project of "
                        "contract %(contract)s.",
                        task=rule.task_id.display_name,
                        contract=rule.contract_id.display_name,
                    )
                )

    @api.depends("employee_id", "job_id", "task_id", "product_id")
    def _compute_display_name(self):
        for rule in self:
            subject = rule.employee_id or rule.job_id
            target = rule.task_id or rule.product_id
            if subject and target:
                rule.display_name = self.env._(
                    "%(who)s on %(what)s", who=subject.name, what=target.name
                )
            else:
                rule.display_name = (
                    subject.name or target.name or self.env._("Everyone")
                )

    # Only a billing manager changes a rate card. Any change prices the
    # contract's open time again (approved, invoiced and rejected time keeps
    # its price). Inside a contract write, the contract re-rates once for all
    # its changes.

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        rules = super().create(vals_list)
        rules._rerate_contracts(rules.contract_id)
        return rules

    def write(self, vals):
        self._check_manager()
        contracts = self.contract_id
        res = super().write(vals)
        self._rerate_contracts(contracts | self.contract_id)
        return res

    def unlink(self):
        self._check_manager()
        contracts = self.contract_id
        res = super().unlink()
        self._rerate_contracts(contracts.exists())
        return res

    def _rerate_contracts(self, contracts):
        if not self.env.context.get(CTX_NO_RERATE):
            contracts._rerate_open_lines()

    @api.model
    def _check_manager(self):
        if not (self.env.su or self.env.user.has_group(GROUP_MANAGER)):
            raise AccessError(
                self.env._("Only a billing manager can change a contract's rate card.")
            )
