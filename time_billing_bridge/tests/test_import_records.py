# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools.guard import pipeline_write
from .common import TimeBillingCommon


@tagged("post_install", "-at_install")
class TestImportRecords(TimeBillingCommon):
    """Backends, staging entries and mappings as records."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.backend = cls.env["time.billing.backend"].create(
            {"name": "Harvest (test)", "provider": "harvest", "account_ref": "12345"}
        )

    def test_backend_default_api_url_follows_provider(self):
        self.assertEqual(self.backend.api_url, "https://api.harvestapp.com/v2")
        self.backend.provider = "clockify"
        self.assertEqual(self.backend.api_url, "https://api.clockify.me/api/v1")
        # An overridden URL (proxy, self-hosted, tests) survives a provider change.
        self.backend.api_url = "http://127.0.0.1:9999/v2"
        self.backend.provider = "harvest"
        self.assertEqual(self.backend.api_url, "http://127.0.0.1:9999/v2")
        csv_backend = self.env["time.billing.backend"].create(
            {"name": "Files", "provider": "csv"}
        )
        self.assertFalse(csv_backend.api_url)

    def test_entry_external_id_unique_per_backend(self):
        Entry = self.env["time.billing.entry"]
        other = self.env["time.billing.backend"].create(
            {"name": "Other", "provider": "toggl", "account_ref": "7"}
        )
        with pipeline_write():
            Entry.create({"backend_id": self.backend.id, "external_id": "42"})
            # The same external id from another backend is another entry.
            Entry.create({"backend_id": other.id, "external_id": "42"})
            with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
                with self.env.cr.savepoint():
                    Entry.create({"backend_id": self.backend.id, "external_id": "42"})

    def test_backend_counts(self):
        Entry = self.env["time.billing.entry"]
        with pipeline_write():
            Entry.create(
                [
                    {"backend_id": self.backend.id, "external_id": "1"},
                    {
                        "backend_id": self.backend.id,
                        "external_id": "2",
                        "state": "exception",
                        "exception_reason": "Unknown user",
                    },
                ]
            )
        self.env["time.billing.mapping"].create(
            {
                "backend_id": self.backend.id,
                "kind": "user",
                "external_ref": "u1",
                "employee_id": self.employee_senior.id,
            }
        )
        self.assertEqual(self.backend.entry_count, 2)
        self.assertEqual(self.backend.exception_count, 1)
        self.assertEqual(self.backend.mapping_count, 1)
        action = self.backend.action_view_exceptions()
        self.assertEqual(
            self.env["time.billing.entry"]
            .search(action["domain"])
            .mapped("external_id"),
            ["2"],
        )

    def test_mapping_needs_the_target_of_its_kind(self):
        Mapping = self.env["time.billing.mapping"]
        with (
            self.assertRaisesRegex(ValidationError, "project mapping of 'Ops'"),
            self.env.cr.savepoint(),
        ):
            Mapping.create(
                {
                    "backend_id": self.backend.id,
                    "kind": "project",
                    "external_ref": "p1",
                    "external_name": "Ops",
                    "employee_id": self.employee_senior.id,
                }
            )
        mapping = Mapping.create(
            {
                "backend_id": self.backend.id,
                "kind": "project",
                "external_ref": "p1",
                "project_id": self.project_a.id,
            }
        )
        self.assertEqual(mapping._get_target(), self.project_a)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Mapping.create(
                    {
                        "backend_id": self.backend.id,
                        "kind": "project",
                        "external_ref": "p1",
                        "project_id": self.project_b.id,
                    }
                )
