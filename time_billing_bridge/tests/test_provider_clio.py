# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import UTC, datetime, timedelta

from odoo.tests import tagged

from ..exceptions import ProviderAuthError
from .common_providers import ProviderCase
from .fakes import FakeClio
from .test_import_sync_http import HttpSyncCase


@tagged("post_install", "-at_install")
class TestClioAdapter(ProviderCase):
    provider = "clio"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeClio())
        self.fake.build_world(users=2, projects=2, clients=2, tasks=1)

    def activity_calls(self):
        return self.fake.requests_to("/activities.json", method="GET")

    def test_cursor_pages_with_the_fields_named(self):
        records = self.fake.generate(450, seed=1)
        adapter = self.make_adapter(self.fake)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual([len(p.entries) for p in pages], [200, 200, 50])
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries),
            sorted(str(r["id"]) for r in records),
        )
        calls = self.activity_calls()
        first = calls[0]
        self.assertEqual(first.header("Authorization"), "Bearer clio-token")
        self.assertEqual(first.header("X-API-VERSION"), "4.0.9")
        self.assertEqual(
            (first.params["type"], first.params["order"], first.params["limit"]),
            ("TimeEntry", "id(asc)", "200"),
        )
        self.assertIn(
            "matter{id,display_number,description,client}", first.params["fields"]
        )
        # The next pages follow Clio's cursor, on the backend's own host.
        self.assertIn("page_token", calls[1].params)
        self.assertIn("page_token", pages[0].resume_token)
        self.assertIsNone(pages[-1].resume_token)
        # One contacts call per page with new clients, for their names.
        self.assertEqual(len(self.fake.requests_to("/contacts.json")), 1)

    def test_matter_client_user_and_hours(self):
        person, project = self.fake.people[1], self.fake.projects[1]
        record = self.fake.add(
            _person=person, _project=project, _seconds=5400, _notes="Draft motion"
        )
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        entry = entries[0]
        self.assertEqual(entry.external_id, str(record["id"]))
        self.assertEqual(entry.hours, 1.5)
        self.assertEqual(entry.description, "Draft motion")
        self.assertEqual(
            (entry.project_ref, entry.project_name, entry.project_code),
            (str(project.id), project.name, record["matter"]["display_number"]),
        )
        self.assertEqual(
            (entry.client_ref, entry.client_name),
            (str(project.client.id), project.client.name),
        )
        self.assertEqual(
            (entry.user_ref, entry.user_name, entry.user_email),
            (str(person.id), person.name, person.email),
        )
        self.assertTrue(entry.billable)
        self.assertFalse(entry.is_running or entry.is_locked)

    def test_non_billable_running_and_billed(self):
        free = self.fake.add(non_billable=True)
        running = self.fake.add(_running=True)
        billed = self.fake.add(billed=True, on_bill=True)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        by_id = {e.external_id: e for e in entries}
        self.assertIs(by_id[str(free["id"])].billable, False)
        self.assertTrue(by_id[str(running["id"])].is_running)
        self.assertTrue(by_id[str(billed["id"])].is_locked)

    def test_incremental_and_first_run_window(self):
        old = self.fake.add(_started=datetime(2026, 3, 2, 9, tzinfo=UTC))
        adapter = self.make_adapter(self.fake, options={"start_date": "2026-04-01"})
        self.assertEqual(self.collect(adapter.iter_pages())[1], [])
        self.assertEqual(self.activity_calls()[0].params["start_date"], "2026-04-01")
        since = datetime.now(UTC) - timedelta(minutes=5)
        self.fake.edit(old["id"], note="Revised")
        _pages, entries, _errors = self.collect(adapter.iter_pages(since=since))
        self.assertEqual([e.description for e in entries], ["Revised"])
        self.assertIn("updated_since", self.activity_calls()[-1].params)

    def test_hidden_hours_and_unreadable_entries_are_errors(self):
        good = self.fake.add()
        hidden = self.fake.add(quantity_redacted=True, quantity=None)
        broken = self.fake.add(date="13/05/2024")
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual([e.external_id for e in entries], [str(good["id"])])
        messages = {error.external_id: error.message for error in errors}
        self.assertIn("hidden from the token's user", messages[str(hidden["id"])])
        self.assertIn("date", messages[str(broken["id"])])

    def test_refused_token_and_rate_limit(self):
        self.fake.add()
        adapter = self.make_adapter(self.fake, api_token="old")
        with self.assertRaises(ProviderAuthError) as caught:
            adapter.check_connection()
        self.assertIn("region", str(caught.exception))
        self.fake.fail_next(429, headers={"Retry-After": "7"})
        adapter = self.make_adapter(self.fake)
        self.assertEqual(len(self.collect(adapter.iter_pages())[1]), 1)
        self.assertEqual(self.sleeps, [7.0])
        person = self.fake.people[0]
        self.assertEqual(
            adapter.check_connection(),
            f"Connected to Clio as {person.name} <{person.email}>.",
        )


@tagged("post_install", "-at_install")
class TestSyncClio(HttpSyncCase):
    fake_class = FakeClio
    provider = "clio"
    source_project = "Project A"

    def test_sync_then_incremental(self):
        self.project_a.account_id.code = False
        records = [self.fake.add(_seconds=1800 * (i + 1)) for i in range(3)]
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.created_count, run.page_count), (3, 2))
        lines = self.lines()
        self.assertEqual(lines.project_id, self.project_a)
        self.assertEqual(sorted(lines.mapped("unit_amount")), [0.5, 1.0, 1.5])
        self.fake.edit(records[0]["id"], note="Corrected")
        run = self.sync()
        self.assertEqual((run.updated_count, run.created_count), (1, 0))
        self.assertEqual(self.entry(records[0]["id"]).timesheet_id.name, "Corrected")
