# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common_invoice import InvoiceCommon


def product_lines(invoice):
    return invoice.invoice_line_ids.filtered(
        lambda line: line.display_type == "product"
    )


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestInvoiceRun(InvoiceCommon):
    def _march(self):
        """Three approved lines of March on two tasks, and one of April."""
        return (
            self._create_timesheet(
                date="2026-03-02", hours=2.0, task_id=self.task_a.id, name="Design"
            )
            | self._create_timesheet(
                date="2026-03-03", hours=1.5, task_id=self.task_a.id, name="Review"
            )
            | self._create_timesheet(
                date="2026-03-04",
                hours=3.0,
                task_id=self.task_b.id,
                employee=self.employee_junior,
                name="Filing",
            )
        )

    def test_a_month_of_approved_time_becomes_one_draft_invoice(self):
        march = self._march()
        april = self._create_timesheet(date="2026-04-01", hours=1.0)
        self.assertEqual(march.mapped("billing_state"), ["approved"] * 3)
        run = self._run("2026-03-31")
        invoice = run.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(
            (invoice.state, invoice.move_type, invoice.partner_id),
            ("draft", "out_invoice", self.client_a),
        )
        self.assertEqual(invoice.billing_contract_id, self.contract_a)
        self.assertEqual(invoice.billing_period_id, self._period("2026-03-02"))
        self.assertEqual(invoice.invoice_origin, "Contract A")
        self.assertEqual(invoice.currency_id, self.contract_a.currency_id)
        self.assertEqual(invoice.journal_id.type, "sale")
        lines = product_lines(invoice)
        self.assertEqual(
            [(line.name, line.quantity, line.price_unit) for line in lines],
            [
                ("March 2026: Project A / Task A", 3.5, 100.0),
                ("March 2026: Project A / Task B", 3.0, 100.0),
            ],
        )
        self.assertEqual(lines.product_id, self.service)
        self.assertEqual(lines.tax_ids, self.tax_sale_a)
        self.assertEqual(
            lines[0].analytic_distribution,
            {str(self.project_a.account_id.id): 100.0},
        )
        # The invoice bills exactly the priced time, each line its own.
        self.assertEqual(invoice.amount_untaxed, 650.0)
        self.assertEqual(sum(march.mapped("billing_amount")), 650.0)
        for line in march:
            self.assertEqual(line.billing_invoice_id, invoice)
            self.assertIn(line.billing_invoice_line_id, lines)
            self.assertEqual(line.billing_state, "approved")
        self.assertEqual(lines[0].billing_timesheet_ids, march[:2])
        self.assertFalse(april.billing_invoice_line_id)
        self.assertEqual(invoice.billing_timesheet_count, 3)
        # Posting invoices the time; the period is closed for later time.
        self._post(invoice)
        self.assertEqual(march.mapped("billing_state"), ["invoiced"] * 3)
        self.assertEqual(self._period("2026-03-02").state, "closed")
        self.contract_a.invalidate_recordset(["message_ids"])
        self.assertIn(
            f"Invoiced on {invoice.name}: 3 time entries, 06:30 h",
            self.contract_a.message_ids[0].body,
        )
        self.assertEqual(self.contract_a.invoice_count, 1)

    def test_the_daily_job_invoices_the_month_that_ended(self):
        self._march()
        Run = self.env["time.billing.invoice.run"]
        Run._cron_create_invoices()
        run = Run.search([("trigger", "=", "cron")])
        self.assertEqual(len(run), 1)
        self.assertEqual(run.invoice_ids.billing_period_id, self._period("2026-03-02"))
        self.assertEqual(product_lines(run.invoice_ids).mapped("quantity"), [3.5, 3.0])

    def test_running_the_same_periods_again_adds_nothing(self):
        self._march()
        first = self._run("2026-03-31")
        self.assertEqual(len(first.invoice_ids), 1)
        second = self._run("2026-03-31")
        self.assertFalse(second.invoice_ids)
        self.assertFalse(second.skip_ids)
        # Nor does the daily job, the next day, and it leaves no empty run.
        Run = self.env["time.billing.invoice.run"]
        runs = Run.search([])
        Run._cron_create_invoices()
        self.assertEqual(self.contract_a.invoice_count, 1)
        self.assertEqual(Run.search([]), runs)

    def test_time_waiting_for_approval_is_reported_then_billed_late(self):
        self._create_timesheet(date="2026-03-02", hours=2.0)
        waiting = self._create_timesheet(date="2026-03-05", hours=9.0)
        self.assertEqual(waiting.billing_state, "to_approve")
        run = self._run("2026-03-31")
        skip = run.skip_ids
        self.assertEqual(
            (skip.reason, skip.line_count, skip.hours, skip.period_id),
            ("waiting", 1, 9.0, self._period("2026-03-02")),
        )
        self.assertEqual(product_lines(run.invoice_ids).quantity, 2.0)
        # Approved after its period was invoiced: on April's invoice, late.
        waiting.with_user(self.approver).action_billing_approve()
        april = self._create_timesheet(date="2026-04-01", hours=1.0)
        invoice = self._run("2026-04-30").invoice_ids
        self.assertEqual(
            [(line.display_type, line.name) for line in invoice.invoice_line_ids[:4]],
            [
                ("line_section", "April 2026"),
                ("product", "April 2026: Project A"),
                ("line_section", "Late time from earlier periods"),
                ("product", "March 2026 (late): Project A"),
            ],
        )
        self.assertEqual(waiting.billing_invoice_id, invoice)
        self.assertTrue(waiting.billing_late)
        self.assertFalse(april.billing_late)

    def test_grouping_by_person_role_day_or_entry(self):
        self._march()
        expected = {
            "employee": ["March 2026: Jo Junior", "March 2026: Sam Senior"],
            "role": ["March 2026: Junior (test)", "March 2026: Senior (test)"],
            "day": [
                "March 2026: 03/02/2026",
                "March 2026: 03/03/2026",
                "March 2026: 03/04/2026",
            ],
            "entry": [
                "March 2026: 03/02/2026, Sam Senior: Design",
                "March 2026: 03/03/2026, Sam Senior: Review",
                "March 2026: 03/04/2026, Jo Junior: Filing",
            ],
        }
        for grouping, names in expected.items():
            with self.subTest(grouping=grouping):
                self.contract_a.invoice_grouping = grouping
                invoice = self._run("2026-03-31").invoice_ids
                self.assertEqual(sorted(product_lines(invoice).mapped("name")), names)
                self.assertEqual(invoice.amount_untaxed, 650.0)
                invoice.unlink()

    def test_one_person_at_two_rates_reads_as_two_rates(self):
        self.contract_a.invoice_grouping = "employee"
        self.env["time.billing.rate.rule"].create(
            {
                "contract_id": self.contract_a.id,
                "employee_id": self.employee_senior.id,
                "task_id": self.task_b.id,
                "rate": 150.0,
            }
        )
        self._create_timesheet(date="2026-03-02", hours=2.0, task_id=self.task_a.id)
        self._create_timesheet(date="2026-03-03", hours=1.0, task_id=self.task_b.id)
        invoice = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            [(line.name, line.price_unit) for line in product_lines(invoice)],
            [
                ("March 2026: Sam Senior at $\xa0100.00", 100.0),
                ("March 2026: Sam Senior at $\xa0150.00", 150.0),
            ],
        )

    def test_discount_multipliers_and_rounding_add_up_exactly(self):
        self.contract_a.write(
            {"default_rate": 33.33, "discount": 5.0, "weekend_multiplier": 1.5}
        )
        weekdays = self.env["account.analytic.line"]
        for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
            weekdays |= self._create_timesheet(date=day, hours=0.1)
        saturday = self._create_timesheet(date="2026-03-07", hours=1.0)
        # Each 0.1 h is 33.33 x 0.1 x 95 % = 3.17; the weekend hour 47.50.
        self.assertEqual(weekdays.mapped("billing_amount"), [3.17] * 3)
        self.assertEqual(saturday.billing_amount, 47.50)
        invoice = self._run("2026-03-31").invoice_ids
        lines = product_lines(invoice)
        self.assertEqual(
            [
                (line.name, line.quantity, line.price_unit, line.discount)
                for line in lines
            ],
            [
                ("March 2026: Project A", 0.3, 33.33, 5.0),
                ("March 2026: Project A, ×1.5", 1.0, 50.0, 5.0),
            ],
        )
        # Odoo rounds the whole line: 0.3 x 33.33 x 95 % = 9.50, one cent
        # less than the three lines; the cent comes off one of them.
        self.assertEqual(lines[0].price_subtotal, 9.50)
        self.assertEqual(sorted(weekdays.mapped("billing_amount")), [3.16, 3.17, 3.17])
        adjusted = weekdays.filtered(lambda line: line.billing_amount == 3.16)
        self.assertIn("-0.01 to the invoice line's rounding", adjusted.billing_note)
        self.assertEqual(
            invoice.amount_untaxed,
            sum((weekdays | saturday).mapped("billing_amount")),
        )
        self.assertFalse(self.env["time.billing.invoice.run.skip"].search([]))

    def test_fixed_fee_once_per_period_with_or_without_time(self):
        self.contract_a.write({"billing_mode": "fixed", "fixed_amount": 1500.0})
        self._create_timesheet(date="2026-02-10", hours=3.0)
        run = self._run("2026-03-31")
        invoices = run.invoice_ids.sorted(lambda move: move.billing_period_id.date_from)
        self.assertEqual(len(invoices), 3)  # January, February, March
        self.assertEqual(
            [product_lines(invoice).mapped("name") for invoice in invoices],
            [
                ["January 2026: fixed fee, Contract A"],
                ["February 2026: fixed fee, Contract A"],
                ["March 2026: fixed fee, Contract A"],
            ],
        )
        self.assertEqual(invoices.mapped("amount_untaxed"), [1500.0] * 3)
        self.assertFalse(self._run("2026-03-31").invoice_ids)

    def test_fixed_fee_and_hourly_on_one_invoice(self):
        self.contract_a.write(
            {"billing_mode": "mixed", "fixed_amount": 500.0, "date_start": "2026-03-01"}
        )
        self._create_timesheet(date="2026-03-02", hours=2.0)
        invoice = self._run("2026-03-31").invoice_ids
        self.assertEqual(
            product_lines(invoice).mapped("name"),
            ["March 2026: fixed fee, Contract A", "March 2026: Project A"],
        )
        self.assertEqual(invoice.amount_untaxed, 700.0)

    def test_periods_together_on_one_invoice(self):
        self.contract_a.invoice_periods_together = True
        self._create_timesheet(date="2026-02-10", hours=1.0)
        self._create_timesheet(date="2026-03-10", hours=2.0)
        invoice = self._run("2026-03-31").invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(
            [(line.display_type, line.name) for line in invoice.invoice_line_ids[:4]],
            [
                ("line_section", "February 2026"),
                ("product", "February 2026: Project A"),
                ("line_section", "March 2026"),
                ("product", "March 2026: Project A"),
            ],
        )

    def test_a_manual_run_includes_the_current_period(self):
        self._create_timesheet(date="2026-04-01", hours=2.0)
        self.assertFalse(self._run("2026-04-10").invoice_ids)
        action = self.contract_a.with_user(self.billing_user).action_invoice_now()
        invoice = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(product_lines(invoice).name, "April 2026: Project A")
        # The period goes on: it stays open.
        self.assertEqual(self._period("2026-04-01").state, "open")

    def test_what_a_run_leaves_out_and_why(self):
        self._create_timesheet(date="2026-03-02", hours=1.0)
        self.company.time_billing_product_id = False
        run = self._run("2026-03-31")
        self.assertEqual(run.skip_ids.reason, "no_product")
        self.company.time_billing_product_id = self.service
        self.contract_a.action_close()
        run = self._run("2026-03-31")
        self.assertEqual(run.skip_ids.reason, "closed_contract")
        self.assertFalse(run.invoice_ids)

    def test_only_billing_staff_and_accountants_run_invoicing(self):
        self._create_timesheet(date="2026-03-02", hours=1.0)
        plain = self.env["res.users"].create(
            {
                "name": "Plain",
                "login": "tbb_plain_invoicing",
                "group_ids": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        Run = self.env["time.billing.invoice.run"]
        for user in (plain, self.sam):
            with self.assertRaisesRegex(
                AccessError, "Only billing staff and accountants"
            ):
                Run.with_user(user)._run(self.contract_a, "2026-03-31")
        run = Run.with_user(self.accountant)._run(self.contract_a, "2026-03-31")
        self.assertEqual(len(run.invoice_ids), 1)

    def test_invoicing_many_contracts_at_once(self):
        contract_b = self.env["time.billing.contract"].create(
            {
                "name": "Contract B",
                "partner_id": self.client_b.id,
                "project_ids": [Command.set(self.project_b.ids)],
                "date_start": "2026-01-01",
                "default_rate": 80.0,
                "state": "active",
            }
        )
        self._create_timesheet(date="2026-03-02", hours=2.0)
        self._create_timesheet(date="2026-04-02", hours=1.0, project=self.project_b)
        wizard = (
            self.env["time.billing.invoice.wizard"]
            .with_user(self.billing_user)
            .with_context(active_ids=(self.contract_a | contract_b).ids)
            .create({})
        )
        self.assertTrue(wizard.include_current)
        action = wizard.action_invoice()
        run = self.env["time.billing.invoice.run"].browse(action["res_id"])
        self.assertEqual(
            sorted(run.invoice_ids.mapped("amount_untaxed")), [80.0, 200.0]
        )
        self.assertEqual(run.user_id, self.billing_user)

    def test_a_project_ready_for_billing_invoices_its_contract(self):
        ready, working = self.env["project.project.stage"].create(
            [
                {"name": "Delivered (test)", "time_billing_ready": True},
                {"name": "Working (test)"},
            ]
        )
        self._create_timesheet(date="2026-04-02", hours=3.0)
        self.project_a.stage_id = working
        self.assertFalse(self.contract_a.invoice_ids)
        # The project manager moving it need not be billing staff.
        manager = self.env["res.users"].create(
            {
                "name": "Pat Project",
                "login": "tbb_project_manager",
                "group_ids": [
                    Command.set(
                        (
                            self.env.ref("project.group_project_manager")
                            | self.env.ref("project.group_project_stages")
                        ).ids
                    )
                ],
            }
        )
        self.project_a.with_user(manager).stage_id = ready
        invoice = self.contract_a.invoice_ids
        self.assertEqual(product_lines(invoice).name, "April 2026: Project A")
        self.assertEqual(invoice.billing_run_id.trigger, "project_stage")

    def test_the_billing_responsible_hears_when_unbilled_time_piles_up(self):
        self.contract_a.write(
            {"unbilled_alert_amount": 300.0, "user_id": self.billing_user.id}
        )
        kind = self.env.ref("time_billing_bridge.mail_act_time_billing_unbilled")

        def alerts():
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", "time.billing.contract"),
                    ("res_id", "=", self.contract_a.id),
                    ("activity_type_id", "=", kind.id),
                ]
            )

        self._create_timesheet(date="2026-03-02", hours=2.0)
        self.assertFalse(alerts())
        self._create_timesheet(date="2026-03-03", hours=2.0)
        alert = alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.user_id, self.billing_user)
        self.assertIn(
            "400.00 of approved time is not invoiced yet on Contract A", alert.note
        )
        # Once per crossing.
        self._create_timesheet(date="2026-03-04", hours=1.0)
        self.assertEqual(len(alerts()), 1)
        alert.action_feedback()
        # Invoiced (drafted): under the amount again, and armed for next time.
        self._run("2026-03-31")
        self.assertFalse(self.contract_a.unbilled_alert_sent)
        self._create_timesheet(date="2026-04-01", hours=4.0)
        self.assertEqual(len(alerts()), 1)
        self.assertIn("400.00 of approved time", alerts().note)
