# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading an XLSX sheet in constant memory (providers/files/sheets.py).

Workbooks saved by Excel keep their texts in a shared strings table; the
ones built here do too, with a date cell styled as Excel styles it.
"""

import io
import tracemalloc
import zipfile
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

import openpyxl

from odoo.tests import BaseCase, tagged

from ..providers.files.columns import suggest_mapping
from ..providers.files.rows import parse_rows
from ..providers.files.sheets import SpilledStrings, open_workbook, sheet_rows
from ..providers.files.tables import read_table
from .common_files import sample

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"

PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        f'ContentType="{CT}.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        f'ContentType="{CT}.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        f'ContentType="{CT}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
        '<sheet name="Time" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{PKG}">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" '
        'Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    ),
    # Style 1 is the built-in date format 14 (m/d/yyyy), as Excel writes it.
    "xl/styles.xml": (
        f'<styleSheet xmlns="{NS}"><fonts count="1"><font><sz val="11"/></font>'
        '</fonts><fills count="1"><fill><patternFill patternType="none"/></fill>'
        '</fills><borders count="1"><border><left/><right/><top/><bottom/>'
        '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle '
        'name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    ),
}

HEADERS = ("Date", "Email", "Project", "Description", "Hours")


def excel_workbook(rows):
    """An XLSX of ``rows`` rows laid out as Excel saves it: texts in the
    shared strings table (one rich text among them), dates as serial numbers
    with a date style, hours as numbers."""
    strings, index = [], {}

    def shared(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    lines = []
    header = "".join(
        f'<c r="{chr(65 + col)}1" t="s"><v>{shared(text)}</v></c>'
        for col, text in enumerate(HEADERS)
    )
    lines.append(f'<row r="1">{header}</row>')
    for number in range(2, rows + 2):
        serial = 46082 + number % 20  # 2026-03-01 onwards
        person = f"person{number % 7}@example.com"
        cells = (
            f'<c r="A{number}" s="1"><v>{serial}</v></c>'
            f'<c r="B{number}" t="s"><v>{shared(person)}</v></c>'
            f'<c r="C{number}" t="s"><v>{shared(f"Project {number % 5}")}</v></c>'
            f'<c r="D{number}" t="s"><v>{shared(f"Work item {number}")}</v></c>'
            f'<c r="E{number}"><v>{0.25 * (1 + number % 16)}</v></c>'
        )
        lines.append(f'<row r="{number}">{cells}</row>')
    items = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    # A rich text string (runs joined) and an escaped underscore, as Excel
    # writes them; no cell uses them.
    items += "<si><r><t>Ri</t></r><r><t>ch</t></r></si><si><t>a_x005F_b</t></si>"
    parts = dict(PARTS)
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{NS}">{items}</sst>'
    parts["xl/worksheets/sheet1.xml"] = (
        f'<worksheet xmlns="{NS}"><sheetData>{"".join(lines)}</sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def stock_rows(content):
    """The rows as openpyxl's own read-only mode reads them."""
    workbook = openpyxl.load_workbook(
        io.BytesIO(content), read_only=True, data_only=True
    )
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        return [tuple(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def lean_rows(content):
    workbook, close = open_workbook(content)
    try:
        sheet = workbook.worksheets[0]
        return [values for _number, values in sheet_rows(workbook, sheet)]
    finally:
        close()


@tagged("post_install", "-at_install")
class TestReadSheet(BaseCase):
    def test_values_are_what_openpyxl_reads(self):
        content = excel_workbook(30)
        self.assertEqual(lean_rows(content), stock_rows(content))

    def test_durations_and_rows_left_out(self):
        content = sample("timesheet_de.xlsx")
        lean = [row for row in lean_rows(content) if row]
        stock = [row for row in stock_rows(content) if row]
        # A [h]:mm cell is a duration; openpyxl's read-only mode (3.0) reads
        # it as a moment of January 1900.
        self.assertEqual(lean[4][7], timedelta(hours=26, minutes=15))
        self.assertEqual(stock[4][7], datetime(1900, 1, 1, 2, 15))
        # The rest is the same, without the rows the file leaves out.
        self.assertEqual(len(lean), len(stock))
        for number, (ours, theirs) in enumerate(zip(lean, stock, strict=True)):
            if number == 4:
                ours, theirs = ours[:7] + ours[8:], theirs[:7] + theirs[8:]
            self.assertEqual(ours, theirs)

    def test_shared_strings_and_date_styles(self):
        table = read_table(excel_workbook(3), "march.xlsx")
        page = parse_rows(table, suggest_mapping(table.headers))
        self.assertFalse(page.errors)
        first = min(page.entries, key=lambda entry: entry.line_number)
        self.assertEqual(first.line_number, 2)
        self.assertEqual(first.date, date(2026, 3, 3))
        self.assertEqual(first.user_email, "person2@example.com")
        self.assertEqual(first.project_name, "Project 2")
        self.assertEqual(first.description, "Work item 2")
        self.assertEqual(first.hours, 0.75)

    def test_spilled_strings_read_back(self):
        with zipfile.ZipFile(io.BytesIO(excel_workbook(2))) as archive:
            with archive.open("xl/sharedStrings.xml") as source:
                strings = SpilledStrings(source)
        try:
            self.assertEqual(len(strings), len(HEADERS) + 6 + 2)
            self.assertEqual(strings[0], "Date")
            self.assertEqual(strings[len(strings) - 2], "Rich")
            self.assertEqual(strings[len(strings) - 1], "a_b")
            with self.assertRaises(IndexError):
                strings[len(strings)]
        finally:
            strings.close()

    def test_rows_are_numbered_as_in_the_sheet(self):
        content = excel_workbook(3)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        # A row left out of the file (as Excel leaves out empty rows).
        sheet = parts["xl/worksheets/sheet1.xml"].decode()
        start = sheet.index('<row r="3">')
        parts["xl/worksheets/sheet1.xml"] = (
            sheet[:start] + sheet[sheet.index("</row>", start) + 6 :]
        ).encode()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
        table = read_table(buffer.getvalue(), "gap.xlsx")
        self.assertEqual([row.line_number for row in table.rows], [2, 4])

    def test_memory_does_not_grow_with_the_rows(self):
        """Reading 12,000 rows holds no more than reading 2,000: the strings
        wait in a file, each row is let go once read. (openpyxl's own
        reading holds about 150 bytes more for each row, 1.5 MB here.)"""

        def peak(rows):
            content = excel_workbook(rows)
            tracemalloc.start()
            try:
                table = read_table(content, "big.xlsx")
                count = sum(1 for _row in table.rows)
                return count, tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

        small_count, small = peak(2000)
        big_count, big = peak(12000)
        self.assertEqual((small_count, big_count), (2000, 12000))
        # 8 bytes of index a string are what remains (80 kB here).
        self.assertLess(big - small, 300_000, f"{small:,} -> {big:,} bytes")

    def test_old_dates_in_a_1904_workbook(self):
        workbook = openpyxl.Workbook()
        workbook.epoch = openpyxl.utils.datetime.MAC_EPOCH
        sheet = workbook.active
        sheet.append(["Date", "Hours"])
        sheet.append([datetime(2026, 3, 2), 1.5])
        buffer = io.BytesIO()
        workbook.save(buffer)
        rows = lean_rows(buffer.getvalue())
        self.assertEqual(rows[1], (datetime(2026, 3, 2), 1.5))
