# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the access matrix leaves implicit: where secrets and amounts are not
even described, and that another company works apart, not without rights."""

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common_access import ROLES, AccessCommon

SECRETS = ("api_token", "webhook_secret")
AMOUNTS = ("billing_rate", "billing_amount", "billing_written_off_amount")
# Records of the main company, one of each kind.
RECORDS = (
    "backend",
    "sync_run",
    "entry",
    "mapping",
    "contract_a",
    "rate_rule",
    "period",
    "webhook_event",
    "invoice_run",
    "own_line",
)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestAccessMatrixLeaks(AccessCommon):
    def test_secrets_are_described_to_managers_only(self):
        for role in ROLES:
            user = self.people[role]
            Backend = self.env["time.billing.backend"].with_user(user)
            with self.subTest(role=role):
                described = set(Backend.fields_get()) & set(SECRETS)
                self.assertEqual(
                    bool(described), role in ("billing_manager", "other_company")
                )
        # The billing user's backend form is sent without them.
        arch = (
            self.env["time.billing.backend"]
            .with_user(self.billing_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        for fname in SECRETS:
            self.assertNotIn(f'name="{fname}"', arch)

    def test_the_author_is_not_told_the_amounts(self):
        Line = self.env["account.analytic.line"].with_user(self.sam)
        self.assertFalse(set(Line.fields_get()) & set(AMOUNTS))
        # Nor through the timesheet list the author works in.
        arch = Line.get_views([(False, "list")])["views"]["list"]["arch"]
        for fname in AMOUNTS:
            self.assertNotIn(f'name="{fname}"', arch)
        # Nor by guessing them in a search, while the time stays readable.
        with self.assertRaises(AccessError):
            Line.search_count([("billing_amount", ">", 0)])
        self.assertEqual(
            Line.browse(self.own_line.id).read(["billing_state"])[0]["billing_state"],
            "to_approve",
        )
        self.assertTrue(self.own_line.with_user(self.billing_user).billing_amount)

    def test_another_company_sees_nothing_of_this_one(self):
        other = self.people["other_company"]
        for name in RECORDS:
            record = getattr(self, name)
            Model = self.env[record._name].with_user(other)
            with self.subTest(model=record._name):
                self.assertNotIn(record, Model.search([]))
                with self.assertRaises(AccessError):
                    Model.browse(record.id).read(["display_name"])

    def test_another_company_works_in_its_own(self):
        other = self.people["other_company"]
        Backend = self.env["time.billing.backend"].with_user(other)
        own = Backend.create({"name": "Elsewhere", "provider": "csv"})
        own.webhook_secret = "theirs"
        self.assertEqual(own.company_id, self.other_company)
        self.assertEqual(Backend.search([]), own)
        self.assertEqual(own.read(["webhook_secret"])[0]["webhook_secret"], "theirs")
