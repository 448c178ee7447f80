# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common_invoice import InvoiceCommon
from .test_invoice_run import product_lines


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestInvoiceRelease(InvoiceCommon):
    """Never billed twice: what an invoice gives back, and when."""

    def setUp(self):
        super().setUp()
        self.line_a = self._create_timesheet(
            date="2026-03-02", hours=2.0, task_id=self.task_a.id
        )
        self.line_b = self._create_timesheet(
            date="2026-03-03", hours=3.0, task_id=self.task_b.id
        )
        self.invoice = self._run("2026-03-31").invoice_ids
        self.invoice_line_a, self.invoice_line_b = product_lines(self.invoice)

    def assertFree(self, line):
        self.assertEqual(line.billing_state, "approved")
        self.assertFalse(line.billing_invoice_line_id)
        self.assertFalse(line.billing_invoice_id)

    def assertBilledBy(self, line, invoice_line, state):
        self.assertEqual(line.billing_invoice_line_id, invoice_line)
        self.assertEqual(line.billing_invoice_id, invoice_line.move_id)
        self.assertEqual(line.billing_state, state)

    def test_deleting_a_draft_line_or_the_draft_frees_exactly_its_time(self):
        self.invoice.write(
            {"invoice_line_ids": [Command.delete(self.invoice_line_a.id)]}
        )
        self.assertFree(self.line_a)
        self.assertBilledBy(self.line_b, self.invoice_line_b, "approved")
        # A person running invoicing bills it again, as late time.
        again = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            product_lines(again).name, "March 2026 (late): Project A / Task A"
        )
        self.assertBilledBy(self.line_a, product_lines(again), "approved")
        draft = again.display_name
        again.unlink()
        self.assertFree(self.line_a)
        self.contract_a.invalidate_recordset(["message_ids"])
        self.assertIn(
            f"{draft} deleted: 1 time entry, 02:00 h",
            self.contract_a.message_ids[0].body,
        )

    def test_posting_resetting_and_cancelling(self):
        self._post(self.invoice)
        self.assertBilledBy(self.line_a, self.invoice_line_a, "invoiced")
        # Back to draft: approved again, still on the invoice, still locked.
        self.invoice.button_draft()
        self.assertBilledBy(self.line_a, self.invoice_line_a, "approved")
        with self.assertRaisesRegex(
            UserError, "cannot change while the invoice bills it"
        ):
            self.line_a.with_user(self.billing_manager).unit_amount = 5.0
        self.invoice.action_post()
        self.assertBilledBy(self.line_b, self.invoice_line_b, "invoiced")
        # Cancelled: free for the next run, and said in the contract's chatter.
        self.invoice.button_cancel()
        self.assertFree(self.line_a)
        self.assertFree(self.line_b)
        self.contract_a.invalidate_recordset(["message_ids"])
        self.assertIn(
            f"Invoice {self.invoice.name} cancelled: 2 time entries, 05:00 h",
            self.contract_a.message_ids[0].body,
        )
        # The period has no live invoice any more: invoiced again in full.
        rebill = self._run("2026-03-31").invoice_ids
        self.assertEqual(rebill.amount_untaxed, 500.0)
        self.assertEqual(rebill.billing_timesheet_ids, self.line_a | self.line_b)

    def test_a_partial_credit_note_releases_exactly_the_time_it_credits(self):
        self._post(self.invoice)
        refund = self._reverse(self.invoice, keep=["Task A"])
        self.assertEqual(product_lines(refund).mapped("quantity"), [2.0])
        self.assertFree(self.line_a)
        self.assertBilledBy(self.line_b, self.invoice_line_b, "invoiced")
        self.contract_a.invalidate_recordset(["message_ids"])
        self.assertIn(
            f"Credited by {refund.name} (invoice {self.invoice.name}): 1 time entry",
            self.contract_a.message_ids[0].body,
        )
        # It comes back on the next run, once.
        rebill = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            product_lines(rebill).mapped("name"),
            ["March 2026 (late): Project A / Task A"],
        )
        self.assertEqual(rebill.amount_untaxed, 200.0)
        self.assertFalse(self._run("2026-03-31").invoice_ids)

    def test_a_full_credit_note_releases_all_its_time(self):
        self._post(self.invoice)
        self._reverse(self.invoice)
        self.assertFree(self.line_a)
        self.assertFree(self.line_b)
        self.assertEqual(self._run("2026-03-31").invoice_ids.amount_untaxed, 500.0)

    def test_reverse_and_create_a_new_invoice_moves_the_time(self):
        self._post(self.invoice)
        replacement = self._reverse(self.invoice, modify=True)
        self.assertEqual(replacement.state, "draft")
        new_a, new_b = product_lines(replacement)
        self.assertBilledBy(self.line_a, new_a, "approved")
        self.assertBilledBy(self.line_b, new_b, "approved")
        # Nothing is left for a run to bill twice.
        self.assertFalse(self._run("2026-03-31").invoice_ids)
        self._post(replacement)
        self.assertBilledBy(self.line_a, new_a, "invoiced")

    def test_time_on_an_invoice_is_neither_changed_nor_deleted(self):
        for user in (self.billing_manager, self.sam):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "is on invoice"),
                self.env.cr.savepoint(),
            ):
                self.line_a.with_user(user).unit_amount = 9.0
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "cannot be deleted"),
                self.env.cr.savepoint(),
            ):
                self.line_a.with_user(user).unlink()
        self.assertEqual(self.line_a.unit_amount, 2.0)
