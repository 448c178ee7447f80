# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Living next to sale_timesheet: nothing is billed twice.

These tests need ``sale_timesheet``; scripts/test.sh runs the suite a second
time in a database where it is installed. Elsewhere they are skipped.
"""

from odoo import Command
from odoo.tests import tagged

from .common_rating import RatingCommon


def _has_sale_timesheet(env):
    return "so_line" in env["account.analytic.line"]._fields


@tagged("post_install", "-at_install")
class TestSaleTimesheetCoexistence(RatingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not _has_sale_timesheet(cls.env):
            return
        product = cls.env["product.product"].create(
            {
                "name": "Consulting hour",
                "type": "service",
                "service_policy": "delivered_timesheet",
                "list_price": 150.0,
                "uom_id": cls.env.ref("uom.product_uom_hour").id,
            }
        )
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.client_b.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 10})
                ],
            }
        )
        cls.order.action_confirm()
        cls.sale_line = cls.order.order_line
        # Without the contract, Odoo would put the project's time on this
        # sales order item and invoice it from the order.
        cls.project.write({"allow_billable": True, "sale_line_id": cls.sale_line.id})
        cls.other_project = cls.env["project.project"].create(
            {
                "name": "Sold project",
                "partner_id": cls.client_b.id,
                "allow_billable": True,
                "sale_line_id": cls.sale_line.id,
            }
        )

    def setUp(self):
        super().setUp()
        if not _has_sale_timesheet(self.env):
            self.skipTest("sale_timesheet is not installed in this database")

    def test_contract_time_stays_off_the_sales_order(self):
        sold = self._create_timesheet(project=self.other_project, name="Sold", hours=3)
        self.assertEqual(sold.so_line, self.sale_line)  # the fixture works
        self.assertFalse(sold.billing_contract_id)
        line = self._line(hours=2)
        self.assertFalse(line.so_line)
        self.assertTrue(line.is_so_line_edited)
        self.assertEqual(line.billing_amount, 200)
        self.assertEqual(self.sale_line.qty_delivered, 3)
        # Later changes do not bring the sales order item back.
        line.employee_id = self.employee_junior
        self.assertFalse(line.so_line)
        self.assertEqual(self.sale_line.qty_delivered, 3)

    def test_time_put_on_a_sales_order_item_is_billed_there_only(self):
        line = self._line(hours=2, so_line=self.sale_line.id, is_so_line_edited=True)
        self.assertEqual(line.so_line, self.sale_line)
        self.assertEqual(line.billing_state, "exception")
        self.assertEqual(
            line.billing_note,
            f"Billed through sales order item {self.sale_line.display_name}: not "
            "billed again under the contract.",
        )
        self.assertEqual((line.billable_hours, line.billing_amount), (0, 0))
        self.assertEqual(self.sale_line.qty_delivered, 2)
        # Invoiced by the order: the bridge still leaves it alone, and says so.
        invoice = self.order._create_invoices()
        self.assertEqual(line.timesheet_invoice_id, invoice)
        line.name = "Hearing, corrected description"
        self.assertEqual(line.billing_state, "exception")
        self.assertIn("Invoiced through sales order item", line.billing_note)
        self.assertIn(invoice.display_name, line.billing_note)
        # The contract's gauges and re-rating ignore it.
        self.assertEqual(self.contract.billed_amount, 0)
        self.contract.default_rate = 300
        self.assertEqual(line.billing_amount, 0)

    def _invoice_run(self):
        self.contract.product_id = self.env["product.product"].create(
            {"name": "Contract hours", "type": "service", "list_price": 0.0}
        )
        return self.env["time.billing.invoice.run"]._run(self.contract, "2026-03-31")

    def test_time_invoiced_by_the_contract_never_shows_on_the_order(self):
        line = self._line(hours=2)
        self._set_billing_state(line, "approved")
        invoice = self._invoice_run().invoice_ids
        invoice.invoice_date = "2026-04-02"
        invoice.action_post()
        self.assertEqual(line.billing_state, "invoiced")
        self.assertFalse(line.so_line)
        self.assertFalse(line.timesheet_invoice_id)
        self.assertEqual(self.sale_line.qty_delivered, 0)
        self.assertEqual(self.sale_line.qty_to_invoice, 0)

    def test_time_billed_through_the_order_is_left_out_of_invoice_runs(self):
        line = self._line(hours=2, so_line=self.sale_line.id, is_so_line_edited=True)
        self.order._create_invoices()
        run = self._invoice_run()
        self.assertFalse(run.invoice_ids)
        self.assertEqual(
            (run.skip_ids.reason, run.skip_ids.line_count), ("exception", 1)
        )
        self.assertFalse(line.billing_invoice_line_id)
