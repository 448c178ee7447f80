# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common_invoice import InvoiceCommon


@tagged("post_install", "-at_install")
class TestTourAccountant(InvoiceCommon, HttpCase):
    """An accountant invoices a contract's approved time in the web client,
    confirms the draft and sends it by e-mail (tour
    ``time_billing_accountant_invoices_contract``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Invoicing rights and the billing group that opens Timesheets >
        # Billing; not an administrator. UTC, so that "today" in the wizard
        # is the day of the time below.
        cls.tour_accountant = new_test_user(
            cls.env,
            login="tbb_tour_accountant",
            name="Ava Accountant",
            groups="account.group_account_invoice,"
            "time_billing_bridge.group_time_billing_user",
            email="ava@example.com",
            tz="UTC",
            company_id=cls.company.id,
        )
        today = fields.Date.today()
        cls.contract_a.write(
            {
                "date_start": today.replace(day=1) - relativedelta(months=2),
                "date_end": False,
            }
        )
        cls.time = cls._create_timesheet(
            date=today, hours=2.0, task_id=cls.task_a.id, name="Board pack"
        ) | cls._create_timesheet(
            date=today,
            hours=1.5,
            task_id=cls.task_b.id,
            name="Filing",
            employee=cls.employee_junior,
        )

    def test_accountant_invoices_posts_and_sends(self):
        self.assertEqual(set(self.time.mapped("billing_state")), {"approved"})
        self.assertEqual(self.tax_sale_a.amount, 15.0)
        self.start_tour(
            "/odoo",
            "time_billing_accountant_invoices_contract",
            login=self.tour_accountant.login,
            timeout=180,
        )
        self.env.invalidate_all()
        invoice = self.env["account.move"].search(
            [("partner_id", "=", self.client_a.id), ("move_type", "=", "out_invoice")]
        )
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.billing_contract_id, self.contract_a)
        self.assertEqual(invoice.billing_run_id.user_id, self.tour_accountant)
        self.assertAlmostEqual(invoice.amount_untaxed, 350.0)
        self.assertAlmostEqual(invoice.amount_total, 402.5)
        # Its lines show their hours without Sales installed too.
        self.assertTrue(invoice.is_sale_installed)
        # The time is invoiced, each line on the invoice line that bills it.
        self.assertEqual(set(self.time.mapped("billing_state")), {"invoiced"})
        self.assertEqual(self.time.billing_invoice_id, invoice)
        self.assertEqual(self.time.billing_invoice_line_id.move_id, invoice)
        self.assertEqual(
            sorted(self.time.billing_invoice_line_id.mapped("quantity")), [1.5, 2.0]
        )
        # Sent by e-mail to the client, with the invoice's PDF.
        self.assertTrue(invoice.is_move_sent)
        self.assertTrue(invoice.invoice_pdf_report_id)
        sent = invoice.message_ids.filtered(
            lambda message: self.client_a in message.partner_ids
        )
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.author_id, self.tour_accountant.partner_id)
        self.assertIn(
            invoice.invoice_pdf_report_id.name, sent.attachment_ids.mapped("name")
        )
        self.assertTrue(
            self.env["mail.mail"].search(
                [
                    ("mail_message_id", "=", sent.id),
                    ("recipient_ids", "in", self.client_a.ids),
                ]
            )
        )
