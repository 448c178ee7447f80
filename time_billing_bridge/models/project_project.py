# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A project reaching a stage marked ready for billing invoices its time."""

from odoo import fields, models


class ProjectProjectStage(models.Model):
    _inherit = "project.project.stage"

    time_billing_ready = fields.Boolean(
        string="Ready for Billing",
        help="A project reaching this stage has the approved time of its "
        "contracts invoiced at once, the current billing period included.",
    )


class ProjectProject(models.Model):
    _inherit = "project.project"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("stage_id"):
            self._billing_invoice_ready()
        return res

    def _billing_invoice_ready(self):
        """Invoice the contracts of these projects that reached a stage ready
        for billing. The run is the pipeline's: whoever moves the project
        need not be billing staff."""
        ready = self.sudo().filtered("stage_id.time_billing_ready")
        if not ready:
            return
        contracts = (
            self.env["time.billing.contract"]
            .sudo()
            .search([("project_ids", "in", ready.ids), ("state", "!=", "closed")])
        )
        if contracts:
            self.env["time.billing.invoice.run"].sudo()._run(
                contracts, trigger="project_stage", include_current=True
            )
