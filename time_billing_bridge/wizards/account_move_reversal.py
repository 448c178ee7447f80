# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        """ "Reverse and create a new invoice": the credit note gives the
        time of the invoice back (``account.move._post``); it moves onto the
        lines of the new draft, which carry the same ``billing_key``, instead
        of waiting for the next invoice run, which would bill it twice."""
        billed = {}
        if is_modify:
            for line in self.move_ids.invoice_line_ids.filtered("billing_key"):
                billed[line.billing_key] = (
                    line.sudo().billing_timesheet_ids,
                    line.sudo().billing_timesheet_ids.mapped("billing_late"),
                )
        action = super().reverse_moves(is_modify=is_modify)
        if billed:
            for line in self.new_move_ids.filtered(
                lambda move: move.move_type == "out_invoice"
            ).invoice_line_ids:
                if line.billing_key not in billed:
                    continue
                timesheets, late = billed[line.billing_key]
                timesheets.filtered(
                    lambda t: t.billing_state == "approved"
                    and not t.billing_invoice_line_id
                )._billing_put_on_invoice(line, late=any(late))
        return action
