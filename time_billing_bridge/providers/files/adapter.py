# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The FileAdapter: an uploaded file behind the provider adapter interface."""

from collections.abc import Iterator

from ..base import EntryError, ExternalEntry, Page, ProviderAdapter
from .columns import detect_format
from .formats import KNOWN_FORMATS
from .rows import parse_rows
from .tables import read_table


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
