# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from ..exceptions import ProviderError
from ..providers.clockify_changes import change_ids, slices
from .common_providers import ProviderCase
from .fakes import FakeClockify
from .test_import_sync_http import HttpSyncCase

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@tagged("post_install", "-at_install")
class TestClockifyChanges(ProviderCase):
    """Incremental Clockify runs read the change log, not a window."""

    provider = "clockify"

    def setUp(self):
        super().setUp()
        self.fake = self.start(FakeClockify())
        self.fake.clock = T0
        self.records = self.fake.generate(60, users=3, seed=4)
        self.fake.clock = T0 + timedelta(days=1)

    def run_since(self, since, **config):
        self.fake.reset_log()
        adapter = self.make_adapter(self.fake, **config)
        return self.collect(
            adapter.iter_pages(since=since, until=self.fake.clock + timedelta(hours=1))
        )

    def calls(self, suffix):
        return [r for r in self.fake.requests if r.path.endswith(suffix)]

    def entry_reads(self):
        marker = f"/workspaces/{self.fake.account_id}/time-entries/"
        return [r for r in self.fake.requests if marker in r.path]

    def test_incremental_run_reads_only_what_changed(self):
        oldest = min(self.records, key=lambda r: r["timeInterval"]["start"])
        self.fake.edit(oldest["id"], description="Corrected months later")
        new = self.fake.add(_notes="New today")
        _pages, entries, errors = self.run_since(T0 + timedelta(hours=2))
        self.assertEqual(errors, [])
        self.assertEqual(
            sorted(e.external_id for e in entries), sorted([oldest["id"], new["id"]])
        )
        edited = next(e for e in entries if e.external_id == oldest["id"])
        self.assertEqual(edited.description, "Corrected months later")
        self.assertTrue(edited.project_name)  # read hydrated
        # No window re-read: one call per change kind, one read per entry.
        self.assertEqual(self.calls("/time-entries"), [])
        for kind in ("created", "updated"):
            (call,) = self.calls(f"/entities/{kind}")
            self.assertEqual(call.query["type"], ["TIME_ENTRY"])
            self.assertEqual(call.params["start"], "2026-03-02T10:00:00Z")
            self.assertEqual(call.params["end"], "2026-03-03T09:00:01Z")
            self.assertEqual(call.params["page"], "0")
        self.assertEqual(len(self.entry_reads()), 2)
        for call in self.entry_reads():
            self.assertEqual(call.params["hydrated"], "true")

    def test_nothing_changed_asks_only_the_change_log(self):
        pages, entries, _errors = self.run_since(T0 + timedelta(hours=2))
        self.assertEqual(entries, [])
        self.assertEqual(len(pages), 1)
        self.assertEqual(self.entry_reads(), [])
        self.assertEqual(self.calls("/time-entries"), [])
        self.assertEqual(len(self.fake.requests), 3)  # created, updated, users

    def test_created_and_edited_in_the_range_is_read_once(self):
        new = self.fake.add()
        self.fake.edit(new["id"], description="Edited at once")
        _pages, entries, _errors = self.run_since(T0 + timedelta(hours=2))
        self.assertEqual([e.description for e in entries], ["Edited at once"])
        self.assertEqual(len(self.entry_reads()), 1)

    def test_long_absence_is_asked_in_thirty_day_slices(self):
        self.run_since(T0 - timedelta(days=70))
        starts = [c.params["start"] for c in self.calls("/entities/created")]
        self.assertEqual(
            starts,
            ["2025-12-22T08:00:00Z", "2026-01-21T08:00:00Z", "2026-02-20T08:00:00Z"],
        )

    def test_resume_continues_after_the_last_page(self):
        for record in self.records[:5]:
            self.fake.edit(record["id"], description="Changed")
        adapter = self.make_adapter(self.fake, page_size=2)
        pages = adapter.iter_pages(since=T0 + timedelta(hours=2))
        first = next(pages)
        pages.close()
        token = json.loads(first.resume_token)
        self.assertEqual((token["mode"], token["done"]), ("changes", 2))
        self.fake.reset_log()
        resumed = self.make_adapter(self.fake, page_size=2)
        _pages, rest, _errors = self.collect(
            resumed.iter_pages(resume_token=first.resume_token)
        )
        ids = [e.external_id for e in first.entries + rest]
        self.assertEqual(sorted(ids), sorted(r["id"] for r in self.records[:5]))
        self.assertEqual(len(self.entry_reads()), 3)

    def test_first_run_reads_the_window(self):
        _pages, entries, _errors = self.run_since(None)
        self.assertEqual(len(entries), 60)
        self.assertEqual(self.calls("/entities/created"), [])

    def test_without_change_log_the_window_is_read_again(self):
        self.fake.changes_available = False
        pages, _entries, _errors = self.run_since(
            T0 + timedelta(hours=2), options={"lookback_days": 10}
        )
        calls = self.calls("/time-entries")
        self.assertTrue(calls)
        self.assertEqual(calls[0].params["start"], "2026-02-20T00:00:00Z")
        self.assertIn("change log could not be read", pages[0].notes[0])

    def test_refused_key_is_not_a_fallback(self):
        adapter = self.make_adapter(self.fake, api_token="wrong")
        with self.assertRaises(ProviderError):
            list(adapter.iter_pages(since=T0))

    def test_deletions_come_from_the_change_log(self):
        gone = self.records[3]
        self.fake.delete(gone["id"])
        brief = self.fake.add()
        self.fake.delete(brief["id"])  # created and deleted: never seen
        self.fake.reset_log()
        adapter = self.make_adapter(self.fake)
        self.assertEqual(
            list(adapter.iter_deleted(since=T0 + timedelta(hours=2))), [gone["id"]]
        )
        self.assertEqual(list(adapter.iter_deleted(since=None)), [])
        self.fake.changes_available = False
        self.assertEqual(list(adapter.iter_deleted(since=T0)), [])

    def test_change_log_shapes(self):
        self.assertEqual(change_ids([]), [])
        self.assertEqual(change_ids(["a1", "b2"]), ["a1", "b2"])
        self.assertEqual(
            change_ids({"response": [{"id": "log1", "document": {"id": "e1"}}]}),
            ["e1"],
        )
        self.assertEqual(change_ids({"response": [{"id": "e2"}]}), ["e2"])
        with self.assertRaises(ProviderError):
            change_ids({"unexpected": 1})
        day = timedelta(days=1)
        start = datetime(2026, 1, 1)
        self.assertEqual(len(slices(start, start + 61 * day)), 3)
        self.assertEqual(slices(start, start), [])


@tagged("post_install", "-at_install")
class TestSyncClockifyChanges(HttpSyncCase):
    """Through the backend: the second synchronisation reads the change log
    only, and applies an edit of an old entry and a deletion."""

    fake_class = FakeClockify
    provider = "clockify"
    source_project = "Project A"

    def test_edit_and_deletion_of_old_entries_arrive(self):
        self.fake.clock = T0 - timedelta(days=200)
        old = self.fake.add(_notes="First version")
        gone = self.fake.add(_notes="Deleted later")
        run = self.sync()
        self.assertEqual((run.state, run.created_count), ("done", 2), run.message)
        line = self.entry(gone["id"]).timesheet_id
        # Changed now, at the source, long after the entries' dates.
        self.fake.clock = None
        self.fake.edit(old["id"], description="Second version")
        self.fake.delete(gone["id"])
        self.fake.reset_log()
        run = self.sync()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(
            (run.updated_count, run.deleted_count),
            (1, 1),
            [(r.path, r.params, r.status) for r in self.fake.requests] + [run.message],
        )
        self.assertEqual(self.entry(old["id"]).timesheet_id.name, "Second version")
        self.assertEqual(self.entry(gone["id"]).state, "deleted")
        self.assertFalse(line.exists())
        paths = [r.path for r in self.fake.requests]
        self.assertFalse([p for p in paths if p.endswith("/time-entries")])
        self.assertEqual(
            sorted(p.rsplit("/", 1)[1] for p in paths if "/entities/" in p),
            ["created", "deleted", "updated"],
        )
