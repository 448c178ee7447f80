# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import UTC, date, datetime, timedelta

from odoo.tests import tagged

from ..exceptions import ProviderAuthError
from .common_providers import ProviderCase
from .fakes import FakeQuickBooksTime
from .test_import_sync_http import HttpSyncCase


@tagged("post_install", "-at_install")
class TestQuickBooksTimeAdapter(ProviderCase):
    provider = "quickbooks_time"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeQuickBooksTime())
        self.fake.build_world(users=2, projects=2, clients=1, tasks=2)

    def timesheet_calls(self):
        return self.fake.requests_to("/timesheets", method="GET")

    def test_pages_while_more_with_the_run_start_fixed(self):
        records = self.fake.generate(450, seed=1)
        adapter = self.make_adapter(self.fake)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual([len(p.entries) for p in pages], [200, 200, 50])
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries),
            sorted(str(r["id"]) for r in records),
        )
        calls = self.timesheet_calls()
        self.assertEqual([c.params["page"] for c in calls], ["1", "2", "3"])
        first = calls[0]
        self.assertEqual(first.header("Authorization"), "Bearer qbt-token")
        self.assertEqual(first.params["limit"], "200")
        self.assertEqual(first.params["on_the_clock"], "both")
        self.assertEqual(first.params["jobcode_type"], "regular")
        self.assertEqual(first.params["modified_since"], "2000-01-01T00:00:00+00:00")
        # The same upper bound on every page, so that pages do not shift.
        self.assertEqual(
            {c.params["modified_before"] for c in calls},
            {first.params["modified_before"]},
        )
        self.assertIsNone(pages[-1].resume_token)
        # The jobcode tree is read once for the whole run.
        self.assertEqual(len(self.fake.requests_to("/jobcodes")), 1)

    def test_resume_continues_with_the_same_filters(self):
        self.fake.generate(450, seed=2)
        adapter = self.make_adapter(self.fake)
        pages = adapter.iter_pages()
        first = next(pages)
        pages.close()
        self.fake.reset_log()
        resumed = self.make_adapter(self.fake)
        rest = list(resumed.iter_pages(resume_token=first.resume_token))
        self.assertEqual([len(p.entries) for p in rest], [200, 50])
        calls = self.timesheet_calls()
        self.assertEqual(calls[0].params["page"], "2")
        before = json.loads(first.resume_token)["params"]["modified_before"]
        self.assertEqual(calls[0].params["modified_before"], before)

    def test_incremental_asks_for_what_changed(self):
        old = self.fake.add(_seconds=1800)
        adapter = self.make_adapter(self.fake)
        since = datetime.now(UTC) - timedelta(minutes=5)
        self.fake.edit(old["id"], notes="changed")
        fresh = self.fake.add(_seconds=900)
        fresh["last_modified"] = "2020-01-01T00:00:00+00:00"  # not changed since
        _pages, entries, _errors = self.collect(adapter.iter_pages(since=since))
        self.assertEqual([e.external_id for e in entries], [str(old["id"])])
        self.assertEqual(
            datetime.fromisoformat(self.timesheet_calls()[0].params["modified_since"]),
            since.replace(microsecond=0),
        )

    def test_first_run_from_the_start_date(self):
        self.fake.add(_started=datetime(2026, 3, 2, 9, tzinfo=UTC))
        recent = self.fake.add(_started=datetime(2026, 5, 4, 9, tzinfo=UTC))
        adapter = self.make_adapter(self.fake, options={"start_date": "2026-04-01"})
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual([e.external_id for e in entries], [str(recent["id"])])
        params = self.timesheet_calls()[0].params
        self.assertEqual(params["start_date"], "2026-04-01")
        self.assertNotIn("modified_since", params)

    def test_jobcode_tree_gives_client_project_and_task(self):
        person = self.fake.people[1]
        project = self.fake.projects[0]
        task = project.tasks[1]
        record = self.fake.add(
            _person=person,
            _project=project,
            _started=datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
            _seconds=5400,
            _notes="Drafted the memo",
        )
        record["jobcode_id"] = task.id
        on_project = self.fake.add(_project=project)
        on_project["jobcode_id"] = project.id
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(errors, [])
        by_id = {e.external_id: e for e in entries}
        entry = by_id[str(record["id"])]
        self.assertEqual((entry.task_ref, entry.task_name), (str(task.id), task.name))
        self.assertEqual(
            (entry.project_ref, entry.project_name), (str(project.id), project.name)
        )
        self.assertEqual(entry.client_name, project.client.name)
        self.assertEqual(entry.hours, 1.5)
        self.assertEqual(entry.description, "Drafted the memo")
        self.assertEqual(
            (entry.user_ref, entry.user_email), (str(person.id), person.email)
        )
        self.assertEqual(entry.user_name, person.name)
        self.assertTrue(entry.billable)
        # Dated and timed in the person's zone, the offset kept.
        self.assertEqual(entry.start, datetime.fromisoformat(record["start"]))
        self.assertEqual(entry.end - entry.start, timedelta(seconds=5400))
        self.assertEqual(entry.date, entry.start.date())
        self.assertIsNone(entry.updated_at.tzinfo)
        # On a jobcode with children of its own: the jobcode is the
        # project, there is no task.
        flat = by_id[str(on_project["id"])]
        self.assertEqual(
            (flat.project_ref, flat.task_ref, flat.client_name),
            (str(project.id), "", project.client.name),
        )

    def test_running_timesheets_wait_until_clocked_out(self):
        running = self.fake.add(_running=True)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertTrue(entries[0].is_running)
        self.assertEqual(entries[0].hours, 0.0)
        self.fake.stop_timer(running["id"], 2700)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertFalse(entries[0].is_running)
        self.assertEqual(entries[0].hours, 0.75)

    def test_approval_comes_from_the_persons_approved_dates(self):
        person = self.fake.people[0]
        early = self.fake.add(_started=datetime(2026, 3, 2, 9, tzinfo=UTC))
        middle = self.fake.add(_started=datetime(2026, 3, 9, 9, tzinfo=UTC))
        late = self.fake.add(_started=datetime(2026, 3, 16, 9, tzinfo=UTC))
        late["locked"] = 1
        self.fake.approve_until(person, date(2026, 3, 6), submitted=date(2026, 3, 13))
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        status = {e.external_id: (e.approval_status, e.is_locked) for e in entries}
        self.assertEqual(
            status,
            {
                str(early["id"]): ("approved", False),
                str(middle["id"]): ("submitted", False),
                str(late["id"]): ("", True),
            },
        )

    def test_deletions_come_from_their_own_endpoint(self):
        kept, gone = self.fake.add(), self.fake.add()
        adapter = self.make_adapter(self.fake)
        self.assertEqual(list(adapter.iter_deleted(since=None)), [])
        since = datetime.now(UTC) - timedelta(minutes=5)
        self.fake.delete(gone["id"])
        self.assertEqual(list(adapter.iter_deleted(since=since)), [str(gone["id"])])
        call = self.fake.requests_to("/timesheets_deleted")[-1]
        self.assertIn("modified_since", call.params)
        self.assertNotEqual(kept["id"], gone["id"])

    def test_unreadable_timesheet_is_an_error_not_a_crash(self):
        good = self.fake.add()
        bad = self.fake.add()
        bad["duration"] = "1h"
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual([e.external_id for e in entries], [str(good["id"])])
        self.assertEqual(errors[0].external_id, str(bad["id"]))
        self.assertIn("duration", errors[0].message)

    def test_refused_token_and_rate_limit(self):
        self.fake.add()
        adapter = self.make_adapter(self.fake, api_token="expired")
        with self.assertRaises(ProviderAuthError) as caught:
            adapter.check_connection()
        self.assertIn("may have expired", str(caught.exception))
        self.fake.fail_next(429, times=2)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(entries), 1)
        self.assertEqual(len(self.sleeps), 2)

    def test_check_connection_names_the_user(self):
        adapter = self.make_adapter(self.fake)
        person = self.fake.people[0]
        self.assertEqual(
            adapter.check_connection(),
            f"Connected to QuickBooks Time as {person.name} <{person.email}>.",
        )


@tagged("post_install", "-at_install")
class TestSyncQuickBooksTime(HttpSyncCase):
    fake_class = FakeQuickBooksTime
    provider = "quickbooks_time"
    source_project = "Project A"

    def recent(self, days_ago, **values):
        started = datetime.now(UTC).replace(
            hour=9, minute=0, second=0, microsecond=0
        ) - timedelta(days=days_ago)
        return self.fake.add(_started=started, **values)

    def test_sync_then_deletions_at_the_source(self):
        kept, deleted = self.recent(3), self.recent(2)
        running = self.recent(1, _running=True)
        run = self.sync()
        # The running timer waits as an exception: partially done.
        self.assertEqual(run.state, "partial", run.message)
        self.assertEqual(run.created_count, 2)
        line = self.entry(deleted["id"]).timesheet_id
        self.assertEqual(line.project_id, self.project_a)
        self.assertEqual(line.task_id, self.task)
        self.assertEqual(self.entry(running["id"]).state, "exception")
        self.fake.delete(deleted["id"])
        self.fake.stop_timer(running["id"], 3600)
        run = self.sync()
        # The clocked-out timesheet gets its line now.
        self.assertEqual((run.deleted_count, run.created_count), (1, 1))
        self.assertEqual(self.entry(deleted["id"]).state, "deleted")
        self.assertFalse(line.exists())
        self.assertEqual(self.entry(kept["id"]).state, "imported")
        self.assertEqual(self.entry(running["id"]).timesheet_id.unit_amount, 1.0)
