# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import io
import os
import shutil

from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools.pdf import PdfFileReader

from .common_invoice import InvoiceCommon

INVOICE_REPORT = "account.account_invoices"


class BilledInvoice:
    """A posted invoice of two lines of time."""

    def setUp(self):
        super().setUp()
        self._create_timesheet(
            date="2026-03-02", hours=2.0, task_id=self.task_a.id, name="Board pack"
        )
        self._create_timesheet(
            date="2026-03-03",
            hours=1.25,
            task_id=self.task_b.id,
            name="Filing",
            employee=self.employee_junior,
        )
        self.invoice = self._run("2026-03-31").invoice_ids
        self._post(self.invoice)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestInvoicePdf(BilledInvoice, InvoiceCommon):
    """The invoice ends with the time it bills."""

    def test_the_time_appendix_lists_what_the_invoice_bills(self):
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html(INVOICE_REPORT, self.invoice.ids)[0].decode()
        self.assertIn("Time Detail", html)
        for text in (
            "03/02/2026",
            "Sam Senior",
            "Project A / Task A",
            "Board pack",
            "2:00",
            "Jo Junior",
            "Filing",
            "1:18",  # 1.25 h rounded up to 6-minute steps: 1.3 h
        ):
            self.assertIn(text, html)
        self.assertNotIn("net of the", html)
        self.assertNotIn("differ from hours x rate", html)
        # A contract may leave it out.
        self.contract_a.invoice_time_appendix = False
        html = Report._render_qweb_html(INVOICE_REPORT, self.invoice.ids)[0].decode()
        self.assertNotIn("Time Detail", html)

    def test_the_time_appendix_says_why_amounts_are_not_hours_x_rate(self):
        Report = self.env["ir.actions.report"]
        self.contract_a.write({"discount": 5.0, "weekend_multiplier": 1.5})
        self._create_timesheet(date="2026-04-04", hours=2.0, name="Saturday work")
        invoice = self._run("2026-04-30").invoice_ids
        html = Report._render_qweb_html(INVOICE_REPORT, invoice.ids)[0].decode()
        self.assertIn("Amounts are net of the 5% discount.", html)
        self.assertIn("Some amounts differ from hours x rate", html)

    def test_posted_invoices_go_out_with_odoos_send_and_print(self):
        self.invoice._generate_and_send(sending_methods=["email"])
        self.assertTrue(self.invoice.is_move_sent)
        self.assertTrue(self.invoice.invoice_pdf_report_id)
        sent = self.invoice.message_ids.filtered("attachment_ids")[:1]
        self.assertIn(self.client_a, sent.partner_ids)
        self.assertIn(
            self.invoice.invoice_pdf_report_id.name, sent.attachment_ids.mapped("name")
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestInvoicePdfFile(BilledInvoice, InvoiceCommon, HttpCase):
    """A real PDF, as wkhtmltopdf prints it: it reads the report's styles
    from the Odoo server, which an HttpCase runs on the test's transaction."""

    def test_a_real_pdf_carries_the_time_appendix(self):
        if not shutil.which("wkhtmltopdf"):
            if os.environ.get("TBB_REQUIRE_PDF") == "1":
                self.fail("wkhtmltopdf is required (TBB_REQUIRE_PDF=1) but missing")
            self.skipTest("wkhtmltopdf is not installed")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(INVOICE_REPORT, self.invoice.ids)
        )
        self.assertEqual(kind, "pdf")
        reader = PdfFileReader(io.BytesIO(pdf))
        # The invoice, then the appendix on a page of its own.
        self.assertEqual(len(reader.pages), 2)
        text = reader.pages[1].extract_text()
        if text.strip():
            self.assertIn("Time Detail", text)
            self.assertIn("Board pack", text)
            self.assertIn("Jo Junior", text)
        # else: Debian's wkhtmltopdf (its Qt unpatched) draws the report's web
        # fonts as outlines, so the page has no text to read; the HTML test
        # above checks its content.
