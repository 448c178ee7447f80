# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..const import BILLING_PERIODS, REMINDER_POLICY_DEFAULT, ROUNDING_METHODS


class ResCompany(models.Model):
    _inherit = "res.company"

    time_billing_rounding_increment = fields.Integer(
        string="Default Rounding Increment (min)", default=6
    )
    time_billing_rounding_method = fields.Selection(
        selection=ROUNDING_METHODS,
        string="Default Rounding Method",
        default="up",
        required=True,
    )
    time_billing_period = fields.Selection(
        selection=BILLING_PERIODS,
        string="Default Billing Period",
        default="monthly",
        required=True,
    )
    time_billing_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Default Invoiced Product",
        domain=[("type", "=", "service")],
        check_company=True,
    )

    # Payment reminders

    time_billing_reminder_policy_id = fields.Many2one(
        comodel_name="time.billing.reminder.policy",
        string="Default Reminder Policy",
        check_company=True,
        default=lambda self: self._default_time_billing_reminder_policy(),
        help="Follows the unpaid invoices of this company's contracts that "
        "name no reminder policy of their own.",
    )

    def _default_time_billing_reminder_policy(self):
        policy = self.env.ref(REMINDER_POLICY_DEFAULT, raise_if_not_found=False)
        return policy if policy and policy.sudo().active else False

    def _time_billing_reminder_set_default_policy(self):
        """At install: companies without a default policy get the standard
        one."""
        policy = self._default_time_billing_reminder_policy()
        if policy:
            self.sudo().with_context(active_test=False).search(
                [("time_billing_reminder_policy_id", "=", False)]
            ).time_billing_reminder_policy_id = policy
