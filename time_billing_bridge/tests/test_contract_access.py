# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common_approval import ApprovalCommon

APPROVAL_TERMS = "Only a billing manager can change who approves a contract's time"
RATE_CARD = "Only a billing manager can change a contract's rate card."


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestContractApprovalTerms(ApprovalCommon):
    """Attacks on who approves a contract's time, and their refusal: billing
    users edit contracts, billing managers decide who approves and when."""

    def test_billing_users_do_not_change_who_approves_or_when(self):
        as_user = self.contract_a.with_user(self.billing_user)
        attacks = {
            "approver_id": self.billing_user.id,
            "user_id": self.billing_user.id,
            "approval_hours_threshold": 0.0,
            "approval_amount_threshold": 1e9,
            "approval_budget_share": 0.0,
            "auto_approve_delay": 0,
            "allow_self_approval": True,
        }
        for fname, value in attacks.items():
            with (
                self.subTest(field=fname),
                self.assertRaisesRegex(AccessError, APPROVAL_TERMS),
                self.env.cr.savepoint(),
            ):
                as_user.write({fname: value})
        self.assertEqual(
            (self.contract_a.approver_id, self.contract_a.approval_hours_threshold),
            (self.approver, 8.0),
        )
        # Other terms stay theirs to edit; a billing manager changes these.
        as_user.default_rate = 120.0
        self.contract_a.with_user(self.billing_manager).write(attacks)
        self.assertEqual(self.contract_a.approver_id, self.billing_user)

    def test_a_new_contract_keeps_the_default_approval_terms(self):
        Contract = self.env["time.billing.contract"].with_user(self.billing_user)
        vals = {
            "name": "New engagement",
            "partner_id": self.client_b.id,
            "project_ids": [Command.set(self.project_b.ids)],
            "date_start": "2026-04-01",
        }
        with self.assertRaisesRegex(AccessError, APPROVAL_TERMS):
            Contract.create({**vals, "approver_id": self.sam.id})
        with self.assertRaisesRegex(AccessError, APPROVAL_TERMS):
            Contract.create({**vals, "approval_hours_threshold": 0.5})
        contract = Contract.create(vals)
        self.assertEqual(contract.approver_id, self.billing_user)

    def test_billing_users_do_not_change_the_rate_card(self):
        as_user = self.contract_a.with_user(self.billing_user)
        rule = self.env["time.billing.rate.rule"].create(
            {
                "contract_id": self.contract_a.id,
                "employee_id": self.employee_senior.id,
                "rate": 150.0,
            }
        )
        attacks = {
            "add a line": lambda: as_user.write(
                {
                    "rate_rule_ids": [
                        Command.create(
                            {"employee_id": self.employee_junior.id, "rate": 500.0}
                        )
                    ]
                }
            ),
            "change a rate": lambda: rule.with_user(self.billing_user).write(
                {"rate": 1.0}
            ),
            "delete a line": lambda: rule.with_user(self.billing_user).unlink(),
        }
        for attack, call in attacks.items():
            with (
                self.subTest(attack=attack),
                self.assertRaisesRegex(AccessError, RATE_CARD),
                self.env.cr.savepoint(),
            ):
                call()
        self.assertEqual(self.contract_a.rate_rule_ids, rule)
        self.assertEqual(rule.rate, 150.0)
        rule.with_user(self.billing_manager).rate = 160.0
        self.assertEqual(rule.rate, 160.0)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestPeriodReopening(ApprovalCommon):
    """Attack: a billing user reopens a closed period to slip time into it."""

    def test_only_a_billing_manager_reopens_a_period(self):
        self._create_timesheet(date="2026-03-02")
        period = self._period("2026-03-02")
        period.with_user(self.billing_user).action_close()
        as_user = period.with_user(self.billing_user)
        with self.assertRaisesRegex(AccessError, "Only a billing manager can reopen"):
            as_user.action_reopen()
        # Writing the state directly does not get around it, for anyone.
        for user in (self.billing_user, self.billing_manager):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(
                    UserError, "change only through Close and Reopen"
                ),
                self.env.cr.savepoint(),
            ):
                period.with_user(user).write({"state": "open"})
        with self.assertRaisesRegex(UserError, "change only through Close and Reopen"):
            period.with_user(self.billing_user).write({"date_to": "2026-12-31"})
        self.assertEqual(period.state, "closed")
        period.with_user(self.billing_manager).action_reopen()
        self.assertEqual(period.state, "open")
