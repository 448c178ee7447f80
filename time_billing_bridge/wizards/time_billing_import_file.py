# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The upload wizard: reading the file and the import step.

The preview of the ready and column steps is in
``time_billing_import_file_preview.py``, the columns in
``time_billing_import_file_column.py``.
"""

import base64

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from ..exceptions import FileFormatError
from ..providers import files
from ..providers.base import EntryError, Page
from ..tools import planner

WIZARD_STATES = [
    ("upload", "Upload"),
    ("ready", "Ready"),
    ("mapping", "Columns"),
    ("done", "Done"),
]
# Rows handed to the importer at once. The file is parsed row by row and
# each chunk imported, then forgotten (results and ORM cache).
IMPORT_CHUNK = 1000
# Rows read when the planner's estimates of the tables the import fills are
# first checked (see ``tools/planner.py``), then at every doubling of it.
STATS_CHECK_ROWS = 4000
STATS_TABLES = ("account_analytic_line", "time_billing_entry")
# Most rows one import reads; an administrator may raise it.
MAX_ROWS_PARAM = "time_billing_bridge.import_max_rows"
DEFAULT_MAX_ROWS = 200000
# What makes a backend a file backend: files are imported into these only.
FILE_PROVIDERS = ("csv",)


def _header_key(header):
    """Case- and whitespace-insensitive form of a header, as the reader uses."""
    return " ".join(str(header or "").replace("\ufeff", "").split()).casefold()


class TimeBillingImportFile(models.TransientModel):
    """Upload a CSV or Excel export and import its rows as time entries.

    Known exports (``files.KNOWN_FORMATS``: Harvest, Toggl Track, Clockify,
    QuickBooks Time, ClickUp, Hubstaff) are read as they are; for any other
    layout the user says which column holds what, and may save that on the
    backend for the next file with the same columns.
    """

    _name = "time.billing.import.file"
    _description = "Import Time from a File"

    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        domain=[("provider", "in", FILE_PROVIDERS)],
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
                    ("provider", "in", FILE_PROVIDERS),
                    ("company_id", "in", self.env.companies.ids),
                ],
                limit=1,
            )
            .id
        )

    @api.constrains("backend_id")
    def _check_file_backend(self):
        """Files go into file backends only, whoever calls: the rows of a file
        carry made-up ids that would mix with a connected account's own."""
        for wizard in self:
            if wizard.backend_id.provider not in FILE_PROVIDERS:
                raise ValidationError(
                    self.env._(
                        "%(backend)s is not a file backend: a file can only be "
                        "imported into a backend of type File (CSV / Excel).",
                        backend=wizard.backend_id.display_name,
                    )
                )

    @api.model
    def _max_rows(self):
        """Most rows one import reads (system parameter ``MAX_ROWS_PARAM``)."""
        value = self.env["ir.config_parameter"].sudo().get_param(MAX_ROWS_PARAM)
        try:
            value = int(value)
        except (TypeError, ValueError):
            return DEFAULT_MAX_ROWS
        return value if value > 0 else DEFAULT_MAX_ROWS

    # -- reading the file ---------------------------------------------------

    def _read_table(self):
        """The uploaded file as a table; UserError when it cannot be read or
        has more rows than an import takes."""
        self.ensure_one()
        if not self.file:
            raise UserError(self.env._("Choose a file to import."))
        try:
            return files.read_table(
                base64.b64decode(self.file), self.filename or "", self._max_rows()
            )
        except files.TooManyRowsError as err:
            raise UserError(
                self.env._(
                    "%(file)s has more than %(limit)s rows, the most one import "
                    "reads. Split the file, or ask an administrator to raise the "
                    "system parameter %(param)s.",
                    file=self.filename or self.env._("The file"),
                    limit=err.limit,
                    param=MAX_ROWS_PARAM,
                )
            ) from err
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
        """Step 1: recognise the file, or prepare the column mapping, and keep
        what the preview needs (the file is not read again for it)."""
        self.ensure_one()
        self._check_file_backend()
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
        self._store_preview_sample(table)
        return self._reopen()

    def action_edit_columns(self):
        """From a recognised file, go to the column mapping anyway."""
        self.ensure_one()
        self.state = "mapping"
        return self._reopen()

    def action_back(self):
        self.ensure_one()
        self.write(
            {
                "state": "upload",
                "column_ids": [fields.Command.clear()],
                "preview_sample": False,
            }
        )
        return self._reopen()

    def action_import(self):
        """Last step: import every row through the backend's importer, a
        chunk at a time as the rows are parsed."""
        self.ensure_one()
        self._check_file_backend()
        table = self._read_table()
        mapping = self._current_mapping()
        try:
            notes, results = files.iter_rows(table, mapping)
        except FileFormatError as err:
            raise UserError(str(err)) from err
        backend = self.backend_id
        run = backend._start_sync_run("file")
        to_fix = []
        read, check_at = 0, STATS_CHECK_ROWS
        for chunk in split_every(IMPORT_CHUNK, results, list):
            page = Page(notes=notes)
            notes = []
            for result in chunk:
                if isinstance(result, EntryError):
                    page.errors.append(result)
                else:
                    page.entries.append(result)
            backend._process_page(page, run)
            to_fix.extend(self._entries_to_fix(backend, page).ids)
            # What the ORM read for this chunk is not needed by the next.
            self.env.invalidate_all()
            read += len(chunk)
            if read >= check_at:
                planner.refresh_estimates(self.env.cr, STATS_TABLES, read)
                check_at *= 2
        run._finish()
        vals = {
            "state": "done",
            "sync_run_id": run.id,
            "exception_entry_ids": [
                fields.Command.set(
                    self.env["time.billing.entry"]
                    .browse(to_fix)
                    .sorted(lambda entry: (entry.line_number or 0, entry.id))
                    .ids
                )
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
        return self.env["time.billing.entry"].search(
            [
                ("backend_id", "=", backend.id),
                (
                    "external_id",
                    "in",
                    [result.external_id for result in page.entries + page.errors],
                ),
                ("state", "in", ("exception", "conflict")),
            ]
        )

    def action_view_sync_run(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "time.billing.sync.run",
            "res_id": self.sync_run_id.id,
            "view_mode": "form",
        }

    # -- helpers --------------------------------------------------------------

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
