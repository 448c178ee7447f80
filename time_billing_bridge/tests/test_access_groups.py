# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TimeBillingCommon


@tagged("post_install", "-at_install")
class TestSecurity(TimeBillingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {
                "name": "Toggl (test)",
                "provider": "toggl",
                "account_ref": "99",
                "api_token": "s3cr3t-token",
                "webhook_secret": "hook-secret",
            }
        )
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.other_backend = cls.env["time.billing.backend"].create(
            {"name": "Elsewhere", "provider": "csv", "company_id": cls.other_company.id}
        )
        cls.billing_manager.write({"company_ids": [(4, cls.other_company.id)]})

    def test_secrets_are_for_managers_only(self):
        as_user = self.backend.with_user(self.billing_user)
        self.assertEqual(as_user.account_ref, "99")
        with self.assertRaises(AccessError):
            _token = as_user.api_token
        with self.assertRaises(AccessError):
            _secret = as_user.webhook_secret
        as_manager = self.backend.with_user(self.billing_manager)
        self.assertEqual(as_manager.api_token, "s3cr3t-token")
        self.assertEqual(as_manager.webhook_secret, "hook-secret")

    def test_users_do_not_configure_backends(self):
        with self.assertRaises(AccessError):
            self.backend.with_user(self.billing_user).name = "Renamed"
        with self.assertRaises(AccessError):
            self.env["time.billing.backend"].with_user(self.billing_user).create(
                {"name": "Mine", "provider": "csv"}
            )
        self.backend.with_user(self.billing_manager).name = "Renamed"
        self.assertEqual(self.backend.name, "Renamed")

    def test_users_fix_mappings_and_edit_contracts(self):
        mapping = (
            self.env["time.billing.mapping"]
            .with_user(self.billing_user)
            .create(
                {
                    "backend_id": self.backend.id,
                    "kind": "user",
                    "external_ref": "u-7",
                    "employee_id": self.employee_junior.id,
                }
            )
        )
        self.assertEqual(mapping.company_id, self.company)
        contract = self.contract_a.with_user(self.billing_user)
        contract.default_rate = 120
        self.assertEqual(self.contract_a.default_rate, 120)
        with self.assertRaises(AccessError):
            contract.unlink()

    def test_records_stay_in_their_company(self):
        Backend = self.env["time.billing.backend"].with_user(self.billing_user)
        self.assertIn(self.backend, Backend.search([]))
        self.assertNotIn(self.other_backend, Backend.search([]))
        manager_env = self.env["time.billing.backend"].with_user(self.billing_manager)
        both = manager_env.with_context(
            allowed_company_ids=[self.company.id, self.other_company.id]
        ).search([])
        self.assertIn(self.other_backend, both)
        only_main = manager_env.with_context(allowed_company_ids=self.company.ids)
        self.assertNotIn(self.other_backend, only_main.search([]))

    def test_no_access_without_the_group(self):
        plain = self.env["res.users"].create(
            {
                "name": "Plain",
                "login": "tbb_plain",
                "group_ids": [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["time.billing.contract"].with_user(plain).search([])
