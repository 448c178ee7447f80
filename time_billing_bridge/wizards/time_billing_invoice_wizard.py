# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class TimeBillingInvoiceWizard(models.TransientModel):
    """Invoice the selected contracts now, out of cycle."""

    _name = "time.billing.invoice.wizard"
    _description = "Invoice Contracts Now"

    contract_ids = fields.Many2many(
        comodel_name="time.billing.contract",
        string="Contracts",
        required=True,
        default=lambda self: self.env["time.billing.contract"].browse(
            self.env.context.get("active_ids") or []
        ),
    )
    date_to = fields.Date(
        string="Time Up To", required=True, default=fields.Date.context_today
    )
    include_current = fields.Boolean(
        string="Current Period Too",
        default=True,
        help="Invoice the approved time of the current billing periods too, up "
        "to the day above; otherwise only the periods that ended by then.",
    )

    def action_invoice(self):
        self.ensure_one()
        runs = self.env["time.billing.invoice.run"]._run(
            self.contract_ids, self.date_to, include_current=self.include_current
        )
        return runs._action_open()
