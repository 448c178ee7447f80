# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Synchronisations end to end: the real adapters over HTTP against the local
fake provider servers, the real importer and database."""

import dataclasses
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from odoo import fields
from odoo.tests import tagged

from .common_import import ImportCommon
from .common_providers import LocalFakes
from .fakes import FakeHarvest, FakeToggl

FAILURE_ACTIVITY = "time_billing_bridge.mail_act_time_billing_sync_failure"
PEOPLE = [
    {"name": "Sam Senior", "email": "sam@example.com"},
    {"name": "Jo Junior", "email": "jo@example.com"},
]


class HttpSyncCase(LocalFakes, ImportCommon):
    fake_class = None
    provider = ""
    # The source's project: Harvest sends codes (matched to the analytic
    # account's code), Toggl only names.
    source_project = "Website Redesign"

    def setUp(self):
        super().setUp()
        self.fake = self.fake_class()
        self.fake.start()
        self.addCleanup(self.fake.stop)
        self.fake.build_world(
            users=PEOPLE, projects=[self.source_project], clients=["Client A"], tasks=1
        )
        # The source's project is matched by its code, its task by name.
        self.project_a.account_id.code = self.fake.projects[0].code
        self.task = self.env["project.task"].create(
            {
                "name": self.fake.projects[0].tasks[0].name,
                "project_id": self.project_a.id,
            }
        )
        self.backend.write(
            {
                "provider": self.provider,
                "api_url": self.fake.url,
                "api_token": self.fake.token,
                "account_ref": self.fake.account_id,
                # These tests count the requests of the import itself; the
                # daily deletion check is tested in test_import_deletion_check.
                "deletion_check_days": 0,
            }
        )
        # Small pages, and no waiting between retries.
        backend_class = type(self.env["time.billing.backend"])
        config = backend_class._get_adapter_config
        self.patch(
            backend_class,
            "_get_adapter_config",
            lambda backend: dataclasses.replace(
                config(backend), page_size=2, retry_backoff=0.0, max_retries=1
            ),
        )

    def lines(self):
        return self.backend.entry_ids.timesheet_id


@tagged("post_install", "-at_install")
class TestSyncHarvest(HttpSyncCase):
    fake_class = FakeHarvest
    provider = "harvest"

    def entry_requests(self):
        return self.fake.requests_to("/time_entries", method="GET")

    def test_first_sync_then_incremental_then_unchanged(self):
        self.fake.generate(5, seed=3)
        run = self.sync()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.created_count, run.page_count), (5, 3))
        requests = self.entry_requests()
        self.assertEqual(len(requests), 3)
        self.assertEqual(requests[0].params["per_page"], "2")
        self.assertNotIn("updated_since", requests[0].params)
        self.assertIn("cursor", requests[1].params)
        lines = self.lines()
        self.assertEqual(len(lines), 5)
        self.assertEqual(lines.project_id, self.project_a)
        self.assertEqual(lines.task_id, self.task)
        self.assertEqual(lines.partner_id, self.client_a)
        self.assertTrue(
            lines.employee_id <= (self.employee_senior | self.employee_junior)
        )
        self.assertEqual(self.backend.exception_count, 0)

        # Incremental: only what changed since the last run is asked for.
        self.fake.reset_log()
        second = self.sync()
        self.assertEqual(second.state, "done")
        since = self.entry_requests()[0].params["updated_since"]
        self.assertEqual(
            datetime.fromisoformat(since.replace("Z", "+00:00")),
            (run.date_start - timedelta(minutes=5)).replace(tzinfo=UTC),
        )
        self.assertEqual(second.created_count + second.updated_count, 0)

        # Reading everything again changes nothing.
        self.backend.last_sync_date = False
        with self.capture_queries() as queries:
            third = self.sync()
        self.assertEqual((third.unchanged_count, third.created_count), (5, 0))
        self.assertEqual(self.writes_to(queries, "time_billing_entry"), [])
        self.assertEqual(self.writes_to(queries, "account_analytic_line"), [])

    def test_edits_approvals_and_conflicts_at_the_source(self):
        sam = self.fake.person("sam@example.com")
        record = self.fake.add(_person=sam, _seconds=3600)
        self.sync()
        entry = self.entry(record["id"])
        line = entry.timesheet_id
        self.assertEqual(
            (line.unit_amount, line.employee_id), (1.0, self.employee_senior)
        )

        self.fake.edit(record["id"], hours=2.5, notes="Longer workshop")
        run = self.sync()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual((line.unit_amount, line.name), (2.5, "Longer workshop"))

        # Approved and locked in Harvest: the entry follows, the line is the same.
        self.fake.approve(record["id"])
        run = self.sync()
        self.assertEqual(run.updated_count, 1)
        self.assertEqual(entry.state, "imported")
        self.assertTrue(entry.locked_at_source)
        self.assertEqual(entry.approval_status_at_source, "approved")

        # Approved in Odoo, then changed in Harvest: a conflict.
        self._set_billing_state(line, "approved")
        self.fake.edit(record["id"], hours=4.0)
        run = self.sync()
        self.assertEqual((run.error_count, run.updated_count), (1, 0))
        self.assertEqual(entry.state, "conflict")
        self.assertEqual((entry.pending_hours, line.unit_amount), (4.0, 2.5))

    def test_running_timer_is_imported_once_stopped(self):
        record = self.fake.add(_running=True, _seconds=1800)
        run = self.sync()
        entry = self.entry(record["id"])
        self.assertEqual(entry.state, "exception")
        self.assertIn("Timer still running", run.message)
        self.fake.edit(
            record["id"], is_running=False, timer_started_at=None, hours=1.25
        )
        self.sync()
        self.assertEqual(entry.state, "imported")
        self.assertEqual(entry.timesheet_id.unit_amount, 1.25)

    def test_interrupted_sync_resumes_from_the_next_page(self):
        self.fake.generate(5, seed=4)
        backend_class = type(self.env["time.billing.backend"])
        process_page = backend_class._process_page
        fake = self.fake

        def process_then_break_the_provider(backend, page, run):
            counts = process_page(backend, page, run)
            fake.fail_next(503, times=10)
            return counts

        self.patch(backend_class, "_process_page", process_then_break_the_provider)
        first = self.sync()
        self.assertEqual(first.state, "partial")
        self.assertEqual((first.page_count, first.created_count), (1, 2))
        self.assertIn("503", first.message)
        token = self.backend.sync_resume_token
        self.assertIn("cursor=", token)
        self.assertFalse(self.backend.last_sync_date)

        self.patch(backend_class, "_process_page", process_page)
        self.fake.clear_faults()
        self.fake.reset_log()
        second = self.sync()
        self.assertEqual(second.state, "done")
        # The first request continued from the committed page's next link.
        first_request = self.entry_requests()[0]
        self.assertEqual(
            first_request.params["cursor"],
            parse_qs(urlsplit(token).query)["cursor"][0],
        )
        self.assertEqual((second.created_count, second.unchanged_count), (3, 0))
        self.assertEqual(len(self.lines()), 5)
        self.assertEqual(self.backend.last_sync_date, first.date_start)

    def test_refused_token_fails_with_one_activity(self):
        self.fake.generate(2, seed=5)
        self.backend.api_token = "expired-token"
        first = self.sync()
        second = self.sync()
        self.assertEqual((first.state, second.state), ("failed", "failed"))
        self.assertIn("Harvest refused the access token", second.message)
        self.assertIn("Check the API token", second.message)
        activities = self.backend.activity_search([FAILURE_ACTIVITY])
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.billing_manager)
        self.backend.api_token = self.fake.token
        third = self.sync()
        self.assertEqual((third.state, third.created_count), ("done", 2))
        self.assertFalse(self.backend.activity_search([FAILURE_ACTIVITY]))
        self.assertFalse(self.backend.last_error)

    def test_check_connection(self):
        action = self.backend.action_check_connection()
        self.assertIn(
            "Connected to Harvest account 123456 (Bridge Consulting Ltd)",
            action["params"]["message"],
        )
        user_agent = self.fake.requests[-1].header("User-Agent")
        self.assertTrue(user_agent.startswith("Odoo time_billing_bridge"))


@tagged("post_install", "-at_install")
class TestSyncToggl(HttpSyncCase):
    fake_class = FakeToggl
    provider = "toggl"
    source_project = "Project A"

    def recent(self, days_ago, **values):
        started = datetime.now(UTC).replace(
            hour=9, minute=0, second=0, microsecond=0
        ) - timedelta(days=days_ago)
        return self.fake.add(_person=self.fake.owner, _started=started, **values)

    def test_entries_store_when_the_work_started_and_stopped(self):
        record = self.recent(3)
        self.assertEqual(self.sync().created_count, 1)
        entry = self.entry(record["id"])
        start = datetime.fromisoformat(entry.source_start)
        end = datetime.fromisoformat(entry.source_end)
        # The report's moments, with the report owner's offset kept.
        self.assertIsNotNone(start.utcoffset())
        self.assertEqual(start, datetime.fromisoformat(record["start"]))
        self.assertEqual(end, datetime.fromisoformat(record["stop"]))

    def test_quota_pauses_the_sync(self):
        self.recent(3)
        self.fake.quota_exceeded(resets_in=1800)
        before = fields.Datetime.now()
        run = self.sync()
        self.assertEqual(run.state, "partial")
        self.assertIn("Paused until", run.message)
        self.assertIn("quota", run.message)
        self.assertFalse(self.backend.last_error)
        wait = self.backend.next_sync_date - before
        self.assertTrue(timedelta(minutes=29) < wait < timedelta(minutes=32))
        self.fake.clear_faults()
        self.backend.next_sync_date = False
        again = self.sync()
        self.assertEqual((again.state, again.created_count), ("done", 1))

    def test_deletions_at_the_source_remove_the_lines(self):
        kept, deleted = self.recent(3), self.recent(2)
        run = self.sync()
        self.assertEqual(run.created_count, 2)
        line = self.entry(deleted["id"]).timesheet_id
        self.assertTrue(line)
        self.fake.delete(deleted["id"])
        run = self.sync()
        self.assertEqual(run.deleted_count, 1)
        self.assertEqual(self.entry(deleted["id"]).state, "deleted")
        self.assertFalse(line.exists())
        self.assertEqual(self.entry(kept["id"]).state, "imported")
