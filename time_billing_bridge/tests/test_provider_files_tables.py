# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The CSV / XLSX reader (providers/files/): reading a file into a table.

Without the ORM. The expectations below were checked by hand against the sample
files, which tests/samples/make_samples.py writes.
"""

import io
import json
import zipfile
from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..exceptions import FileFormatError
from ..providers.files.columns import suggest_mapping
from ..providers.files.lazy import LazyRows
from ..providers.files.rows import parse_rows
from ..providers.files.tables import read_table
from .common_files import by_line, parse, read


@tagged("post_install", "-at_install")
class TestReadTable(BaseCase):
    def test_rows_are_read_again_not_kept(self):
        for name in ("harvest_de_semicolon_bom.csv", "timesheet_de.xlsx"):
            table = read(name)
            # Memory follows one row: each pass reads the file again.
            self.assertIsInstance(table.rows, LazyRows, name)
            rows = list(table.rows)
            self.assertEqual(list(table.rows), rows, name)
            self.assertEqual(len(table.rows), len(rows), name)
            self.assertEqual(table.rows[-1], rows[-1], name)
            self.assertEqual(table.rows[1:3], rows[1:3], name)

    def test_utf8_bom_semicolon_decimal_comma(self):
        table = read("harvest_de_semicolon_bom.csv")
        self.assertEqual(table.encoding, "utf-8-sig")
        self.assertEqual(table.delimiter, ";")
        self.assertEqual(table.headers[0], "Date", "the BOM is not part of a name")
        self.assertEqual(len(table.headers), 14)
        self.assertEqual([row.line_number for row in table.rows], [2, 3, 4])
        page = parse_rows(table)
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
        page = parse_rows(table, suggest_mapping(table.headers))
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
        table = read_table(b"Date;User;Hours\n2026-03-02;Zo\xeb\x81;1\n")
        self.assertEqual(table.encoding, "latin-1")
        self.assertEqual(table.rows[0].values[1], "Zo\xeb\x81")

    def test_tab_separated(self):
        table = read("tab_separated_us.tsv")
        self.assertEqual(table.delimiter, "\t")
        self.assertEqual(table.encoding, "utf-8")
        page = parse_rows(table, suggest_mapping(table.headers))
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
        table = read_table(content, "unicode.txt")
        self.assertEqual((table.encoding, table.delimiter), ("utf-16", "\t"))
        page = parse_rows(table, suggest_mapping(table.headers))
        self.assertEqual(page.entries[0].hours, 1.5)

    def test_excel_sep_line(self):
        table = read_table(b"sep=;\r\nDate;User;Hours\r\n2026-03-02;Sam;1,5\r\n")
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
        table = read_table(content.encode())
        self.assertEqual(table.delimiter, ";")
        page = parse_rows(table, suggest_mapping(table.headers))
        self.assertFalse(page.errors)
        self.assertEqual(page.entries[0].description, 'see ,"Q1", report')
        self.assertEqual([entry.hours for entry in page.entries], [1.5, 2.5])

    def test_stray_nul_bytes_dropped(self):
        content = b"Date,User,Hours\n2026-03-02,Sam\x00,1\n" + b"2026-03-03,Jo,2\n" * 60
        table = read_table(content)
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
        table = read_table(content.encode())
        self.assertEqual(table.headers, ["Date", "User", "Hours"])
        self.assertEqual(table.rows[0].line_number, 5)
        self.assertIn("Skipped line(s) 1, 2 above the column names.", table.notes)

    def test_blank_and_trailing_rows_skipped(self):
        content = "\n\nDate,User,Hours\n2026-03-02,Sam,1\n\n,,\n2026-03-03,Jo,2\n,,\n\n"
        table = read_table(content.encode())
        self.assertEqual([row.line_number for row in table.rows], [4, 7])

    def test_multiline_value_line_numbers(self):
        table = read("harvest_detailed_export.csv")
        self.assertEqual([row.line_number for row in table.rows], [2, 3, 4, 7, 8])
        self.assertEqual(table.rows[2].last_line, 6)

    def test_duplicate_and_empty_header_names(self):
        table = read_table(b"Date,Notes,notes,,Hours\n2026-03-02,a,b,c,1\n")
        self.assertEqual(
            table.headers, ["Date", "Notes", "notes (2)", "Column 4", "Hours"]
        )

    def test_xlsx(self):
        table = read("timesheet_de.xlsx")
        self.assertEqual(table.kind, "xlsx")
        self.assertEqual(table.sheet_name, "Zeiten")
        self.assertEqual(len(table.rows), 4, "formatted empty rows are not rows")
        self.assertIn("Other sheets are not read: 'Notizen'.", table.notes)
        page = parse_rows(table, suggest_mapping(table.headers))
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
                read_table(content, "x.csv")
        with self.assertRaisesRegex(FileFormatError, "^The file is empty"):
            read_table(b"")

    def test_workbook_title_row(self):
        import openpyxl

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet["B2"] = "Timesheet March 2026"
        sheet.append(["Date", "User", "Hours"])
        sheet.append([datetime(2026, 3, 2), "Sam", 1.5])
        buffer = io.BytesIO()
        workbook.save(buffer)
        table = read_table(buffer.getvalue(), "march.xlsx")
        self.assertEqual(table.headers, ["Date", "User", "Hours"])
        self.assertEqual([row.line_number for row in table.rows], [4])
        self.assertIn("Skipped line(s) 2 above the column names.", table.notes)
        self.assertEqual(
            parse_rows(table, suggest_mapping(table.headers)).entries[0].line_number,
            4,
        )

    def test_empty_workbook(self):
        import openpyxl

        buffer = io.BytesIO()
        openpyxl.Workbook().save(buffer)
        with self.assertRaisesRegex(FileFormatError, "has an empty first sheet"):
            read_table(buffer.getvalue(), "empty.xlsx")
