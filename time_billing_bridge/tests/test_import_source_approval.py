# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A backend that bills only time approved at the source: against the fake
Harvest, whose timesheet approval the entries carry."""

import base64

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import TimeBillingCommon
from .fakes import FakeHarvest
from .test_import_sync_http import HttpSyncCase


@tagged("post_install", "-at_install")
class TestSourceApproval(HttpSyncCase):
    fake_class = FakeHarvest
    provider = "harvest"

    def setUp(self):
        super().setUp()
        self.backend.bill_source_approved_only = True
        self.sam = self.fake.person("sam@example.com")

    def test_unapproved_time_waits_until_approved_at_the_source(self):
        record = self.fake.add(_person=self.sam, _seconds=3600)
        run = self.sync()
        entry = self.entry(record["id"])
        self.assertEqual(entry.state, "exception")
        self.assertFalse(entry.timesheet_id)
        self.assertEqual(
            entry.exception_reason,
            "Not approved in Harvest yet (unsubmitted): imported once approved there",
        )
        self.assertFalse(entry.match_issues)
        self.assertEqual((run.created_count, run.error_count), (0, 1))
        # The next synchronisation leaves it waiting.
        self.assertEqual(self.sync().created_count, 0)
        self.assertEqual(entry.state, "exception")

        self.fake.approve(record["id"])
        run = self.sync()
        self.assertEqual(run.created_count, 1)
        self.assertEqual(entry.state, "imported")
        self.assertEqual(entry.timesheet_id.unit_amount, 1.0)

    def test_approval_withdrawn_at_the_source(self):
        record = self.fake.add(_person=self.sam, _seconds=3600)
        self.fake.approve(record["id"], locked=False)
        self.sync()
        entry = self.entry(record["id"])
        line = entry.timesheet_id
        self.assertTrue(line)
        # Reopened in Harvest while the line is still open: the line leaves.
        self.fake.edit(record["id"], approval_status="submitted", is_closed=False)
        self.sync()
        self.assertEqual(entry.state, "exception")
        self.assertIn("(submitted)", entry.exception_reason)
        self.assertFalse(line.exists())
        # Approved again, then approved in Odoo, then reopened in Harvest:
        # the approved line stays and the change waits for a person.
        self.fake.approve(record["id"], locked=False)
        self.sync()
        line = entry.timesheet_id
        self._set_billing_state(line, "approved")
        self.fake.edit(record["id"], approval_status="submitted", is_closed=False)
        self.sync()
        self.assertEqual((entry.state, entry.conflict_type), ("conflict", "update"))
        self.assertTrue(line.exists())

    def test_off_by_default_and_only_for_sources_that_report_approval(self):
        record = self.fake.add(_person=self.sam, _seconds=1800)
        self.backend.bill_source_approved_only = False
        self.sync()
        self.assertEqual(self.entry(record["id"]).state, "imported")
        toggl = self.env["time.billing.backend"].create(
            {"name": "Toggl", "provider": "toggl", "account_ref": "1"}
        )
        self.assertFalse(toggl.reports_source_approval)
        with self.assertRaisesRegex(ValidationError, "Toggl Track does not say"):
            toggl.bill_source_approved_only = True
        self.assertTrue(self.backend.reports_source_approval)


@tagged("post_install", "-at_install")
class TestSourceApprovalInFiles(TimeBillingCommon):
    def test_rows_without_the_approved_mark_wait(self):
        backend = self.env["time.billing.backend"].create(
            {
                "name": "Approved sheets",
                "provider": "csv",
                "bill_source_approved_only": True,
            }
        )
        content = (
            b"Date,Email,Project,Hours,Description,Approved\n"
            b"2026-03-02,sam@example.com,Project A,2,Review,Yes\n"
            b"2026-03-03,sam@example.com,Project A,3,Draft,No\n"
        )
        wizard = (
            self.env["time.billing.import.file"]
            .with_context(default_backend_id=backend.id)
            .create({"file": base64.b64encode(content), "filename": "week.csv"})
        )
        wizard.action_read_file()
        wizard.action_import()
        self.assertEqual((wizard.created_count, wizard.error_count), (1, 1))
        waiting = wizard.exception_entry_ids
        self.assertEqual(waiting.line_number, 3)
        self.assertEqual(
            waiting.exception_reason,
            "Not approved in the file yet: imported once approved there",
        )
