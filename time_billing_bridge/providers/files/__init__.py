# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Read time exports uploaded as CSV or Excel (XLSX) files.

Pure Python (``csv`` and ``openpyxl``), no ORM. The order of operations, one
module each:

1. :mod:`.tables` reads the file into a :class:`Table`, a header and rows
   (:func:`read_table`);
2. :mod:`.columns` resolves the :class:`ColumnMapping`: a recognised export,
   a saved mapping or a suggested one (the roles, known exports and header
   aliases are data, in :mod:`.formats`);
3. :mod:`.values` parses the cells, row by row (dates, hours, times, yes/no);
4. :mod:`.rows` turns each row into an entry or an error (:func:`parse_rows`).

:mod:`.adapter` serves the same through the provider adapter interface
(:class:`FileAdapter`). The upload wizard does::

    table = files.read_table(content, filename)      # FileFormatError if unreadable
    mapping = files.suggest_mapping(table.headers)   # or a saved ColumnMapping
    page = files.parse_rows(table, mapping)          # entries + one error per bad row

Messages are written for the person who uploaded the file: file-level problems
raise :class:`FileFormatError`; row-level problems become one
:class:`EntryError` per row whose message starts with ``Line N:`` (the line of
the text file where the row starts, header = line 1; the row number for XLSX)
and lists every problem of that row. Valid rows are never dropped because
another row is broken.
"""

from .adapter import FileAdapter
from .columns import (
    ColumnMapping,
    detect_format,
    mapping_for_format,
    resolve_mapping,
    suggest_mapping,
)
from .formats import HEADER_ALIASES, KNOWN_FORMATS, ROLES
from .rows import iter_rows, parse_rows
from .tables import TooManyRowsError, read_table
from .values import parse_bool, parse_date, parse_hours, parse_time

__all__ = [
    "HEADER_ALIASES",
    "KNOWN_FORMATS",
    "ROLES",
    "TooManyRowsError",
    "ColumnMapping",
    "FileAdapter",
    "detect_format",
    "iter_rows",
    "mapping_for_format",
    "parse_bool",
    "parse_date",
    "parse_hours",
    "parse_rows",
    "parse_time",
    "read_table",
    "resolve_mapping",
    "suggest_mapping",
]
