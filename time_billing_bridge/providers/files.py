# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Read time exports uploaded as CSV or Excel (XLSX) files.

Pure Python (``csv`` and ``openpyxl``), no ORM. The upload wizard does::

    table = files.read_table(content, filename)      # FileFormatError if unreadable
    mapping = files.suggest_mapping(table.headers)   # or a saved ColumnMapping
    page = files.parse_rows(table, mapping)          # entries + one error per bad row

The Harvest, Toggl Track and Clockify detailed-report exports are recognised
from their headers (:data:`KNOWN_FORMATS`, :func:`detect_format`); any other
file is read through a :class:`ColumnMapping` that the user reviews and may
save (it round-trips through JSON).

Messages are written for the person who uploaded the file: file-level problems
raise :class:`FileFormatError`; row-level problems become one
:class:`EntryError` per row whose message starts with ``Line N:`` (the line of
the text file where the row starts, header = line 1; the row number for XLSX)
and lists every problem of that row. Valid rows are never dropped because
another row is broken.
"""

import csv
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime, time, timedelta

from ..exceptions import FileFormatError
from .base import EntryError, ExternalEntry, Page, ProviderAdapter

# ---------------------------------------------------------------------------
# Column roles and known export formats (data, not code)
# ---------------------------------------------------------------------------

#: What a column can mean, with the label the mapping wizard shows.
ROLES = {
    "external_id": "Entry ID",
    "date": "Date",
    "end_date": "End date",
    "start_time": "Start time",
    "end_time": "End time",
    "hours": "Hours (decimal or h:mm)",
    "duration": "Duration (h:mm:ss)",
    "user_ref": "User ID",
    "user_email": "User e-mail",
    "user_name": "User name",
    "user_first_name": "User first name",
    "user_last_name": "User last name",
    "client_name": "Client",
    "project_name": "Project",
    "project_code": "Project code",
    "task_name": "Task",
    "description": "Description",
    "billable": "Billable",
    "approved": "Approved",
    "invoiced": "Invoiced",
}

USER_ROLES = (
    "user_ref",
    "user_email",
    "user_name",
    "user_first_name",
    "user_last_name",
)

#: Detailed-report exports recognised from their headers (PROVIDERS.md §1.9,
#: §2.7, §3.6). ``signature``: headers that must all be present; ``columns``:
#: role -> candidate headers, the first one present in the file wins. Headers
#: compare case- and whitespace-insensitively.
KNOWN_FORMATS = {
    "harvest": {
        "label": "Harvest detailed time report",
        "signature": (
            "Date",
            "Project",
            "Notes",
            "Hours",
            "First Name",
            "Last Name",
        ),
        "columns": {
            "date": ("Date",),
            # "Hours Rounded" follows the Harvest account's rounding; the
            # contract applies its own, so the raw hours are imported.
            "hours": ("Hours",),
            "user_first_name": ("First Name",),
            "user_last_name": ("Last Name",),
            "client_name": ("Client",),
            "project_name": ("Project",),
            "project_code": ("Project Code",),
            "task_name": ("Task",),
            "description": ("Notes",),
            "billable": ("Billable?",),
            "approved": ("Approved?",),
            "invoiced": ("Invoiced?",),
        },
    },
    "toggl": {
        "label": "Toggl Track detailed report",
        "signature": ("User", "Description", "Start date", "Start time", "Duration"),
        "columns": {
            "date": ("Start date",),
            "start_time": ("Start time",),
            "end_date": ("End date", "Stop date"),
            "end_time": ("End time", "Stop time"),
            "duration": ("Duration",),
            "user_name": ("User",),
            "user_email": ("Email",),
            "client_name": ("Client",),
            "project_name": ("Project",),
            "task_name": ("Task",),
            "description": ("Description",),
            "billable": ("Billable",),
        },
    },
    "clockify": {
        "label": "Clockify detailed report",
        "signature": (
            "User",
            "Description",
            "Start Date",
            "Start Time",
            "Duration (h)",
        ),
        "columns": {
            "date": ("Start Date",),
            "start_time": ("Start Time",),
            "end_date": ("End Date",),
            "end_time": ("End Time",),
            # h:mm:ss is exact; the decimal column is rounded to 0.01 h.
            "hours": ("Duration (h)", "Duration (decimal)"),
            "user_name": ("User",),
            "user_email": ("Email",),
            "client_name": ("Client",),
            "project_name": ("Project",),
            "task_name": ("Task",),
            "description": ("Description",),
            "billable": ("Billable",),
        },
    },
}

#: Header names (normalised by :func:`_alias_key`: lower case, no accents, no
#: punctuation) that :func:`suggest_mapping` recognises, in English and a few
#: French, German, Spanish and Dutch variants. Checked in this order.
# fmt: off
HEADER_ALIASES = {
    "external_id": (
        "id", "entry id", "time entry id", "external id", "reference", "ref", "uid",
    ),
    "date": (
        "date", "day", "spent date", "work date", "entry date", "datum", "fecha",
        "jour", "data", "start date", "date de debut", "fecha de inicio", "startdatum",
    ),
    "end_date": ("end date", "stop date", "date de fin", "enddatum", "fecha de fin"),
    "start_time": (
        "start time", "start", "from", "begin", "beginn", "startzeit", "heure de debut",
        "debut", "hora de inicio", "inicio",
    ),
    "end_time": (
        "end time", "stop time", "end", "stop", "to", "until", "ende", "endzeit",
        "heure de fin", "fin", "hora de fin",
    ),
    "hours": (
        "hours", "hour", "hrs", "time spent", "hours worked", "decimal hours",
        "duration decimal", "duration hours", "quantity", "qty", "stunden", "std",
        "arbeitszeit", "horas", "heures", "temps", "temps passe", "uren", "ore", "time",
    ),
    "duration": (
        "duration", "duration h", "dauer", "duree", "duracion", "tiempo", "duur",
    ),
    "user_ref": ("user id", "employee id", "employee number", "personalnummer"),
    "user_email": (
        "email", "e mail", "user email", "employee email", "mail", "email address",
        "e mail adresse", "courriel", "adresse e mail", "correo", "correo electronico",
    ),
    "user_name": (
        "user", "user name", "username", "employee", "employee name", "name", "member",
        "person", "staff", "consultant", "timekeeper", "resource", "mitarbeiter",
        "benutzer", "mitarbeitende", "employe", "utilisateur", "collaborateur",
        "empleado", "usuario", "medewerker",
    ),
    "user_first_name": ("first name", "firstname", "vorname", "prenom", "nombre"),
    "user_last_name": (
        "last name", "lastname", "surname", "nachname", "nom de famille", "apellido",
        "apellidos",
    ),
    "client_name": (
        "client", "customer", "client name", "customer name", "kunde", "auftraggeber",
        "cliente", "klant",
    ),
    "project_name": (
        "project", "project name", "matter", "engagement", "job", "projekt", "projet",
        "proyecto", "project naam",
    ),
    "project_code": (
        "project code", "project number", "matter number", "job number",
        "projektnummer", "code projet", "codigo de proyecto",
    ),
    "task_name": (
        "task", "task name", "activity", "service", "aufgabe", "tatigkeit",
        "taetigkeit", "tache", "activite", "tarea", "actividad", "taak",
    ),
    "description": (
        "description", "notes", "note", "comment", "comments", "details", "memo",
        "narrative", "work description", "beschreibung", "bemerkung", "kommentar",
        "notiz", "commentaire", "libelle", "descripcion", "comentario", "omschrijving",
    ),
    "billable": (
        "billable", "is billable", "chargeable", "abrechenbar", "fakturierbar",
        "facturable", "facturable oui non", "declarable",
    ),
    "approved": ("approved", "genehmigt", "approuve", "aprobado"),
    "invoiced": ("invoiced", "billed", "abgerechnet", "facture", "facturado"),
}
# fmt: on

DATE_FORMATS = ("auto", "dmy", "mdy")  # or any strptime pattern with a "%"
DECIMAL_SEPARATORS = ("auto", ",", ".")
HOURS_FORMATS = ("auto", "decimal", "hh:mm")
REPEATED_ROWS = ("error", "import")

DELIMITERS = (",", ";", "\t")
DELIMITER_LABELS = {",": "comma", ";": "semicolon", "\t": "tab"}
ENCODING_LABELS = {
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 / Latin-1",
    "latin-1": "Latin-1",
}
# Enough lines to judge the separator; the rest of the file is not needed.
SNIFF_SAMPLE = 64 * 1024

# ---------------------------------------------------------------------------
# Reading a file into a table
# ---------------------------------------------------------------------------


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
    #: unclosed quote...); :func:`parse_rows` reports it as an error.
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


def read_table(content: bytes, filename: str = "") -> Table:
    """Read an uploaded CSV or XLSX file into a :class:`Table`.

    CSV: UTF-8 (with or without BOM) or UTF-16 with BOM, else Windows-1252 /
    Latin-1; separated by ``,`` ``;`` or tab (an Excel ``sep=`` first line is
    honoured). XLSX: the first sheet, values as Excel computed them. The
    header is the first row naming at least two columns (a report title above
    it is skipped and noted); blank rows are skipped.

    Raises FileFormatError when the file cannot be read at all.
    """
    name = _file_label(filename)
    if not content or not content.strip():
        raise FileFormatError(f"{name} is empty.")
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, filename)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(
            f"{name} is an Excel 97-2003 (.xls) or password-protected workbook, "
            "which cannot be read: save it as .xlsx or CSV without a password."
        )
    text, encoding, removed = _decode(content, name)
    table = _read_csv(text, encoding, filename)
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


def _read_csv(text, encoding, filename):
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


def _read_xlsx(content, filename):
    # Imported here: CSV uploads must not need openpyxl.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    name = _file_label(filename)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
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


# ---------------------------------------------------------------------------
# Formats and mappings
# ---------------------------------------------------------------------------


def _header_key(header):
    """Case- and whitespace-insensitive form of a header."""
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


def _alias_key(header):
    """Loose form of a header: no accents, no punctuation, lower case."""
    text = unicodedata.normalize("NFKD", str(header or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def detect_format(headers) -> str | None:
    """Key of the :data:`KNOWN_FORMATS` export these headers come from, or None.

    Every header of the format's signature must be present; when several
    formats qualify, the one with the most of its known columns present wins.
    """
    present = {_header_key(header) for header in headers}
    best, best_score = None, 0
    for key, spec in KNOWN_FORMATS.items():
        if not all(_header_key(h) in present for h in spec["signature"]):
            continue
        known = {_header_key(h) for names in spec["columns"].values() for h in names}
        score = len(known & present)
        if score > best_score:
            best, best_score = key, score
    return best


@dataclass
class ColumnMapping:
    """How to read a file: which column plays which role, and value formats.

    ``columns`` maps a role of :data:`ROLES` to a header of the file (matched
    case- and whitespace-insensitively, so a saved mapping survives such
    changes). Options:

    - ``date_format``: ``"auto"``, ``"dmy"`` (31/03/2026), ``"mdy"``
      (03/31/2026) or a ``strptime`` pattern such as ``"%d-%m-%Y"``. ISO
      dates (2026-03-31) are always accepted.
    - ``decimal_separator``: ``"auto"``, ``","`` or ``"."``.
    - ``hours_format`` of the hours column: ``"auto"`` (1.5, 1,5, 1:30, 1h30,
      90m...), ``"decimal"`` or ``"hh:mm"`` (also 1.30 or 1h30 = 1 h 30 min).
      A duration column is always read as ``"auto"``.
    - ``repeated_rows``: ``"error"`` reports a row identical to an earlier
      one; ``"import"`` imports it as a further entry.
    - ``default_user``: user (e-mail or name) of every row when the file has
      no user column, e.g. a personal export.
    """

    columns: dict = field(default_factory=dict)
    date_format: str = "auto"
    decimal_separator: str = "auto"
    hours_format: str = "auto"
    repeated_rows: str = "error"
    default_user: str = ""
    #: KNOWN_FORMATS key this mapping was made from; "" for a custom mapping.
    #: Part of the generated external ids, see :func:`parse_rows`.
    format_key: str = ""

    def __post_init__(self):
        problems = []
        unknown = sorted(set(self.columns) - set(ROLES))
        if unknown:
            problems.append(f"unknown column roles: {', '.join(unknown)}")
        for option, allowed in (
            ("decimal_separator", DECIMAL_SEPARATORS),
            ("hours_format", HOURS_FORMATS),
            ("repeated_rows", REPEATED_ROWS),
        ):
            if getattr(self, option) not in allowed:
                problems.append(
                    f"{option} must be one of {', '.join(allowed)}, "
                    f"not {getattr(self, option)!r}"
                )
        if self.date_format not in DATE_FORMATS and "%" not in self.date_format:
            problems.append(
                "date_format must be auto, dmy, mdy or a pattern such as %d/%m/%Y, "
                f"not {self.date_format!r}"
            )
        if problems:
            raise ValueError("Invalid column mapping: " + "; ".join(problems) + ".")
        self.columns = {
            role: str(header) for role, header in self.columns.items() if header
        }

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, values):
        if not isinstance(values, dict):
            raise ValueError("Invalid column mapping: expected a JSON object.")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"Invalid column mapping: unknown keys {', '.join(unknown)}."
            )
        if not isinstance(values.get("columns", {}), dict):
            raise ValueError("Invalid column mapping: columns must be an object.")
        return cls(**values)

    def to_json(self):
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text):
        try:
            values = json.loads(text)
        except (TypeError, ValueError) as err:
            raise ValueError(f"Invalid column mapping: not JSON ({err}).") from err
        return cls.from_dict(values)

    def check(self, headers):
        """Problems that make this mapping unusable for ``headers`` ([] if OK)."""
        present = {_header_key(header) for header in headers}
        problems = [
            f"the column '{header}' ({ROLES[role]}) is not in the file"
            for role, header in self.columns.items()
            if _header_key(header) not in present
        ]
        mapped = set(self.columns)
        if "date" not in mapped:
            problems.append("no column is mapped to Date")
        if not ({"hours", "duration"} & mapped or {"start_time", "end_time"} <= mapped):
            problems.append(
                "no column is mapped to Hours or Duration (or to both Start time "
                "and End time)"
            )
        if not (set(USER_ROLES) & mapped or self.default_user.strip()):
            problems.append(
                "no column is mapped to a user (e-mail, name or ID) and no default "
                "user is set"
            )
        return problems


def mapping_for_format(format_key, headers) -> ColumnMapping:
    """The :class:`ColumnMapping` of a known export for these headers."""
    spec = KNOWN_FORMATS[format_key]
    by_key = {_header_key(header): header for header in headers}
    columns = {}
    for role, candidates in spec["columns"].items():
        for candidate in candidates:
            if _header_key(candidate) in by_key:
                columns[role] = by_key[_header_key(candidate)]
                break
    return ColumnMapping(columns=columns, format_key=format_key)


def suggest_mapping(headers) -> ColumnMapping:
    """A first proposal for the mapping wizard.

    A recognised export gets its own mapping; otherwise each role takes the
    first header matching one of its :data:`HEADER_ALIASES` (exact match
    first, then a header starting with the alias), each header used once.
    """
    format_key = detect_format(headers)
    if format_key:
        return mapping_for_format(format_key, headers)
    keys = [(header, _alias_key(header)) for header in headers]
    columns = {}
    used = set()
    for exact in (True, False):
        for role, aliases in HEADER_ALIASES.items():
            if role in columns:
                continue
            for alias in aliases:
                match = next(
                    (
                        header
                        for header, key in keys
                        if header not in used
                        and (
                            key == alias
                            if exact
                            else len(alias) > 3 and key.startswith(alias + " ")
                        )
                    ),
                    None,
                )
                if match:
                    columns[role] = match
                    used.add(match)
                    break
    return ColumnMapping(columns=columns)


def resolve_mapping(table, mapping_or_format=None) -> ColumnMapping:
    """Turn what the caller has into a :class:`ColumnMapping` for ``table``.

    Accepts a ColumnMapping, its dict or JSON form, a :data:`KNOWN_FORMATS`
    key, or None to recognise the export from the headers. Raises
    FileFormatError if the mapping does not fit the file.
    """
    mapping = mapping_or_format
    if mapping is None:
        format_key = detect_format(table.headers)
        if not format_key:
            raise FileFormatError(
                "This file is not a recognised Harvest, Toggl Track or Clockify "
                "export: map its columns first."
            )
        mapping = mapping_for_format(format_key, table.headers)
    elif isinstance(mapping, str) and mapping in KNOWN_FORMATS:
        mapping = mapping_for_format(mapping, table.headers)
    elif isinstance(mapping, str) and not mapping.lstrip().startswith("{"):
        raise FileFormatError(
            f"Unknown export format '{mapping}': expected one of "
            f"{', '.join(KNOWN_FORMATS)} or a column mapping."
        )
    elif isinstance(mapping, str | dict):
        try:
            mapping = (
                ColumnMapping.from_json(mapping)
                if isinstance(mapping, str)
                else ColumnMapping.from_dict(mapping)
            )
        except ValueError as err:
            raise FileFormatError(str(err)) from err
    elif not isinstance(mapping, ColumnMapping):
        raise TypeError(f"Expected a ColumnMapping, got {type(mapping).__name__}")
    problems = mapping.check(table.headers)
    if problems:
        raise FileFormatError(
            "The column mapping does not fit this file: " + "; ".join(problems) + "."
        )
    return mapping


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------

_NUMBER = r"\d+(?:[.,]\d+)?"
_CLOCK_RE = re.compile(r"^(\d+):([0-5]?\d)(?::([0-5]?\d(?:[.,]\d+)?))?$")
_MIN_SEC_RE = re.compile(r"^(\d+):([0-5]\d)\s*min$")  # Toggl "classic": 47:06 min
_HOURS_UNIT_RE = re.compile(
    rf"^(?P<h>{_NUMBER})\s*(?:h|hr|hrs|hours?)\.?"
    r"(?:\s*(?P<m>\d+)\s*(?:m|mn|min|mins|minutes?)?\.?)?$"
)
_MINUTES_UNIT_RE = re.compile(rf"^(?P<m>{_NUMBER})\s*(?:m|mn|min|mins|minutes?)\.?$")
_ISO_DURATION_RE = re.compile(
    rf"^pt(?:(?P<h>{_NUMBER})h)?(?:(?P<m>{_NUMBER})m)?(?:(?P<s>{_NUMBER})s)?$"
)
_HHMM_LOOSE_RE = re.compile(r"^(\d+)\s*[.,h]\s*([0-5]\d)$")
_GROUPED_RE = {
    ",": re.compile(r"^\d{1,3}(?:,\d{3})+$"),
    ".": re.compile(r"^\d{1,3}(?:\.\d{3})+$"),
}


def parse_number(value, decimal_separator="auto") -> float:
    """Read ``1.5``, ``1,5``, ``1,234.5``, ``1.234,5``, ``1 234,5``, ``1'234.5``.

    Raises ValueError.
    """
    text = str(value).strip()
    for space in (" ", "\u00a0", "\u202f", "'", "\u2019"):
        text = text.replace(space, "")
    sign = 1
    if text[:1] in ("-", "\u2212", "+"):
        sign = -1 if text[0] != "+" else 1
        text = text[1:]
    if decimal_separator == "auto":
        commas, dots = text.count(","), text.count(".")
        if commas and dots:
            decimal_separator = "," if text.rindex(",") > text.rindex(".") else "."
        elif commas == 1:
            decimal_separator = ","
        elif commas > 1:
            decimal_separator = "."
        elif dots > 1:
            decimal_separator = ","
        else:
            decimal_separator = "."
    if not text:
        raise ValueError(f"{value!r} is not a number")
    thousands = "." if decimal_separator == "," else ","
    whole, _sep, fraction = text.partition(decimal_separator)
    if thousands in whole:
        if not _GROUPED_RE[thousands].match(whole):
            raise ValueError(f"{value!r} is not a number")
        whole = whole.replace(thousands, "")
    if not whole:
        whole = "0"
    if (
        not whole.isdigit()
        or (fraction and not fraction.isdigit())
        or (_sep and not fraction)
    ):
        raise ValueError(f"{value!r} is not a number")
    return sign * float(f"{whole}.{fraction or 0}")


def _hours_from_cell(value, epoch):
    """Hours of an XLSX cell that is not text, or None if it is text."""
    if isinstance(value, bool):
        raise ValueError(f"duration '{value}' is not a number of hours or h:mm")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    if isinstance(value, time):
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, datetime):
        # A duration formatted [h]:mm comes back as a date near the epoch.
        from openpyxl.utils.datetime import to_excel

        return to_excel(value, epoch or datetime(1899, 12, 30)) * 24
    return None


def parse_hours(value, hours_format="auto", decimal_separator="auto", epoch=None):
    """Hours in ``value`` as a float; raise ValueError with a readable message.

    ``auto`` reads decimals (``1.5``, ``1,5``), clock durations (``1:30``,
    ``1:30:00``, Toggl's ``47:06 min``), units (``1h30``, ``1.5h``, ``90m``,
    ``90 min``) and ISO 8601 (``PT1H30M``).
    """
    hours = _hours_from_cell(value, epoch)
    text = "" if value is None else str(value).strip()
    if hours is None:
        if not text:
            raise ValueError("no duration")
        negative = text[:1] in ("-", "\u2212")
        hours = _parse_hours_text(
            text[1:].strip() if negative else text, hours_format, decimal_separator
        )
        if hours is None:
            raise ValueError(_hours_error(text, hours_format))
        if negative and hours:
            raise ValueError(f"duration '{text}' is negative")
    if hours < 0:
        raise ValueError(f"duration '{text}' is negative")
    return round(hours, 6)


def _hours_error(text, hours_format):
    if hours_format == "decimal":
        return f"duration '{text}' is not a decimal number of hours"
    if hours_format == "hh:mm":
        return f"duration '{text}' is not a duration in h:mm"
    return f"duration '{text}' is not a number of hours or h:mm"


def _parse_hours_text(text, hours_format, decimal_separator):
    """Hours in a non-negative text, or None if it is not a duration."""
    lowered = text.lower()
    match = _CLOCK_RE.match(lowered)
    if match and hours_format != "decimal":
        seconds = float((match.group(3) or "0").replace(",", "."))
        return int(match.group(1)) + int(match.group(2)) / 60 + seconds / 3600
    if hours_format == "hh:mm":
        match = _HHMM_LOOSE_RE.match(lowered)
        if match:
            return int(match.group(1)) + int(match.group(2)) / 60
        if lowered.isdigit():
            return float(lowered)
        return None
    if hours_format == "decimal":
        lowered = re.sub(r"\s*(?:h|hrs?|hours?)$", "", lowered)
        try:
            return parse_number(lowered, decimal_separator)
        except ValueError:
            return None
    return _parse_hours_auto(lowered, decimal_separator)


def _parse_hours_auto(lowered, decimal_separator):
    match = _MIN_SEC_RE.match(lowered)
    if match:
        return int(match.group(1)) / 60 + int(match.group(2)) / 3600
    match = _HOURS_UNIT_RE.match(lowered)
    if match:
        minutes = int(match.group("m") or 0)
        if minutes >= 60:
            return None
        return float(match.group("h").replace(",", ".")) + minutes / 60
    match = _MINUTES_UNIT_RE.match(lowered)
    if match:
        return float(match.group("m").replace(",", ".")) / 60
    match = _ISO_DURATION_RE.match(lowered)
    if match and any(match.groupdict().values()):
        parts = {
            k: float((v or "0").replace(",", ".")) for k, v in match.groupdict().items()
        }
        return parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    try:
        return parse_number(lowered, decimal_separator)
    except ValueError:
        return None


_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?$", re.IGNORECASE)
_YMD_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[t ,].*)?$", re.IGNORECASE)
_DMY_RE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?:[t ,].*)?$", re.I)
_TEXT_DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
)
_ORDER_LABELS = {"dmy": "day/month/year", "mdy": "month/day/year"}


def _date_parts(text):
    """(a, b, year, separator) of a dd/mm/yyyy-like text, or None."""
    match = _DMY_RE.match(text)
    if not match:
        return None
    year = int(match.group(4))
    if len(match.group(4)) == 2:
        year += 2000 if year < 70 else 1900
    return int(match.group(1)), int(match.group(3)), year, match.group(2)


def _is_date(year, month, day):
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _make_date(text, year, month, day, hint=""):
    if not 1900 <= year <= 2199:
        raise ValueError(f"date '{text}' is not a valid date")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"date '{text}' is not a valid date{hint}") from None


def parse_date(value, order="dmy", date_format="auto", epoch=None) -> date:
    """The date in ``value``; raise ValueError with a readable message.

    ``order`` (``dmy`` or ``mdy``) settles 03/04/2026; dates written with
    dots are always day first; ISO dates are always accepted.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value, epoch or datetime(1899, 12, 30)).date()
        except (ValueError, OverflowError, TypeError):
            raise ValueError(f"date '{value}' is not a valid date") from None
    text = "" if value is None else " ".join(str(value).split())
    if not text:
        raise ValueError("no date")
    match = _ISO_DATE_RE.match(text)
    if match:
        return _make_date(text, *(int(part) for part in match.groups()))
    if date_format in ("dmy", "mdy"):
        order = date_format
    elif date_format != "auto":
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueError(
                f"date '{text}' does not match the date format {date_format}"
            ) from None
    match = _YMD_RE.match(text)
    if match:
        return _make_date(text, *(int(part) for part in match.groups()))
    parts = _date_parts(text)
    if parts:
        first, second, year, separator = parts
        if separator == "." or order == "dmy":
            day, month = first, second
        else:
            month, day = first, second
        hint = ""
        if separator != "." and _is_date(year, day, month):
            hint = (
                f" (dates in this file are read as {_ORDER_LABELS[order]}; "
                "change the date format of the column mapping if that is wrong)"
            )
        return _make_date(text, year, month, day, hint)
    cleaned = text.replace(",", "").replace(".", "")
    for pattern in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        f"date '{text}' is not a valid date (expected e.g. 2026-03-31, 31/03/2026 "
        "or 31.03.2026)"
    )


_TIME_RE = re.compile(
    r"^(\d{1,2})(?:[:h.](\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([ap])?\.?\s*(?:m\.?)?$"
)


def parse_time(value) -> time:
    """Time of day in ``value`` (10:00, 10:00:00, 3:00pm, 10h00, or the time of
    an ISO date-time); raise ValueError."""
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("no time")
    candidate = text.lower()
    iso = re.match(r"^\d{4}-\d{2}-\d{2}[t ](.+?)(?:z|[+-]\d{2}:?\d{2})?$", candidate)
    if iso:
        candidate = iso.group(1)
    match = _TIME_RE.match(candidate)
    if match and (match.group(2) or match.group(4)):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        second = int(match.group(3) or 0)
        meridiem = match.group(4)
        if meridiem:
            if not 1 <= hour <= 12:
                match = None
            else:
                hour = hour % 12 + (12 if meridiem == "p" else 0)
        if match and hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise ValueError(f"time '{text}' is not a valid time of day")


_TRUE = {
    "yes", "y", "true", "t", "1", "x", "billable", "oui", "o", "vrai", "ja",
    "j", "wahr", "si", "s", "verdadero", "waar",
}  # fmt: skip
_FALSE = {
    "no", "n", "false", "f", "0", "non billable", "not billable", "non", "faux",
    "nein", "falsch", "falso", "nee", "onwaar",
}  # fmt: skip


def parse_bool(value) -> bool | None:
    """yes/no, true/false, 1/0 and a few translations; None when empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"'{value}' is not yes or no")
    if value is None:
        return None
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    text = _alias_key(text)  # Sí, Non-billable, "yes."
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{str(value).strip()}' is not yes or no")


def _text(value):
    """A cell as clean text (numbers without a useless .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return " ".join(str(value).split())


def _json_value(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


# ---------------------------------------------------------------------------
# Rows to entries
# ---------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_rows(table: Table, mapping_or_format=None) -> Page:
    """Turn every row of ``table`` into an ExternalEntry or an EntryError.

    ``mapping_or_format``: see :func:`resolve_mapping`. Every row gives
    exactly one result (blank rows excepted); the page's ``notes`` say what
    was recognised or assumed (format, separator, date order).

    External ids: from the mapped Entry ID column when the row has one.
    Otherwise a file carries no identity, so the id is a hash of what the row
    means: the format (a Harvest and a Toggl row never share an id), date,
    user, client, project, task, description, start and end times and hours,
    each normalised (case, spacing, 1:30 = 1.5). Reading the same data again,
    even re-exported with other columns, order or date style, gives the same
    ids, so a re-import changes nothing; status columns (billable, approved,
    invoiced, rates) are left out so that a later export of the same work
    updates the entries instead of duplicating them. Two rows with the same
    id in one file are reported ("Line 41 repeats line 12") unless the
    mapping's ``repeated_rows`` is ``"import"``; a repeated row then gets the
    id of the first with ``#2``, ``#3``... appended, which stays stable as
    long as the file keeps its order. A broken row gets a hash of its raw
    cells, so re-importing a file with broken rows does not add new errors
    either.
    """
    mapping = resolve_mapping(table, mapping_or_format)
    reader = _RowReader(table, mapping)
    page = Page(notes=list(table.notes) + reader.notes)
    first_line_of = {}
    repeats = {}
    for row in table.rows:
        result = reader.read_row(row)
        external_id = result.external_id
        if external_id in first_line_of:
            repeats[external_id] = repeats.get(external_id, 1) + 1
            repeat_id = f"{external_id}#{repeats[external_id]}"
            first_line = first_line_of[external_id]
            if isinstance(result, ExternalEntry) and _filled(
                reader.cell(row, "external_id")
            ):
                # Two rows claiming the same source id: never import either
                # twice, whatever repeated_rows says.
                result = EntryError(
                    message=f"Line {row.line_number}: entry ID '{external_id}' "
                    f"already appears on line {first_line}",
                    external_id=repeat_id,
                    line_number=row.line_number,
                    raw=result.raw,
                )
            elif isinstance(result, ExternalEntry) and mapping.repeated_rows == "error":
                result = EntryError(
                    message=f"Line {row.line_number} repeats line {first_line}",
                    external_id=repeat_id,
                    line_number=row.line_number,
                    raw=result.raw,
                )
            else:
                result = _replace_id(result, repeat_id)
            first_line_of.setdefault(repeat_id, row.line_number)
        else:
            first_line_of[external_id] = row.line_number
        if isinstance(result, EntryError):
            page.errors.append(result)
        else:
            page.entries.append(result)
    return page


def _replace_id(result, external_id):
    values = {f.name: getattr(result, f.name) for f in fields(result)}
    values["external_id"] = external_id
    return type(result)(**values)


def _hash(*parts):
    payload = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def _key(text):
    return " ".join(str(text).split()).casefold()


class _RowReader:
    """Reads rows of one table with one mapping (resolved once)."""

    def __init__(self, table, mapping):
        self.table = table
        self.mapping = mapping
        self.prefix = mapping.format_key or "file"
        index = {_header_key(header): i for i, header in enumerate(table.headers)}
        self.columns = {
            role: index[_header_key(header)] for role, header in mapping.columns.items()
        }
        self.notes = []
        if mapping.format_key:
            self.notes.append(
                f"Recognised a {KNOWN_FORMATS[mapping.format_key]['label']} export."
            )
        self.order = self._date_order()

    def cell(self, row, role):
        index = self.columns.get(role)
        if index is None or index >= len(row.values):
            return None
        return row.values[index]

    def _date_order(self):
        """Day or month first for 03/04/2026, judged on the whole column."""
        date_format = self.mapping.date_format
        if date_format in ("dmy", "mdy"):
            return date_format
        if date_format != "auto":
            return "dmy"
        evidence = {"dmy": None, "mdy": None}
        counts = {"dmy": 0, "mdy": 0}
        ambiguous = None
        for row in self.table.rows:
            for role in ("date", "end_date"):
                value = self.cell(row, role)
                if not isinstance(value, str):
                    continue
                parts = _date_parts(value.strip())
                if not parts or parts[3] == ".":
                    continue
                first, second = parts[0], parts[1]
                if first > 12 >= second:
                    counts["dmy"] += 1
                    evidence["dmy"] = evidence["dmy"] or (
                        value.strip(),
                        row.line_number,
                    )
                elif second > 12 >= first:
                    counts["mdy"] += 1
                    evidence["mdy"] = evidence["mdy"] or (
                        value.strip(),
                        row.line_number,
                    )
                elif first != second and first <= 12 and second <= 12:
                    ambiguous = ambiguous or value.strip()
        return self._decide_order(evidence, counts, ambiguous)

    def _decide_order(self, evidence, counts, ambiguous):
        if counts["dmy"] and counts["mdy"]:
            order = "dmy" if counts["dmy"] >= counts["mdy"] else "mdy"
            self.notes.append(
                f"The dates mix day/month and month/day orders (e.g. "
                f"{evidence['dmy'][0]} on line {evidence['dmy'][1]} and "
                f"{evidence['mdy'][0]} on line {evidence['mdy'][1]}); they are read "
                f"as {_ORDER_LABELS[order]}, and dates that cannot be read that way "
                "are reported."
            )
            return order
        for order in ("dmy", "mdy"):
            if counts[order]:
                if ambiguous:
                    sample, line = evidence[order]
                    self.notes.append(
                        f"Dates such as {ambiguous} are read as "
                        f"{_ORDER_LABELS[order]}, because {sample} on line {line} "
                        "can only be read that way."
                    )
                return order
        if not ambiguous:
            return "dmy"
        # Nothing in the file settles it: a 12-hour clock (10:00 AM) is a
        # United States habit, and so is month first.
        order = "mdy" if self._uses_am_pm() else "dmy"
        reason = "as the times use AM/PM" if order == "mdy" else "as is most common"
        self.notes.append(
            f"Dates such as {ambiguous} could be day/month or month/day: they are "
            f"read as {_ORDER_LABELS[order]} {reason}. Set the date format of the "
            "column mapping if that is wrong."
        )
        return order

    def _uses_am_pm(self):
        for row in self.table.rows:
            for role in ("start_time", "end_time"):
                value = self.cell(row, role)
                if isinstance(value, str) and re.search(
                    r"\d\s*[ap]\.?m\b", value, re.I
                ):
                    return True
        return False

    # -- one row ----------------------------------------------------------

    def raw(self, row):
        """The row as {header: value}, JSON-serialisable."""
        headers = self.table.headers
        values = row.values
        if self.table.kind != "csv":
            values = [_json_value(value) for value in values]
        raw = dict(zip(headers, values, strict=False))
        for index in range(len(headers), len(values)):
            raw[f"Column {index + 1}"] = values[index]
        return raw

    def read_row(self, row):
        raw = self.raw(row)
        problems = [row.issue] if row.issue else []
        values = {}
        if not row.issue:
            for reader in (
                self._read_date,
                self._read_hours,
                self._read_user,
                self._read_flags,
            ):
                try:
                    values.update(reader(row))
                except ValueError as err:
                    problems.append(str(err))
        if not problems and values["hours"] is None:
            try:
                values["hours"] = _hours_between(values)
            except ValueError as err:
                problems.append(str(err))
        if problems:
            cells = [_text(value) for value in row.values]
            return EntryError(
                message=f"Line {row.line_number}: " + "; ".join(problems),
                external_id=f"{self.prefix}:row-{_hash(self.prefix, cells)}",
                line_number=row.line_number,
                raw=raw,
            )
        return self._entry(row, values, raw)

    def _read_date(self, row):
        epoch = self.table.excel_epoch
        value = self.cell(row, "date")
        day = parse_date(value, self.order, self.mapping.date_format, epoch)
        values = {"date": day}
        end = self.cell(row, "end_date")
        if _filled(end):
            values["end_date"] = parse_date(
                end, self.order, self.mapping.date_format, epoch
            )
        return values

    def _read_hours(self, row):
        epoch = self.table.excel_epoch
        separator = self.mapping.decimal_separator
        values = {}
        start, end = self.cell(row, "start_time"), self.cell(row, "end_time")
        if _filled(start):
            values["start_time"] = parse_time(start)
        if _filled(end):
            values["end_time"] = parse_time(end)
        hours = self.cell(row, "hours")
        duration = self.cell(row, "duration")
        if _filled(hours):
            values["hours"] = parse_hours(
                hours, self.mapping.hours_format, separator, epoch
            )
        elif _filled(duration):
            values["hours"] = parse_hours(duration, "auto", separator, epoch)
        elif "start_time" in values and "end_time" in values:
            values["hours"] = None  # from the times, once the dates are known
        else:
            raise ValueError("no duration")
        return values

    def _read_user(self, row):
        user_ref = _text(self.cell(row, "user_ref"))
        email = _text(self.cell(row, "user_email"))
        name = _text(self.cell(row, "user_name"))
        if not name:
            name = " ".join(
                part
                for part in (
                    _text(self.cell(row, "user_first_name")),
                    _text(self.cell(row, "user_last_name")),
                )
                if part
            )
        if not (user_ref or email or name):
            default = self.mapping.default_user.strip()
            if not default or set(USER_ROLES) & set(self.columns):
                raise ValueError("no user/e-mail column value")
            if "@" in default:
                email = default
            else:
                name = default
        if email and not _EMAIL_RE.match(email):
            raise ValueError(f"e-mail '{email}' is not an e-mail address")
        return {
            "user_ref": user_ref or email.lower() or name,
            "user_email": email,
            "user_name": name,
        }

    def _read_flags(self, row):
        values = {}
        for role in ("billable", "approved", "invoiced"):
            try:
                values[role] = parse_bool(self.cell(row, role))
            except ValueError as err:
                raise ValueError(f"{ROLES[role].lower()} {err}") from None
        return values

    def _entry(self, row, values, raw):
        client = _text(self.cell(row, "client_name"))
        project = _text(self.cell(row, "project_name"))
        code = _text(self.cell(row, "project_code"))
        task = _text(self.cell(row, "task_name"))
        description = _text_multiline(self.cell(row, "description"))
        project_ref = code or project
        task_ref = f"{project_ref} / {task}" if task and project_ref else task
        start = values.get("start_time")
        end = values.get("end_time")
        external_id = _text(self.cell(row, "external_id"))
        if not external_id:
            external_id = f"{self.prefix}:" + _hash(
                self.prefix,
                values["date"].isoformat(),
                _key(values["user_ref"]),
                _key(client),
                _key(project_ref),
                _key(task),
                _key(description),
                start.isoformat() if start else "",
                end.isoformat() if end else "",
                f"{values['hours']:.4f}",
            )
        return ExternalEntry(
            external_id=external_id,
            date=values["date"],
            hours=values["hours"],
            description=description,
            user_ref=values["user_ref"],
            user_name=values["user_name"],
            user_email=values["user_email"],
            project_ref=project_ref,
            project_name=project,
            project_code=code,
            task_ref=task_ref,
            task_name=task,
            client_ref=client,
            client_name=client,
            billable=values["billable"],
            is_locked=bool(values["invoiced"]),
            approval_status="approved" if values["approved"] else "",
            line_number=row.line_number,
            raw=raw,
        )


def _hours_between(values):
    """Hours from the start and end times (and dates) of a row."""
    start = datetime.combine(values["date"], values["start_time"])
    end = datetime.combine(values.get("end_date", values["date"]), values["end_time"])
    if end < start and "end_date" not in values:
        end += timedelta(days=1)  # past midnight
    if end < start:
        raise ValueError(
            f"the entry ends ({end:%Y-%m-%d %H:%M}) before it starts "
            f"({start:%Y-%m-%d %H:%M})"
        )
    return round((end - start).total_seconds() / 3600, 6)


def _text_multiline(value):
    """A description cell: trimmed, inner line breaks kept."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return _text(value)
    lines = [" ".join(line.split()) for line in value.strip().splitlines()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Adapter
# ---------------------------------------------------------------------------


class FileAdapter(ProviderAdapter):
    """An uploaded file served through the adapter interface, page by page.

    Not in the adapter registry: a ``csv`` backend has nothing to poll; the
    upload wizard builds it with ``AdapterConfig(options={"content": bytes,
    "filename": str, "mapping": ColumnMapping | dict | JSON | format key |
    None})`` when it wants the importer's page loop (commit per page, resume
    after the last committed line). ``since`` and ``until`` do not apply to a
    file and are ignored.
    """

    provider = "csv"
    default_page_size = 2000

    def _table(self):
        options = self.config.options
        return read_table(options.get("content") or b"", options.get("filename", ""))

    def check_connection(self):
        table = self._table()
        format_key = detect_format(table.headers)
        label = KNOWN_FORMATS[format_key]["label"] if format_key else "custom columns"
        return f"{table.describe()} ({label})"

    def iter_pages(self, since=None, until=None, resume_token=None) -> Iterator[Page]:
        """Yield the file's results in line order, ``page_size`` rows a page.

        ``resume_token`` is the last line of the previous page.
        """
        page = parse_rows(self._table(), self.config.options.get("mapping"))
        after = int(resume_token) if resume_token else 0
        results = sorted(
            (r for r in page.entries + page.errors if r.line_number > after),
            key=lambda r: r.line_number,
        )
        size = self.config.page_size or self.default_page_size
        notes = page.notes
        for start in range(0, len(results), size):
            chunk = results[start : start + size]
            last = start + size >= len(results)
            yield Page(
                entries=[r for r in chunk if isinstance(r, ExternalEntry)],
                errors=[r for r in chunk if isinstance(r, EntryError)],
                resume_token=None if last else str(chunk[-1].line_number),
                notes=notes,
            )
            notes = []
