# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which payment reminder policy follows a contract's unpaid invoices."""

from odoo import fields, models


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    reminder_policy_id = fields.Many2one(
        comodel_name="time.billing.reminder.policy",
        string="Reminder Policy",
        check_company=True,
        tracking=True,
        help="Reminds the client of this contract's unpaid invoices. Empty: "
        "the company's default policy.",
    )

    def _get_reminder_policy(self):
        """The policy following this contract's invoices: its own, else its
        company's default; archived policies send nothing."""
        self.ensure_one()
        contract = self.sudo()
        policy = (
            contract.reminder_policy_id
            or contract.company_id.time_billing_reminder_policy_id
        )
        return policy.filtered("active")
