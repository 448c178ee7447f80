# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..const import BILLING_STATES


class TimesheetsAnalysisReport(models.Model):
    """Billing columns in the timesheet analysis.

    The analysis search views derive from the timesheet search view, which
    this module extends with billing filters: the report needs the same
    fields, and gains analysis by contract, billing period and status.
    """

    _inherit = "timesheets.analysis.report"

    billing_contract_id = fields.Many2one(
        comodel_name="time.billing.contract", string="Billing Contract", readonly=True
    )
    billing_state = fields.Selection(selection=BILLING_STATES, readonly=True)
    billing_invoice_id = fields.Many2one(
        comodel_name="account.move", string="Billing Invoice", readonly=True
    )
    billing_period_start = fields.Date(readonly=True)
    billing_hold_reason = fields.Char(readonly=True)
    billable_hours = fields.Float(readonly=True)
    # Approval: what the timesheet search view filters and groups on.
    billing_period_id = fields.Many2one(
        comodel_name="time.billing.period", string="Billing Period", readonly=True
    )
    billing_auto_approve_date = fields.Date(string="Auto-Approves On", readonly=True)
    billing_warning = fields.Char(readonly=True)

    def _select(self):
        return (
            super()._select()
            + """,
                A.billing_contract_id AS billing_contract_id,
                A.billing_state AS billing_state,
                A.billing_invoice_id AS billing_invoice_id,
                A.billing_period_start AS billing_period_start,
                A.billing_hold_reason AS billing_hold_reason,
                A.billable_hours AS billable_hours,
                A.billing_period_id AS billing_period_id,
                A.billing_auto_approve_date AS billing_auto_approve_date,
                A.billing_warning AS billing_warning
            """
        )
