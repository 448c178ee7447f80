# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The preview of the upload wizard: the first rows as they will be imported.

The file is read once, by the "Next" step, which keeps the first
``PREVIEW_SAMPLE`` rows on the wizard (``preview_sample``, cell values
tagged by type). Each change of a column or an option parses those rows
again with the new mapping, not the file
(TestImportFileScale.test_preview_reads_the_file_once).
"""

import hashlib
from datetime import date, datetime, time, timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..exceptions import FileFormatError
from ..providers import files
from ..providers.base import EntryError
from ..providers.files.tables import Row, Table

# Results shown in the preview, and rows kept to build it (the date order of
# the preview is judged on the rows kept; the import judges it on the file).
PREVIEW_ROWS = 8
PREVIEW_ERRORS = 20
PREVIEW_SAMPLE = 5000

# JSON tags of the cell values of an XLSX that JSON has no type for.
_TAGS = (
    ("datetime", datetime, datetime.fromisoformat),
    ("date", date, date.fromisoformat),
    ("time", time, time.fromisoformat),
)


def _dump_value(value):
    for tag, kind, _load in _TAGS:
        if isinstance(value, kind):
            return {tag: value.isoformat()}
    if isinstance(value, timedelta):
        return {"timedelta": value.total_seconds()}
    return value


def _load_value(value):
    if not isinstance(value, dict):
        return value
    if "timedelta" in value:
        return timedelta(seconds=value["timedelta"])
    for tag, _kind, load in _TAGS:
        if tag in value:
            return load(value[tag])
    return None


class TimeBillingImportFile(models.TransientModel):
    _inherit = "time.billing.import.file"

    preview_sample = fields.Json(
        readonly=True,
        help="The header and first rows of the file, read once for the preview.",
    )
    preview_html = fields.Html(
        string="Preview", compute="_compute_preview_html", sanitize=False
    )

    def _file_hash(self):
        content = self.file or b""
        if isinstance(content, str):  # as a form sends it
            content = content.encode()
        return hashlib.sha256(content).hexdigest()

    def _store_preview_sample(self, table):
        """Keep what the preview needs of ``table``, read by the caller."""
        self.preview_sample = {
            "file_hash": self._file_hash(),
            "headers": list(table.headers),
            "rows": [
                [
                    row.line_number,
                    [_dump_value(v) for v in row.values],
                    row.last_line,
                    row.issue,
                ]
                for row in table.rows[:PREVIEW_SAMPLE]
            ],
            "filename": table.filename,
            "kind": table.kind,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "sheet_name": table.sheet_name,
            "excel_epoch": table.excel_epoch and table.excel_epoch.isoformat(),
            "notes": list(table.notes),
        }

    def _preview_table(self):
        """The sample kept by :meth:`_store_preview_sample`, as a Table."""
        sample = self.preview_sample
        epoch = sample.get("excel_epoch")
        return Table(
            headers=sample["headers"],
            rows=[
                Row(line, tuple(_load_value(v) for v in values), last, issue)
                for line, values, last, issue in sample["rows"]
            ],
            filename=sample.get("filename") or "",
            kind=sample.get("kind") or "csv",
            encoding=sample.get("encoding") or "",
            delimiter=sample.get("delimiter") or "",
            sheet_name=sample.get("sheet_name") or "",
            excel_epoch=epoch and datetime.fromisoformat(epoch),
            notes=list(sample.get("notes") or []),
        )

    @api.depends(
        "state",
        "file",
        "preview_sample",
        "column_ids.role",
        "date_format",
        "decimal_separator",
        "hours_format",
        "import_repeated_rows",
        "default_user",
    )
    def _compute_preview_html(self):
        for wizard in self:
            sample = wizard.preview_sample
            if wizard.state not in ("ready", "mapping") or not sample:
                wizard.preview_html = False
                continue
            if sample.get("file_hash") != wizard._file_hash():
                wizard.preview_html = Markup("<p class='text-danger'>%s</p>") % (
                    wizard.env._("The file changed: go back and read it again.")
                )
                continue
            try:
                table = wizard._preview_table()
                page = files.parse_rows(table, wizard._current_mapping())
            except (UserError, FileFormatError, ValueError) as err:
                wizard.preview_html = Markup("<p class='text-danger'>%s</p>") % str(err)
                continue
            sampled = wizard.row_count > len(table.rows)
            wizard.preview_html = wizard._render_preview(page, sampled=sampled)

    @staticmethod
    def _column_samples(table):
        """A few values of each column, to recognise it by."""
        samples = [[] for _header in table.headers]
        for row in table.rows[:PREVIEW_ROWS]:
            for index, value in enumerate(row.values[: len(table.headers)]):
                if value not in (None, "") and len(samples[index]) < 3:
                    samples[index].append(str(value))
        return [", ".join(values)[:120] for values in samples]

    def _render_preview(self, page, sampled=False):
        """HTML: what was recognised, the first rows as they will be imported,
        and the rows that cannot be read."""
        parts = [
            Markup("<p class='text-muted mb-1'>%s</p>") % note for note in page.notes
        ]
        summary = self.env._(
            "%(good)s rows will be imported, %(bad)s cannot be read.",
            good=len(page.entries),
            bad=len(page.errors),
        )
        if sampled:
            summary = self.env._(
                "In the first %(count)s rows: %(summary)s",
                count=PREVIEW_SAMPLE,
                summary=summary,
            )
        parts.append(Markup("<p><strong>%s</strong></p>") % summary)
        labels = (
            self.env._("Line"),
            self.env._("Date"),
            self.env._("Hours"),
            self.env._("User"),
            self.env._("Project"),
            self.env._("Task"),
            self.env._("Description"),
        )
        head = Markup("").join(Markup("<th>%s</th>") % label for label in labels)
        results = sorted(
            page.entries + page.errors, key=lambda result: result.line_number or 0
        )
        rows = []
        for result in results[:PREVIEW_ROWS]:
            if isinstance(result, EntryError):
                rows.append(
                    Markup("<tr class='text-danger'><td>%s</td>%s</tr>")
                    % (
                        result.line_number or "",
                        Markup("<td colspan='6'>%s</td>") % result.message,
                    )
                )
                continue
            cells = (
                result.line_number or "",
                result.date or "",
                f"{result.hours:.2f}",
                result.user_email or result.user_name or result.user_ref,
                result.project_name or result.project_code or result.project_ref,
                result.task_name or result.task_ref,
                result.description,
            )
            rows.append(
                Markup("<tr>%s</tr>")
                % Markup("").join(Markup("<td>%s</td>") % escape(c) for c in cells)
            )
        parts.append(
            Markup(
                "<table class='table table-sm o_time_billing_preview'>"
                "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
            )
            % (head, Markup("").join(rows))
        )
        later_errors = [r for r in results[PREVIEW_ROWS:] if isinstance(r, EntryError)]
        if later_errors:
            items = Markup("").join(
                Markup("<li>%s</li>") % error.message
                for error in later_errors[:PREVIEW_ERRORS]
            )
            if len(later_errors) > PREVIEW_ERRORS:
                items += Markup("<li>%s</li>") % self.env._(
                    "... and %(count)s more",
                    count=len(later_errors) - PREVIEW_ERRORS,
                )
            parts.append(
                Markup("<p class='mb-1'>%s</p><ul class='text-danger'>%s</ul>")
                % (self.env._("Further rows that cannot be read:"), items)
            )
        return Markup("").join(parts)
