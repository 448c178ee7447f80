# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading an XLSX workbook into a table (see :mod:`.tables`): its archive
checked first, then the rows of its first sheet, read again at each pass."""

import io
import zipfile
from contextlib import contextmanager

from openpyxl.utils.exceptions import InvalidFileException

from ...exceptions import FileFormatError
from .lazy import LazyRows
from .sheets import open_workbook, sheet_rows
from .tables import (
    Row,
    Table,
    _check_found,
    _clean_headers,
    _file_label,
    _filled_count,
    _preamble_notes,
    _scan_events,
)

# Bounds on an XLSX archive, checked on its directory before anything is
# decompressed. A workbook of 200,000 rows of time entries holds a few dozen
# members and about 100 MB of XML, compressed 10 to 30 times. zipfile stops
# decompressing a member at its declared size, so the declared sizes bound
# the work actually done too.
XLSX_MAX_MEMBERS = 1000
XLSX_MAX_UNCOMPRESSED = 512 * 1024 * 1024
XLSX_MAX_RATIO = 200
#: Members smaller than this are not held to the ratio (tiny XML compresses well).
XLSX_RATIO_FLOOR = 1024 * 1024


def _check_archive(archive, name):
    """Refuse a workbook whose directory announces more work than a real one:
    too many members, too much XML, or a member compressed far more than XML
    ever is. Reads the directory only."""
    members = archive.infolist()
    if len(members) > XLSX_MAX_MEMBERS:
        raise FileFormatError(
            f"{name} holds {len(members)} files inside; an Excel workbook holds "
            f"far fewer (at most {XLSX_MAX_MEMBERS} are read). It was not opened."
        )
    total = sum(member.file_size for member in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise FileFormatError(
            f"{name} would unpack to {total // (1024 * 1024)} MB, more than the "
            f"{XLSX_MAX_UNCOMPRESSED // (1024 * 1024)} MB a workbook may hold. It "
            "was not opened: split it, or save it as CSV."
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > XLSX_RATIO_FLOOR and ratio > XLSX_MAX_RATIO:
            raise FileFormatError(
                f"{name} is not a genuine workbook: its part '{member.filename}' "
                f"would unpack to {ratio:.0f} times its size (a real one stays "
                f"under {XLSX_MAX_RATIO}). It was not opened."
            )


def read_xlsx(content, filename, max_rows=0):
    """The first sheet of the XLSX ``content`` as a Table; see
    :func:`.tables.read_table`."""

    name = _file_label(filename)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_archive(archive, name)
            members = set(archive.namelist())
            if "mimetype" in members:
                kind = archive.read("mimetype").decode("ascii", "replace")
                if "opendocument" in kind:
                    raise FileFormatError(
                        f"{name} is an OpenDocument spreadsheet (.ods), which "
                        "cannot be read: save it as .xlsx or CSV."
                    )
            if "xl/workbook.xml" not in members:
                raise FileFormatError(
                    f"{name} is a ZIP archive, not an Excel workbook: upload the "
                    ".xlsx or CSV file itself."
                )
        with _opened(content, name) as workbook:
            if not workbook.worksheets:
                raise FileFormatError(f"{name} has no sheet.")
            sheet = workbook.worksheets[0]
            headers, preamble, count = _scan_events(
                _sheet_events(workbook, sheet, name), name, max_rows
            )
            notes = [f"Read the first sheet, '{sheet.title}', of the workbook."]
            notes.extend(_preamble_notes(preamble))
            if len(workbook.worksheets) > 1:
                others = ", ".join(f"'{ws.title}'" for ws in workbook.worksheets[1:])
                notes.append(f"Other sheets are not read: {others}.")
            epoch = workbook.epoch
            title = sheet.title
    except zipfile.BadZipFile as err:
        raise FileFormatError(
            f"{name} looks like an Excel workbook but is damaged or incomplete."
        ) from err
    if headers is None and not preamble:
        raise FileFormatError(f"{name} has an empty first sheet.")
    _check_found(name, headers, count, preamble)
    rows = LazyRows(lambda: _workbook_rows(content, name), count)
    return Table(
        headers=headers,
        rows=rows,
        filename=filename,
        kind="xlsx",
        sheet_name=title,
        excel_epoch=epoch,
        notes=notes,
    )


@contextmanager
def _opened(content, name):
    """The workbook of ``content`` (see :func:`.sheets.open_workbook`), the
    failures to open it worded for the person who uploaded the file."""
    try:
        workbook, close = open_workbook(content)
    except (InvalidFileException, KeyError, ValueError, OSError) as err:
        raise FileFormatError(
            f"{name} could not be opened as an Excel workbook ({err})."
        ) from err
    try:
        yield workbook
    finally:
        close()


def _sheet_events(workbook, sheet, name):
    """As :func:`_csv_events`, for the rows of an XLSX ``sheet``."""
    headers = None
    for line, values in sheet_rows(workbook, sheet):
        filled = _filled_count(values)
        if headers is None and filled < 2:
            if filled:
                yield "preamble", line
        elif headers is None:
            headers = _clean_headers(values, name)
            yield "header", headers
        elif filled:
            yield "row", Row(line, values, line)


def _workbook_rows(content, name):
    """The rows of the first sheet of the workbook ``content``, read again
    (it was checked and read once by :func:`read_xlsx`)."""
    with _opened(content, name) as workbook:
        sheet = workbook.worksheets[0]
        for kind, item in _sheet_events(workbook, sheet, name):
            if kind == "row":
                yield item
