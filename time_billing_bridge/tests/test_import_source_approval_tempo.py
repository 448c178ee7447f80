# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A Tempo backend that bills only approved time: Tempo approves a person's
timesheet period without changing the worklogs, so each synchronisation asks
again about the worklogs still waiting."""

from datetime import date, datetime, timedelta, timezone

from odoo.tests import tagged

from .fakes import FakeQuickBooksTime, FakeTempo
from .test_import_sync_http import HttpSyncCase

UTC = timezone.utc


class TempoSyncCase(HttpSyncCase):
    fake_class = FakeTempo
    provider = "tempo"

    def setUp(self):
        super().setUp()
        self.sam = self.fake.person("sam@example.com")
        self.env["time.billing.mapping"].create(
            [
                {
                    "backend_id": self.backend.id,
                    "kind": "user",
                    "external_ref": self.sam.id,
                    "employee_id": self.employee_senior.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "client",
                    "external_ref": self.fake.projects[0].client.id,
                    "partner_id": self.client_a.id,
                },
                {
                    "backend_id": self.backend.id,
                    "kind": "task",
                    "external_ref": str(self.fake.projects[0].tasks[0].id),
                    "task_id": self.task.id,
                },
            ]
        )

    def add_worklog(self, day=date(2026, 3, 2)):
        started = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)
        return self.fake.add(_person=self.sam, _started=started, _seconds=3600)

    def approval_calls(self):
        return [r for r in self.fake.requests if "/timesheet-approvals/user/" in r.path]


@tagged("post_install", "-at_install")
class TestTempoSourceApproval(TempoSyncCase):
    def setUp(self):
        super().setUp()
        self.backend.bill_source_approved_only = True

    def test_worklog_waits_until_its_period_is_approved(self):
        record = self.add_worklog()
        self.add_worklog(date(2026, 3, 3))  # same person and period
        run = self.sync()
        entry = self.entry(record["tempoWorklogId"])
        self.assertEqual(entry.state, "exception")
        self.assertFalse(entry.timesheet_id)
        self.assertEqual(
            entry.exception_reason,
            "Not approved in Jira Tempo yet (open): imported once approved there",
        )
        self.assertEqual((run.created_count, run.error_count), (0, 2))
        # One question per person and period, for the two worklogs.
        self.assertEqual(len(self.approval_calls()), 1)
        self.assertEqual(self.approval_calls()[0].params["from"], "2026-03-02")

        # Still open: the next synchronisation asks again and leaves them.
        self.fake.reset_log()
        self.assertEqual(self.sync().created_count, 0)
        self.assertEqual(len(self.approval_calls()), 1)
        self.assertEqual(entry.state, "exception")

        # Approved in Tempo: the worklogs themselves do not change.
        updated = record["updatedAt"]
        self.fake.set_approval(self.sam.id, date(2026, 3, 2))
        self.assertEqual(self.fake.find(record["tempoWorklogId"])["updatedAt"], updated)
        self.fake.reset_log()
        run = self.sync()
        self.assertEqual(run.created_count, 2)
        self.assertEqual(entry.state, "imported", entry.exception_reason)
        self.assertEqual(entry.approval_status_at_source, "approved")
        self.assertEqual(entry.timesheet_id.unit_amount, 1.0)
        self.assertEqual(entry.timesheet_id.project_id, self.project_a)
        # Each approved worklog is read again before it is imported.
        reread = [
            r.path for r in self.fake.requests if r.path.startswith("/4/worklogs/")
        ]
        self.assertEqual(len(reread), 2)
        # Nothing waits any more: the synchronisation after asks nothing.
        self.fake.reset_log()
        self.assertEqual(self.sync().created_count, 0)
        self.assertEqual(self.approval_calls(), [])

    def test_worklog_deleted_while_waiting_is_not_imported(self):
        record = self.add_worklog()
        self.sync()
        self.fake.delete(record["tempoWorklogId"])
        self.fake.set_approval(self.sam.id, date(2026, 3, 2))
        self.assertEqual(self.sync().created_count, 0)
        entry = self.entry(record["tempoWorklogId"])
        self.assertEqual(entry.state, "exception")
        self.assertFalse(entry.timesheet_id)

    def test_rejected_period_names_its_status(self):
        record = self.add_worklog(date(2026, 4, 6))
        self.fake.set_approval(self.sam.id, date(2026, 4, 1), "REJECTED")
        self.sync()
        self.assertIn(
            "(rejected)", self.entry(record["tempoWorklogId"]).exception_reason
        )

    def test_without_the_option_no_approval_is_asked(self):
        self.backend.bill_source_approved_only = False
        record = self.add_worklog()
        self.sync()
        entry = self.entry(record["tempoWorklogId"])
        self.assertEqual(entry.state, "imported", entry.exception_reason)
        self.assertEqual(self.approval_calls(), [])
        self.assertTrue(self.backend.reports_source_approval)


@tagged("post_install", "-at_install")
class TestQuickBooksTimeSourceApproval(HttpSyncCase):
    """QuickBooks Time approves a person's time up to a date, which changes
    no timesheet: the waiting ones are read again by id."""

    fake_class = FakeQuickBooksTime
    provider = "quickbooks_time"
    source_project = "Project A"

    def test_timesheet_waits_until_its_person_is_approved_to_its_date(self):
        self.backend.bill_source_approved_only = True
        day = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
        day -= timedelta(days=3)
        record = self.fake.add(_started=day)
        self.sync()
        entry = self.entry(record["id"])
        self.assertEqual(entry.state, "exception")
        self.assertEqual(
            entry.exception_reason,
            "Not approved in QuickBooks Time yet: imported once approved there",
        )
        self.fake.approve_until(self.fake.people[0], day.date())
        self.fake.reset_log()
        run = self.sync()
        self.assertEqual(run.created_count, 1)
        self.assertEqual(entry.state, "imported", entry.exception_reason)
        (recheck,) = [
            r for r in self.fake.requests_to("/timesheets") if r.params.get("ids")
        ]
        self.assertEqual(recheck.params["ids"], str(record["id"]))
