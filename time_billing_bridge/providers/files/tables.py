# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading a file into a table: header and rows, before any interpretation.

CSV (encoding and separator detected) or the first sheet of an XLSX
workbook; raises FileFormatError when the file cannot be read at all, has
more rows than the caller allows, or is an XLSX that would decompress to
more than the bounds of :mod:`.workbooks` (a "zip bomb"). A file's rows
are read again at each pass over them (:class:`~.lazy.LazyRows`).
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ...exceptions import FileFormatError
from .formats import DELIMITER_LABELS, DELIMITERS, ENCODING_LABELS, SNIFF_SAMPLE
from .lazy import LazyRows
from .text import decode


@dataclass(frozen=True)
class Row:
    """One data row of a :class:`Table`."""

    line_number: int
    #: Cell values: ``str`` for CSV; ``str``, ``float``/``int``, ``datetime``,
    #: ``time``, ``timedelta``, ``bool`` or ``None`` for XLSX.
    values: tuple
    #: Last line of a CSV row whose quoted value spans several lines.
    last_line: int = 0
    #: Set when the row cannot be read as cells at all (shifted columns,
    #: unclosed quote...); :func:`.rows.parse_rows` reports it as an error.
    issue: str = ""


@dataclass
class Table:
    """A file read as a header and data rows, before any interpretation.

    ``rows`` is a list, or for a file a :class:`~.lazy.LazyRows` that reads
    the file again at each iteration."""

    headers: list
    rows: list
    filename: str = ""
    kind: str = "csv"  # "csv" or "xlsx"
    encoding: str = ""  # key of ENCODING_LABELS (CSV only)
    delimiter: str = ""  # CSV only
    sheet_name: str = ""  # XLSX only
    excel_epoch: datetime | None = None  # XLSX only, for serial dates
    #: What was decided while reading, for the person (encoding, separator...).
    notes: list = field(default_factory=list)

    @property
    def encoding_label(self):
        return ENCODING_LABELS.get(self.encoding, self.encoding)

    def describe(self):
        """One line about the file: kind, encoding, separator, row count."""
        if self.kind == "xlsx":
            what = f"Excel workbook, sheet '{self.sheet_name}'"
        else:
            what = (
                f"CSV file, {self.encoding_label}, "
                f"{DELIMITER_LABELS.get(self.delimiter, self.delimiter)}-separated"
            )
        return f"{what}, {len(self.headers)} columns, {len(self.rows)} rows"


class TooManyRowsError(FileFormatError):
    """The file has more rows than the caller allows; ``limit`` says how many."""

    def __init__(self, message, limit):
        super().__init__(message)
        self.limit = limit


def read_table(content: bytes, filename: str = "", max_rows: int = 0) -> Table:
    """Read an uploaded CSV or XLSX file into a :class:`Table`.

    CSV: UTF-8 (with or without BOM) or UTF-16 with BOM, else Windows-1252 /
    Latin-1; separated by ``,`` ``;`` or tab (an Excel ``sep=`` first line is
    honoured). XLSX: the first sheet, values as Excel computed them. The
    header is the first row naming at least two columns (a report title above
    it is skipped and noted); blank rows are skipped.

    Raises FileFormatError when the file cannot be read at all, and
    TooManyRowsError as soon as a row past ``max_rows`` (when set) is read.
    """
    name = _file_label(filename)
    if not content or content.isspace():  # strip() would copy the file
        raise FileFormatError(f"{name} is empty.")
    if content.startswith(b"PK\x03\x04"):
        # Imported here: CSV uploads must not need openpyxl.
        from .workbooks import read_xlsx

        return read_xlsx(content, filename, max_rows)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(
            f"{name} is an Excel 97-2003 (.xls) or password-protected workbook, "
            "which cannot be read: save it as .xlsx or CSV without a password."
        )
    source, encoding, removed = decode(content, name)
    table = _read_csv(source, encoding, filename, max_rows)
    if removed:
        table.notes.append(
            f"Removed {removed} NUL character(s), which are not text, from the file."
        )
    return table


def _file_label(filename):
    """How messages name the file, at the start of a sentence."""
    return f"'{filename}'" if filename else "The file"


def _header_line(text):
    """The first line naming at least two columns with one of DELIMITERS."""
    for line in text.splitlines():
        for delimiter in DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if sum(1 for cell in cells if cell.strip()) >= 2:
                return line
    return ""


def _guess_delimiter(text, name):
    """Pick ``,`` ``;`` or tab; ``text``: the first ``SNIFF_SAMPLE + 1``
    characters of the file.

    csv.Sniffer is asked first, limited to those three. Its guess is kept
    only if it splits the header line into at least as many columns as any
    other candidate: on a tie it prefers ``,``, which picks the decimal comma
    of a ``;`` file whose rows all hold one. Otherwise the header line
    decides, rows parsing to the header's width breaking ties.
    """
    sample = text[:SNIFF_SAMPLE]
    if len(text) > SNIFF_SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    header_line = _header_line(sample)
    widths = {
        delimiter: len(next(csv.reader([header_line], delimiter=delimiter), []))
        for delimiter in DELIMITERS
    }
    best_width = max(widths.values())
    if best_width < 2:
        raise FileFormatError(
            f"{name} has no column names: no line has two names separated by a "
            "comma, semicolon or tab."
        )
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS))
    except csv.Error:
        sniffed = None
    if sniffed and widths.get(sniffed.delimiter) == best_width:
        return sniffed.delimiter

    def consistency(delimiter):
        rows = [
            row
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            if any(cell.strip() for cell in row)
        ]
        return sum(1 for row in rows[1:] if len(row) == widths[delimiter])

    return max(DELIMITERS, key=lambda d: (widths[d], consistency(d)))


def _check_row_limit(name, count, max_rows):
    if max_rows and count > max_rows:
        raise TooManyRowsError(
            f"{name} has more than {max_rows} rows, the most one import reads.",
            max_rows,
        )


def _scan_events(events, name, max_rows):
    """``(headers, preamble, row count)`` of a table's events, checking the
    row limit as rows go by."""
    headers, preamble, count = None, [], 0
    for kind, item in events:
        if kind == "preamble":
            preamble.append(item)
        elif kind == "header":
            headers = item
        else:
            count += 1
            _check_row_limit(name, count, max_rows)
    return headers, preamble, count


def _read_csv(source, encoding, filename, max_rows=0):
    """``source``: the file's :class:`~.text.CsvText`."""
    name = _file_label(filename)
    notes = []
    start_line = 1
    delimiter = None
    # Excel writes and honours a first line "sep=;" naming the separator.
    first = next(source.lines(), "").split("\n", 1)[0].strip().strip('"')
    if first.lower().startswith("sep=") and len(first) == 5 and first[4] in DELIMITERS:
        delimiter = first[4]
        source.skip = 1
        start_line = 2
    if delimiter is None:
        delimiter = _guess_delimiter(source.head(SNIFF_SAMPLE + 1), name)
    headers, preamble, count = _scan_events(
        _csv_events(source, delimiter, start_line, name), name, max_rows
    )
    rows = LazyRows(
        lambda: (
            item
            for kind, item in _csv_events(source, delimiter, start_line, name)
            if kind == "row"
        ),
        count,
    )
    _check_found(name, headers, rows, preamble)
    notes.append(
        f"Read as {ENCODING_LABELS[encoding]} text, "
        f"{DELIMITER_LABELS[delimiter]}-separated."
    )
    notes.extend(_preamble_notes(preamble))
    if encoding in ("cp1252", "latin-1"):
        notes.append(
            "The file is not UTF-8: it was read as Windows-1252 / Latin-1 "
            "(Western European). Check accented names in the result."
        )
    return Table(
        headers=headers,
        rows=rows,
        filename=filename,
        kind="csv",
        encoding=encoding,
        delimiter=delimiter,
        notes=notes,
    )


def _csv_events(source, delimiter, start_line, name):
    """Read the CSV ``source`` (a :class:`~.text.CsvText`): yield
    ("preamble", line) for a line above the column names, ("header", headers)
    once, then ("row", Row) per row."""
    reader = csv.reader(source.lines(), delimiter=delimiter)
    width = None
    previous_line = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            line = start_line + previous_line
            yield (
                "row",
                Row(
                    line,
                    (),
                    line,
                    f"the file cannot be read from this line on ({err}); "
                    "the rows above it were read",
                ),
            )
            return
        line = start_line + previous_line
        last_line = start_line + reader.line_num - 1
        previous_line = reader.line_num
        if width is None:
            if _filled_count(values) >= 2:
                headers = _clean_headers(values, name)
                width = len(headers)
                yield "header", headers
            elif _filled_count(values):
                yield "preamble", line
            continue
        if not _filled_count(values):
            continue
        issue = _csv_row_issue(values, width, delimiter, line, last_line)
        yield "row", Row(line, tuple(values), last_line, issue)


def _csv_row_issue(values, width, delimiter, line, last_line):
    """Why a CSV row cannot be trusted cell by cell, or ""."""
    if last_line > line:
        for value in values:
            embedded = value.split("\n")[1:]
            if any(part.count(delimiter) >= max(width - 1, 1) for part in embedded):
                return (
                    f'a quote (") opened on this line is never closed, so lines '
                    f"{line} to {last_line} were read as a single value"
                )
    extra = [value for value in values[width:] if value.strip()]
    if extra:
        label = DELIMITER_LABELS[delimiter]
        return (
            f"{width + len(extra)} values for {width} columns; a value containing "
            f"a {label} is probably not quoted"
        )
    return ""


def _filled_count(values):
    return sum(1 for value in values if _filled(value))


def _check_found(name, headers, rows, preamble):
    if headers is None and preamble:
        raise FileFormatError(
            f"{name} has no column names: no line names at least two columns, "
            "such as Date and Hours."
        )
    if headers is None:
        raise FileFormatError(f"{name} is empty.")
    if not rows:
        raise FileFormatError(f"{name} has column names but no rows.")


def _preamble_notes(preamble):
    """Say which lines above the column names (report titles...) were skipped."""
    if not preamble:
        return []
    lines = ", ".join(str(line) for line in preamble)
    return [f"Skipped line(s) {lines} above the column names."]


def _clean_headers(values, name):
    """Header names from the first non-blank row; refuse a row of data."""
    values = list(values)
    while values and not _filled(values[-1]):
        values.pop()  # trailing separators or empty cells: no column there
    filled = [value for value in values if _filled(value)]
    numbers = [value for value in filled if _NUMBER_LIKE_RE.match(str(value).strip())]
    if len(numbers) * 2 > len(filled) or any(
        isinstance(value, datetime | date | time)
        or _DATE_OR_TIME_LIKE_RE.match(str(value).strip())
        for value in filled
    ):
        raise FileFormatError(
            f"{name} has no header line: its first line ({_preview(filled)}) holds "
            "values, not column names. Add a first line naming the columns."
        )
    headers = []
    seen = {}
    for index, value in enumerate(values, start=1):
        header = " ".join(str(value or "").replace("\ufeff", "").split())
        header = header or f"Column {index}"
        key = header.casefold()
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            header = f"{header} ({seen[key]})"
        headers.append(header)
    return headers


_NUMBER_LIKE_RE = re.compile(r"^[-+]?\d+(?:[.,]\d+)*$")
_DATE_OR_TIME_LIKE_RE = re.compile(r"^(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}:\d{2})")


def _preview(values, limit=60):
    text = ", ".join(str(value) for value in values if value not in (None, ""))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _filled(value):
    return value is not None and (not isinstance(value, str) or value.strip() != "")
