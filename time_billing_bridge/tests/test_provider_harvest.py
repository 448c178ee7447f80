# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime, timezone

from odoo.tests import tagged

from ..exceptions import ProviderError
from ..providers import get_adapter_class
from ..providers.harvest import HarvestAdapter, _to_entry
from .common_providers import ProviderCase
from .fakes import FakeHarvest

UTC = timezone.utc


@tagged("post_install", "-at_install")
class TestHarvestAdapter(ProviderCase):
    provider = "harvest"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeHarvest())

    def test_registered(self):
        self.assertIs(get_adapter_class("harvest"), HarvestAdapter)

    def test_pages_of_2000_to_the_end(self):
        records = self.fake.generate(5000, users=5, projects=6, seed=1)
        adapter = self.make_adapter(self.fake)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual([len(page.entries) for page in pages], [2000, 2000, 1000])
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries),
            sorted(str(r["id"]) for r in records),
        )
        calls = self.fake.requests_to("/time_entries")
        self.assertEqual(len(calls), 3)
        self.assertEqual(calls[0].params, {"per_page": "2000"})
        # The following pages follow links.next: its cursor, not page numbers.
        self.assertIn("cursor", calls[1].params)
        self.assertNotIn("page", calls[1].params)
        # Every page tells where to continue; the last one says it is the end.
        self.assertTrue(all(page.resume_token for page in pages[:-1]))
        self.assertIsNone(pages[-1].resume_token)
        # Harvest, User-Agent and account headers on every call.
        for call in calls:
            self.assertEqual(call.header("Harvest-Account-Id"), "123456")
            self.assertEqual(call.header("Authorization"), "Bearer harvest-token")
            self.assertEqual(
                call.header("User-Agent"),
                "Odoo time_billing_bridge "
                "(https://github.com/time-billing-bridge/time_billing_bridge)",
            )

    def test_page_size_from_config(self):
        self.fake.generate(25, seed=2)
        adapter = self.make_adapter(self.fake, page_size=10)
        pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual([len(p.entries) for p in pages], [10, 10, 5])
        self.assertEqual(
            self.fake.requests_to("/time_entries")[0].params["per_page"], "10"
        )
        # Never more than Harvest's maximum.
        adapter = self.make_adapter(self.fake, page_size=5000)
        list(adapter.iter_pages())
        self.assertEqual(
            self.fake.requests_to("/time_entries")[-1].params["per_page"], "2000"
        )

    def test_resume_from_token(self):
        records = self.fake.generate(450, seed=3)
        adapter = self.make_adapter(self.fake, page_size=200)
        pages = adapter.iter_pages()
        first = next(pages)
        pages.close()  # the run stops after committing the first page
        self.assertEqual(len(first.entries), 200)
        self.fake.reset_log()
        resumed = self.make_adapter(self.fake, page_size=200)
        rest_pages, rest, _errors = self.collect(
            resumed.iter_pages(resume_token=first.resume_token)
        )
        self.assertEqual(len(rest_pages), 2)
        seen = [e.external_id for e in first.entries + rest]
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(sorted(seen), sorted(str(r["id"]) for r in records))
        # The first page is not asked again.
        calls = self.fake.requests_to("/time_entries")
        self.assertEqual(len(calls), 2)
        self.assertTrue(all("cursor" in c.params for c in calls))

    def test_resume_token_stays_on_the_configured_host(self):
        self.fake.generate(5, seed=4)
        adapter = self.make_adapter(self.fake)
        token = "https://api.harvestapp.com/v2/time_entries?cursor=abc&per_page=2000"
        with self.assertRaisesRegex(ProviderError, "cursor is invalid"):
            list(adapter.iter_pages(resume_token=token))
        call = self.fake.requests_to("/time_entries")[-1]
        # Only the query of the link was kept: the call went to the fake.
        self.assertEqual(call.params["cursor"], "abc")

    def test_incremental_updated_since(self):
        records = self.fake.generate(300, seed=5)
        adapter = self.make_adapter(self.fake)
        self.collect(adapter.iter_pages())
        self.fake.clock = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)
        self.fake.edit(records[10]["id"], hours=7.5, notes="Edited at the source")
        self.fake.edit(records[20]["id"], billable=False)
        since = datetime(2027, 1, 4, 9, 0)  # naive UTC, as the ORM stores it
        _pages, entries, _errors = self.collect(adapter.iter_pages(since=since))
        self.assertEqual(
            {e.external_id for e in entries},
            {str(records[10]["id"]), str(records[20]["id"])},
        )
        edited = next(e for e in entries if e.external_id == str(records[10]["id"]))
        self.assertEqual(edited.hours, 7.5)
        self.assertEqual(edited.description, "Edited at the source")
        self.assertEqual(edited.updated_at, datetime(2027, 1, 4, 10, 0))
        call = self.fake.requests_to("/time_entries")[-1]
        self.assertEqual(call.params["updated_since"], "2027-01-04T09:00:00Z")

    def test_aware_since_is_sent_in_utc(self):
        self.fake.generate(3, seed=6)
        adapter = self.make_adapter(self.fake)
        since = datetime.fromisoformat("2026-03-02T10:00:00+01:00")
        list(adapter.iter_pages(since=since))
        call = self.fake.requests_to("/time_entries")[-1]
        self.assertEqual(call.params["updated_since"], "2026-03-02T09:00:00Z")

    def test_first_run_start_date_option(self):
        records = self.fake.generate(40, seed=7, days=6)
        adapter = self.make_adapter(self.fake, options={"start_date": "2026-01-07"})
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        later = [r for r in records if r["spent_date"] >= "2026-01-07"]
        self.assertTrue(0 < len(later) < len(records))
        self.assertEqual(len(entries), len(later))
        self.assertTrue(all(e.date >= date(2026, 1, 7) for e in entries))
        call = self.fake.requests_to("/time_entries")[-1]
        self.assertEqual(call.params["from"], "2026-01-07")

    def test_mapping(self):
        self.fake.build_world(users=2, projects=2)
        person, project = self.fake.people[1], self.fake.projects[1]
        record = self.fake.add(
            _person=person,
            _project=project,
            _seconds=5400,
            _notes="Client workshop",
            spent_date="2026-03-02",
            updated_at="2026-03-02T17:45:10Z",
        )
        self.fake.approve(record["id"])
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        (entry,) = entries
        self.assertEqual(entry.external_id, str(record["id"]))
        self.assertEqual(entry.date, date(2026, 3, 2))
        self.assertEqual(entry.hours, 1.5)
        self.assertEqual(entry.description, "Client workshop")
        self.assertEqual(entry.user_ref, str(person.id))
        self.assertEqual(entry.user_name, person.name)
        self.assertEqual(entry.user_email, person.email)
        self.assertEqual(entry.project_ref, str(project.id))
        self.assertEqual(entry.project_name, project.name)
        self.assertEqual(entry.project_code, project.code)
        self.assertEqual(entry.task_ref, str(project.tasks[0].id))
        self.assertEqual(entry.task_name, project.tasks[0].name)
        self.assertEqual(entry.client_ref, str(project.client.id))
        self.assertEqual(entry.client_name, project.client.name)
        self.assertIs(entry.billable, True)
        self.assertFalse(entry.is_running)
        self.assertTrue(entry.is_locked)
        self.assertEqual(entry.approval_status, "approved")
        # approve() edited the entry: updated_at is the fake's "now", naive UTC.
        self.assertIsNone(entry.updated_at.tzinfo)
        self.assertEqual(entry.raw, self.fake.find(record["id"]))

    def test_emails_need_a_manager_token(self):
        """A member's token cannot list users: entries still import."""
        self.fake.generate(10, seed=8)
        self.fake.users_forbidden = True
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(entries), 10)
        self.assertEqual(errors, [])
        self.assertTrue(all(e.user_email == "" and e.user_name for e in entries))
        # The users were asked once for the whole run.
        self.assertEqual(len(self.fake.requests_to("/users")), 1)

    def test_running_timer_flagged(self):
        self.fake.generate(5, seed=9, running=2)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual(sum(e.is_running for e in entries), 2)

    def test_broken_record_does_not_lose_the_page(self):
        self.fake.generate(20, seed=10)
        broken_hours = self.fake.add_broken("hours")
        broken_date = self.fake.add_broken("spent_date")
        self.fake.add_broken("id")
        adapter = self.make_adapter(self.fake)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(pages), 1)
        self.assertEqual(len(entries), 20)
        self.assertEqual(len(errors), 3)
        by_id = {error.external_id: error for error in errors}
        self.assertIn(
            "'two and a half' is not a number", by_id[str(broken_hours["id"])].message
        )
        self.assertIn(
            "spent_date '31/02/2026' is not a date",
            by_id[str(broken_date["id"])].message,
        )
        self.assertIn("missing id", by_id[""].message)
        self.assertEqual(by_id[str(broken_hours["id"])].raw, broken_hours)

    def test_user_agent_with_contact_is_kept(self):
        self.fake.generate(1, seed=11)
        agent = "Acme Odoo (billing@acme.example)"
        adapter = self.make_adapter(self.fake, user_agent=agent)
        list(adapter.iter_pages())
        self.assertEqual(self.fake.requests[-1].header("User-Agent"), agent)

    def test_check_connection(self):
        self.fake.build_world()
        adapter = self.make_adapter(self.fake)
        owner = self.fake.people[0]
        self.assertEqual(
            adapter.check_connection(),
            f"Connected to Harvest account 123456 (Bridge Consulting Ltd) as "
            f"{owner.name} <{owner.email}>.",
        )

    def test_to_entry_is_pure(self):
        record = {
            "id": 1,
            "spent_date": "2026-02-27",
            "hours": 2,
            "notes": None,
            "user": {"id": 5, "name": "Kim"},
            "client": None,
            "project": {"id": 9, "name": "Site"},
            "task": None,
            "is_closed": True,
            "billable": False,
            "updated_at": "2026-02-27T23:30:00Z",
        }
        entry = _to_entry(record, {"5": "kim@example.com"})
        self.assertEqual(entry.hours, 2.0)
        self.assertEqual(entry.description, "")
        self.assertEqual(entry.client_ref, "")
        self.assertEqual(entry.project_code, "")
        self.assertEqual(entry.user_email, "kim@example.com")
        # is_closed (deprecated) still reads as approved.
        self.assertEqual(entry.approval_status, "approved")
        self.assertIs(entry.billable, False)
        self.assertEqual(entry.updated_at, datetime(2026, 2, 27, 23, 30))
        # Without start/end tracking, only a duration.
        self.assertIsNone(entry.start)
        self.assertIsNone(entry.end)

    def test_start_and_end_tracking_gives_local_times(self):
        record = {
            "id": 2,
            "spent_date": "2026-03-02",
            "hours": 4.5,
            "started_time": "8:00am",
            "ended_time": "12:30pm",
        }
        entry = _to_entry(record)
        # Local clock times of the spent date: naive, the person's time.
        self.assertEqual(entry.start, datetime(2026, 3, 2, 8, 0))
        self.assertEqual(entry.end, datetime(2026, 3, 2, 12, 30))
        # Past midnight, the end is on the next day.
        late = _to_entry({**record, "started_time": "11:00pm", "ended_time": "1:00am"})
        self.assertEqual(
            (late.start, late.end),
            (datetime(2026, 3, 2, 23, 0), datetime(2026, 3, 3, 1, 0)),
        )
        # A running timer has no end; an unreadable time gives no interval.
        for started, ended in (("9:00am", None), ("9:00am", "13:00pm")):
            entry = _to_entry({**record, "started_time": started, "ended_time": ended})
            self.assertIsNone(entry.start)
            self.assertIsNone(entry.end)
