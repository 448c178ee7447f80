# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date
from html import unescape

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import format_amount

from .common_reminder import ReminderCommon

# Invoices are dated 2026-03-02: day 25 is 2026-03-27, day 35 is 2026-04-06.
DAY_24 = "2026-03-26"
DAY_25 = "2026-03-27"
DAY_30 = "2026-04-01"
DAY_34 = "2026-04-05"
DAY_35 = "2026-04-06"


@tagged("post_install", "-at_install")
class TestInvoiceReminders(ReminderCommon):
    """The daily job on real posted invoices: each level once, escalation,
    and the invoices it leaves alone."""

    def test_nothing_before_day_25_then_one_email_on_day_25(self):
        invoice = self._create_invoice()
        self.assertEqual(invoice.payment_state, "not_paid")
        self._run_cron(DAY_24)
        self.assertFalse(invoice.billing_reminder_ids)
        self.assertFalse(self._emails(invoice))

        self._run_cron(DAY_25)
        reminder = invoice.billing_reminder_ids
        self.assertRecordValues(
            reminder,
            [
                {
                    "level_id": self.email_level.id,
                    "state": "sent",
                    "channel": "email",
                    "trigger": "cron",
                    "date": date(2026, 3, 27),
                    "partner_id": self.client_a.id,
                }
            ],
        )
        email = self._emails(invoice)
        self.assertEqual(len(email), 1)
        self.assertEqual(reminder.message_id, email)
        self.assertIn(self.client_a, email.partner_ids)
        self.assertEqual(reminder.recipient_ids, email.partner_ids)
        self.assertIn(invoice.name, email.subject)
        self.assertIn("/my/invoices/", email.body)
        self.assertIn("access_token=", email.body)
        self.assertIn(
            format_amount(self.env, 1000.0, invoice.currency_id), unescape(email.body)
        )
        note = self._notes(invoice)
        self.assertEqual(len(note), 1)
        self.assertIn("Payment reminder", note.body)
        self.assertIn("level 1 of 2", note.body)
        self.assertIn("Email", note.body)
        self.assertIn("Client A", note.body)
        self.assertIn("by the daily job", note.body)

        # Later runs, the same day or after, send that level no more.
        self._run_cron(DAY_25)
        self._run_cron(DAY_30)
        self.assertEqual(invoice.billing_reminder_ids, reminder)
        self.assertEqual(self._emails(invoice), email)
        self.assertEqual(invoice.billing_reminder_next_level_id, self.escalation_level)
        with freeze_time(DAY_30):
            invoice.invalidate_recordset()
            self.assertEqual(invoice.billing_reminder_next_date, date(2026, 4, 6))

    def test_day_35_escalates_to_the_engagement_manager_with_the_balance(self):
        invoice = self._create_invoice(amount=1000.0)
        # Another open invoice of the client counts in its outstanding balance.
        self._create_invoice(amount=500.0, invoice_date="2026-03-20")
        self._run_cron(DAY_25)
        self._run_cron(DAY_34)
        self.assertFalse(self._escalations(invoice))

        self._run_cron(DAY_35)
        activity = self._escalations(invoice)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.engagement_manager)
        self.assertEqual(activity.summary, self.escalation_level.name)
        balance = format_amount(self.env, 1500.0, self.company.currency_id)
        self.assertIn(balance, unescape(activity.note))
        self.assertIn(invoice.name, activity.note)
        self.assertEqual(self.client_a.with_company(self.company).credit, 1500.0)
        escalation = self._sent(invoice).filtered(
            lambda reminder: reminder.level_id == self.escalation_level
        )
        self.assertRecordValues(
            escalation,
            [
                {
                    "channel": "activity",
                    "user_id": self.engagement_manager.id,
                    "activity_id": activity.id,
                }
            ],
        )
        notes = self._notes(invoice)
        self.assertEqual(len(notes), 2)
        self.assertIn("Erin Engagement", notes[0].body)
        self.assertIn(balance, unescape(notes[0].body))
        # Every level was sent: nothing left to send, however late.
        self._run_cron("2026-06-01")
        self.assertEqual(len(self._escalations(invoice)), 1)
        self.assertEqual(len(self._emails(invoice)), 1)
        self.assertFalse(invoice.billing_reminder_next_level_id)
        self.assertFalse(invoice.billing_reminder_can_send)

    def test_escalation_falls_back_to_the_billing_responsible(self):
        self.contract_a.approver_id = False
        self.contract_a.user_id = self.billing_user
        invoice = self._create_invoice(invoice_date="2026-02-01")
        self._run_cron("2026-03-08")  # day 35
        self.assertEqual(self._escalations(invoice).user_id, self.billing_user)

    def test_a_paid_invoice_gets_nothing_more(self):
        invoice = self._create_invoice()
        self._run_cron(DAY_25)
        self._register_payment(invoice, DAY_30)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self._run_cron(DAY_35)
        self.assertEqual(len(invoice.billing_reminder_ids), 1)
        self.assertFalse(self._escalations(invoice))
        self.assertFalse(invoice.billing_reminder_can_send)
        with self.assertRaisesRegex(UserError, "paid"):
            invoice.action_billing_send_reminder()

    def test_a_partly_paid_invoice_is_reminded_of_what_is_left(self):
        invoice = self._create_invoice(amount=1000.0)
        self._register_payment(invoice, "2026-03-10", amount=400.0)
        self.assertEqual(invoice.payment_state, "partial")
        self._run_cron(DAY_25)
        email = self._emails(invoice)
        self.assertEqual(len(email), 1)
        self.assertIn(
            format_amount(self.env, 600.0, invoice.currency_id), unescape(email.body)
        )

    def test_a_reversed_invoice_gets_nothing(self):
        invoice = self._create_invoice()
        with freeze_time("2026-03-10"):
            self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {"journal_id": invoice.journal_id.id, "reason": "Billed twice"}
            ).modify_moves()
        self.assertEqual(invoice.payment_state, "reversed")
        self._run_cron(DAY_35)
        self.assertFalse(invoice.billing_reminder_ids)
        self.assertFalse(self._emails(invoice))

    def test_a_no_reminders_client_gets_nothing(self):
        self.client_a.time_billing_no_reminders = True
        contact = self.env["res.partner"].create(
            {"name": "Ann Payables", "parent_id": self.client_a.id, "email": "ann@a"}
        )
        # The flag is read on the client (the commercial partner).
        invoice = self._create_invoice(partner=contact)
        self._run_cron(DAY_35)
        self.assertFalse(invoice.billing_reminder_ids)
        self.assertFalse(self._emails(invoice))
        self.assertFalse(self._escalations(invoice))
        with self.assertRaisesRegex(UserError, "No Payment Reminders"):
            invoice.with_user(self.accountant).action_billing_send_reminder()

    def test_invoices_billing_no_contract_are_not_followed(self):
        invoice = self._create_invoice(contract=False)
        self._run_cron(DAY_35)
        self.assertFalse(invoice.billing_reminder_ids)
        self.assertFalse(invoice.billing_reminder_policy_id)
        draft = self._create_invoice(post=False)
        self._run_cron(DAY_35)
        self.assertFalse(draft.billing_reminder_ids)

    def test_the_contracts_policy_wins_over_the_company_default(self):
        own = self.env["time.billing.reminder.policy"].create(
            {
                "name": "Prompt payers",
                "level_ids": [
                    Command.create(
                        {
                            "name": "Early nudge",
                            "delay_days": 10,
                            "channel": "email",
                            "mail_template_id": self.email_template.id,
                        }
                    )
                ],
            }
        )
        self.contract_a.reminder_policy_id = own
        invoice = self._create_invoice()
        self.assertEqual(invoice.billing_reminder_policy_id, own)
        self._run_cron("2026-03-12")  # day 10
        self.assertEqual(invoice.billing_reminder_ids.level_id, own.level_ids)
        self._run_cron(DAY_35)
        self.assertEqual(invoice.billing_reminder_ids.level_id, own.level_ids)
        self.assertFalse(self._escalations(invoice))
        # An archived policy sends nothing.
        later = self._create_invoice(invoice_date="2026-03-20")
        own.action_archive()
        self._run_cron("2026-04-20")
        self.assertFalse(later.billing_reminder_ids)

    def test_levels_counted_from_the_due_date(self):
        policy = self.env["time.billing.reminder.policy"].create(
            {
                "name": "After due date",
                "level_ids": [
                    Command.create(
                        {
                            "name": "Overdue",
                            "delay_days": 5,
                            "delay_from": "due_date",
                            "channel": "email",
                            "mail_template_id": self.email_template.id,
                        }
                    )
                ],
            }
        )
        self.contract_a.reminder_policy_id = policy
        invoice = self._create_invoice(
            invoice_payment_term_id=self.env.ref(
                "account.account_payment_term_30days"
            ).id
        )
        self.assertEqual(invoice.invoice_date_due, date(2026, 4, 1))
        self._run_cron("2026-04-05")
        self.assertFalse(invoice.billing_reminder_ids)
        self._run_cron("2026-04-06")
        self.assertEqual(self._sent(invoice).level_id, policy.level_ids)
        email = self._emails(invoice)
        self.assertIn("5 days ago", email.body)

    def test_catch_up_sends_only_the_highest_due_level(self):
        """An invoice past both levels when the job first sees it (the job
        did not run, or the policy is newer) gets the escalation only; the
        email is marked skipped and never sent afterwards."""
        invoice = self._create_invoice(invoice_date="2026-01-15")
        self._run_cron("2026-03-10")  # day 54
        self.assertRecordValues(
            invoice.billing_reminder_ids.sorted("level_id"),
            [
                {"level_id": self.email_level.id, "state": "skipped"},
                {"level_id": self.escalation_level.id, "state": "sent"},
            ],
        )
        self.assertFalse(self._emails(invoice))
        self.assertEqual(len(self._escalations(invoice)), 1)
        note = self._notes(invoice)
        self.assertEqual(len(note), 1)
        self.assertIn("skipped", note.body)
        self._run_cron("2026-03-20")
        self.assertEqual(len(invoice.billing_reminder_ids), 2)
        self.assertFalse(self._emails(invoice))

    def test_the_email_is_written_in_the_clients_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.email_template.with_context(
            lang="fr_FR"
        ).subject = "Rappel de paiement {{ object.name }}"
        self.client_a.lang = "fr_FR"
        invoice = self._create_invoice()
        self._run_cron(DAY_25)
        self.assertEqual(
            self._emails(invoice).subject, f"Rappel de paiement {invoice.name}"
        )


@tagged("post_install", "-at_install")
class TestSendReminderNow(ReminderCommon):
    """The invoice's Send Reminder Now: the next level, ahead of its day."""

    def test_send_now_sends_the_next_level_and_logs_it(self):
        invoice = self._create_invoice()
        as_accountant = invoice.with_user(self.accountant)
        with freeze_time("2026-03-10"):
            self.assertTrue(as_accountant.billing_reminder_can_send)
            as_accountant.action_billing_send_reminder()
        self.assertRecordValues(
            invoice.billing_reminder_ids,
            [
                {
                    "level_id": self.email_level.id,
                    "state": "sent",
                    "trigger": "manual",
                    "date": date(2026, 3, 10),
                }
            ],
        )
        email = self._emails(invoice)
        self.assertEqual(len(email), 1)
        note = self._notes(invoice)
        self.assertIn("by Ada Accountant", note.body)
        self.assertIn("level 1 of 2", note.body)

        # The daily job does not send that level again on its day.
        self._run_cron(DAY_25)
        self.assertEqual(len(self._emails(invoice)), 1)

        # The next click (a billing user who invoices) escalates; after the
        # last level nothing is left.
        self.billing_user.group_ids += self.env.ref("account.group_account_invoice")
        with freeze_time(DAY_30):
            invoice.with_user(self.billing_user).action_billing_send_reminder()
        self.assertEqual(self._escalations(invoice).user_id, self.engagement_manager)
        self._run_cron(DAY_35)
        self.assertEqual(len(self._escalations(invoice)), 1)
        invoice.invalidate_recordset()
        self.assertFalse(invoice.billing_reminder_can_send)
        with self.assertRaisesRegex(UserError, "already sent"):
            as_accountant.action_billing_send_reminder()

    def test_the_unique_key_stops_a_second_send_of_a_level(self):
        """Two senders of the same level (the daily job and a click) meet on
        the (invoice, level) key before anything leaves."""
        invoice = self._create_invoice()
        day = date(2026, 3, 27)
        invoice._billing_reminder_apply(self.email_level, [], "manual", day)
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            invoice._billing_reminder_apply(self.email_level, [], "cron", day)
        self.assertEqual(len(invoice.billing_reminder_ids), 1)
        self.assertEqual(len(self._emails(invoice)), 1)

    def test_send_now_is_refused_where_no_reminder_applies(self):
        without_contract = self._create_invoice(contract=False)
        with self.assertRaisesRegex(UserError, "bills no contract"):
            without_contract.with_user(self.accountant).action_billing_send_reminder()
        draft = self._create_invoice(post=False)
        with self.assertRaisesRegex(UserError, "posted customer invoices"):
            draft.with_user(self.accountant).action_billing_send_reminder()
        self.company.time_billing_reminder_policy_id = False
        invoice = self._create_invoice()
        with self.assertRaisesRegex(UserError, "reminder policy"):
            invoice.with_user(self.accountant).action_billing_send_reminder()

    def test_plain_users_cannot_send_reminders(self):
        invoice = self._create_invoice()
        sales = self.env["res.users"].create(
            {
                "name": "Sal Sales",
                "login": "tbb_sales",
                "group_ids": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        with self.assertRaises(AccessError):
            invoice.with_user(sales).action_billing_send_reminder()
        self.assertFalse(invoice.billing_reminder_ids)


@tagged("post_install", "-at_install")
class TestReminderPolicyRules(ReminderCommon):
    """What a policy accepts, and the company default."""

    def test_the_standard_policy_is_the_company_default(self):
        policy = self.default_policy
        self.assertFalse(policy.company_id)
        self.assertTrue(policy.is_company_default)
        self.assertRecordValues(
            policy.level_ids.sorted("sequence"),
            [
                {"delay_days": 25, "delay_from": "invoice_date", "channel": "email"},
                {"delay_days": 35, "delay_from": "invoice_date", "channel": "activity"},
            ],
        )
        new_company = self.env["res.company"].create({"name": "New Co (reminders)"})
        self.assertEqual(new_company.time_billing_reminder_policy_id, policy)

    def test_a_manager_sets_the_company_default_from_the_policy(self):
        other = self.env["time.billing.reminder.policy"].create({"name": "Other"})
        other.with_user(self.billing_manager).is_company_default = True
        self.assertEqual(self.company.time_billing_reminder_policy_id, other)
        self.assertFalse(self.default_policy.is_company_default)

    def test_a_level_needs_the_template_of_its_channel(self):
        with self.assertRaisesRegex(ValidationError, "email template"):
            self.env["time.billing.reminder.level"].create(
                {
                    "policy_id": self.default_policy.id,
                    "name": "No template",
                    "delay_days": 40,
                    "channel": "email",
                }
            )
        with self.assertRaisesRegex(ValidationError, "before the invoice date"):
            self.escalation_level.delay_days = -3
        # Before the due date is fine.
        self.escalation_level.write({"delay_from": "due_date", "delay_days": -3})

    def test_sms_only_with_the_sms_module(self):
        Level = self.env["time.billing.reminder.level"]
        channels = [key for key, _label in Level._selection_channel()]
        if "sms.template" in self.env:
            self.assertIn("sms", channels)
            with self.assertRaisesRegex(ValidationError, "SMS template"):
                Level.create(
                    {
                        "policy_id": self.default_policy.id,
                        "name": "Text",
                        "delay_days": 40,
                        "channel": "sms",
                    }
                )
            return
        self.assertEqual(channels, ["email", "activity"])
        with self.assertRaises(ValueError):
            Level.create(
                {
                    "policy_id": self.default_policy.id,
                    "name": "Text",
                    "delay_days": 40,
                    "channel": "sms",
                }
            )
