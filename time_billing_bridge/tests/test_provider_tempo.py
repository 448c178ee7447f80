# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from datetime import date, datetime, timezone

from odoo.tests import tagged

from ..exceptions import ProviderAuthError
from ..providers.tempo import _to_entry
from .common_providers import ProviderCase
from .fakes import FakeTempo

UTC = timezone.utc


@tagged("post_install", "-at_install")
class TestTempoAdapter(ProviderCase):
    provider = "tempo"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeTempo())

    def worklog_calls(self):
        return self.fake.requests_to("/4/worklogs")

    def test_offset_pages_to_the_end(self):
        records = self.fake.generate(2300, seed=1)
        adapter = self.make_adapter(self.fake)
        pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual([len(p.entries) for p in pages], [1000, 1000, 300])
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries),
            sorted(str(r["tempoWorklogId"]) for r in records),
        )
        calls = self.worklog_calls()
        self.assertEqual(
            [(c.params["offset"], c.params["limit"]) for c in calls],
            [("0", "1000"), ("1000", "1000"), ("2000", "1000")],
        )
        self.assertEqual(calls[0].header("Authorization"), "Bearer tempo-token")
        self.assertIsNone(pages[-1].resume_token)
        self.assertIn("offset=1000", pages[0].resume_token)

    def test_limit_is_capped_at_5000(self):
        self.fake.generate(10, seed=2)
        adapter = self.make_adapter(self.fake, page_size=20000)
        list(adapter.iter_pages())
        self.assertEqual(self.worklog_calls()[0].params["limit"], "5000")

    def test_resume_from_token(self):
        records = self.fake.generate(250, seed=3)
        adapter = self.make_adapter(self.fake, page_size=100)
        pages = adapter.iter_pages()
        first = next(pages)
        pages.close()
        self.fake.reset_log()
        resumed = self.make_adapter(self.fake, page_size=100)
        _pages, rest, _errors = self.collect(
            resumed.iter_pages(resume_token=first.resume_token)
        )
        ids = [e.external_id for e in first.entries + rest]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), len(records))
        self.assertEqual(self.worklog_calls()[0].params["offset"], "100")

    def test_incremental_updated_from(self):
        records = self.fake.generate(60, seed=4)
        self.fake.clock = datetime(2027, 2, 1, 8, 30, tzinfo=UTC)
        self.fake.edit(records[3]["tempoWorklogId"], timeSpentSeconds=9000)
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(
            adapter.iter_pages(since=datetime(2027, 2, 1, 8, 0))
        )
        (entry,) = entries
        self.assertEqual(entry.external_id, str(records[3]["tempoWorklogId"]))
        self.assertEqual(entry.hours, 2.5)
        self.assertEqual(entry.updated_at, datetime(2027, 2, 1, 8, 30))
        call = self.worklog_calls()[-1]
        self.assertEqual(call.params["updatedFrom"], "2027-02-01T08:00:00Z")
        self.assertNotIn("from", call.params)

    def test_mapping(self):
        self.fake.build_world(users=3, projects=2)
        tokyo = next(p for p in self.fake.people if p.timezone == "Asia/Tokyo")
        project = self.fake.projects[1]
        record = self.fake.add(
            _person=tokyo,
            _project=project,
            _started=datetime(2026, 3, 2, 20, 0, tzinfo=UTC),
            _seconds=4500,
        )
        adapter = self.make_adapter(self.fake)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        (entry,) = entries
        # Tempo's startDate is the worker's own date: 05:00 on the 3rd in Tokyo.
        self.assertEqual(record["startDate"], "2026-03-03")
        self.assertEqual(entry.date, date(2026, 3, 3))
        self.assertEqual(entry.hours, 1.25)
        self.assertEqual(entry.user_ref, tokyo.id)
        self.assertEqual(entry.task_ref, str(project.tasks[0].id))
        self.assertEqual(entry.task_name, "")  # v4 sends no issue key
        self.assertEqual(entry.client_ref, project.client.id)
        self.assertIs(entry.billable, True)
        self.assertEqual(entry.raw, record)
        # startDateTimeUtc plus the time spent, in UTC.
        self.assertEqual(entry.start, datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
        self.assertEqual(entry.end, datetime(2026, 3, 2, 21, 15, tzinfo=UTC))

    def test_issue_key_and_billable_seconds(self):
        record = {
            "tempoWorklogId": 1,
            "issue": {"id": 10042, "key": "OPS-7"},
            "timeSpentSeconds": 1800,
            "billableSeconds": 0,
            "startDate": "2026-03-02",
            "author": {"accountId": "abc", "displayName": "Kim"},
            "updatedAt": "2026-03-02T10:00:00Z",
        }
        entry = _to_entry(record)
        self.assertEqual((entry.task_ref, entry.task_name), ("10042", "OPS-7"))
        self.assertIs(entry.billable, False)
        self.assertEqual(entry.user_name, "Kim")
        self.assertEqual(entry.client_ref, "")
        with self.assertRaisesRegex(ValueError, "issue.id"):
            _to_entry({**record, "issue": None})
        # A date and a duration only: no interval.
        self.assertEqual((entry.start, entry.end), (None, None))

    def test_interval_from_utc_or_local_start(self):
        record = {
            "tempoWorklogId": 2,
            "issue": {"id": 10042},
            "timeSpentSeconds": 5400,
            "startDate": "2026-03-02",
            "startTime": "15:00:00",
            "startDateTimeUtc": "2026-03-02T14:00:00Z",
        }
        entry = _to_entry(record)
        self.assertEqual(entry.start, datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
        self.assertEqual(entry.end, datetime(2026, 3, 2, 15, 30, tzinfo=UTC))
        # Without the UTC start: the worker's local time, naive.
        del record["startDateTimeUtc"]
        entry = _to_entry(record)
        self.assertEqual(
            (entry.start, entry.end),
            (datetime(2026, 3, 2, 15, 0), datetime(2026, 3, 2, 16, 30)),
        )
        # No time spent: no interval (and no error).
        entry = _to_entry({**record, "timeSpentSeconds": 0})
        self.assertEqual((entry.start, entry.end), (None, None))

    def test_broken_worklog_does_not_lose_the_page(self):
        self.fake.generate(15, seed=5)
        broken = self.fake.add_broken()
        adapter = self.make_adapter(self.fake)
        _pages, entries, errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(entries), 15)
        (error,) = errors
        self.assertEqual(error.external_id, str(broken["tempoWorklogId"]))
        self.assertIn("timeSpentSeconds '1h' is not a number of seconds", error.message)

    def test_auth_error_and_connection(self):
        adapter = self.make_adapter(self.fake, api_token="wrong-tempo-token")
        with self.assertRaises(ProviderAuthError) as caught:
            adapter.check_connection()
        self.assertIn("Tempo refused the API token", str(caught.exception))
        self.assertIn("Bearer token is invalid or expired", str(caught.exception))
        adapter = self.make_adapter(self.fake)
        self.assertEqual(
            adapter.check_connection(),
            "Connected to Tempo: the token can read worklogs.",
        )

    def test_server_error_then_success(self):
        self.fake.generate(5, seed=6)
        adapter = self.make_adapter(self.fake)
        self.fake.fail_next(500)
        _pages, entries, _errors = self.collect(adapter.iter_pages())
        self.assertEqual(len(entries), 5)
        self.assertEqual(len(self.sleeps), 1)
