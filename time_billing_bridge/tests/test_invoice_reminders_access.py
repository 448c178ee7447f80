# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_reminder import ReminderCommon

DAY_25 = "2026-03-27"
DAY_30 = "2026-04-01"


@tagged("post_install", "-at_install")
class TestReminderAccess(ReminderCommon):
    """Attacks on the reminder policies and history, and their refusal:
    billing users read policies, billing managers configure them, nobody
    forges or edits what was sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.internal_user = cls.env["res.users"].create(
            {
                "name": "Ivy Internal",
                "login": "tbb_internal",
                # Contact Creation: edits partners, yet may not spare a
                # client the reminders.
                "group_ids": [
                    Command.set(
                        (
                            cls.env.ref("base.group_user")
                            + cls.env.ref("base.group_partner_manager")
                        ).ids
                    )
                ],
            }
        )

    def _policy_vals(self):
        return {
            "name": "Aggressive",
            "level_ids": [
                Command.create(
                    {
                        "name": "Day 1",
                        "delay_days": 1,
                        "channel": "email",
                        "mail_template_id": self.email_template.id,
                    }
                )
            ],
        }

    def test_a_plain_internal_user_neither_reads_nor_creates_policies(self):
        Policy = self.env["time.billing.reminder.policy"].with_user(self.internal_user)
        with self.assertRaises(AccessError):
            Policy.create(self._policy_vals())
        with self.assertRaises(AccessError):
            self.default_policy.with_user(self.internal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.client_a.with_user(self.internal_user).write(
                {"time_billing_no_reminders": True}
            )
        self.assertFalse(self.client_a.time_billing_no_reminders)
        # Nor does the flag stop them editing the client's contacts.
        self.client_a.time_billing_no_reminders = True
        contact = (
            self.env["res.partner"]
            .with_user(self.internal_user)
            .create({"name": "Ann Payables", "parent_id": self.client_a.id})
        )
        contact.with_user(self.internal_user).write({"parent_id": self.client_b.id})

    def test_a_billing_user_reads_policies_but_does_not_change_them(self):
        as_user = self.default_policy.with_user(self.billing_user)
        self.assertEqual(as_user.level_ids.mapped("delay_days"), [25, 35])
        attacks = {
            "create a policy": lambda: as_user.create(self._policy_vals()),
            "rename it": lambda: as_user.write({"name": "Mine"}),
            "add a level": lambda: as_user.write(self._policy_vals()),
            "shorten a level": lambda: self.email_level.with_user(
                self.billing_user
            ).write({"delay_days": 1}),
            "delete a level": lambda: self.escalation_level.with_user(
                self.billing_user
            ).unlink(),
            "make it the default": lambda: as_user.write({"is_company_default": False}),
        }
        for attack, call in attacks.items():
            with (
                self.subTest(attack=attack),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                call()
        self.assertEqual(self.default_policy.name, "Standard Reminders")
        self.assertEqual(self.email_level.delay_days, 25)
        # Billing staff who edit contacts may spare a client the reminders.
        self.assertFalse(
            self.client_a.with_user(self.billing_user).time_billing_no_reminders
        )
        self.billing_user.group_ids += self.env.ref("base.group_partner_manager")
        self.client_a.with_user(self.billing_user).time_billing_no_reminders = True
        self.assertTrue(self.client_a.time_billing_no_reminders)

    def test_a_billing_manager_configures_policies(self):
        as_manager = self.env["time.billing.reminder.policy"].with_user(
            self.billing_manager
        )
        policy = as_manager.create(self._policy_vals())
        policy.write(
            {
                "name": "Firm",
                "level_ids": [
                    Command.update(policy.level_ids.id, {"delay_days": 7}),
                    Command.create(
                        {"name": "Call", "delay_days": 20, "channel": "activity"}
                    ),
                ],
            }
        )
        self.assertEqual(policy.level_ids.mapped("delay_days"), [7, 20])
        self.contract_a.with_user(self.billing_manager).reminder_policy_id = policy
        self.assertEqual(self.contract_a.reminder_policy_id, policy)

    def test_a_policy_of_another_company_stays_there(self):
        company_b = self.env["res.company"].create({"name": "Company B (reminders)"})
        Policy = self.env["time.billing.reminder.policy"]
        policy_b = Policy.create({"name": "B only", "company_id": company_b.id})
        visible = Policy.with_user(self.billing_manager).search([])
        self.assertNotIn(policy_b, visible)
        self.assertIn(self.default_policy, visible)  # shared by every company
        with self.assertRaises(UserError):
            self.contract_a.reminder_policy_id = policy_b

    def test_nobody_forges_or_edits_the_reminders_sent(self):
        invoice = self._create_invoice()
        self._run_cron(DAY_25)
        reminder = invoice.billing_reminder_ids
        Reminder = self.env["time.billing.reminder"]
        for user in (self.billing_user, self.billing_manager, self.accountant):
            with self.subTest(user=user.login):
                self.assertEqual(
                    reminder.with_user(user).read(["state"])[0]["state"], "sent"
                )
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    reminder.with_user(user).write({"date": "2026-01-01"})
                with self.assertRaises(AccessError), self.env.cr.savepoint():
                    Reminder.with_user(user).create(
                        {
                            "move_id": invoice.id,
                            "level_id": self.escalation_level.id,
                            "date": "2026-03-27",
                        }
                    )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            reminder.with_user(self.billing_user).unlink()
        # A billing manager deletes a reminder to send its level again.
        reminder.with_user(self.billing_manager).unlink()
        self._run_cron(DAY_30)
        self.assertEqual(invoice.billing_reminder_ids.level_id, self.email_level)

    def test_the_screens_load_for_each_role(self):
        checks = [
            ("account.move", self.accountant),
            ("res.partner", self.billing_user),
            ("res.partner", self.internal_user),
            ("time.billing.reminder.policy", self.billing_user),
            ("time.billing.contract", self.billing_user),
        ]
        for model, user in checks:
            with self.subTest(model=model, user=user.login):
                views = self.env[model].with_user(user).get_views([(False, "form")])
                arch = views["views"]["form"]["arch"]
                if model == "account.move":
                    self.assertIn("action_billing_send_reminder", arch)
                if user == self.internal_user:
                    self.assertNotIn('name="time_billing_no_reminders"', arch)
