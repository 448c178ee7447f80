# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): the known exports.

Without the ORM. The expectations below were checked by hand against the sample
files, which tests/samples/make_samples.py writes.
"""

from datetime import date

from odoo.tests import BaseCase, tagged

from ..providers.files.columns import detect_format
from ..providers.files.rows import parse_rows
from .common_files import by_line, read


@tagged("post_install", "-at_install")
class TestKnownFormats(BaseCase):
    def test_detect_samples(self):
        for name, expected in (
            ("harvest_detailed_export.csv", "harvest"),
            ("harvest_de_semicolon_bom.csv", "harvest"),
            ("toggl_detailed_report.csv", "toggl"),
            ("clockify_detailed_report.csv", "clockify"),
            ("latin1_french.csv", None),
            ("tab_separated_us.tsv", None),
            ("timesheet_100_rows_3_broken.csv", None),
            ("timesheet_de.xlsx", None),
        ):
            with self.subTest(name=name):
                self.assertEqual(detect_format(read(name).headers), expected)

    def test_detect_ignores_case_spacing_and_order(self):
        headers = [
            " duration ",
            "START  TIME",
            "start date",
            "description",
            "\ufeffuser",
            "Amount ()",
        ]
        self.assertEqual(detect_format(headers), "toggl")
        self.assertEqual(
            detect_format(
                ["user", "description", "start date", "start time", "duration (h)"]
            ),
            "clockify",
        )
        # One signature column missing: not that export.
        self.assertIsNone(
            detect_format(["User", "Description", "Start date", "Duration"])
        )
        self.assertIsNone(detect_format([]))

    def test_harvest(self):
        page = parse_rows(read("harvest_detailed_export.csv"))
        self.assertFalse(page.errors)
        self.assertIn("Recognised a Harvest detailed time report export.", page.notes)
        entries = by_line(page)
        self.assertEqual(sorted(entries), [2, 3, 4, 7, 8])
        first = entries[2]
        self.assertEqual(first.date, date(2026, 3, 2))
        self.assertEqual(first.hours, 2.5)
        self.assertEqual(first.user_name, "Sam Senior")
        self.assertEqual(first.user_ref, "Sam Senior")
        self.assertEqual(first.user_email, "")
        self.assertEqual(first.client_name, "Client A")
        self.assertEqual(first.project_name, "Project A")
        self.assertEqual(first.project_code, "PA-01")
        self.assertEqual(first.project_ref, "PA-01")
        self.assertEqual(first.task_name, "Task A")
        self.assertEqual(first.task_ref, "PA-01 / Task A")
        self.assertEqual(first.description, "Homepage wireframes, second round")
        self.assertIs(first.billable, True)
        self.assertTrue(first.external_id.startswith("harvest:"))
        self.assertEqual(first.raw["Billable Rate"], "150.0")
        # Raw hours, not Harvest's rounded ones; notes keep their lines.
        self.assertEqual(entries[4].hours, 3.33)
        self.assertEqual(entries[4].raw["Hours Rounded"], "3.5")
        self.assertEqual(
            entries[4].description, "Checkout flow:\n- cart totals\n- coupon field"
        )
        self.assertTrue(entries[3].is_locked)  # Invoiced? Yes
        self.assertIs(entries[7].billable, False)
        self.assertEqual(entries[7].project_ref, "Project B")  # no code
        self.assertEqual(entries[8].user_name, "Ana Núñez")

    def test_toggl(self):
        table = read("toggl_detailed_report.csv")
        self.assertEqual(table.encoding, "utf-8-sig")
        page = parse_rows(table, "toggl")
        self.assertFalse(page.errors)
        entries = by_line(page)
        self.assertEqual(entries[2].hours, 1.5)
        self.assertEqual(entries[2].user_email, "sam@example.com")
        self.assertEqual(entries[2].user_ref, "sam@example.com")
        self.assertEqual(entries[2].user_name, "Sam Senior")
        self.assertEqual(entries[3].hours, 0.785)  # 00:47:06
        self.assertEqual(entries[3].task_name, "")
        self.assertEqual(entries[3].task_ref, "")
        self.assertEqual(entries[4].date, date(2026, 3, 3))  # past midnight
        self.assertEqual(entries[4].hours, 1.75)
        self.assertEqual(entries[4].description, "Night deploy, rollback plan")
        self.assertEqual(entries[4].raw["Tags"], "deploy, ops")
        self.assertIs(entries[5].billable, False)
        self.assertEqual(entries[5].client_name, "")

    def test_clockify(self):
        page = parse_rows(read("clockify_detailed_report.csv"))
        self.assertFalse(page.errors)
        self.assertIn(
            "Dates such as 03/06/2026 could be day/month or month/day: they are "
            "read as month/day/year as the times use AM/PM. Set the date format "
            "of the column mapping if that is wrong.",
            page.notes,
        )
        self.assertEqual(
            [(entry.date, entry.hours) for entry in page.entries],
            [
                (date(2026, 3, 6), 2.25),
                (date(2026, 3, 9), 3.5),
                # Duration (h) 00:20:00 is exact; Duration (decimal) says 0.33.
                (date(2026, 3, 10), 0.333333),
            ],
        )
        self.assertEqual(page.entries[1].task_ref, "Project B / Analysis")
