# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json
from datetime import date, datetime, timedelta, timezone

from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.tests import tagged

from ..providers.base import EntryError, Page
from .common_import import ImportCommon, make_entry


@tagged("post_install", "-at_install")
class TestImportStaging(ImportCommon):
    def test_first_import_creates_entries_and_lines(self):
        counts, run = self.process(
            make_entry(101),
            make_entry(
                102,
                hours=2.25,
                description="",
                user_ref="u-jo",
                user_email="jo@example.com",
                user_name="Jo Junior",
            ),
        )
        self.assert_counts(counts, created=2)
        first, second = self.entry(101), self.entry(102)
        self.assertEqual((first.state, second.state), ("imported", "imported"))
        line = first.timesheet_id
        self.assertEqual(line.employee_id, self.employee_senior)
        self.assertEqual(line.project_id, self.project_a)
        self.assertEqual(line.date, date(2026, 3, 2))
        self.assertEqual(line.unit_amount, 1.5)
        self.assertEqual(line.name, "Design review")
        self.assertEqual(line.company_id, self.company)
        self.assertEqual(line.billing_entry_ids, first)
        # An empty description becomes Odoo's placeholder, not an error.
        self.assertEqual(second.timesheet_id.name, "/")
        self.assertEqual(second.timesheet_id.employee_id, self.employee_junior)
        self.assertEqual(second.timesheet_id.unit_amount, 2.25)
        # The payload is the raw JSON, keys sorted, and the run counts it.
        self.assertEqual(json.loads(first.payload)["id"], 101)
        self.assertEqual(
            first.payload, json.dumps(json.loads(first.payload), sort_keys=True)
        )
        self.assertTrue(first.payload_hash)
        self.assertEqual(first.sync_run_id, run)
        self.assertEqual((run.created_count, run.page_count), (2, 1))
        self.assertIn("Page 1: 2 entries, 2 new, 0 updated, 0 unchanged", run.message)

    def test_source_start_and_end_are_staged_as_written(self):
        paris = timezone(timedelta(hours=1))
        aware = make_entry(
            131,
            start=datetime(2026, 3, 2, 9, 0, tzinfo=paris),
            end=datetime(2026, 3, 2, 10, 30, tzinfo=paris),
        )
        local = make_entry(
            132, start=datetime(2026, 3, 2, 23, 0), end=datetime(2026, 3, 3, 0, 30)
        )
        counts, _run = self.process(aware, local, make_entry(133))
        self.assert_counts(counts, created=3)
        staged = self.entry(131) | self.entry(132) | self.entry(133)
        # ISO 8601 text: the offset when the source gave one, none for the
        # person's local time (a Datetime field would shift it).
        self.assertEqual(
            [(e.source_start, e.source_end) for e in staged],
            [
                ("2026-03-02T09:00:00+01:00", "2026-03-02T10:30:00+01:00"),
                ("2026-03-02T23:00:00", "2026-03-03T00:30:00"),
                (False, False),
            ],
        )
        # Re-processing from the staged values rebuilds the same interval.
        rebuilt = staged._to_page().entries
        self.assertEqual(
            [(e.start, e.end) for e in rebuilt],
            [(aware.start, aware.end), (local.start, local.end), (None, None)],
        )
        self.assertEqual(rebuilt[0].start.utcoffset(), timedelta(hours=1))
        self.assertIsNone(rebuilt[1].start.tzinfo)
        # People read them in their language, with the zone they are in.
        self.assertEqual(
            staged.with_context(lang="en_US").mapped("source_times"),
            [
                "09:00 AM – 10:30 AM (UTC+01:00)",
                "11:00 PM – 03/03/2026 12:30 AM (local time)",
                False,
            ],
        )

    def test_reimport_of_the_same_data_changes_nothing(self):
        entries = [make_entry(i, hours=i / 4) for i in range(1, 6)]
        self.process(*entries)
        before = self.Entry.search([("backend_id", "=", self.backend.id)])
        lines_before = before.timesheet_id
        self.assertEqual(len(lines_before), 5)
        with self.capture_queries() as queries:
            counts, run = self.process(*entries)
        self.assert_counts(counts, unchanged=5)
        self.assertEqual(self.writes_to(queries, "time_billing_entry"), [])
        self.assertEqual(self.writes_to(queries, "account_analytic_line"), [])
        after = self.Entry.search([("backend_id", "=", self.backend.id)])
        self.assertEqual(after, before)
        self.assertEqual(after.timesheet_id, lines_before)
        self.assertNotEqual(after.sync_run_id, run)
        self.assertIn("0 new, 0 updated, 5 unchanged", run.message)

    def test_source_edit_updates_the_line(self):
        self.process(make_entry(7))
        line = self.entry(7).timesheet_id
        with self.capture_queries() as queries:
            counts, _run = self.process(
                make_entry(
                    7,
                    hours=3.0,
                    description="Design review, part 2",
                    date=date(2026, 3, 3),
                )
            )
        self.assert_counts(counts, updated=1)
        # The capture sees writes when there are some (billing's checks read
        # the lines between the importer's write and pricing: two updates).
        self.assertTrue(self.writes_to(queries, "account_analytic_line"))
        self.assertEqual(len(self.writes_to(queries, "time_billing_entry")), 1)
        entry = self.entry(7)
        self.assertEqual(entry.timesheet_id, line)
        self.assertEqual(line.unit_amount, 3.0)
        self.assertEqual(line.name, "Design review, part 2")
        self.assertEqual(line.date, date(2026, 3, 3))
        self.assertEqual(entry.hours, 3.0)
        self.assertEqual(json.loads(entry.payload)["hours"], 3.0)
        # A change the line does not show (here the source's own lock flag)
        # refreshes the entry only.
        with self.capture_queries() as queries:
            counts, _run = self.process(
                make_entry(
                    7,
                    hours=3.0,
                    description="Design review, part 2",
                    date=date(2026, 3, 3),
                    is_locked=True,
                )
            )
        self.assert_counts(counts, updated=1)
        self.assertEqual(self.writes_to(queries, "account_analytic_line"), [])
        self.assertTrue(self.entry(7).locked_at_source)

    def test_an_older_version_arriving_late_is_ignored(self):
        newer = make_entry(15, hours=2.0, updated_at=datetime(2026, 3, 3, 9, 0))
        older = make_entry(15, hours=1.0, updated_at=datetime(2026, 3, 2, 9, 0))
        self.process(newer)
        counts, _run = self.process(older)
        self.assert_counts(counts, unchanged=1)
        self.assertEqual(self.entry(15).timesheet_id.unit_amount, 2.0)
        self.assertEqual(self.entry(15).external_updated_at, datetime(2026, 3, 3, 9))

    def test_source_edit_of_approved_line_is_a_conflict(self):
        self.process(make_entry(8))
        entry = self.entry(8)
        line = entry.timesheet_id
        self._set_billing_state(line, "approved")
        counts, run = self.process(make_entry(8, hours=4.0))
        self.assert_counts(counts, errors=1, conflicts=1)
        self.assertEqual(entry.state, "conflict")
        self.assertEqual(entry.conflict_type, "update")
        self.assertEqual(line.unit_amount, 1.5, "approved time is not overwritten")
        # Both versions are visible: the source's and Odoo's.
        self.assertEqual(entry.pending_hours, 4.0)
        self.assertEqual(entry.timesheet_hours, 1.5)
        self.assertEqual(entry.hours, 1.5)
        self.assertEqual(json.loads(entry.pending_payload)["hours"], 4.0)
        self.assertIn("timesheet line is approved", entry.exception_reason)
        self.assertIn("Entry 8: Changed at the source", run.message)
        # The same source version again changes nothing.
        counts, _run = self.process(make_entry(8, hours=4.0))
        self.assert_counts(counts, unchanged=1)

        # Accepting changes approved time: managers only.
        with self.assertRaises(AccessError):
            entry.with_user(self.billing_user).action_accept_source()
        entry.with_user(self.billing_manager).action_accept_source()
        self.assertEqual(entry.state, "imported")
        self.assertEqual(line.unit_amount, 4.0)
        self.assertEqual(entry.hours, 4.0)
        self.assertFalse(entry.pending_payload)
        review = self.env["time.billing.sync.run"].search(
            [("backend_id", "=", self.backend.id), ("trigger", "=", "review")]
        )
        self.assertIn("Source version accepted by", review.message)
        counts, _run = self.process(make_entry(8, hours=4.0))
        self.assert_counts(counts, unchanged=1)

    def test_dismissed_source_version_does_not_come_back(self):
        self.process(make_entry(9))
        entry = self.entry(9)
        line = entry.timesheet_id
        self._set_billing_state(line, "approved")
        self.process(make_entry(9, hours=5.0))
        self.assertEqual(entry.state, "conflict")
        entry.with_user(self.billing_user).action_dismiss_source()
        self.assertEqual(entry.state, "imported")
        self.assertEqual(line.unit_amount, 1.5)
        counts, _run = self.process(make_entry(9, hours=5.0))
        self.assert_counts(counts, unchanged=1)
        self.assertEqual(entry.state, "imported")
        # A newer source version is a new conflict.
        counts, _run = self.process(make_entry(9, hours=6.0))
        self.assert_counts(counts, errors=1, conflicts=1)
        self.assertEqual(entry.pending_hours, 6.0)
        # The source going back to Odoo's version settles it.
        counts, _run = self.process(make_entry(9))
        self.assert_counts(counts, updated=1)
        self.assertEqual(entry.state, "imported")
        self.assertFalse(entry.pending_payload)

    def test_invoiced_time_is_never_overwritten(self):
        self.process(make_entry(10))
        entry = self.entry(10)
        self._set_billing_state(entry.timesheet_id, "invoiced")
        self.process(make_entry(10, hours=9.0))
        self.assertEqual(entry.state, "conflict")
        self.assertIn("invoiced", entry.exception_reason)
        with self.assertRaisesRegex(UserError, "already invoiced"):
            entry.with_user(self.billing_manager).action_accept_source()
        self.assertEqual(entry.timesheet_id.unit_amount, 1.5)

    def test_deletion_at_the_source(self):
        self.process(make_entry(11), make_entry(12), make_entry(13))
        doomed = self.entry(11).timesheet_id
        approved = self.entry(12)
        self._set_billing_state(approved.timesheet_id, "approved")
        counts, _run = self.process(deleted_ids=["11", "12", "404"])
        # 404 was never imported: nothing to do.
        self.assert_counts(counts, deleted=1, errors=1, conflicts=1, unchanged=1)
        self.assertFalse(doomed.exists())
        self.assertEqual(self.entry(11).state, "deleted")
        self.assertFalse(self.entry(11).timesheet_id)
        self.assertEqual(approved.state, "conflict")
        self.assertEqual(approved.conflict_type, "delete")
        self.assertTrue(approved.timesheet_id.exists())
        self.assertIn("Deleted at the source", approved.exception_reason)
        # Deleting again changes nothing.
        counts, _run = self.process(deleted_ids=["11", "12"])
        self.assert_counts(counts, unchanged=2)
        # Accepting the deletion removes the approved line.
        line = approved.timesheet_id
        approved.with_user(self.billing_manager).action_accept_source()
        self.assertEqual(approved.state, "deleted")
        self.assertFalse(line.exists())
        # A deletion reported with its payload (Toggl's "since") works too.
        counts, _run = self.process(make_entry(13, deleted=True))
        self.assert_counts(counts, deleted=1)
        self.assertEqual(self.entry(13).state, "deleted")

    def test_dismissed_deletion_keeps_the_line(self):
        self.process(make_entry(14))
        entry = self.entry(14)
        self._set_billing_state(entry.timesheet_id, "approved")
        self.process(deleted_ids=["14"])
        entry.action_dismiss_source()
        self.assertEqual(entry.state, "imported")
        counts, _run = self.process(deleted_ids=["14"])
        self.assert_counts(counts, unchanged=1)
        self.assertTrue(entry.timesheet_id.exists())

    def test_running_timer_waits_until_it_stops(self):
        counts, run = self.process(make_entry(20, is_running=True, hours=0.5))
        self.assert_counts(counts, errors=1)
        entry = self.entry(20)
        self.assertEqual(entry.state, "exception")
        self.assertEqual(
            entry.exception_reason, "Timer still running: imported once it stops"
        )
        self.assertFalse(entry.timesheet_id)
        self.assertIn("Entry 20: Timer still running", run.message)
        counts, _run = self.process(make_entry(20, is_running=True, hours=0.5))
        self.assert_counts(counts, unchanged=1)
        counts, _run = self.process(make_entry(20, hours=2.0))
        self.assert_counts(counts, created=1)
        self.assertEqual(entry.state, "imported")
        self.assertFalse(entry.exception_reason)
        self.assertEqual(entry.timesheet_id.unit_amount, 2.0)

    def test_page_errors_become_exceptions_and_nothing_else_is_lost(self):
        errors = [
            EntryError(
                message="Line 7: 'abc' is not a number of hours",
                line_number=7,
                raw={"Date": "2026-03-02", "Hours": "abc"},
            ),
            EntryError(
                message="Malformed time entry",
                external_id="999",
                raw={"id": 999, "hours": None},
            ),
            EntryError(message="Unreadable record", raw={"x": 1}),
        ]
        counts, run = self.process(make_entry(30), errors=errors)
        self.assert_counts(counts, created=1, errors=3)
        by_line = self.entry("line-7")
        self.assertEqual(by_line.state, "exception")
        self.assertEqual(
            by_line.exception_reason, "Line 7: 'abc' is not a number of hours"
        )
        self.assertEqual(json.loads(by_line.payload)["Hours"], "abc")
        self.assertEqual(by_line.line_number, 7)
        self.assertTrue(by_line.unreadable)
        self.assertEqual(self.entry(999).exception_reason, "Malformed time entry")
        anonymous = self.Entry.search(
            [("backend_id", "=", self.backend.id), ("external_id", "=like", "error-%")]
        )
        self.assertEqual(len(anonymous), 1)
        self.assertEqual(self.entry(30).state, "imported")
        self.assertIn("Entry 999: Malformed time entry", run.message)
        # The same file again: the same three exceptions, no duplicates.
        counts, _run = self.process(make_entry(30), errors=errors)
        self.assert_counts(counts, unchanged=4)
        self.assertEqual(self.backend.exception_count, 3)
        # Re-processing cannot read them either: it is refused, they stay.
        with self.assertRaisesRegex(UserError, "cannot be read"):
            by_line.action_reprocess()
        self.assertEqual(
            by_line.exception_reason, "Line 7: 'abc' is not a number of hours"
        )

    def test_page_notes_are_logged_once_per_run(self):
        note = "Dates such as 03/04/2026 are read as day/month/year"
        run = self.start_run("file")
        for external_id in (60, 61):
            page = Page(entries=[make_entry(external_id)], notes=[note, note])
            self.backend._process_page(page, run)
        self.assertEqual(run.message.count(note), 1)
        self.assertTrue(run.message.startswith(note))
        self.assertEqual(run.page_count, 2)

    def test_entry_created_meanwhile_is_a_concurrency_error(self):
        self.process(make_entry(70))
        importer = type(self.env["time.billing.importer"])
        self.patch(importer, "_fetch_existing", lambda _i, _b, _incoming: {})
        with self.assertRaises(ConcurrencyError):
            self.process(make_entry(70, hours=3.0))
        # Nothing of the page was kept; the entry was not duplicated.
        self.assertEqual(len(self.entry(70)), 1)
        self.assertEqual(self.entry(70).timesheet_id.unit_amount, 1.5)
        line = self.entry(70).timesheet_id
        self.assertFalse(
            self.env["account.analytic.line"].search(
                [
                    ("unit_amount", "=", 3.0),
                    ("employee_id", "=", line.employee_id.id),
                    ("project_id", "=", line.project_id.id),
                ]
            )
        )

    def test_duplicate_ids_in_a_page_keep_the_last_version(self):
        counts, _run = self.process(
            make_entry(40, hours=1.0), make_entry(40, hours=2.0)
        )
        self.assert_counts(counts, created=1)
        self.assertEqual(self.entry(40).timesheet_id.unit_amount, 2.0)

    def test_odoo_refusing_a_line_holds_only_that_entry(self):
        archived = self.env["hr.employee"].create(
            {"name": "Gone Away", "work_email": "gone@example.com"}
        )
        mapping = self.env["time.billing.mapping"].create(
            {
                "backend_id": self.backend.id,
                "kind": "user",
                "external_ref": "u-gone",
                "employee_id": archived.id,
            }
        )
        archived.action_archive()
        self.assertTrue(mapping.exists())
        counts, run = self.process(
            make_entry(50),
            make_entry(51, user_ref="u-gone", user_email="", user_name="Gone Away"),
        )
        self.assert_counts(counts, created=1, errors=1)
        self.assertEqual(self.entry(50).state, "imported")
        refused = self.entry(51)
        self.assertEqual(refused.state, "exception")
        self.assertIn("Odoo refused the timesheet line", refused.exception_reason)
        self.assertIn("active employee", refused.exception_reason)
        counts, _run = self.process(
            make_entry(51, user_ref="u-gone", user_email="", user_name="Gone Away")
        )
        self.assert_counts(counts, unchanged=1)

    def test_a_refused_line_is_found_by_halving_the_batch(self):
        archived = self.env["hr.employee"].create(
            {"name": "Gone Away", "work_email": "gone@example.com"}
        )
        self.env["time.billing.mapping"].create(
            {
                "backend_id": self.backend.id,
                "kind": "user",
                "external_ref": "u-gone",
                "employee_id": archived.id,
            }
        )
        archived.action_archive()
        # Warm-up: the first page pays for caches the others reuse.
        self.process(*[make_entry(1000 + index) for index in range(64)])
        queries = self.env.cr.sql_log_count
        self.process(*[make_entry(2000 + index) for index in range(64)])
        clean = self.env.cr.sql_log_count - queries
        entries = [make_entry(3000 + index) for index in range(64)]
        entries[37] = make_entry(
            3037, user_ref="u-gone", user_email="", user_name="Gone Away"
        )
        queries = self.env.cr.sql_log_count
        counts, _run = self.process(*entries)
        refused = self.env.cr.sql_log_count - queries
        self.assert_counts(counts, created=63, errors=1)
        self.assertEqual(self.entry(3037).state, "exception")
        self.assertEqual(self.entry(3036).state, "imported")
        # Retried in halves around the refused line (six levels for 64 rows,
        # measured 164 more queries than the clean page), not row by row with
        # a savepoint each (measured 418 more).
        self.assertLess(refused - clean, 250, (clean, refused))
