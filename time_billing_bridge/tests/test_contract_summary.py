# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date

from lxml import html

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged
from odoo.tools import format_amount

from .common import TimeBillingCommon

HEADER = ("Date", "Person", "Task", "Description", "Hours", "Billable", "Amount")


@tagged("post_install", "-at_install")
class TestContractSummary(TimeBillingCommon):
    """The client time summary: opt-in, its schedule, its content and who may
    send it. Contract A bills 100.00 an hour, rounded up to 15 minutes, and
    approves time at once; its client has a billing contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_contact = cls.env["res.partner"].create(
            {
                "name": "Paula Payable",
                "type": "invoice",
                "parent_id": cls.client_a.id,
                "email": "billing@client-a.example",
            }
        )
        cls.contract_a.write(
            {
                "client_summary_enabled": True,
                "rounding_increment": 15,
                "user_id": cls.billing_manager.id,
            }
        )
        cls.cron = cls.env.ref(
            "time_billing_bridge.ir_cron_time_billing_client_summary"
        )
        cls.mt_comment = cls.env.ref("mail.mt_comment")
        cls._seq = 0

    # -- helpers -------------------------------------------------------------

    @classmethod
    def _log(cls, day, hours, name=None, **vals):
        """Time logged on its own day (later days would be future time)."""
        cls._seq += 1
        with freeze_time(day):
            return cls._create_timesheet(
                date=day, hours=hours, name=name or f"Work {cls._seq}", **vals
            )

    def _run_cron(self, day):
        with freeze_time(day), self.enter_registry_test_mode():
            self.assertIs(self.cron.method_direct_trigger(), True)
        self.env.invalidate_all()

    def _summaries(self, contract=None):
        contract = contract or self.contract_a
        return self.env["mail.message"].search(
            [
                ("model", "=", contract._name),
                ("res_id", "=", contract.id),
                ("subtype_id", "=", self.mt_comment.id),
            ],
            order="id",
        )

    @staticmethod
    def _rows(message):
        """The time table of a summary, as rows of cell texts."""
        table = html.fromstring(message.body).xpath("//table")[0]
        return [
            tuple(" ".join(cell.text_content().split()) for cell in row)
            for row in table.xpath(".//tr")
        ]

    @staticmethod
    def _text(message):
        return " ".join(html.fromstring(message.body).text_content().split())

    def _amount(self, value, contract=None):
        currency = (contract or self.contract_a).currency_id
        return " ".join(format_amount(self.env, value, currency).split())

    # -- tests ---------------------------------------------------------------

    def test_the_week_goes_to_the_billing_contact(self):
        self._log("2026-02-27", 1.0, "Before the week")
        self._log("2026-03-02", 7 / 6, "Kick-off call")
        self._log("2026-03-03", 2.0, "Draft memo", task_id=self.task_a.id)
        self._log("2026-03-03", 0.75, "Review memo", employee=self.employee_junior)
        self._log("2026-03-04", 0.5, "Not billed", billing_source_billable=False)
        rejected = self._log("2026-03-05", 1.0, "Wrong project")
        invoiced = self._log("2026-03-06", 3.0, "Research")
        self._set_billing_state(rejected, "rejected")
        self._set_billing_state(invoiced, "invoiced")
        self._log("2026-03-09", 4.0, "Next week")

        self._run_cron("2026-03-09")

        summary = self._summaries()
        self.assertEqual(len(summary), 1)
        self.assertEqual(summary.partner_ids, self.billing_contact)
        self.assertEqual(summary.author_id, self.billing_manager.partner_id)
        self.assertEqual(
            summary.subject,
            f"{self.company.name}: time summary Contract A, 03/02/2026 to 03/08/2026",
        )
        mail = self.env["mail.mail"].search([("mail_message_id", "=", summary.id)])
        self.assertEqual(mail.recipient_ids, self.billing_contact)
        # Sorted by date, billable time only (not the non-billable or rejected
        # time), raw and billable hours as h:mm, amounts in the currency.
        self.assertEqual(
            self._rows(summary),
            [
                HEADER,
                (
                    "03/02/2026",
                    "Sam Senior",
                    "Project A",
                    "Kick-off call",
                    "01:10",
                    "01:15",
                    self._amount(125),
                ),
                (
                    "03/03/2026",
                    "Jo Junior",
                    "Project A",
                    "Review memo",
                    "00:45",
                    "00:45",
                    self._amount(75),
                ),
                (
                    "03/03/2026",
                    "Sam Senior",
                    "Task A",
                    "Draft memo",
                    "02:00",
                    "02:00",
                    self._amount(200),
                ),
                (
                    "03/06/2026",
                    "Sam Senior",
                    "Project A",
                    "Research",
                    "03:00",
                    "03:00",
                    self._amount(300),
                ),
                ("Total", "06:55", "07:00", self._amount(700)),
            ],
        )
        text = self._text(summary)
        self.assertIn("Dear Paula Payable", text)
        self.assertIn("from 03/02/2026 to 03/08/2026", text)
        # Not invoiced: the week's approved time and the week before it.
        self.assertIn(
            f"Time not invoiced yet, up to 03/08/2026 {self._amount(500)} "
            "(05:00 hours)",
            text,
        )
        self.assertNotIn("Retainer", text)
        self.assertNotIn("Left under the cap", text)

    def test_the_summary_speaks_the_recipient_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.billing_contact.lang = "fr_FR"
        self._log("2026-03-02", 1.0, "Kick-off call")
        self._run_cron("2026-03-09")
        summary = self._summaries()
        self.assertIn("02/03/2026", summary.subject)
        self.assertEqual(self._rows(summary)[1][0], "02/03/2026")

    def test_weekly_summaries_are_sent_once_per_week(self):
        self._log("2026-03-03", 1.0)
        self._log("2026-03-10", 2.0, "Second week")
        self._run_cron("2026-03-09")
        self._run_cron("2026-03-09")
        self._run_cron("2026-03-12")
        first = self._summaries()
        self.assertEqual(len(first), 1)
        self.assertEqual(self.contract_a.client_summary_last_date, date(2026, 3, 8))
        self.assertEqual(self.contract_a.client_summary_next_date, date(2026, 3, 16))

        self._run_cron("2026-03-16")
        self._run_cron("2026-03-16")
        second = self._summaries() - first
        self.assertEqual(len(second), 1)
        self.assertEqual(
            self._rows(second)[1:],
            [
                (
                    "03/10/2026",
                    "Sam Senior",
                    "Project A",
                    "Second week",
                    "02:00",
                    "02:00",
                    self._amount(200),
                ),
                ("Total", "02:00", "02:00", self._amount(200)),
            ],
        )
        self.assertEqual(self.contract_a.client_summary_last_date, date(2026, 3, 15))

    def test_no_summary_for_a_week_without_billable_time(self):
        self._log("2026-03-04", 2.0, billing_source_billable=False)
        self._log("2026-03-10", 1.0)
        self._run_cron("2026-03-09")
        self.assertFalse(self._summaries())
        self.assertFalse(self.contract_a.message_ids.filtered("partner_ids"))
        # The empty week counts as covered: it is not looked at again.
        self.assertEqual(self.contract_a.client_summary_last_date, date(2026, 3, 8))
        self._run_cron("2026-03-16")
        self.assertIn("from 03/09/2026 to 03/15/2026", self._text(self._summaries()))

    def test_summaries_are_opt_in(self):
        self.contract_a.client_summary_enabled = False
        self.assertFalse(self.contract_a.client_summary_next_date)
        self._log("2026-03-03", 1.0)
        self._run_cron("2026-03-09")
        self.assertFalse(self._summaries())
        with self.assertRaisesRegex(UserError, "does not send time summaries"):
            self.contract_a.with_user(self.billing_user).action_send_client_summary()
        # Opting in: the next run sends the last complete week.
        self.contract_a.client_summary_enabled = True
        self._run_cron("2026-03-10")
        self.assertIn("from 03/02/2026 to 03/08/2026", self._text(self._summaries()))

    def test_retainer_balance_for_a_retainer(self):
        contract = self.env["time.billing.contract"].create(
            {
                "name": "Retainer B",
                "partner_id": self.client_b.id,
                "project_ids": [Command.set(self.project_b.ids)],
                "date_start": "2026-01-01",
                "default_rate": 100.0,
                "billing_mode": "retainer",
                "retainer_size": 10.0,
                "retainer_unit": "hours",
                "state": "active",
                "client_summary_enabled": True,
            }
        )
        self._log("2026-03-03", 3.0, project=self.project_b)
        self._run_cron("2026-03-09")
        summary = self._summaries(contract)
        # Client B has no invoice address: the summary goes to the client.
        self.assertEqual(summary.partner_ids, self.client_b)
        self.assertIn(
            "Retainer balance 07:00 hours used 03:00 of 10:00 hours",
            self._text(summary),
        )
        self.assertNotIn("Left under the cap", self._text(summary))

    def test_cap_left_for_a_capped_contract(self):
        """A cap per billing period (a month) counts that month's time only."""
        self.contract_a.write(
            {
                "billing_mode": "capped",
                "cap_type": "amount",
                "cap_value": 1000.0,
                "cap_scope": "period",
            }
        )
        self._log("2026-02-27", 1.0)
        self._log("2026-03-03", 2.0)
        self._run_cron("2026-03-09")
        self.assertIn(
            "Left under the cap for 03/01/2026 to 03/31/2026 "
            f"{self._amount(800)} used {self._amount(200)} of {self._amount(1000)}",
            self._text(self._summaries()),
        )
        self.assertNotIn("Retainer", self._text(self._summaries()))

    def test_send_summary_now_leaves_the_schedule_alone(self):
        self._log("2026-03-03", 1.0)
        self._run_cron("2026-03-09")
        scheduled = self._summaries()
        as_user = self.contract_a.with_user(self.billing_user)
        with (
            freeze_time("2026-03-09"),
            self.assertRaisesRegex(UserError, "no billable time from 03/09/2026"),
        ):
            as_user.action_send_client_summary()
        self._log("2026-03-10", 2.0)
        with freeze_time("2026-03-11"):
            action = as_user.action_send_client_summary()
        self.assertIn("Paula Payable", action["params"]["message"])
        now = self._summaries() - scheduled
        # Sent by the billing responsible, whoever pressed the button.
        self.assertEqual(now.author_id, self.billing_manager.partner_id)
        self.assertEqual(now.partner_ids, self.billing_contact)
        self.assertIn("from 03/09/2026 to 03/11/2026", self._text(now))
        self.assertEqual(
            self._rows(now)[-1], ("Total", "02:00", "02:00", self._amount(200))
        )
        self.assertEqual(self.contract_a.client_summary_last_date, date(2026, 3, 8))
        self.assertEqual(self.contract_a.client_summary_next_date, date(2026, 3, 16))
        # The scheduled summary still covers the whole week.
        self._log("2026-03-13", 1.0)
        self._run_cron("2026-03-16")
        week = self._summaries() - scheduled - now
        self.assertIn("from 03/09/2026 to 03/15/2026", self._text(week))
        self.assertEqual(self._rows(week)[-1][:3], ("Total", "03:00", "03:00"))

    def test_a_closed_contract_gets_nothing(self):
        self._log("2026-03-03", 1.0)
        self.contract_a.action_close()
        self._run_cron("2026-03-09")
        self.assertFalse(self._summaries())
        with (
            freeze_time("2026-03-09"),
            self.assertRaisesRegex(UserError, "does not send time summaries"),
        ):
            self.contract_a.with_user(self.billing_user).action_send_client_summary()

    def test_other_frequencies(self):
        contract = self.env["time.billing.contract"].create(
            {
                "name": "Dates",
                "partner_id": self.client_b.id,
                "date_start": "2026-01-01",
                "date_end": "2026-04-08",
                "client_summary_enabled": True,
                "client_summary_frequency": "biweekly",
            }
        )
        # Two weeks from the Monday of the contract's first week (29 Dec).
        self.assertEqual(
            contract._client_summary_due_period(date(2026, 3, 11)),
            (date(2026, 2, 23), date(2026, 3, 8)),
        )
        contract.client_summary_last_date = date(2026, 3, 8)
        self.assertEqual(contract.client_summary_next_date, date(2026, 3, 23))
        contract.client_summary_frequency = "monthly"
        self.assertEqual(contract.client_summary_next_date, date(2026, 4, 1))
        self.assertEqual(
            contract._client_summary_due_period(date(2026, 4, 1)),
            (date(2026, 3, 9), date(2026, 3, 31)),
        )
        # The engagement's last period ends with it; then nothing is due.
        self.assertEqual(
            contract._client_summary_due_period(date(2026, 4, 20)),
            (date(2026, 4, 1), date(2026, 4, 8)),
        )
        contract.client_summary_last_date = date(2026, 4, 8)
        self.assertFalse(contract.client_summary_next_date)
        self.assertIsNone(contract._client_summary_due_period(date(2026, 5, 1)))

        # A monthly summary through the scheduled job.
        self.contract_a.client_summary_frequency = "monthly"
        self._log("2026-03-03", 1.0)
        self._run_cron("2026-03-09")
        self.assertFalse(self._summaries())
        self._run_cron("2026-04-01")
        self._run_cron("2026-04-02")
        self.assertEqual(len(self._summaries()), 1)
        self.assertIn("from 03/01/2026 to 03/31/2026", self._text(self._summaries()))

    def test_only_billing_users_send_summaries(self):
        """Attack: people without the time billing rights press "Send Summary
        Now" (or call it over RPC). Refused, and nothing is posted or sent."""
        self._log("2026-03-03", 1.0)
        plain = new_test_user(self.env, login="tbb_plain", groups="base.group_user")
        timesheet_user = new_test_user(
            self.env,
            login="tbb_timesheet",
            groups="hr_timesheet.group_hr_timesheet_user",
        )
        for user in (plain, timesheet_user):
            with (
                self.subTest(user=user.login),
                freeze_time("2026-03-04"),
                self.assertRaises(AccessError),
            ):
                self.contract_a.with_user(user).action_send_client_summary()
        self.assertFalse(self._summaries())
        with freeze_time("2026-03-04"):
            self.contract_a.with_user(self.billing_user).action_send_client_summary()
        self.assertEqual(len(self._summaries()), 1)
