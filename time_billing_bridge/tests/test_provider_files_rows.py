# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): rows to entries.

Without the ORM. The expectations below were checked by hand against the sample
files, which tests/samples/make_samples.py writes.
"""

from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..providers.files.columns import (
    ColumnMapping,
    detect_format,
    mapping_for_format,
    suggest_mapping,
)
from ..providers.files.rows import parse_rows
from ..providers.files.tables import read_table
from .common_files import by_line, parse, read, sample


@tagged("post_install", "-at_install")
class TestParseRows(BaseCase):
    HEADER = "Date,User,Email,Project,Task,Notes,Hours"

    def test_hundred_rows_three_broken(self):
        """The acceptance demo: what the user is told about the 3 bad rows."""
        table = read("timesheet_100_rows_3_broken.csv")
        self.assertEqual(len(table.rows), 100)
        self.assertIsNone(detect_format(table.headers))
        mapping = suggest_mapping(table.headers)
        page = parse_rows(table, mapping)
        self.assertEqual(len(page.entries), 97)
        self.assertEqual(
            [(error.line_number, error.message) for error in page.errors],
            [
                (37, "Line 37: duration '1h7x' is not a number of hours or h:mm"),
                (52, "Line 52: date '31/02/2026' is not a valid date"),
                (88, "Line 88: no user/e-mail column value"),
            ],
        )
        self.assertEqual(
            {entry.line_number for entry in page.entries},
            set(range(2, 102)) - {37, 52, 88},
        )
        # The broken rows keep everything they had, for the exception list.
        missing_user = page.errors[2].raw
        self.assertEqual(missing_user["Employee"], "")
        self.assertEqual(missing_user["Description"], "Bug fixing (87)")
        self.assertEqual(missing_user["Duration"], "2:45")
        ids = [result.external_id for result in page.entries + page.errors]
        self.assertEqual(len(set(ids)), 100, "one distinct id per row")
        self.assertTrue(all(ids))
        entries = by_line(page)
        self.assertEqual(entries[14].date, date(2026, 3, 13))
        self.assertEqual(entries[14].hours, 1.25)
        self.assertEqual(entries[14].user_email, "sam@example.com")
        self.assertEqual(entries[14].project_name, "Project A")
        self.assertEqual(entries[14].task_name, "Task A")
        self.assertEqual(entries[101].date, date(2026, 3, 7))
        self.assertEqual(entries[101].user_name, "Jo Junior")
        self.assertEqual(entries[101].hours, 1.5)
        self.assertIn(
            "Dates such as 01/03/2026 are read as day/month/year, because "
            "13/03/2026 on line 14 can only be read that way.",
            page.notes,
        )

    def test_every_problem_of_a_row_is_listed(self):
        page = parse(
            f"{self.HEADER},Billable\n"
            "2026-02-30,,,Project A,,Notes,abc,maybe\n"
            "2026-03-02,Sam,sam-at-example,Project A,,Notes,1,Y\n"
        )
        self.assertFalse(page.entries)
        self.assertEqual(
            [error.message for error in page.errors],
            [
                "Line 2: date '2026-02-30' is not a valid date; duration 'abc' is not "
                "a number of hours or h:mm; no user/e-mail column value; billable "
                "'maybe' is not yes or no",
                "Line 3: e-mail 'sam-at-example' is not an e-mail address",
            ],
        )

    def test_unreadable_rows_do_not_hide_good_ones(self):
        page = parse(
            f"{self.HEADER}\n"
            "2026-03-01,Sam,,Project A,,ok,1\n"
            "2026-03-02,Sam,,Project A,,a, b,1\n"
            '2026-03-03,Sam,,Project A,,"never closed,1\n'
            "2026-03-04,Jo,,Project A,,swallowed,2\n"
        )
        self.assertEqual([entry.line_number for entry in page.entries], [2])
        self.assertEqual(
            [error.message for error in page.errors],
            [
                "Line 3: 8 values for 7 columns; a value containing a comma is "
                "probably not quoted",
                'Line 4: a quote (") opened on this line is never closed, so lines 4 '
                "to 5 were read as a single value",
            ],
        )

    def test_repeated_rows(self):
        content = (
            f"{self.HEADER}\n"
            "2026-03-01,Sam,,Project A,,Call,1\n"
            "2026-03-01,Jo,,Project A,,Call,1\n"
            "2026-03-01,Sam,,Project A,,Call,1\n"
            "01/03/2026, sam ,,project a,,Call ,1:00\n"
        )
        page = parse(content)
        self.assertEqual([entry.line_number for entry in page.entries], [2, 3])
        self.assertEqual(
            [error.message for error in page.errors],
            ["Line 4 repeats line 2", "Line 5 repeats line 2"],
        )
        first_id = page.entries[0].external_id
        self.assertEqual(
            [error.external_id for error in page.errors],
            [f"{first_id}#2", f"{first_id}#3"],
        )
        mapping = suggest_mapping(read_table(content.encode()).headers)
        mapping.repeated_rows = "import"
        page = parse(content, mapping)
        self.assertFalse(page.errors)
        self.assertEqual(
            [entry.external_id for entry in page.entries],
            [first_id, page.entries[1].external_id, f"{first_id}#2", f"{first_id}#3"],
        )

    def test_repeated_broken_rows_get_distinct_ids(self):
        page = parse(
            f"{self.HEADER}\n2026-03-01,Sam,,P,,x,bad\n2026-03-01,Sam,,P,,x,bad\n"
        )
        first, second = page.errors
        self.assertEqual(second.external_id, f"{first.external_id}#2")
        self.assertEqual(
            second.message, "Line 3: duration 'bad' is not a number of hours or h:mm"
        )

    def test_id_column(self):
        content = (
            "ID,Date,User,Hours\n"
            "T-1,2026-03-01,Sam,1\n"
            "T-2,2026-03-01,Sam,1\n"
            "T-1,2026-03-02,Jo,2\n"
            ",2026-03-03,Jo,3\n"
        )
        mapping = suggest_mapping(["ID", "Date", "User", "Hours"])
        self.assertEqual(mapping.columns["external_id"], "ID")
        mapping.repeated_rows = "import"
        page = parse(content, mapping)
        self.assertEqual(
            [entry.external_id for entry in page.entries][:2], ["T-1", "T-2"]
        )
        self.assertTrue(page.entries[2].external_id.startswith("file:"))
        self.assertEqual(
            [(error.message, error.external_id) for error in page.errors],
            [("Line 4: entry ID 'T-1' already appears on line 2", "T-1#2")],
        )

    def test_same_data_same_ids(self):
        """Importing again, even from a re-export, changes nothing."""
        first = parse_rows(read("harvest_detailed_export.csv"))
        again = parse_rows(read("harvest_detailed_export.csv"))
        self.assertEqual(
            [entry.external_id for entry in first.entries],
            [entry.external_id for entry in again.entries],
        )
        content = sample("timesheet_100_rows_3_broken.csv")
        first, again = parse(content), parse(content)
        self.assertEqual(len(first.errors), 3)
        self.assertEqual(
            [result.external_id for result in first.entries + first.errors],
            [result.external_id for result in again.entries + again.errors],
        )
        # The same work exported with other columns, order, date and hours
        # style, and a later status (billable, invoiced), keeps its ids.
        original = parse(
            "Date,User,Project,Task,Notes,Hours,Billable,Invoiced\n"
            "2026-03-02,Sam Senior,Project A,Task A,Call,1.5,Yes,No\n"
            "2026-03-03,Sam Senior,Project A,Task A,Call,2,Yes,No\n"
        )
        reexport = parse(
            "Hours;Notes;Task;Project;User;Date;Billable;Invoiced;Rate\n"
            "1:30;Call;Task A;Project A;Sam Senior;02/03/2026;No;Yes;100\n"
            "2:00;Call;Task A;Project A;Sam Senior;03/03/2026;Yes;Yes;100\n"
        )
        self.assertEqual(
            [entry.external_id for entry in original.entries],
            [entry.external_id for entry in reexport.entries],
        )
        self.assertTrue(reexport.entries[0].is_locked)
        # Other hours are other work.
        changed = parse(
            "Date,User,Project,Task,Notes,Hours\n"
            "2026-03-02,Sam Senior,Project A,Task A,Call,1.75\n"
        )
        self.assertNotEqual(
            changed.entries[0].external_id, original.entries[0].external_id
        )

    def test_same_row_in_another_format_is_another_entry(self):
        toggl = parse_rows(read("toggl_detailed_report.csv"))
        custom = parse_rows(
            read("toggl_detailed_report.csv"),
            mapping_for_format(
                "toggl", read("toggl_detailed_report.csv").headers
            ).to_dict()
            | {"format_key": ""},
        )
        self.assertTrue(toggl.entries[0].external_id.startswith("toggl:"))
        self.assertTrue(custom.entries[0].external_id.startswith("file:"))

    def test_hours_from_start_and_end(self):
        mapping = ColumnMapping(
            columns={
                "date": "Day",
                "start_time": "From",
                "end_time": "To",
                "end_date": "Until day",
                "user_email": "Who",
            }
        )
        page = parse(
            "Day,From,To,Until day,Who\n"
            "2026-03-02,09:00,10:45,,sam@example.com\n"
            "2026-03-02,23:30,00:15,,sam@example.com\n"
            "2026-03-02,22:00,06:00,2026-03-03,sam@example.com\n"
            "2026-03-03,10:00,09:00,2026-03-02,sam@example.com\n"
            "2026-03-03,10:00,25:00,,sam@example.com\n",
            mapping,
        )
        self.assertEqual([entry.hours for entry in page.entries], [1.75, 0.75, 8.0])
        # The entries keep the times, as the person's local time (naive).
        self.assertEqual(
            [(entry.start, entry.end) for entry in page.entries],
            [
                (datetime(2026, 3, 2, 9, 0), datetime(2026, 3, 2, 10, 45)),
                (datetime(2026, 3, 2, 23, 30), datetime(2026, 3, 3, 0, 15)),
                (datetime(2026, 3, 2, 22, 0), datetime(2026, 3, 3, 6, 0)),
            ],
        )
        self.assertEqual(
            [error.message for error in page.errors],
            [
                "Line 5: the entry ends (2026-03-02 09:00) before it starts "
                "(2026-03-03 10:00)",
                "Line 6: time '25:00' is not a valid time of day",
            ],
        )

    def test_start_and_end_of_a_toggl_export(self):
        page = parse(
            "User,Email,Project,Description,Start date,Start time,End date,"
            "End time,Duration\n"
            "Sam,sam@example.com,Project A,Late call,2026-03-02,23:00:00,"
            "2026-03-03,01:00:00,02:00:00\n"
            "Sam,sam@example.com,Project A,Review,2026-03-03,09:00:00,,,01:30:00\n"
        )
        self.assertEqual(page.errors, [])
        late, review = page.entries
        self.assertEqual(
            (late.start, late.end),
            (datetime(2026, 3, 2, 23, 0), datetime(2026, 3, 3, 1, 0)),
        )
        self.assertEqual(late.hours, 2.0)
        # A start without an end: a duration only.
        self.assertEqual((review.start, review.end), (None, None))
        # Without start and end columns, no interval either.
        entry = parse(self.HEADER + "\n2026-03-02,Sam,,Project A,,Call,1\n")
        self.assertEqual((entry.entries[0].start, entry.entries[0].end), (None, None))

    def test_explicit_options(self):
        content = "Date,User,Hours\n03/04/2026,Sam,1.30\n13/04/2026,Sam,2.45\n"
        mapping = ColumnMapping(
            columns={"date": "Date", "user_name": "User", "hours": "Hours"},
            date_format="mdy",
            hours_format="hh:mm",
        )
        page = parse(content, mapping)
        self.assertEqual(page.entries[0].date, date(2026, 3, 4))
        self.assertEqual(page.entries[0].hours, 1.5)
        self.assertEqual(
            page.errors[0].message,
            "Line 3: date '13/04/2026' is not a valid date (dates in this file are "
            "read as month/day/year; change the date format of the column mapping "
            "if that is wrong)",
        )
        self.assertFalse([note for note in page.notes if "Dates such as" in note])

    def test_default_user(self):
        content = "Date,Hours,Notes\n2026-03-02,1,Solo work\n"
        mapping = ColumnMapping(
            columns={"date": "Date", "hours": "Hours", "description": "Notes"},
            default_user="Sam@Example.com",
        )
        entry = parse(content, mapping).entries[0]
        self.assertEqual(entry.user_email, "Sam@Example.com")
        self.assertEqual(entry.user_ref, "sam@example.com")

    def test_first_and_last_name(self):
        mapping = suggest_mapping(["Date", "First name", "Last name", "Hours"])
        self.assertEqual(mapping.columns["user_first_name"], "First name")
        page = parse(
            "Date,First name,Last name,Hours\n2026-03-02,Ana,Núñez,1\n", mapping
        )
        self.assertEqual(page.entries[0].user_name, "Ana Núñez")
