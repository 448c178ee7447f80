# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

BILLING_STATES = [
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("non_billable", "Non-Billable"),
    ("exception", "Exception"),
    ("invoiced", "Invoiced"),
]
LOCKED_BILLING_STATES = ("approved", "invoiced")


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_contract_id = fields.Many2one(
        comodel_name="time.billing.contract",
        string="Billing Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Contract this time is billed under, found from the project and the date.",
    )
    billing_state = fields.Selection(
        selection=BILLING_STATES,
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    billing_currency_id = fields.Many2one(
        related="billing_contract_id.currency_id", string="Billing Currency"
    )
    billable_hours = fields.Float(
        string="Billable Hours",
        copy=False,
        readonly=True,
        help="Hours as billed, after rounding, minimums and caps. The raw "
        "duration stays in the time spent.",
    )
    billing_rate = fields.Monetary(
        string="Rate",
        currency_field="billing_currency_id",
        copy=False,
        readonly=True,
    )
    billing_amount = fields.Monetary(
        string="Billed Amount",
        currency_field="billing_currency_id",
        copy=False,
        readonly=True,
    )
    billing_note = fields.Char(
        copy=False,
        readonly=True,
        help="Why this line is priced, held or written off the way it is.",
    )
    billing_invoice_id = fields.Many2one(
        comodel_name="account.move",
        string="Billing Invoice",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    billing_entry_ids = fields.One2many(
        comodel_name="time.billing.entry",
        inverse_name="timesheet_id",
        string="Imported From",
        readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.filtered("project_id")._billing_refresh()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if set(vals) & set(self._get_billing_trigger_fields()):
            self._billing_refresh()
        return res

    @api.model
    def _get_billing_trigger_fields(self):
        """Fields whose change re-runs the billing pipeline. Hook for extensions."""
        return ["project_id", "task_id", "date", "employee_id", "unit_amount", "name"]

    def _billing_refresh(self):
        """Run the billing pipeline on these timesheet lines.

        Each step works on the whole recordset at once:
        1. find the contract (project and date);
        2. validate the line against it (dates, periods, durations, duplicates);
        3. price it (rate card, multipliers, rounding, caps, retainer);
        4. route it (approve, or wait for the approver).
        """
        self._assign_billing_contract()
        self._validate_billing()
        self._rate_billing()
        self._route_billing()

    def _validate_billing(self):
        """Flag lines that cannot be billed as they are (step 2)."""

    def _rate_billing(self):
        """Price lines under a contract (step 3)."""

    def _route_billing(self):
        """Decide which priced lines are approved and which wait (step 4)."""

    def _assign_billing_contract(self):
        """Link each timesheet to the contract covering its project and date.

        Approved and invoiced time keeps the contract it was priced on.
        """
        lines = self.filtered(
            lambda line: line.billing_state not in LOCKED_BILLING_STATES
        )
        if not lines:
            return
        contracts = self.env["time.billing.contract"].search(
            [
                ("project_ids", "in", lines.project_id.ids),
                ("state", "!=", "closed"),
            ]
        )
        for contract, group in lines.grouped(
            lambda line: contracts._covering(
                line.project_id, line.company_id, line.date
            )
        ).items():
            group = group.filtered(
                lambda line, c=contract: line.billing_contract_id != c
            )
            if group:
                group.billing_contract_id = contract
