# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared helpers of the CSV / XLSX reader tests (providers/files/).

The expectations below were checked by hand against the sample files, which
tests/samples/make_samples.py writes.
"""

import io
from datetime import datetime
from pathlib import Path

from ..providers.files.columns import suggest_mapping
from ..providers.files.rows import parse_rows
from ..providers.files.tables import read_table

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name):
    return (SAMPLES / name).read_bytes()


def read(name):
    return read_table(sample(name), name)


def parse(content, mapping=None, filename="upload.csv"):
    """Read CSV text (str) or bytes and parse it with ``mapping``."""
    if isinstance(content, str):
        content = content.encode()
    table = read_table(content, filename)
    if mapping is None:
        mapping = suggest_mapping(table.headers)
    return parse_rows(table, mapping)


def by_line(page):
    return {result.line_number: result for result in page.entries + page.errors}


def qbtime_workbook():
    """The QuickBooks Time sample as Excel writes it: date and number cells."""
    import openpyxl

    table = read("qbtime_timesheet_report.csv")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Timesheets"
    sheet.append(table.headers)
    for row in table.rows:
        cells = dict(zip(table.headers, row.values, strict=True))
        cells["local_date"] = datetime.fromisoformat(cells["local_date"])
        for name in ("local_start_time", "local_end_time"):
            cells[name] = datetime.fromisoformat(cells[name])
        cells["hours"] = float(cells["hours"])
        sheet.append([cells[header] for header in table.headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
