# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import base64
import dataclasses

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..exceptions import FileFormatError
from ..providers import files
from ..providers.base import EntryError

WIZARD_STATES = [
    ("upload", "Upload"),
    ("ready", "Ready"),
    ("mapping", "Columns"),
    ("done", "Done"),
]
# Results shown in the preview, and rows read to build it (the date order is
# judged on the rows read).
PREVIEW_ROWS = 8
PREVIEW_ERRORS = 20
PREVIEW_SAMPLE = 20000
# Entries handed to the importer at once: bounds the ORM cache on big files.
IMPORT_CHUNK = 1000


def _header_key(header):
    """Case- and whitespace-insensitive form of a header, as the reader uses."""
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


class TimeBillingImportFile(models.TransientModel):
    """Upload a CSV or Excel export and import its rows as time entries.

    Known exports (Harvest, Toggl Track, Clockify detailed reports) are read
    as they are; for any other layout the user says which column holds what,
    and may save that on the backend for the next file with the same columns.
    """

    _name = "time.billing.import.file"
    _description = "Import Time from a File"

    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        domain=[("provider", "=", "csv")],
        default=lambda self: self._default_backend_id(),
        ondelete="cascade",
    )
    file = fields.Binary(required=True, attachment=False)
    filename = fields.Char()
    state = fields.Selection(selection=WIZARD_STATES, default="upload", required=True)
    detected_format = fields.Char(
        readonly=True, help="Key of the known export this file was recognised as."
    )
    detected_format_name = fields.Char(string="Recognised As", readonly=True)
    file_format_id = fields.Many2one(
        comodel_name="time.billing.file.format",
        string="Saved Format",
        readonly=True,
        ondelete="set null",
    )
    row_count = fields.Integer(readonly=True)
    column_ids = fields.One2many(
        comodel_name="time.billing.import.file.column",
        inverse_name="wizard_id",
        string="Columns",
    )
    save_format = fields.Boolean(
        string="Remember These Columns",
        default=True,
        help="Save this column mapping on the backend: the next file with the "
        "same columns is imported without asking.",
    )
    format_name = fields.Char()
    date_format = fields.Selection(
        selection=[
            ("auto", "Recognise"),
            ("dmy", "Day/month/year"),
            ("mdy", "Month/day/year"),
        ],
        default="auto",
        help="How to read dates such as 03/04/2026. ISO dates (2026-04-03) are "
        "always understood.",
    )
    decimal_separator = fields.Selection(
        selection=[("auto", "Recognise"), (".", "Point (1.5)"), (",", "Comma (1,5)")],
        default="auto",
    )
    hours_format = fields.Selection(
        selection=[
            ("auto", "Recognise"),
            ("decimal", "Decimal hours (1.5)"),
            ("hh:mm", "Hours and minutes (1:30)"),
        ],
        default="auto",
        help="How to read the Hours column; a Duration column is always recognised.",
    )
    import_repeated_rows = fields.Boolean(
        help="Import a row identical to an earlier one as a further entry "
        "instead of reporting it.",
    )
    default_user = fields.Char(
        help="E-mail or name of the person who logged every row, for files "
        "without a user column.",
    )
    preview_html = fields.Html(
        string="Preview", compute="_compute_preview_html", sanitize=False
    )
    sync_run_id = fields.Many2one(
        comodel_name="time.billing.sync.run", readonly=True, ondelete="set null"
    )
    created_count = fields.Integer(related="sync_run_id.created_count")
    updated_count = fields.Integer(related="sync_run_id.updated_count")
    unchanged_count = fields.Integer(related="sync_run_id.unchanged_count")
    error_count = fields.Integer(related="sync_run_id.error_count")
    exception_entry_ids = fields.Many2many(
        comodel_name="time.billing.entry",
        string="Rows Not Imported",
        readonly=True,
        help="Entries of this file waiting as exceptions or conflicts, this "
        "time or since an earlier import of the same rows.",
    )

    @api.model
    def _default_backend_id(self):
        """The first file backend of the current companies."""
        return (
            self.env["time.billing.backend"]
            .search(
                [
                    ("provider", "=", "csv"),
                    ("company_id", "in", self.env.companies.ids),
                ],
                limit=1,
            )
            .id
        )

    # -- reading the file ---------------------------------------------------

    def _read_table(self):
        """The uploaded file as a table; UserError when it cannot be read."""
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose a file to import."))
        try:
            return files.read_table(base64.b64decode(self.file), self.filename or "")
        except FileFormatError as err:
            raise UserError(
                self.env._(
                    "%(file)s cannot be read: %(reason)s",
                    file=self.filename or self.env._("The file"),
                    reason=str(err),
                )
            ) from err

    def _current_mapping(self):
        """The :class:`~..providers.files.ColumnMapping` the rows are read with.

        UserError when the columns chosen cannot work (a role chosen twice).
        """
        self.ensure_one()
        if self.state != "mapping" and self.file_format_id:
            return files.ColumnMapping.from_dict(self.file_format_id.mapping)
        if self.state != "mapping" and self.detected_format:
            return self.detected_format
        columns = {}
        for column in self.column_ids.filtered("role"):
            if column.role in columns:
                raise UserError(
                    self.env._(
                        "%(role)s is chosen for both columns %(first)s and %(second)s.",
                        role=files.ROLES[column.role],
                        first=columns[column.role],
                        second=column.header,
                    )
                )
            columns[column.role] = column.header
        return files.ColumnMapping(
            columns=columns,
            date_format=self.date_format or "auto",
            decimal_separator=self.decimal_separator or "auto",
            hours_format=self.hours_format or "auto",
            repeated_rows="import" if self.import_repeated_rows else "error",
            default_user=(self.default_user or "").strip(),
        )

    def _set_mapping(self, table, mapping):
        """Show ``mapping`` (a ColumnMapping) as the wizard's columns and options."""
        headers = list(table.headers)
        role_of = {
            _header_key(header): role for role, header in mapping.columns.items()
        }
        samples = self._column_samples(table)
        self.write(
            {
                "date_format": mapping.date_format
                if mapping.date_format in ("auto", "dmy", "mdy")
                else "auto",
                "decimal_separator": mapping.decimal_separator,
                "hours_format": mapping.hours_format,
                "import_repeated_rows": mapping.repeated_rows == "import",
                "default_user": mapping.default_user or False,
                "column_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(
                        {
                            "sequence": index,
                            "header": header,
                            "role": role_of.get(_header_key(header), False),
                            "sample": samples[index],
                        }
                    )
                    for index, header in enumerate(headers)
                ],
            }
        )

    # -- steps ----------------------------------------------------------------

    def action_read_file(self):
        """Step 1: recognise the file, or prepare the column mapping."""
        self.ensure_one()
        table = self._read_table()
        headers = list(table.headers)
        saved = self.env["time.billing.file.format"]._find_for_headers(
            self.backend_id, headers
        )
        mapping = None
        if saved:
            try:
                mapping = files.ColumnMapping.from_dict(saved.mapping)
            except ValueError:
                saved = saved.browse()
        known = files.detect_format(headers)
        if mapping is None:
            mapping = files.suggest_mapping(headers)
        self.write(
            {
                "state": "ready" if saved or known else "mapping",
                "row_count": len(table.rows),
                "detected_format": known or False,
                "detected_format_name": known
                and files.KNOWN_FORMATS[known]["label"]
                or False,
                "file_format_id": saved.id,
                "format_name": saved.name or self._default_format_name(),
            }
        )
        self._set_mapping(table, mapping)
        return self._reopen()

    def action_edit_columns(self):
        """From a recognised file, go to the column mapping anyway."""
        self.ensure_one()
        self.state = "mapping"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.write({"state": "upload", "column_ids": [fields.Command.clear()]})
        return self._reopen()

    def action_import(self):
        """Last step: import every row through the backend's importer."""
        self.ensure_one()
        table = self._read_table()
        mapping = self._current_mapping()
        try:
            page = files.parse_rows(table, mapping)
        except FileFormatError as err:
            raise UserError(str(err)) from err
        backend = self.backend_id
        run = backend._start_sync_run("file")
        for chunk in self._chunk_page(page):
            backend._process_page(chunk, run)
        run._finish()
        vals = {
            "state": "done",
            "sync_run_id": run.id,
            "exception_entry_ids": [
                fields.Command.set(self._entries_to_fix(backend, page).ids)
            ],
        }
        if self.state == "mapping" and self.save_format:
            vals["file_format_id"] = (
                self.env["time.billing.file.format"]
                ._save_for_headers(
                    backend,
                    table.headers,
                    mapping.to_dict(),
                    self.format_name or self._default_format_name(),
                )
                .id
            )
        elif self.file_format_id:
            self.file_format_id.last_used_date = fields.Datetime.now()
        self.write(vals)
        return self._reopen()

    @api.model
    def _entries_to_fix(self, backend, page):
        """Entries of ``page`` that did not become (or stay) timesheet lines."""
        external_ids = [result.external_id for result in page.entries + page.errors]
        Entry = self.env["time.billing.entry"]
        for batch in split_every(IMPORT_CHUNK, external_ids):
            Entry |= Entry.search(
                [
                    ("backend_id", "=", backend.id),
                    ("external_id", "in", list(batch)),
                    ("state", "in", ("exception", "conflict")),
                ]
            )
        return Entry.sorted(lambda entry: (entry.line_number or 0, entry.id))

    def action_view_sync_run(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "time.billing.sync.run",
            "res_id": self.sync_run_id.id,
            "view_mode": "form",
        }

    # -- helpers --------------------------------------------------------------

    @staticmethod
    def _chunk_page(page):
        """Split a page of a big file into pages the importer digests well."""
        entries, errors = page.entries, page.errors
        if len(entries) <= IMPORT_CHUNK:
            yield page
            return
        for start in range(0, len(entries), IMPORT_CHUNK):
            first = start == 0
            yield dataclasses.replace(
                page,
                entries=entries[start : start + IMPORT_CHUNK],
                errors=errors if first else [],
                deleted_ids=page.deleted_ids if first else [],
                notes=page.notes if first else [],
            )

    @staticmethod
    def _column_samples(table):
        """A few values of each column, to recognise it by."""
        samples = [[] for _header in table.headers]
        for row in table.rows[:PREVIEW_ROWS]:
            for index, value in enumerate(row.values[: len(table.headers)]):
                if value not in (None, "") and len(samples[index]) < 3:
                    samples[index].append(str(value))
        return [", ".join(values)[:120] for values in samples]

    def _default_format_name(self):
        name = (self.filename or "").rsplit(".", 1)[0]
        return name or self.env._("File format")

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import File"),
        }

    @api.depends(
        "state",
        "file",
        "column_ids.role",
        "date_format",
        "decimal_separator",
        "hours_format",
        "import_repeated_rows",
        "default_user",
    )
    def _compute_preview_html(self):
        for wizard in self:
            if wizard.state not in ("ready", "mapping") or not wizard.file:
                wizard.preview_html = False
                continue
            try:
                table = wizard._read_table()
                sampled = len(table.rows) > PREVIEW_SAMPLE
                if sampled:
                    table = dataclasses.replace(table, rows=table.rows[:PREVIEW_SAMPLE])
                page = files.parse_rows(table, wizard._current_mapping())
            except (UserError, FileFormatError, ValueError) as err:
                wizard.preview_html = Markup("<p class='text-danger'>%s</p>") % str(err)
                continue
            wizard.preview_html = wizard._render_preview(page, sampled=sampled)

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


class TimeBillingImportFileColumn(models.TransientModel):
    _name = "time.billing.import.file.column"
    _description = "Column of an Imported File"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        comodel_name="time.billing.import.file", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    header = fields.Char(string="Column", readonly=True)
    role = fields.Selection(
        selection=lambda self: self._selection_role(),
        string="Contains",
        help="What this column holds. Leave empty to ignore the column.",
    )
    sample = fields.Char(string="First Values", readonly=True)

    @api.model
    def _selection_role(self):
        return list(files.ROLES.items())
