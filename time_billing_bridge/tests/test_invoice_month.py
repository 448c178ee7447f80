# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common_invoice import InvoiceCommon
from .test_invoice_run import product_lines

_logger = logging.getLogger(__name__)


def body(invoice):
    """``(name, quantity, subtotal)`` of the invoice's lines, notes with
    neither."""
    return [
        (line.name, line.quantity, line.price_subtotal)
        if line.display_type == "product"
        else (line.name,)
        for line in invoice.invoice_line_ids
    ]


@tagged("post_install", "-at_install")
@freeze_time("2026-04-02")
class TestInvoiceMonth(InvoiceCommon):
    """A month of two contracts, from approved time to posted invoices: an
    hourly contract under a cap of 10 hours a month, and a retainer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract_a.write(
            {
                "cap_type": "hours",
                "cap_value": 10.0,
                "cap_scope": "period",
                "cap_action": "write_off",
                "approval_hours_threshold": 0.0,
            }
        )
        cls.contract_b = cls.env["time.billing.contract"].create(
            {
                "name": "Contract B",
                "partner_id": cls.client_b.id,
                "project_ids": [Command.set(cls.project_b.ids)],
                "date_start": "2026-01-01",
                "default_rate": 150.0,
                "billing_period": "monthly",
                "billing_mode": "retainer",
                "retainer_size": 3000.0,
                "retainer_unit": "amount",
                "retainer_topup": True,
                "approver_id": cls.approver.id,
                "state": "active",
            }
        )

    def _log(self, invoice):
        _logger.info(
            "%s %s (%s), untaxed %.2f, total %.2f:\n%s",
            invoice.billing_contract_id.name,
            invoice.name,
            invoice.state,
            invoice.amount_untaxed,
            invoice.amount_total,
            "\n".join(
                f"  {line.name}: {line.quantity:g} x {line.price_unit:.2f} "
                f"= {line.price_subtotal:.2f}"
                if line.display_type == "product"
                else f"  [{line.name}]"
                for line in invoice.invoice_line_ids
            ),
        )

    def test_capped_and_retainer_contracts_from_time_to_posted_invoices(self):
        # The retainer's top-up comes first: its balance is what is posted.
        topup = self._run("2026-02-28", self.contract_b).invoice_ids
        self._post(topup)
        self._log(topup)
        self.assertEqual(topup.amount_untaxed, 3000.0)

        # March. A: 4 + 4 + 3.5 h against a cap of 10 h a month; the last
        # entry crosses it, 1.5 h are written off and it waits for review.
        capped = (
            self._create_timesheet(date="2026-03-02", hours=4.0, task_id=self.task_a.id)
            | self._create_timesheet(
                date="2026-03-09", hours=4.0, task_id=self.task_a.id
            )
            | self._create_timesheet(
                date="2026-03-16", hours=3.5, task_id=self.task_a.id
            )
        )
        self.assertEqual(
            capped.mapped("billing_state"), ["approved", "approved", "to_approve"]
        )
        crossing = capped[2]
        self.assertEqual(
            (crossing.billable_hours, crossing.billing_amount), (2.0, 200.0)
        )
        self.assertEqual(
            (
                crossing.billing_written_off_hours,
                crossing.billing_written_off_amount,
            ),
            (1.5, 150.0),
        )
        crossing.with_user(self.approver).action_billing_approve()
        # B: 12 h at 150.00 on the retainer of 3,000.00.
        retained = self._create_timesheet(
            project=self.project_b, date="2026-03-03", hours=8.0
        ) | self._create_timesheet(project=self.project_b, date="2026-03-10", hours=4.0)
        self.assertEqual(retained.mapped("billing_state"), ["approved"] * 2)

        run = self.env["time.billing.invoice.run"]._run(
            self.contract_a | self.contract_b, "2026-03-31"
        )
        invoice_a = run.invoice_ids.filtered(
            lambda move: move.billing_contract_id == self.contract_a
        )
        invoice_b = run.invoice_ids.filtered(
            lambda move: move.billing_contract_id == self.contract_b
        )
        self.assertEqual(
            body(invoice_a),
            [
                ("March 2026: Project A / Task A", 10.0, 1000.0),
                (
                    "Not billed: 01:30 h over the cap of 10:00 h per billing "
                    "period written off (worth $\xa0150.00)",
                ),
            ],
        )
        self.assertEqual(
            body(invoice_b),
            [
                ("March 2026: Project B", 12.0, 1800.0),
                ("Retainer: $\xa01,800.00 drawn, $\xa01,200.00 left", 1.0, -1800.0),
            ],
        )
        for invoice in invoice_a | invoice_b:
            self._post(invoice)
            self._log(invoice)
        # Taxed at 15 %; everything the month's time is worth is accounted
        # for: billed, written off or drawn from the retainer.
        self.assertEqual(
            (invoice_a.amount_untaxed, invoice_a.amount_total), (1000.0, 1150.0)
        )
        self.assertEqual((invoice_b.amount_untaxed, invoice_b.amount_total), (0.0, 0.0))
        self.assertEqual(capped.mapped("billing_state"), ["invoiced"] * 3)
        self.assertEqual(retained.mapped("billing_state"), ["invoiced"] * 2)
        self.assertEqual(sum(capped.mapped("billing_amount")), invoice_a.amount_untaxed)
        self.contract_b.invalidate_recordset(["retainer_prepaid_amount"])
        self.assertEqual(self.contract_b.retainer_prepaid_amount, 1200.0)

    def test_time_held_at_the_cap_is_shown_and_billed_once_approved(self):
        self.contract_a.cap_action = "hold"
        lines = self._create_timesheet(date="2026-03-02", hours=8.0) | (
            self._create_timesheet(date="2026-03-20", hours=3.0)
        )
        self.assertEqual(lines.mapped("billing_state"), ["approved", "to_approve"])
        march = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            body(march),
            [
                ("March 2026: Project A", 8.0, 800.0),
                (
                    "Not billed yet: 1 entries (03:00 h, $\xa0300.00) over the "
                    "cap, held for review",
                ),
            ],
        )
        self.assertFalse(lines[1].billing_invoice_line_id)
        self._post(march)
        # The approver lets it through: the next invoice bills it, late.
        lines[1].with_user(self.approver).action_billing_approve()
        april = self._run("2026-04-30").invoice_ids
        self.assertEqual(body(april), [("March 2026 (late): Project A", 3.0, 300.0)])

    def test_an_amount_cap_bills_the_crossing_entry_up_to_the_cap(self):
        self.contract_a.write({"cap_type": "amount", "cap_value": 1000.0})
        lines = self._create_timesheet(date="2026-03-02", hours=8.0) | (
            self._create_timesheet(date="2026-03-20", hours=3.0)
        )
        self.assertEqual(lines[1].billing_amount, 200.0)
        self.assertEqual(lines[1].billing_written_off_amount, 100.0)
        self.assertFalse(lines[1].billing_written_off_hours)
        lines[1].with_user(self.approver).action_billing_approve()
        march = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            [
                (line.name, line.quantity, line.price_unit)
                for line in product_lines(march)
            ],
            [
                ("March 2026: Project A", 8.0, 100.0),
                ("March 2026: Project A, up to the cap", 3.0, 66.66),
            ],
        )
        # What the cap left (200.00) over 3 h is rounded down: the invoice
        # stays within the cap, and the time is worth what it bills.
        self.assertEqual(march.amount_untaxed, 999.98)
        self.assertEqual(sum(lines.mapped("billing_amount")), 999.98)
        self.assertIn(
            "Not billed: $\xa0100.00 over the cap of $\xa01,000.00 per billing period "
            "written off",
            march.invoice_line_ids.mapped("name"),
        )
