# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Rows to entries: one ExternalEntry or one EntryError per row of a table."""

import hashlib
import json
import re
from dataclasses import fields
from datetime import datetime, timedelta

from ..base import EntryError, ExternalEntry, Page
from ..common import work_interval
from .columns import _header_key, resolve_mapping
from .formats import KNOWN_FORMATS, ROLES, USER_ROLES
from .seen import SeenIds
from .tables import Table, _filled
from .values import (
    _ORDER_LABELS,
    _date_parts,
    _json_value,
    _text,
    parse_bool,
    parse_date,
    parse_hours,
    parse_time,
)

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
    notes, results = iter_rows(table, mapping_or_format)
    page = Page(notes=notes)
    for result in results:
        if isinstance(result, EntryError):
            page.errors.append(result)
        else:
            page.entries.append(result)
    return page


def iter_rows(table: Table, mapping_or_format=None):
    """What :func:`parse_rows` gives, one row at a time: ``(notes, results)``,
    ``results`` an iterator of ExternalEntry and EntryError in the file's
    order. Holds no result once handed over, only the ids seen (for repeats).
    """
    mapping = resolve_mapping(table, mapping_or_format)
    reader = _RowReader(table, mapping)
    return list(table.notes) + reader.notes, _results(table, reader, mapping)


def _results(table, reader, mapping):
    first_line_of = SeenIds()
    repeats = {}
    for row in table.rows:
        result = reader.read_row(row)
        external_id = result.external_id
        first_line = first_line_of.get(external_id)
        if first_line is not None:
            repeats[external_id] = repeats.get(external_id, 1) + 1
            repeat_id = f"{external_id}#{repeats[external_id]}"
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
                    kind="repeated_row",
                )
            elif isinstance(result, ExternalEntry) and mapping.repeated_rows == "error":
                result = EntryError(
                    message=f"Line {row.line_number} repeats line {first_line}",
                    external_id=repeat_id,
                    line_number=row.line_number,
                    raw=result.raw,
                    kind="repeated_row",
                )
            else:
                result = _replace_id(result, repeat_id)
            first_line_of.add(repeat_id, row.line_number)
        else:
            first_line_of.add(external_id, row.line_number)
        yield result


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
        # The date column counts too: ClickUp writes "11/06/2025, 9:08:00 AM".
        for row in self.table.rows:
            for role in ("start_time", "end_time", "date"):
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
        kinds = [""] if row.issue else []
        values = {}
        if not row.issue:
            for reader, kind in (
                (self._read_date, "bad_date"),
                (self._read_hours, "bad_hours"),
                (self._read_user, "unknown_person"),
                (self._read_flags, ""),
            ):
                try:
                    values.update(reader(row))
                except ValueError as err:
                    problems.append(str(err))
                    kinds.append(kind)
        if not problems and values["hours"] is None:
            try:
                values["hours"] = _hours_between(values)
            except ValueError as err:
                problems.append(str(err))
                kinds.append("bad_hours")
        if problems:
            cells = [_text(value) for value in row.values]
            return EntryError(
                message=f"Line {row.line_number}: " + "; ".join(problems),
                external_id=f"{self.prefix}:row-{_hash(self.prefix, cells)}",
                line_number=row.line_number,
                raw=raw,
                # The first problem names the group the row is fixed with.
                kind=kinds[0],
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
        # A file's times are the person's local wall-clock time: naive.
        began, ended = None, None
        if start is not None and end is not None:
            began, ended = work_interval(*_moments(values))
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
            start=began,
            end=ended,
            raw=raw,
        )


def _moments(values):
    """Start and end (naive local datetimes) of a row with start and end
    times: on the row's date, or the end date when the row has one."""
    start = datetime.combine(values["date"], values["start_time"])
    end = datetime.combine(values.get("end_date", values["date"]), values["end_time"])
    if end < start and "end_date" not in values:
        end += timedelta(days=1)  # past midnight
    return start, end


def _hours_between(values):
    """Hours from the start and end times (and dates) of a row."""
    start, end = _moments(values)
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
