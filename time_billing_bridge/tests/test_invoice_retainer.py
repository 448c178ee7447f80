# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.tests import freeze_time, tagged

from .common_invoice import InvoiceCommon
from .test_invoice_run import product_lines


def lines_of(invoice):
    return [(line.name, line.price_subtotal) for line in product_lines(invoice)]


@tagged("post_install", "-at_install")
@freeze_time("2026-06-10")
class TestInvoiceRetainer(InvoiceCommon):
    """Retainers: a top-up invoice brings the prepaid block in, and each
    period's invoice bills the time, then draws the balance down."""

    def _retainer(self, unit="amount", size=1000.0):
        self.contract_a.write(
            {
                "billing_mode": "retainer",
                "retainer_size": size,
                "retainer_unit": unit,
                "retainer_topup": True,
                "approval_hours_threshold": 0.0,
            }
        )

    def test_a_retainer_in_money_from_top_up_to_credit_notes(self):
        self._retainer()
        # No balance yet: the first run drafts the top-up.
        topup = self._run("2026-02-28").invoice_ids
        self.assertEqual(
            lines_of(topup), [("Retainer top-up: $\xa01,000.00, Contract A", 1000.0)]
        )
        # Drafts bring nothing in: only posted top-ups do.
        self.assertEqual(self.contract_a.retainer_prepaid_amount, 0.0)
        self._post(topup)
        self.contract_a.invalidate_recordset(["retainer_prepaid_amount"])
        self.assertEqual(self.contract_a.retainer_prepaid_amount, 1000.0)

        self._create_timesheet(date="2026-03-02", hours=6.0)
        march = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            lines_of(march),
            [
                ("March 2026: Project A", 600.0),
                ("Retainer: $\xa0600.00 drawn, $\xa0400.00 left", -600.0),
            ],
        )
        self.assertEqual(march.amount_untaxed, 0.0)
        # A draft's credit is reserved: the balance is 400 already.
        self.contract_a.invalidate_recordset(["retainer_prepaid_amount"])
        self.assertEqual(self.contract_a.retainer_prepaid_amount, 400.0)
        self._post(march)

        # April uses the rest up: billed beyond it, and a top-up is drafted.
        self._create_timesheet(date="2026-04-01", hours=7.0)
        run = self._run("2026-04-30")
        april = run.invoice_ids.filtered("billing_period_id")
        self.assertEqual(
            lines_of(april),
            [
                ("April 2026: Project A", 700.0),
                ("Retainer: $\xa0400.00 drawn, $\xa00.00 left", -400.0),
            ],
        )
        self.assertEqual(april.amount_untaxed, 300.0)
        next_topup = run.invoice_ids - april
        self.assertEqual(next_topup.amount_untaxed, 1000.0)
        # Running again drafts no second top-up.
        self.assertFalse(self._run("2026-04-30").invoice_ids)

        # Crediting April gives its time and its draw back.
        self._post(april)
        self.contract_a.invalidate_recordset(["retainer_prepaid_amount"])
        self.assertEqual(self.contract_a.retainer_prepaid_amount, 0.0)
        self._reverse(april)
        self.contract_a.invalidate_recordset(["retainer_prepaid_amount"])
        self.assertEqual(self.contract_a.retainer_prepaid_amount, 400.0)

    def test_a_retainer_in_hours_draws_the_price_of_its_hours(self):
        self._retainer(unit="hours", size=10.0)
        topup = self._run("2026-02-28").invoice_ids
        self.assertEqual(
            lines_of(topup), [("Retainer top-up: 10:00 h, Contract A", 1000.0)]
        )
        self._post(topup)
        self.contract_a.invalidate_recordset(["retainer_prepaid_hours"])
        self.assertEqual(self.contract_a.retainer_prepaid_hours, 10.0)
        self._create_timesheet(date="2026-03-02", hours=8.0)
        self._create_timesheet(date="2026-03-03", hours=4.0)
        run = self._run("2026-03-31")
        march = run.invoice_ids.filtered("billing_period_id")
        self.assertEqual(
            lines_of(march),
            [
                ("March 2026: Project A", 1200.0),
                ("Retainer: 10:00 h drawn, 00:00 h left", -1000.0),
            ],
        )
        self.assertEqual(march.amount_untaxed, 200.0)
        self.assertEqual(len(run.invoice_ids - march), 1)  # the next top-up

    def test_a_top_up_by_hand(self):
        self.contract_a.write(
            {
                "billing_mode": "retainer",
                "retainer_size": 500.0,
                "retainer_unit": "amount",
            }
        )
        action = self.contract_a.with_user(
            self.billing_user
        ).action_invoice_retainer_topup()
        topup = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(topup.amount_untaxed, 500.0)
        self.assertEqual(topup.billing_contract_id, self.contract_a)
        # Without automatic top-ups, a run drafts none.
        self._post(topup)
        self._create_timesheet(date="2026-03-02", hours=8.0)
        invoice = self._run("2026-03-31").invoice_ids
        self.assertEqual(invoice.amount_untaxed, 300.0)
