# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 5 of the billing pipeline: the invoice that bills a line.

An invoice run (``time.billing.invoice.run``) puts approved time on draft
invoice lines; posting the invoice makes it ``invoiced``. Each line points at
the one invoice line that bills it. Resetting the invoice to draft gives the
time back to ``approved`` on the same line; cancelling it, deleting the draft
or its line, or crediting the line frees the time for the next run.
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools.misc import format_amount, format_duration


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_invoice_line_id = fields.Many2one(
        comodel_name="account.move.line",
        string="Billing Invoice Line",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        readonly=True,
        help="The invoice line that bills this time.",
    )
    billing_late = fields.Boolean(
        string="Late",
        copy=False,
        readonly=True,
        help="Approved after its billing period was invoiced: billed on a later "
        "invoice.",
    )

    def _billing_put_on_invoice(self, invoice_line, late=False):
        """Bill these approved lines on ``invoice_line`` (a draft). Time
        free for invoicing is never marked late: only ``late`` is written."""
        vals = {
            "billing_invoice_line_id": invoice_line.id,
            "billing_invoice_id": invoice_line.move_id.id,
        }
        if late:
            vals["billing_late"] = True
        self._billing_write(vals)

    def _billing_mark_invoiced(self):
        """The invoices billing these lines are posted."""
        self.filtered(lambda line: line.billing_state == "approved")._billing_set_state(
            "invoiced"
        )

    def _billing_release(self, reason, keep_link=False):
        """Give time billed by an invoice back: ``approved``, and free for the
        next invoice run unless ``keep_link`` (an invoice reset to draft keeps
        its lines). ``reason`` says why, in the contract's chatter."""
        invoiced = self.filtered(lambda line: line.billing_state == "invoiced")
        invoiced._billing_set_state("approved", reason=reason)
        if not keep_link:
            linked = self.filtered("billing_invoice_line_id")
            # Time on a draft moves no state: its release is told here.
            (linked - invoiced)._billing_log_invoicing(reason)
            linked._billing_write(
                {
                    "billing_invoice_line_id": False,
                    "billing_invoice_id": False,
                    "billing_late": False,
                }
            )
        self.billing_contract_id._billing_check_unbilled_alert()

    @api.model
    def _get_billing_to_bill_domain(self):
        """Time an invoice run bills next: approved and on no invoice yet.
        Hook for extensions."""
        return Domain("billing_state", "=", "approved") & Domain(
            "billing_invoice_line_id", "=", False
        )

    def action_billing_open_invoice_wizard(self):
        """Invoice the contracts of the selected time, or of all the time to
        bill when none is selected."""
        lines = self.filtered_domain(self._get_billing_to_bill_domain())
        if not self:
            lines = self.search(self._get_billing_to_bill_domain())
        contracts = lines.billing_contract_id
        if not contracts:
            raise UserError(
                self.env._(
                    "None of this time waits for an invoice: only approved time "
                    "that is on no invoice yet can be invoiced."
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.time_billing_invoice_wizard_action"
        )
        action["context"] = {"default_contract_ids": contracts.ids}
        return action

    def _billing_log_invoicing(self, text):
        """Post ``text`` and the figures of these lines on their contracts."""
        self._billing_log_invoicing_by({text: self})

    def _billing_log_invoicing_by(self, groups):
        """Post on the contracts, for each ``{text: lines}`` of ``groups``,
        the text and the figures of those lines: one note per contract, all
        of them in one batch."""
        bodies = {}
        for text, group in groups.items():
            for contract, lines in group.grouped("billing_contract_id").items():
                if not contract:
                    continue
                body = self.env._(
                    "%(text)s: %(entries)s, %(hours)s h, %(amount)s.",
                    text=text,
                    entries=self._billing_entries_label(len(lines)),
                    hours=format_duration(sum(lines.mapped("billable_hours"))),
                    amount=format_amount(
                        self.env,
                        sum(lines.mapped("billing_amount")),
                        contract.currency_id,
                    ),
                )
                bodies.setdefault(contract, []).append(body)
        if not bodies:
            return
        contracts = self.env["time.billing.contract"].sudo().union(*bodies)
        contracts._message_log_batch(
            {
                contract.id: Markup("<br/>").join(texts)
                for contract, texts in bodies.items()
            }
        )
