# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Customer invoices that bill a contract's time.

Each invoice line drafted by an invoice run carries a ``billing_key``, which
Odoo copies onto the lines of the credit notes and replacement invoices it
makes from it: a credit note gives back exactly the time of the lines it
still holds when it is posted, and "reverse and create a new invoice" moves
that time onto the new draft.

- posting an invoice: its time becomes ``invoiced``;
- resetting it to draft: back to ``approved``, still on the same lines;
- cancelling it, deleting the draft or one of its lines, posting a credit
  note: back to ``approved`` and free for the next invoice run.
"""

from odoo import api, fields, models
from odoo.tools.misc import format_amount, format_date, format_duration

from ...const import CTX_CANCELLING, RETAINER_LINE_KINDS


class AccountMove(models.Model):
    _inherit = "account.move"

    billing_contract_id = fields.Many2one(
        comodel_name="time.billing.contract",
        string="Billing Contract",
        index="btree_not_null",
        check_company=True,
        tracking=True,
        help="Contract whose time this invoice bills: its reminder policy "
        "applies, and its credit notes release the time they credit.",
    )
    billing_period_id = fields.Many2one(
        comodel_name="time.billing.period",
        string="Billing Period",
        index="btree_not_null",
        readonly=True,
        help="The contract's billing period this invoice bills.",
    )
    billing_run_id = fields.Many2one(
        comodel_name="time.billing.invoice.run",
        string="Invoice Run",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    billing_timesheet_ids = fields.One2many(
        comodel_name="account.analytic.line",
        inverse_name="billing_invoice_id",
        string="Billed Time",
        readonly=True,
    )
    billing_timesheet_count = fields.Integer(
        string="Time Lines", compute="_compute_billing_timesheet_count"
    )

    @api.depends("billing_timesheet_ids")
    def _compute_billing_timesheet_count(self):
        counts = dict(
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("billing_invoice_id", "in", self.ids)],
                ["billing_invoice_id"],
                ["__count"],
            )
        )
        for move in self:
            move.billing_timesheet_count = counts.get(move._origin, 0)

    def _compute_is_sale_installed(self):
        # Odoo shows the quantity, unit and product columns of the invoice
        # lines by default only when Sales is installed; an invoice of time
        # shows them too: the hours are what its reader checks.
        res = super()._compute_is_sale_installed()
        for move in self.filtered("billing_contract_id"):
            move.is_sale_installed = True
        return res

    def action_view_billing_timesheets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.account_analytic_line_billing_action"
        )
        action["domain"] = [("billing_invoice_id", "=", self.id)]
        action["context"] = {"create": False}
        action["display_name"] = self.env._(
            "Time Billed on %(invoice)s", invoice=self.name
        )
        return action

    @api.model
    def _billing_invoices_action(self, domain):
        """Odoo's customer invoices list, showing the invoices of ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = domain
        action["context"] = {"create": False}
        return action

    def _billing_time_appendix(self):
        """The time detail printed after the invoice, as text: ``{"rows":
        [...], "hours", "amount"}``, or ``None`` when the contract does not
        print it. Read as superuser: who may print the invoice may read the
        time it bills."""
        self.ensure_one()
        contract = self.sudo().billing_contract_id
        lines = self._billing_time().sorted(lambda line: (line.date, line.id))
        if not contract.invoice_time_appendix or not lines:
            return None
        currency = self.currency_id

        rows = [
            {
                "date": format_date(self.env, line.date),
                "person": line.employee_id.name or "",
                "task": " / ".join(
                    filter(None, [line.project_id.name, line.task_id.name])
                ),
                "description": line.name or "",
                "hours": format_duration(line.billable_hours),
                "rate": format_amount(self.env, line.billing_rate, currency),
                "amount": format_amount(self.env, line.billing_amount, currency),
            }
            for line in lines
        ]
        return {
            "rows": rows,
            "notes": self._billing_time_appendix_notes(contract, lines),
            "hours": format_duration(sum(lines.mapped("billable_hours"))),
            "amount": format_amount(
                self.env, sum(lines.mapped("billing_amount")), currency
            ),
        }

    def _billing_time_appendix_notes(self, contract, lines):
        """Why amounts of the time detail are not hours x rate."""
        notes = []
        discount = contract.discount
        if discount:
            notes.append(
                self.env._(
                    "Amounts are net of the %(percent)s%% discount.",
                    percent=f"{discount:g}",
                )
            )
        currency = self.currency_id
        factor = 1 - discount / 100
        if any(
            currency.compare_amounts(
                line.billing_amount, line.billable_hours * line.billing_rate * factor
            )
            for line in lines
        ):
            notes.append(
                self.env._(
                    "Some amounts differ from hours x rate: weekend, holiday or "
                    "overtime rates, a cap, or the invoice line's rounding; each "
                    "entry's invoice line shows it."
                )
            )
        return notes

    def _billing_time(self):
        """The time lines these moves bill (the pipeline reads everybody's)."""
        return self.sudo().billing_timesheet_ids

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted.filtered(
            lambda move: move.move_type == "out_invoice"
        )._billing_time()._billing_mark_invoiced()
        for refund in posted.filtered(
            lambda move: move.move_type == "out_refund" and move.reversed_entry_id
        ):
            refund._billing_release_credited()
        return posted

    def _billing_release_credited(self):
        """Give back the time of the invoice lines this credit note credits."""
        self.ensure_one()
        keys = set(self.invoice_line_ids.mapped("billing_key")) - {False}
        credited = self.reversed_entry_id.invoice_line_ids.filtered(
            lambda line: line.billing_key in keys
        )
        credited.sudo().billing_timesheet_ids._billing_release(
            self.env._(
                "Credited by %(refund)s (invoice %(invoice)s)",
                refund=self.name,
                invoice=self.reversed_entry_id.name,
            )
        )

    def button_draft(self):
        was_posted = self.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
        res = super().button_draft()
        if self.env.context.get(CTX_CANCELLING):
            return res
        for move in was_posted:
            move._billing_time()._billing_release(
                self.env._("Invoice %(invoice)s reset to draft", invoice=move.name),
                keep_link=True,
            )
        return res

    def button_cancel(self):
        res = super(
            AccountMove, self.with_context(**{CTX_CANCELLING: True})
        ).button_cancel()
        for move in self.filtered(lambda move: move.move_type == "out_invoice"):
            move._billing_time()._billing_release(
                self.env._("Invoice %(invoice)s cancelled", invoice=move.name)
            )
        return res

    def unlink(self):
        for move in self:
            move._billing_time()._billing_release(
                self.env._("%(invoice)s deleted", invoice=move.display_name)
            )
        return super().unlink()


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    billing_key = fields.Char(
        copy=True,
        readonly=True,
        help="Technical: identifies the time billed by this line across the "
        "credit notes and replacement invoices Odoo copies from it.",
    )
    billing_timesheet_ids = fields.One2many(
        comodel_name="account.analytic.line",
        inverse_name="billing_invoice_line_id",
        string="Billed Time",
        readonly=True,
    )
    billing_retainer_kind = fields.Selection(
        selection=RETAINER_LINE_KINDS,
        string="Retainer",
        copy=True,
        readonly=True,
        help="A retainer's top-up, or the credit drawing its prepaid balance down.",
    )
    billing_retainer_hours = fields.Float(
        string="Retainer Hours",
        copy=True,
        readonly=True,
        help="Prepaid hours this line adds (a top-up) or draws (a credit, negative).",
    )

    def unlink(self):
        lines = self.sudo().billing_timesheet_ids
        if lines:
            lines._billing_release(
                self.env._(
                    "Removed from %(invoices)s",
                    invoices=sorted(set(self.move_id.mapped("display_name"))),
                )
            )
        return super().unlink()
