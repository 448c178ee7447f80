# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files.py), without the ORM.

The expectations below were checked by hand against the sample files, which
tests/samples/make_samples.py writes.
"""

import io
import json
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from odoo.tests import BaseCase, tagged

from ..exceptions import FileFormatError
from ..providers import AdapterConfig, files
from ..providers.base import EntryError, ExternalEntry

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name):
    return (SAMPLES / name).read_bytes()


def read(name):
    return files.read_table(sample(name), name)


def parse(content, mapping=None, filename="upload.csv"):
    """Read CSV text (str) or bytes and parse it with ``mapping``."""
    if isinstance(content, str):
        content = content.encode()
    table = files.read_table(content, filename)
    if mapping is None:
        mapping = files.suggest_mapping(table.headers)
    return files.parse_rows(table, mapping)


def by_line(page):
    return {result.line_number: result for result in page.entries + page.errors}


@tagged("post_install", "-at_install")
class TestReadTable(BaseCase):
    def test_utf8_bom_semicolon_decimal_comma(self):
        table = read("harvest_de_semicolon_bom.csv")
        self.assertEqual(table.encoding, "utf-8-sig")
        self.assertEqual(table.delimiter, ";")
        self.assertEqual(table.headers[0], "Date", "the BOM is not part of a name")
        self.assertEqual(len(table.headers), 14)
        self.assertEqual([row.line_number for row in table.rows], [2, 3, 4])
        page = files.parse_rows(table)
        self.assertFalse(page.errors)
        first, second, third = page.entries
        self.assertEqual(first.date, date(2026, 1, 26))
        self.assertEqual(first.hours, 7.5)
        self.assertEqual(first.user_name, "Jürgen Groß")
        self.assertEqual(first.description, "Workshop mit Kunde, Protokoll")
        self.assertEqual(first.approval_status, "approved")
        self.assertFalse(first.is_locked)
        self.assertEqual(second.hours, 0.25)
        self.assertTrue(second.is_locked, "Invoiced? = Yes locks the entry")
        self.assertEqual(third.hours, 10.75)
        self.assertEqual(third.client_name, "Weiß & Söhne KG")
        self.assertEqual(third.description, "„Bestellung hängt“")
        self.assertIs(third.billable, False)
        self.assertEqual(third.approval_status, "")

    def test_latin1(self):
        table = read("latin1_french.csv")
        self.assertEqual(table.encoding, "cp1252")
        self.assertEqual(table.delimiter, ";")
        self.assertIn("Employé", table.headers)
        self.assertIn("Tâche", table.headers)
        self.assertTrue(any("not UTF-8" in note for note in table.notes))
        page = files.parse_rows(table, files.suggest_mapping(table.headers))
        self.assertFalse(page.errors)
        names = [entry.user_name for entry in page.entries]
        self.assertEqual(
            names, ["Hélène Dupré", "François Lefèvre", "Zoë Garçon", "Hélène Dupré"]
        )
        entries = by_line(page)
        self.assertEqual(entries[2].date, date(2026, 3, 2), "02/03 is 2 March")
        self.assertEqual(entries[2].hours, 1.5)  # 1:30
        self.assertEqual(entries[3].hours, 1.5)  # 1,5
        self.assertEqual(entries[4].hours, 2.25)  # 2h15
        self.assertEqual(entries[5].hours, 0.75)  # 45 min
        self.assertEqual(entries[5].description, "Appel à l'équipe")
        self.assertIs(entries[4].billable, False)  # non

    def test_windows_1252_characters(self):
        content = "Date;User;Hours;Notes\n2026-03-02;Sam;1;Budget 5 € – “draft”\n"
        page = parse(content.encode("cp1252"))
        self.assertEqual(page.entries[0].description, "Budget 5 € – “draft”")

    def test_bytes_undefined_in_windows_1252_read_as_latin_1(self):
        table = files.read_table(b"Date;User;Hours\n2026-03-02;Zo\xeb\x81;1\n")
        self.assertEqual(table.encoding, "latin-1")
        self.assertEqual(table.rows[0].values[1], "Zo\xeb\x81")

    def test_tab_separated(self):
        table = read("tab_separated_us.tsv")
        self.assertEqual(table.delimiter, "\t")
        self.assertEqual(table.encoding, "utf-8")
        page = files.parse_rows(table, files.suggest_mapping(table.headers))
        self.assertFalse(page.errors)
        self.assertEqual(
            [entry.date for entry in page.entries],
            [date(2026, 3, 5), date(2026, 3, 17), date(2026, 3, 18)],
        )
        self.assertEqual([entry.hours for entry in page.entries], [2.4, 1.25, 0.3])
        self.assertIn(
            "Dates such as 03/05/2026 are read as month/day/year, because "
            "03/17/2026 on line 3 can only be read that way.",
            page.notes,
        )

    def test_utf16_excel_unicode_text(self):
        content = "Date\tUser\tHours\n2026-03-02\tSam\t1,5\n".encode("utf-16")
        table = files.read_table(content, "unicode.txt")
        self.assertEqual((table.encoding, table.delimiter), ("utf-16", "\t"))
        page = files.parse_rows(table, files.suggest_mapping(table.headers))
        self.assertEqual(page.entries[0].hours, 1.5)

    def test_excel_sep_line(self):
        table = files.read_table(b"sep=;\r\nDate;User;Hours\r\n2026-03-02;Sam;1,5\r\n")
        self.assertEqual(table.delimiter, ";")
        self.assertEqual(table.headers, ["Date", "User", "Hours"])
        self.assertEqual(table.rows[0].line_number, 3)

    def test_delimiter_not_fooled_by_commas_in_values(self):
        # csv.Sniffer alone picks "," here (a quoted word between commas).
        content = (
            "Date;User;Notes;Hours\n"
            '2026-03-01;Sam;see ,"Q1", report;1,5\n'
            "2026-03-02;Jo;x;2,5\n"
        )
        table = files.read_table(content.encode())
        self.assertEqual(table.delimiter, ";")
        page = files.parse_rows(table, files.suggest_mapping(table.headers))
        self.assertFalse(page.errors)
        self.assertEqual(page.entries[0].description, 'see ,"Q1", report')
        self.assertEqual([entry.hours for entry in page.entries], [1.5, 2.5])

    def test_stray_nul_bytes_dropped(self):
        content = b"Date,User,Hours\n2026-03-02,Sam\x00,1\n" + b"2026-03-03,Jo,2\n" * 60
        table = files.read_table(content)
        self.assertEqual(table.rows[0].values, ("2026-03-02", "Sam", "1"))
        self.assertIn(
            "Removed 1 NUL character(s), which are not text, from the file.",
            table.notes,
        )

    def test_report_title_above_the_columns(self):
        content = (
            "Detailed report\n"
            "03/01/2026 - 03/31/2026\n"
            "\n"
            "Date,User,Hours\n"
            "2026-03-02,Sam,1\n"
        )
        table = files.read_table(content.encode())
        self.assertEqual(table.headers, ["Date", "User", "Hours"])
        self.assertEqual(table.rows[0].line_number, 5)
        self.assertIn("Skipped line(s) 1, 2 above the column names.", table.notes)

    def test_blank_and_trailing_rows_skipped(self):
        content = "\n\nDate,User,Hours\n2026-03-02,Sam,1\n\n,,\n2026-03-03,Jo,2\n,,\n\n"
        table = files.read_table(content.encode())
        self.assertEqual([row.line_number for row in table.rows], [4, 7])

    def test_multiline_value_line_numbers(self):
        table = read("harvest_detailed_export.csv")
        self.assertEqual([row.line_number for row in table.rows], [2, 3, 4, 7, 8])
        self.assertEqual(table.rows[2].last_line, 6)

    def test_duplicate_and_empty_header_names(self):
        table = files.read_table(b"Date,Notes,notes,,Hours\n2026-03-02,a,b,c,1\n")
        self.assertEqual(
            table.headers, ["Date", "Notes", "notes (2)", "Column 4", "Hours"]
        )

    def test_xlsx(self):
        table = read("timesheet_de.xlsx")
        self.assertEqual(table.kind, "xlsx")
        self.assertEqual(table.sheet_name, "Zeiten")
        self.assertEqual(len(table.rows), 4, "formatted empty rows are not rows")
        self.assertIn("Other sheets are not read: 'Notizen'.", table.notes)
        page = files.parse_rows(table, files.suggest_mapping(table.headers))
        self.assertFalse(page.errors)
        entries = by_line(page)
        self.assertEqual(entries[2].date, date(2026, 3, 2))  # date cell
        self.assertEqual(entries[2].hours, 7.5)  # number cell
        self.assertIs(entries[2].billable, True)  # "Ja"
        self.assertEqual(entries[3].date, date(2026, 3, 3))  # serial 46084
        self.assertEqual(entries[3].hours, 1.5)  # time cell 1:30
        self.assertIs(entries[3].billable, True)  # boolean cell
        self.assertEqual(entries[4].date, date(2026, 3, 15))  # text 15.03.2026
        self.assertEqual(entries[4].hours, 2.25)  # text 2,25
        self.assertIs(entries[4].billable, False)  # "nein"
        self.assertEqual(entries[5].hours, 26.25)  # [h]:mm duration
        self.assertEqual(entries[5].user_email, "aenne@example.com")
        self.assertEqual(entries[5].user_name, "Änne Kühn")
        # The payload is stored as JSON: dates become ISO text.
        self.assertEqual(entries[2].raw["Datum"], "2026-03-02T00:00:00")
        self.assertEqual(entries[3].raw["Stunden"], "01:30:00")
        json.dumps([entry.raw for entry in page.entries])

    def test_unreadable_files(self):
        def archive(members):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as zip_file:
                for member, text in members.items():
                    zip_file.writestr(member, text)
            return buffer.getvalue()

        cases = [
            (b"", r"^'x\.csv' is empty\.$"),
            (b" \r\n\r\n", r"^'x\.csv' is empty\.$"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file"),
            (b"%PDF-1.7\n\x00\x01\x02", "is not a text file"),
            (bytes(range(1, 32)) * 20, "is not a text file"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), r"\(\.xls\)"),
            (
                archive({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}),
                r"OpenDocument spreadsheet \(\.ods\)",
            ),
            (archive({"data.csv": "a,b"}), "is a ZIP archive, not an Excel"),
            (archive({"xl/workbook.xml": "<x/>"}), "could not be opened as an Excel"),
            (b"PK\x03\x04truncated", "damaged or incomplete"),
            (
                b"2026-03-02,Sam,1.5\n2026-03-03,Jo,2\n",
                r"no header line: its first line \(2026-03-02, Sam, 1\.5\) holds "
                "values",
            ),
            (b"Hours\n1\n2\n", "no line has two names separated by a comma"),
            (b"Date,Hours\n", "has column names but no rows"),
            (b"Date,,\n2026-03-02,,\n", "no line has two names separated by a comma"),
            (b"\x00" * 10 + b"Date,Hours\n", "is not a text file"),
        ]
        for content, message in cases:
            with (
                self.subTest(message=message),
                self.assertRaisesRegex(FileFormatError, message),
            ):
                files.read_table(content, "x.csv")
        with self.assertRaisesRegex(FileFormatError, "^The file is empty"):
            files.read_table(b"")

    def test_workbook_title_row(self):
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet["B2"] = "Timesheet March 2026"
        sheet.append(["Date", "User", "Hours"])
        sheet.append([datetime(2026, 3, 2), "Sam", 1.5])
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = files.read_table(buffer.getvalue(), "march.xlsx")
        self.assertEqual(table.headers, ["Date", "User", "Hours"])
        self.assertEqual([row.line_number for row in table.rows], [4])
        self.assertIn("Skipped line(s) 2 above the column names.", table.notes)
        self.assertEqual(
            files.parse_rows(table, files.suggest_mapping(table.headers))
            .entries[0]
            .line_number,
            4,
        )

    def test_empty_workbook(self):
        import openpyxl

        buffer = io.BytesIO()
        openpyxl.Workbook().save(buffer)
        with self.assertRaisesRegex(FileFormatError, "has an empty first sheet"):
            files.read_table(buffer.getvalue(), "empty.xlsx")


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
                self.assertEqual(files.detect_format(read(name).headers), expected)

    def test_detect_ignores_case_spacing_and_order(self):
        headers = [
            " duration ",
            "START  TIME",
            "start date",
            "description",
            "\ufeffuser",
            "Amount ()",
        ]
        self.assertEqual(files.detect_format(headers), "toggl")
        self.assertEqual(
            files.detect_format(
                ["user", "description", "start date", "start time", "duration (h)"]
            ),
            "clockify",
        )
        # One signature column missing: not that export.
        self.assertIsNone(
            files.detect_format(["User", "Description", "Start date", "Duration"])
        )
        self.assertIsNone(files.detect_format([]))

    def test_harvest(self):
        page = files.parse_rows(read("harvest_detailed_export.csv"))
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
        page = files.parse_rows(table, "toggl")
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
        page = files.parse_rows(read("clockify_detailed_report.csv"))
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


@tagged("post_install", "-at_install")
class TestValues(BaseCase):
    def test_hours(self):
        for text, hours in (
            ("1.5", 1.5),
            ("1,5", 1.5),
            (" 2 ", 2.0),
            ("0", 0.0),
            (".5", 0.5),
            ("1:30", 1.5),
            ("01:30:00", 1.5),
            ("0:47:06", 0.785),
            ("100:00", 100.0),
            ("1h30", 1.5),
            ("1h 30m", 1.5),
            ("1 h 30 min", 1.5),
            ("2h", 2.0),
            ("1.5h", 1.5),
            ("1,5 hrs", 1.5),
            ("90m", 1.5),
            ("45 min", 0.75),
            ("47:06 min", 0.785),
            ("PT1H30M", 1.5),
            ("pt45m", 0.75),
            ("1,234.5", 1234.5),
            ("1.234,5", 1234.5),
            ("1 234,5", 1234.5),
            ("1'234.5", 1234.5),
            ("1,234,567", 1234567.0),
        ):
            with self.subTest(text=text):
                self.assertEqual(files.parse_hours(text), hours)
        self.assertEqual(files.parse_hours(1.25), 1.25)
        self.assertEqual(files.parse_hours(time(0, 45)), 0.75)
        self.assertEqual(files.parse_hours(timedelta(hours=30)), 30.0)
        self.assertEqual(files.parse_hours(datetime(1900, 1, 1, 6, 0)), 30.0)

    def test_hours_errors(self):
        for text, hours_format, separator, message in (
            ("1h7x", "auto", "auto", "duration '1h7x' is not a number of hours"),
            ("", "auto", "auto", "no duration"),
            ("  ", "auto", "auto", "no duration"),
            ("-1.5", "auto", "auto", "duration '-1.5' is negative"),
            ("-0:30", "auto", "auto", "duration '-0:30' is negative"),
            ("1h75", "auto", "auto", "duration '1h75' is not a number of hours"),
            ("1,2,3.4.5", "auto", "auto", "is not a number of hours or h:mm"),
            ("1,23,4", "auto", "auto", "is not a number of hours or h:mm"),
            ("1:30", "decimal", "auto", "duration '1:30' is not a decimal number"),
            ("1.5", "hh:mm", "auto", "duration '1.5' is not a duration in h:mm"),
            ("1.5", "auto", ",", "duration '1.5' is not a number of hours"),
            ("true", "auto", "auto", "is not a number of hours"),
        ):
            with self.subTest(text=text, hours_format=hours_format):
                with self.assertRaises(ValueError) as caught:
                    files.parse_hours(text, hours_format, separator)
                self.assertIn(message, str(caught.exception))
        with self.assertRaisesRegex(ValueError, "is negative"):
            files.parse_hours(-2.0)

    def test_hours_formats(self):
        self.assertEqual(files.parse_hours("1.30", "hh:mm"), 1.5)
        self.assertEqual(files.parse_hours("1,45", "hh:mm"), 1.75)
        self.assertEqual(files.parse_hours("7h15", "hh:mm"), 7.25)
        self.assertEqual(files.parse_hours("7", "hh:mm"), 7.0)
        self.assertEqual(files.parse_hours("1.30", "auto"), 1.3)
        self.assertEqual(files.parse_hours("1.5 h", "decimal"), 1.5)
        self.assertEqual(files.parse_hours("1.500,5", "decimal", ","), 1500.5)
        self.assertEqual(files.parse_hours("1,500.5", "decimal", "."), 1500.5)

    def test_dates(self):
        for text, order, expected in (
            ("2026-03-31", "mdy", date(2026, 3, 31)),
            ("2026-3-1", "dmy", date(2026, 3, 1)),
            ("2026-03-31T10:00:00Z", "dmy", date(2026, 3, 31)),
            ("2026/03/31", "dmy", date(2026, 3, 31)),
            ("31/03/2026", "dmy", date(2026, 3, 31)),
            ("03/31/2026", "mdy", date(2026, 3, 31)),
            ("03/04/2026", "dmy", date(2026, 4, 3)),
            ("03/04/2026", "mdy", date(2026, 3, 4)),
            ("03.04.2026", "mdy", date(2026, 4, 3)),  # dots: always day first
            ("31-03-2026", "dmy", date(2026, 3, 31)),
            ("31/03/26", "dmy", date(2026, 3, 31)),
            ("03/06/2024 10:00", "mdy", date(2024, 3, 6)),
            ("02-Mar-2026", "dmy", date(2026, 3, 2)),
            ("2 March 2026", "dmy", date(2026, 3, 2)),
            ("Mar 2, 2026", "dmy", date(2026, 3, 2)),
        ):
            with self.subTest(text=text, order=order):
                self.assertEqual(files.parse_date(text, order), expected)
        self.assertEqual(files.parse_date(46083), date(2026, 3, 2))
        self.assertEqual(files.parse_date(46083.75), date(2026, 3, 2))
        self.assertEqual(files.parse_date(datetime(2026, 3, 2, 9)), date(2026, 3, 2))
        self.assertEqual(
            files.parse_date("2026.31.03", date_format="%Y.%d.%m"), date(2026, 3, 31)
        )
        self.assertEqual(
            files.parse_date("2026-03-31", date_format="%Y.%d.%m"), date(2026, 3, 31)
        )
        self.assertEqual(
            files.parse_date("03/04/2026", date_format="mdy"), date(2026, 3, 4)
        )

    def test_date_errors(self):
        for text, order, date_format, message in (
            ("31/02/2026", "dmy", "auto", "date '31/02/2026' is not a valid date"),
            ("", "dmy", "auto", "no date"),
            ("soon", "dmy", "auto", "date 'soon' is not a valid date (expected e.g."),
            ("2026-13-01", "dmy", "auto", "date '2026-13-01' is not a valid date"),
            ("01/01/0026", "dmy", "auto", "date '01/01/0026' is not a valid date"),
            ("31/12/2026", "dmy", "%m/%d/%Y", "does not match the date format %m/%d"),
        ):
            with self.subTest(text=text):
                with self.assertRaises(ValueError) as caught:
                    files.parse_date(text, order, date_format)
                self.assertIn(message, str(caught.exception))
        # The impossible date of the demo gets no hint: no order would save it.
        with self.assertRaises(ValueError) as caught:
            files.parse_date("31/02/2026", "mdy")
        self.assertEqual(str(caught.exception), "date '31/02/2026' is not a valid date")
        # A date that only the other order would read says which order applies.
        with self.assertRaisesRegex(ValueError, r"read as month/day/year; change"):
            files.parse_date("13/02/2026", "mdy")

    def test_times(self):
        for text, expected in (
            ("10:00", time(10, 0)),
            ("9:05:30", time(9, 5, 30)),
            ("3:00pm", time(15, 0)),
            ("03:00:00 PM", time(15, 0)),
            ("12:00 AM", time(0, 0)),
            ("12:30 p.m.", time(12, 30)),
            ("3pm", time(15, 0)),
            ("10h00", time(10, 0)),
            ("2026-03-02T10:15:00+01:00", time(10, 15)),
        ):
            with self.subTest(text=text):
                self.assertEqual(files.parse_time(text), expected)
        for text in ("25:00", "13:00 PM", "10", "noon", "10:60"):
            with (
                self.subTest(text=text),
                self.assertRaisesRegex(ValueError, "is not a valid time of day"),
            ):
                files.parse_time(text)

    def test_booleans(self):
        for values, expected in (
            (("Yes", "y", "TRUE", "1", "x", "Oui", "Ja", "Sí", True, 1.0), True),
            (("No", "n", "false", "0", "Non", "Nein", "Non-billable", False, 0), False),
            (("", "  ", None), None),
        ):
            for value in values:
                with self.subTest(value=value):
                    self.assertIs(files.parse_bool(value), expected)
        with self.assertRaisesRegex(ValueError, "'maybe' is not yes or no"):
            files.parse_bool(" maybe ")
        with self.assertRaisesRegex(ValueError, "'2' is not yes or no"):
            files.parse_bool(2)


@tagged("post_install", "-at_install")
class TestParseRows(BaseCase):
    HEADER = "Date,User,Email,Project,Task,Notes,Hours"

    def test_hundred_rows_three_broken(self):
        """The acceptance demo: what the user is told about the 3 bad rows."""
        table = read("timesheet_100_rows_3_broken.csv")
        self.assertEqual(len(table.rows), 100)
        self.assertIsNone(files.detect_format(table.headers))
        mapping = files.suggest_mapping(table.headers)
        page = files.parse_rows(table, mapping)
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
        mapping = files.suggest_mapping(files.read_table(content.encode()).headers)
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
        mapping = files.suggest_mapping(["ID", "Date", "User", "Hours"])
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
        first = files.parse_rows(read("harvest_detailed_export.csv"))
        again = files.parse_rows(read("harvest_detailed_export.csv"))
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
        toggl = files.parse_rows(read("toggl_detailed_report.csv"))
        custom = files.parse_rows(
            read("toggl_detailed_report.csv"),
            files.mapping_for_format(
                "toggl", read("toggl_detailed_report.csv").headers
            ).to_dict()
            | {"format_key": ""},
        )
        self.assertTrue(toggl.entries[0].external_id.startswith("toggl:"))
        self.assertTrue(custom.entries[0].external_id.startswith("file:"))

    def test_hours_from_start_and_end(self):
        mapping = files.ColumnMapping(
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
        self.assertEqual(
            [error.message for error in page.errors],
            [
                "Line 5: the entry ends (2026-03-02 09:00) before it starts "
                "(2026-03-03 10:00)",
                "Line 6: time '25:00' is not a valid time of day",
            ],
        )

    def test_explicit_options(self):
        content = "Date,User,Hours\n03/04/2026,Sam,1.30\n13/04/2026,Sam,2.45\n"
        mapping = files.ColumnMapping(
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
        mapping = files.ColumnMapping(
            columns={"date": "Date", "hours": "Hours", "description": "Notes"},
            default_user="Sam@Example.com",
        )
        entry = parse(content, mapping).entries[0]
        self.assertEqual(entry.user_email, "Sam@Example.com")
        self.assertEqual(entry.user_ref, "sam@example.com")

    def test_first_and_last_name(self):
        mapping = files.suggest_mapping(["Date", "First name", "Last name", "Hours"])
        self.assertEqual(mapping.columns["user_first_name"], "First name")
        page = parse(
            "Date,First name,Last name,Hours\n2026-03-02,Ana,Núñez,1\n", mapping
        )
        self.assertEqual(page.entries[0].user_name, "Ana Núñez")


@tagged("post_install", "-at_install")
class TestColumnMapping(BaseCase):
    def test_json_round_trip(self):
        mapping = files.ColumnMapping(
            columns={"date": "Datum", "hours": "Stunden", "user_name": "Mitarbeiter"},
            date_format="%d.%m.%Y",
            decimal_separator=",",
            hours_format="hh:mm",
            repeated_rows="import",
            default_user="",
        )
        text = mapping.to_json()
        self.assertIsInstance(json.loads(text), dict)
        self.assertEqual(files.ColumnMapping.from_json(text), mapping)
        self.assertEqual(files.ColumnMapping.from_dict(mapping.to_dict()), mapping)

    def test_invalid_mappings(self):
        for text, message in (
            ("not json", "not JSON"),
            ("[1, 2]", "expected a JSON object"),
            ('{"columns": {"colour": "Colour"}}', "unknown column roles: colour"),
            ('{"columns": ["Date"]}', "columns must be an object"),
            ('{"hours_format": "minutes"}', "hours_format must be one of"),
            ('{"decimal_separator": ";"}', "decimal_separator must be one of"),
            ('{"date_format": "dd/mm"}', "date_format must be auto, dmy, mdy"),
            ('{"repeated_rows": "skip"}', "repeated_rows must be one of"),
            ('{"sheet": "1"}', "unknown keys sheet"),
        ):
            with self.subTest(text=text), self.assertRaisesRegex(ValueError, message):
                files.ColumnMapping.from_json(text)

    def test_check(self):
        headers = ["Date", "Who", "Hours"]
        self.assertEqual(
            files.ColumnMapping(
                columns={"date": " date ", "hours": "HOURS", "user_name": "Who"}
            ).check(headers),
            [],
        )
        self.assertEqual(
            files.ColumnMapping(columns={"project_name": "Project"}).check(headers),
            [
                "the column 'Project' (Project) is not in the file",
                "no column is mapped to Date",
                "no column is mapped to Hours or Duration (or to both Start time and "
                "End time)",
                "no column is mapped to a user (e-mail, name or ID) and no default "
                "user is set",
            ],
        )

    def test_resolve(self):
        table = read("tab_separated_us.tsv")
        mapping = files.suggest_mapping(table.headers)
        for given in (mapping, mapping.to_dict(), mapping.to_json()):
            self.assertEqual(files.resolve_mapping(table, given), mapping)
        with self.assertRaisesRegex(
            FileFormatError, "not a recognised Harvest, Toggl Track or Clockify export"
        ):
            files.parse_rows(table)
        with self.assertRaisesRegex(FileFormatError, "Unknown export format 'tempo'"):
            files.parse_rows(table, "tempo")
        with self.assertRaisesRegex(
            FileFormatError,
            "The column mapping does not fit this file: the column 'Datum' \\(Date\\) "
            "is not in the file",
        ):
            files.parse_rows(table, mapping.to_dict() | {"columns": {"date": "Datum"}})
        with self.assertRaisesRegex(FileFormatError, "unknown column roles"):
            files.parse_rows(table, {"columns": {"when": "Work Date"}})

    def test_suggest_mapping(self):
        cases = {
            (
                "Date",
                "Employee",
                "Email",
                "Client",
                "Project",
                "Task",
                "Notes",
                "Hours",
            ): {
                "date": "Date",
                "user_name": "Employee",
                "user_email": "Email",
                "client_name": "Client",
                "project_name": "Project",
                "task_name": "Task",
                "description": "Notes",
                "hours": "Hours",
            },
            ("Datum", "Mitarbeiter", "Projekt", "Tätigkeit", "Stunden", "Bemerkung"): {
                "date": "Datum",
                "user_name": "Mitarbeiter",
                "project_name": "Projekt",
                "task_name": "Tätigkeit",
                "hours": "Stunden",
                "description": "Bemerkung",
            },
            (
                "Fecha",
                "Empleado",
                "Correo electrónico",
                "Cliente",
                "Proyecto",
                "Tarea",
                "Descripción",
                "Horas",
                "Facturable",
            ): {
                "date": "Fecha",
                "user_name": "Empleado",
                "user_email": "Correo electrónico",
                "client_name": "Cliente",
                "project_name": "Proyecto",
                "task_name": "Tarea",
                "description": "Descripción",
                "hours": "Horas",
                "billable": "Facturable",
            },
            ("Jour", "Collaborateur", "Projet", "Heures", "Libellé"): {
                "date": "Jour",
                "user_name": "Collaborateur",
                "project_name": "Projet",
                "hours": "Heures",
                "description": "Libellé",
            },
            ("Entry ID", "Start", "End", "User Email", "Duration", "Colour"): {
                "external_id": "Entry ID",
                "start_time": "Start",
                "end_time": "End",
                "user_email": "User Email",
                "duration": "Duration",
            },
            ("Date worked", "Hours billed", "Staff member"): {
                "date": "Date worked",
                "hours": "Hours billed",
                "user_name": "Staff member",
            },
        }
        for headers, expected in cases.items():
            with self.subTest(headers=headers):
                mapping = files.suggest_mapping(list(headers))
                self.assertEqual(mapping.columns, expected)
                self.assertEqual(mapping.format_key, "")
        # A recognised export gets its own mapping.
        mapping = files.suggest_mapping(read("toggl_detailed_report.csv").headers)
        self.assertEqual(mapping.format_key, "toggl")
        self.assertEqual(mapping.columns["duration"], "Duration")
        self.assertEqual(mapping.columns["end_date"], "End date")

    def test_roles_and_aliases_are_consistent(self):
        self.assertEqual(set(files.HEADER_ALIASES), set(files.ROLES))
        for spec in files.KNOWN_FORMATS.values():
            self.assertLessEqual(set(spec["columns"]), set(files.ROLES))
        for role, aliases in files.HEADER_ALIASES.items():
            for alias in aliases:
                self.assertEqual(files._alias_key(alias), alias, role)


@tagged("post_install", "-at_install")
class TestFileAdapter(BaseCase):
    def adapter(self, **options):
        content = sample("timesheet_100_rows_3_broken.csv")
        headers = files.read_table(content).headers
        options = {
            "content": content,
            "filename": "timesheet.csv",
            "mapping": files.suggest_mapping(headers).to_json(),
            **options,
        }
        return files.FileAdapter(AdapterConfig(page_size=40, options=options))

    def test_pages_and_resume(self):
        adapter = self.adapter()
        self.assertEqual(
            adapter.check_connection(),
            "CSV file, UTF-8, comma-separated, 8 columns, 100 rows (custom columns)",
        )
        pages = list(adapter.iter_pages())
        self.assertEqual(
            [len(page.entries) + len(page.errors) for page in pages], [40, 40, 20]
        )
        self.assertEqual([page.resume_token for page in pages], ["41", "81", None])
        self.assertEqual([len(page.errors) for page in pages], [1, 1, 1])
        self.assertTrue(pages[0].notes)
        self.assertFalse(pages[1].notes)
        resumed = list(adapter.iter_pages(resume_token="41"))
        self.assertEqual(
            [entry.external_id for page in resumed for entry in page.entries],
            [entry.external_id for page in pages[1:] for entry in page.entries],
        )
        for page in pages:
            for result in page.entries + page.errors:
                self.assertIsInstance(result, ExternalEntry | EntryError)

    def test_unreadable_upload(self):
        adapter = files.FileAdapter(AdapterConfig(options={"filename": "x.csv"}))
        with self.assertRaisesRegex(FileFormatError, "'x.csv' is empty"):
            adapter.check_connection()
