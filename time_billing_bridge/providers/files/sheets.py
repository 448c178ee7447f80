# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading the first sheet of an XLSX workbook in constant memory.

openpyxl's read-only mode streams the cells, but keeps two things that grow
with the file: the shared strings table, held whole as a list of Python
strings (every distinct text of the workbook: about 70 bytes a row of
descriptions), and every row element parsed, cleared but still attached to
the sheet's data element (about 80 bytes a row). Here the strings go to a
temporary file with an index of 8 bytes a string, and each row is let go
once read; and a sheet is not sized when opened (openpyxl walks a sheet
that names no size to its end). The rest (styles, date formats, the
1900/1904 epoch, cell types) is openpyxl's own.
"""

import io
import tempfile
from array import array
from functools import lru_cache

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
#: Distinct strings kept decoded: names of people, projects and clients
#: repeat on every row, descriptions rarely.
STRING_CACHE = 1024


class SpilledStrings:
    """The shared strings table of a workbook, kept in a temporary file.

    Indexable like the list openpyxl builds (``strings[i]``); each string is
    read back from the file when a cell names it, the most recent ones from
    a cache.
    """

    def __init__(self, source):
        self._file = tempfile.TemporaryFile()
        self._offsets = array("Q", [0])
        root = None
        write = self._file.write
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
            elif element.tag == STRING_TAG:
                # As openpyxl reads a string item (rich text runs joined).
                text = Text.from_tree(element).content.replace("x005F_", "")
                data = text.encode("utf-8")
                write(data)
                self._offsets.append(self._offsets[-1] + len(data))
                element.clear()
                root.remove(element)
        self._file.flush()
        self._read = lru_cache(maxsize=STRING_CACHE)(self._read_string)

    def __len__(self):
        return len(self._offsets) - 1

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._read(index)

    def _read_string(self, index):
        start = self._offsets[index]
        self._file.seek(start)
        return self._file.read(self._offsets[index + 1] - start).decode("utf-8")

    def close(self):
        self._read.cache_clear()
        self._file.close()


class _LeanSheet(ReadOnlyWorksheet):
    """A read-only worksheet that is not sized when opened: openpyxl parses
    a sheet whose file names no dimension (openpyxl's own write-only files)
    to its end, holding a cleared element per row. Its rows are read by
    :func:`sheet_rows`, which needs no size."""

    def _get_size(self):
        self.reset_dimensions()


class _LeanReader(ExcelReader):
    """openpyxl's read-only workbook reader, with the shared strings spilled
    to disk and the worksheets opened as :class:`_LeanSheet` (chart sheets,
    which hold no rows, are left out)."""

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = SpilledStrings(source)

    def read_worksheets(self):
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _LeanSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


class _RowParser(WorkSheetParser):
    """openpyxl's sheet parser reading the rows only, each let go once read
    (openpyxl leaves them attached to the sheet's data element)."""

    def parse(self):
        data = None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == DATA_TAG:
                    data = element
            elif element.tag == ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                if data is not None:
                    data.remove(element)
                yield row


def open_workbook(content):
    """``(workbook, close)``: the read-only openpyxl workbook of ``content``
    and what releases it with the temporary file of its strings. Raises what
    openpyxl raises."""
    reader = _LeanReader(io.BytesIO(content), read_only=True, data_only=True)

    def close():
        workbook = getattr(reader, "wb", None)
        if workbook is not None:
            workbook.close()
        if isinstance(reader.shared_strings, SpilledStrings):
            reader.shared_strings.close()

    try:
        reader.read()
    except BaseException:
        close()
        raise
    return reader.wb, close


def sheet_rows(workbook, sheet):
    """``(row number, values)`` for each row of the read-only ``sheet``
    stored in the file, the values as openpyxl reads them (cell types, dates
    by their number format), ``None`` in the cells left empty."""
    options = {"date_formats": workbook._date_formats}
    if hasattr(workbook, "_timedelta_formats"):  # openpyxl 3.1
        options["timedelta_formats"] = workbook._timedelta_formats
    with workbook._archive.open(sheet._worksheet_path) as source:
        parser = _RowParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            **options,
        )
        for number, cells in parser.parse():
            values = [None] * (cells[-1]["column"] if cells else 0)
            for cell in cells:
                values[cell["column"] - 1] = cell["value"]
            yield number, tuple(values)
