# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): QuickBooks Time, ClickUp and
Hubstaff exports, and how the known exports stay apart.

Without the ORM. The expectations below were checked by hand against the sample
files, which tests/samples/make_samples.py writes.
"""

from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..providers.files.columns import detect_format, suggest_mapping
from ..providers.files.formats import KNOWN_FORMATS
from ..providers.files.rows import parse_rows
from ..providers.files.tables import read_table
from .common_files import by_line, qbtime_workbook, read

#: One sample per known export.
SAMPLES = {
    "harvest": "harvest_detailed_export.csv",
    "toggl": "toggl_detailed_report.csv",
    "clockify": "clockify_detailed_report.csv",
    "qbtime": "qbtime_timesheet_report.csv",
    "clickup": "clickup_time_tracking.csv",
    "hubstaff": "hubstaff_time_activity.csv",
}


@tagged("post_install", "-at_install")
class TestVendorFormats(BaseCase):
    def test_each_sample_is_its_own_export(self):
        self.assertEqual(set(SAMPLES), set(KNOWN_FORMATS))
        for key, name in SAMPLES.items():
            with self.subTest(name=name):
                self.assertEqual(detect_format(read(name).headers), key)

    def test_no_export_takes_another_ones_file(self):
        """No signature fits the headers of another export's file."""
        for key, name in SAMPLES.items():
            present = {" ".join(h.split()).casefold() for h in read(name).headers}
            for other, spec in KNOWN_FORMATS.items():
                if other == key:
                    continue
                signature = {h.casefold() for h in spec["signature"]}
                with self.subTest(file=name, export=other):
                    self.assertFalse(signature <= present)

    def test_qbtime(self):
        page = parse_rows(read(SAMPLES["qbtime"]))
        self.assertFalse(page.errors)
        self.assertIn(
            "Recognised a QuickBooks Time timesheet report export.", page.notes
        )
        entries = by_line(page)
        first = entries[2]
        self.assertEqual(first.date, date(2026, 3, 2))
        self.assertEqual(first.hours, 2.5)
        self.assertEqual(first.user_ref, "sam.senior")
        self.assertEqual(first.user_name, "Sam Senior")
        self.assertEqual(first.client_name, "Client A")
        self.assertEqual(first.project_name, "Project A")
        self.assertEqual(first.task_ref, "Project A / Task A")
        self.assertEqual(first.description, "Wireframes, second round")
        self.assertIs(first.billable, True)
        self.assertEqual(first.start, datetime(2026, 3, 2, 9, 0))
        self.assertTrue(first.external_id.startswith("qbtime:"))
        # The approval status stays in the payload, undecided.
        self.assertEqual(first.approval_status, "")
        self.assertEqual(first.raw["approved_status"], "approved")
        self.assertEqual(entries[3].task_name, "")
        # Past midnight: the end is on the next day, the hours are the file's.
        self.assertEqual(entries[4].end, datetime(2026, 3, 4, 0, 15))
        self.assertEqual(entries[4].hours, 1.75)
        self.assertIs(entries[4].billable, False)

    def test_qbtime_workbook(self):
        """The Excel download reads as the CSV one, with the same ids."""
        table = read_table(qbtime_workbook(), "timesheet_report.xlsx")
        self.assertEqual(detect_format(table.headers), "qbtime")
        page = parse_rows(table)
        self.assertFalse(page.errors)
        csv_page = parse_rows(read(SAMPLES["qbtime"]))
        self.assertEqual(
            [(e.external_id, e.date, e.hours, e.project_name) for e in page.entries],
            [
                (e.external_id, e.date, e.hours, e.project_name)
                for e in csv_page.entries
            ],
        )

    def test_clickup(self):
        page = parse_rows(read(SAMPLES["clickup"]))
        self.assertFalse(page.errors)
        # Every date could be either way round; the AM/PM in the date cells
        # says month first.
        self.assertIn(
            "Dates such as 03/02/2026, 9:00:00 AM EST could be day/month or "
            "month/day: they are read as month/day/year as the times use AM/PM. "
            "Set the date format of the column mapping if that is wrong.",
            page.notes,
        )
        self.assertEqual(
            [
                (e.external_id, e.date, e.hours, e.user_name, e.task_ref, e.billable)
                for e in page.entries
            ],
            [
                (
                    "3902118741520318461",
                    date(2026, 3, 2),
                    1.5,
                    "Sam Senior",
                    "Project A / Task A",
                    True,
                ),
                (
                    "3902118741520318462",
                    date(2026, 3, 3),
                    0.75,
                    "Jo Junior",
                    "Project A / Task A",
                    True,
                ),
                (
                    "3902118741520318463",
                    date(2026, 3, 10),
                    2.0,
                    "Jo Junior",
                    "Project B / Release 2.1",
                    False,
                ),
            ],
        )
        self.assertEqual(page.entries[0].user_ref, "81000000")
        self.assertEqual(page.entries[0].description, "Logo variations")

    def test_hubstaff(self):
        page = parse_rows(read(SAMPLES["hubstaff"]))
        self.assertFalse(page.errors)
        entries = by_line(page)
        self.assertEqual(entries[2].date, date(2026, 3, 2))
        self.assertEqual(entries[2].hours, 2.5)
        self.assertEqual(entries[2].user_name, "Sam Senior")
        self.assertEqual(entries[2].task_ref, "Project A / Task A")
        self.assertEqual(entries[2].description, "Homepage wireframes")
        self.assertIsNone(entries[2].billable)
        self.assertEqual(entries[4].hours, 1.258333)  # 1:15:30

    def test_export_without_person_asks_for_columns(self):
        """A member's own Hubstaff report has no Member column: it is not
        recognised, and the column step proposes what it can."""
        headers = read(SAMPLES["hubstaff"]).headers
        headers.remove("Member")
        self.assertIsNone(detect_format(headers))
        mapping = suggest_mapping(headers)
        self.assertEqual(mapping.format_key, "")
        self.assertEqual(mapping.columns["date"], "Date")
        self.assertIn("no column is mapped to a user", " ".join(mapping.check(headers)))

    def test_unknown_headers_ask_for_columns(self):
        for headers in (
            ["Date", "Employee", "Hours", "Project"],
            # Near misses: one signature column short.
            ["username", "fname", "lname", "hours", "jobcode_1"],
            ["Username", "Start Text", "Time Tracked Text", "Task Name"],
            ["Organization", "Date", "Member", "Project", "Time", "Activity"],
        ):
            with self.subTest(headers=headers):
                self.assertIsNone(detect_format(headers))
                self.assertEqual(suggest_mapping(headers).format_key, "")

    def test_am_pm_in_date_column(self):
        """A date column with times of day in AM/PM reads month first."""
        content = (
            b"Date,User,Hours\n"
            b'"03/04/2026, 9:00 AM",Sam,1\n'
            b'"03/05/2026, 1:30 PM",Sam,2\n'
        )
        table = read_table(content, "x.csv")
        page = parse_rows(table, suggest_mapping(table.headers))
        self.assertEqual(
            [e.date for e in page.entries], [date(2026, 3, 4), date(2026, 3, 5)]
        )
        # Without AM/PM the same dates are read day first.
        table = read_table(b"Date,User,Hours\n03/04/2026,Sam,1\n", "x.csv")
        page = parse_rows(table, suggest_mapping(table.headers))
        self.assertEqual(page.entries[0].date, date(2026, 4, 3))
