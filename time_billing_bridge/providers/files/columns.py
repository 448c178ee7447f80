# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Column mapping: which column of a file plays which role.

The exports of :data:`KNOWN_FORMATS` (Harvest, Toggl Track, Clockify,
QuickBooks Time, ClickUp, Hubstaff) are recognised from their headers
(:func:`detect_format`); any other file is read through a
:class:`ColumnMapping` that the user reviews and may save (it round-trips
through JSON).
"""

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields

from ...exceptions import FileFormatError
from .formats import (
    DATE_FORMATS,
    DECIMAL_SEPARATORS,
    HEADER_ALIASES,
    HOURS_FORMATS,
    KNOWN_FORMATS,
    REPEATED_ROWS,
    ROLES,
    USER_ROLES,
)


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

    Every header of the format's signature must be present, and its columns
    must name the person (a personal export without one goes through the
    column step, where a default user is set); when several formats qualify,
    the one with the most of its known columns present wins.
    """
    present = {_header_key(header) for header in headers}
    best, best_score = None, 0
    for key, spec in KNOWN_FORMATS.items():
        if not all(_header_key(h) in present for h in spec["signature"]):
            continue
        if not any(
            _header_key(h) in present
            for role in USER_ROLES
            for h in spec["columns"].get(role, ())
        ):
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
    #: Part of the generated external ids, see :func:`.rows.parse_rows`.
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
                "This file is not a recognised export ("
                + ", ".join(spec["label"] for spec in KNOWN_FORMATS.values())
                + "): map its columns first."
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
