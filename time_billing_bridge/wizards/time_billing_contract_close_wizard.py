# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models


class TimeBillingContractCloseWizard(models.TransientModel):
    """Confirm closing contracts, with the open time that closing leaves
    uninvoiced: invoice runs skip closed contracts (``_billing_invoice_ready``,
    the daily run) until they are reset to draft."""

    _name = "time.billing.contract.close.wizard"
    _description = "Close Contracts"

    contract_ids = fields.Many2many(
        comodel_name="time.billing.contract",
        string="Contracts",
        required=True,
        readonly=True,
        default=lambda self: self.env["time.billing.contract"].browse(
            self.env.context.get("active_ids") or []
        ),
    )
    to_bill_count = fields.Integer(
        string="Approved, Not Invoiced", compute="_compute_open_time"
    )
    to_bill_hours = fields.Float(string="Hours to Bill", compute="_compute_open_time")
    to_approve_count = fields.Integer(
        string="Waiting for Approval", compute="_compute_open_time"
    )
    to_approve_hours = fields.Float(
        string="Hours Waiting", compute="_compute_open_time"
    )

    @api.depends("contract_ids")
    def _compute_open_time(self):
        Line = self.env["account.analytic.line"]
        aggregates = ["__count", "billable_hours:sum"]
        for wizard in self:
            mine = [("billing_contract_id", "in", wizard.contract_ids.ids)]
            to_bill = mine + [
                ("billing_state", "=", "approved"),
                ("billing_invoice_line_id", "=", False),
            ]
            to_approve = mine + [("billing_state", "=", "to_approve")]
            [(wizard.to_bill_count, wizard.to_bill_hours)] = Line._read_group(
                to_bill, aggregates=aggregates
            )
            [(wizard.to_approve_count, wizard.to_approve_hours)] = Line._read_group(
                to_approve, aggregates=aggregates
            )

    def action_close(self):
        self.ensure_one()
        self.contract_ids.action_close()
        return {"type": "ir.actions.act_window_close"}
