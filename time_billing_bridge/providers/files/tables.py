# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Reading a file into a table: header and rows, before any interpretation.

CSV (encoding and separator detected) or the first sheet of an XLSX
workbook; raises FileFormatError when the file cannot be read at all, has
more rows than the caller allows, or is an XLSX that would decompress to
more than the bounds below (a "zip bomb").
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ...exceptions import FileFormatError
from .formats import DELIMITER_LABELS, DELIMITERS, ENCODING_LABELS, SNIFF_SAMPLE

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
    """A file read as a header and data rows, before any interpretation."""

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
    if not content or not content.strip():
        raise FileFormatError(f"{name} is empty.")
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, filename, max_rows)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(
            f"{name} is an Excel 97-2003 (.xls) or password-protected workbook, "
            "which cannot be read: save it as .xlsx or CSV without a password."
        )
    text, encoding, removed = _decode(content, name)
    table = _read_csv(text, encoding, filename, max_rows)
    if removed:
        table.notes.append(
            f"Removed {removed} NUL character(s), which are not text, from the file."
        )
    return table


def _file_label(filename):
    """How messages name the file, at the start of a sentence."""
    return f"'{filename}'" if filename else "The file"


def _decode(content, name):
    """Return (text, encoding key, NUL bytes removed); refuse binary files."""
    removed = 0
    if b"\x00" in content and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # A few stray NULs (a broken exporter) are dropped: PostgreSQL cannot
        # store them. Many mean a binary file.
        removed = content.count(b"\x00")
        if removed * 100 > len(content):
            raise FileFormatError(_binary_message(name))
        content = content.replace(b"\x00", b"")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text, encoding = content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            raise FileFormatError(
                f"{name} starts like UTF-16 text but is not valid UTF-16."
            ) from err
        text = text.replace("\x00", "")
    elif content.startswith(b"\xef\xbb\xbf"):
        try:
            text, encoding = content.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as err:
            raise FileFormatError(
                f"{name} starts with a UTF-8 marker but is not valid UTF-8 "
                f"(byte {err.start}): save it again as UTF-8."
            ) from err
    else:
        text, encoding = _decode_unmarked(content)
    if len(_CONTROL_RE.findall(text)) > len(text) / 100:
        raise FileFormatError(_binary_message(name))
    return text, encoding, removed


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _decode_unmarked(content):
    # Windows-1252 is Latin-1 plus printable characters in 0x80-0x9F (€, ’...);
    # it leaves five bytes undefined, which Latin-1 still reads.
    for encoding in ("utf-8", "cp1252"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1"), "latin-1"


def _binary_message(name):
    return (
        f"{name} is not a text file (it contains binary data): upload a CSV or an "
        ".xlsx workbook."
    )


def _header_line(text):
    """The first line naming at least two columns with one of DELIMITERS."""
    for line in text.splitlines():
        for delimiter in DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if sum(1 for cell in cells if cell.strip()) >= 2:
                return line
    return ""


def _guess_delimiter(text, name):
    """Pick ``,`` ``;`` or tab.

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


def _read_csv(text, encoding, filename, max_rows=0):
    name = _file_label(filename)
    notes = []
    start_line = 1
    delimiter = None
    # Excel writes and honours a first line "sep=;" naming the separator.
    first = text.split("\n", 1)[0].strip().strip('"')
    if first.lower().startswith("sep=") and len(first) == 5 and first[4] in DELIMITERS:
        delimiter = first[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        start_line = 2
    if delimiter is None:
        delimiter = _guess_delimiter(text, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers = None
    rows = []
    preamble = []
    previous_line = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            line = start_line + previous_line
            rows.append(
                Row(
                    line,
                    (),
                    line,
                    f"the file cannot be read from this line on ({err}); "
                    "the rows above it were read",
                )
            )
            break
        line = start_line + previous_line
        last_line = start_line + reader.line_num - 1
        previous_line = reader.line_num
        if headers is None:
            if _filled_count(values) < 2:
                if _filled_count(values):
                    preamble.append(line)
                continue
            headers = _clean_headers(values, name)
            continue
        if not _filled_count(values):
            continue
        _check_row_limit(name, len(rows) + 1, max_rows)
        rows.append(
            Row(
                line,
                tuple(values),
                last_line,
                _csv_row_issue(values, len(headers), delimiter, line, last_line),
            )
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


def _read_xlsx(content, filename, max_rows=0):
    # Imported here: CSV uploads must not need openpyxl.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

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
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        )
    except zipfile.BadZipFile as err:
        raise FileFormatError(
            f"{name} looks like an Excel workbook but is damaged or incomplete."
        ) from err
    except (InvalidFileException, KeyError, ValueError, OSError) as err:
        raise FileFormatError(
            f"{name} could not be opened as an Excel workbook ({err})."
        ) from err
    try:
        if not workbook.worksheets:
            raise FileFormatError(f"{name} has no sheet.")
        sheet = workbook.worksheets[0]
        # Some writers store wrong sheet dimensions; read what is there.
        sheet.reset_dimensions()
        headers = None
        rows = []
        preamble = []
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1):
            filled = _filled_count(values)
            if headers is None and filled < 2:
                if filled:
                    preamble.append(line)
            elif headers is None:
                headers = _clean_headers(values, name)
            elif filled:
                _check_row_limit(name, len(rows) + 1, max_rows)
                rows.append(Row(line, tuple(values), line))
        notes = [f"Read the first sheet, '{sheet.title}', of the workbook."]
        notes.extend(_preamble_notes(preamble))
        if len(workbook.worksheets) > 1:
            others = ", ".join(f"'{ws.title}'" for ws in workbook.worksheets[1:])
            notes.append(f"Other sheets are not read: {others}.")
        epoch = workbook.epoch
        title = sheet.title
    finally:
        workbook.close()
    if headers is None and not preamble:
        raise FileFormatError(f"{name} has an empty first sheet.")
    _check_found(name, headers, rows, preamble)
    return Table(
        headers=headers,
        rows=rows,
        filename=filename,
        kind="xlsx",
        sheet_name=title,
        excel_epoch=epoch,
        notes=notes,
    )


def _filled(value):
    return value is not None and (not isinstance(value, str) or value.strip() != "")
