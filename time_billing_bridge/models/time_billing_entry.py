# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_date, format_duration, format_time

from ..const import ENTRY_STATES, EXCEPTION_KINDS, GROUP_MANAGER
from ..importer import staging
from ..providers.base import EntryError, Page
from ..tools.guard import pipeline_write
from ..tools.notify import CLOSE, notification
from ..tools.validation import entry_interval
from .time_billing_mapping import source_label

CONFLICT_TYPES = [
    ("update", "Changed at the Source"),
    ("delete", "Deleted at the Source"),
]
BILLABLE_AT_SOURCE = [
    ("billable", "Billable"),
    ("non_billable", "Non-Billable"),
]


class TimeBillingEntry(models.Model):
    _name = "time.billing.entry"
    _inherit = ["time.billing.pipeline.mixin"]
    _description = "Imported Time Entry"
    _order = "date desc, id desc"
    _rec_name = "external_id"
    _check_company_auto = True

    # No company check on the backend: the entry's company is the backend's
    # (related field), so they always agree, and the check would cost a
    # domain evaluation per entry on every import.
    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True, precompute=True
    )
    provider = fields.Selection(related="backend_id.provider")
    external_id = fields.Char(required=True, readonly=True)
    payload = fields.Text(
        readonly=True, help="The entry exactly as the source sent it."
    )
    payload_hash = fields.Char(
        readonly=True,
        copy=False,
        help="Digest of the payload: an entry received again with the same "
        "digest is unchanged and left alone.",
    )
    state = fields.Selection(
        selection=ENTRY_STATES, required=True, default="imported", index=True
    )
    exception_reason = fields.Text(readonly=True)
    exception_kind = fields.Selection(
        selection=EXCEPTION_KINDS,
        string="Problem",
        readonly=True,
        index="btree_not_null",
        help="The kind of problem that holds this entry back: entries of one "
        "kind are fixed the same way.",
    )
    match_issues = fields.Char(
        readonly=True,
        help="Technical: kinds of records (user, project, task, client) this "
        "entry could not be matched to, comma-separated.",
    )
    unreadable = fields.Boolean(
        readonly=True,
        help="The source sent this record in a form that could not be read; "
        "only a new version from the source can fix it.",
    )
    timesheet_id = fields.Many2one(
        comodel_name="account.analytic.line",
        string="Timesheet Line",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        copy=False,
    )
    sync_run_id = fields.Many2one(
        comodel_name="time.billing.sync.run",
        string="Last Run",
        ondelete="set null",
        readonly=True,
    )
    # What the source said, normalised; kept so that exceptions are readable
    # and can be re-processed once a mapping exists.
    date = fields.Date(readonly=True)
    hours = fields.Float(readonly=True, digits=(16, 4))
    description = fields.Text(readonly=True)
    external_user_ref = fields.Char(string="External User", readonly=True)
    external_user_name = fields.Char(readonly=True)
    external_user_email = fields.Char(readonly=True)
    external_project_ref = fields.Char(string="External Project", readonly=True)
    external_project_name = fields.Char(readonly=True)
    external_project_code = fields.Char(readonly=True)
    external_task_ref = fields.Char(string="External Task", readonly=True)
    external_task_name = fields.Char(readonly=True)
    external_client_ref = fields.Char(string="External Client", readonly=True)
    external_client_name = fields.Char(readonly=True)
    external_client_email = fields.Char(readonly=True)
    external_client_phone = fields.Char(readonly=True)
    source_user_label = fields.Char(
        string="Person",
        compute="_compute_source_labels",
        help="The person as the source names them, with their ID or e-mail.",
    )
    source_project_label = fields.Char(
        string="Project",
        compute="_compute_source_labels",
        help="The project as the source names it, with its ID or code.",
    )
    external_updated_at = fields.Datetime(string="Updated at Source", readonly=True)
    billable_at_source = fields.Selection(
        selection=BILLABLE_AT_SOURCE,
        readonly=True,
        help="Empty when the source does not say.",
    )
    is_running = fields.Boolean(string="Timer Running", readonly=True)
    locked_at_source = fields.Boolean(readonly=True)
    approval_status_at_source = fields.Char(readonly=True)
    line_number = fields.Integer(
        readonly=True, help="Line of the file this entry was read from."
    )
    # Text, not Datetime: a local wall-clock time stays as the source wrote
    # it (a Datetime field would shift it by the user's time zone).
    source_start = fields.Char(
        string="Started at Source",
        readonly=True,
        help="When the work started, as the source recorded it (ISO 8601); "
        "without a UTC offset it is the person's local time.",
    )
    source_end = fields.Char(
        string="Ended at Source",
        readonly=True,
        help="When the work ended, as the source recorded it (ISO 8601); "
        "without a UTC offset it is the person's local time.",
    )
    source_times = fields.Char(
        string="Worked",
        compute="_compute_source_times",
        help="When the work started and ended, as the source recorded it: in "
        "the source's UTC offset, or in the person's local time.",
    )
    # A source version waiting for a decision because the timesheet line is
    # approved or invoiced.
    conflict_type = fields.Selection(selection=CONFLICT_TYPES, readonly=True)
    pending_payload = fields.Text(string="Source Version", readonly=True, copy=False)
    pending_payload_hash = fields.Char(readonly=True, copy=False)
    pending_values = fields.Json(readonly=True, copy=False)
    dismissed_payload_hash = fields.Char(
        readonly=True,
        copy=False,
        help="Source version that was dismissed: receiving it again does not "
        "raise the conflict again.",
    )
    pending_date = fields.Date(compute="_compute_pending")
    pending_hours = fields.Float(compute="_compute_pending", digits=(16, 4))
    pending_description = fields.Text(compute="_compute_pending")
    pending_user_name = fields.Char(compute="_compute_pending")
    pending_project_name = fields.Char(compute="_compute_pending")
    pending_task_name = fields.Char(compute="_compute_pending")
    # The Odoo side of a conflict.
    timesheet_date = fields.Date(related="timesheet_id.date", string="Line Date")
    timesheet_hours = fields.Float(
        related="timesheet_id.unit_amount", string="Line Hours"
    )
    timesheet_name = fields.Char(related="timesheet_id.name", string="Line Description")
    timesheet_employee_id = fields.Many2one(
        related="timesheet_id.employee_id", string="Line Employee"
    )
    timesheet_project_id = fields.Many2one(
        related="timesheet_id.project_id", string="Line Project"
    )
    timesheet_task_id = fields.Many2one(
        related="timesheet_id.task_id", string="Line Task"
    )
    timesheet_billing_state = fields.Selection(
        related="timesheet_id.billing_state", string="Line Billing Status"
    )

    _backend_external_uniq = models.Constraint(
        "UNIQUE(backend_id, external_id)",
        "An entry with this external ID was already imported from this backend.",
    )
    # Lets the importer classify a page (id and digest) from the index alone.
    _backend_external_hash_idx = models.Index("(backend_id, external_id, payload_hash)")

    @api.model
    def _get_pipeline_write_message(self):
        # An entry holds what a source sent and the timesheet line it made:
        # editing one by hand could point "re-process" at somebody else's line.
        return self.env._(
            "Imported entries change only through their actions (map, re-process, "
            "accept or dismiss the source version) and new imports, not by "
            "editing them."
        )

    @api.depends(
        "backend_id.name",
        "external_user_name",
        "external_user_email",
        "external_user_ref",
        "date",
        "hours",
        "line_number",
    )
    def _compute_display_name(self):
        """ "Harvest · Jane Doe · 03/02/2026 · 01:30": the source, then
        :meth:`_get_short_title`."""
        for entry in self:
            entry.display_name = " · ".join(
                part
                for part in (entry.backend_id.name, entry._get_short_title())
                if part
            )

    @api.depends(
        "external_user_name",
        "external_user_email",
        "external_user_ref",
        "external_project_name",
        "external_project_code",
        "external_project_ref",
    )
    def _compute_source_labels(self):
        for entry in self:
            entry.source_user_label = source_label(
                self.env,
                entry.external_user_name,
                entry.external_user_email or entry.external_user_ref,
            )
            entry.source_project_label = source_label(
                self.env,
                entry.external_project_name,
                entry.external_project_code or entry.external_project_ref,
            )

    def _get_short_title(self):
        """ "Jane Doe · 03/02/2026 · 01:30": the person, the day and the hours
        (as the lists show them), where the source is known; the line of the
        file, or the external ID, when the source gave neither person nor
        date."""
        self.ensure_one()
        person = self.external_user_name or source_label(
            self.env, "", self.external_user_email or self.external_user_ref
        )
        parts = [person]
        if self.date:
            parts.append(format_date(self.env, self.date))
        elif self.line_number:
            parts.append(self.env._("line %(line)s", line=self.line_number))
        if self.date or self.hours:
            parts.append(format_duration(self.hours))
        if not person and not self.date and not self.line_number:
            parts.append(self.external_id)
        return " · ".join(part for part in parts if part)

    @api.depends("source_start", "source_end")
    def _compute_source_times(self):
        for entry in self:
            span = entry_interval(entry.source_start, entry.source_end)
            if not span:
                entry.source_times = False
                continue
            start, end = span
            times = [
                format_time(self.env, moment.time(), time_format="short")
                for moment in span
            ]
            if end.date() != start.date():
                times[1] = f"{format_date(self.env, end.date())} {times[1]}"
            if start.tzinfo is None:
                zone = self.env._("local time")
            else:
                offset = start.strftime("%z")
                zone = f"UTC{offset[:3]}:{offset[3:]}"
            entry.source_times = f"{times[0]} – {times[1]} ({zone})"

    @api.depends("pending_values")
    def _compute_pending(self):
        for entry in self:
            vals = entry.pending_values or {}
            entry.pending_date = vals.get("date") or False
            entry.pending_hours = vals.get("hours") or 0.0
            entry.pending_description = vals.get("description") or False
            entry.pending_user_name = (
                vals.get("external_user_name") or vals.get("external_user_email")
            ) or False
            entry.pending_project_name = (
                vals.get("external_project_name") or vals.get("external_project_code")
            ) or False
            entry.pending_task_name = vals.get("external_task_name") or False

    # ------------------------------------------------------------------
    # Re-processing
    # ------------------------------------------------------------------

    def _to_page(self, pending=False):
        """A :class:`Page` that replays these entries from their staged values.

        :param pending: use the pending source version of conflicts
        """
        page = Page()
        for entry in self:
            if pending and entry.conflict_type == "delete":
                page.deleted_ids.append(entry.external_id)
                continue
            raw = json.loads(
                (entry.pending_payload if pending else entry.payload) or "{}"
            )
            if entry.unreadable:
                page.errors.append(
                    EntryError(
                        message=entry.exception_reason or "",
                        external_id=entry.external_id,
                        line_number=entry.line_number or None,
                        raw=raw,
                        kind=entry.exception_kind or "",
                    )
                )
                continue
            if pending:
                vals = staging.staging_from_json(entry.pending_values or {})
            else:
                vals = {
                    fname: entry[fname]
                    for fname in [*staging.STAGING_FIELDS, "billable_at_source"]
                }
            page.entries.append(
                staging.entry_from_staging(entry.external_id, vals, raw=raw)
            )
        return page

    def _notify_review(self, runs, title):
        """A notification summing up review runs."""
        created = sum(runs.mapped("created_count"))
        updated = sum(runs.mapped("updated_count"))
        deleted = sum(runs.mapped("deleted_count"))
        errors = sum(runs.mapped("error_count"))
        message = self.env._(
            "%(done)s imported, %(waiting)s still waiting.",
            done=created + updated + deleted,
            waiting=errors,
        )
        return notification(
            message,
            "warning" if errors else "success",
            title=title,
            next_action=CLOSE,
        )

    def action_reprocess(self):
        """Run exceptions through the importer again (after fixing mappings,
        employees or projects). Records the source sent in a form that
        cannot be read are left out: only a new version from the source can
        fix them."""
        waiting = self.filtered(lambda e: e.state == "exception")
        if not waiting:
            raise UserError(
                self.env._("Only entries in exception can be re-processed.")
            )
        entries = waiting.filtered(lambda e: not e.unreadable)
        if not entries:
            raise UserError(
                self.env._(
                    "The source sent these entries in a form that cannot be "
                    "read: re-processing cannot fix them, only a corrected "
                    "version from the source (a new synchronisation or file)."
                )
            )
        runs = self.env["time.billing.importer"]._reprocess(entries)
        return self._notify_review(runs, self.env._("Entries re-processed"))

    def action_open_map_wizard(self):
        """Open the "Map to…" wizard for these exceptions."""
        entries = self.filtered(lambda e: e.state == "exception" and e.match_issues)
        if not entries:
            raise UserError(
                self.env._(
                    "None of these entries waits for a mapping: only unknown "
                    "users, projects, tasks and clients can be mapped."
                )
            )
        if len(entries.backend_id) > 1:
            raise UserError(self.env._("Map the entries of one backend at a time."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Map to…"),
            "res_model": "time.billing.entry.map.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_ids": entries.ids,
            },
        }

    def _check_conflicts(self):
        entries = self.filtered(lambda e: e.state == "conflict")
        if not entries:
            raise UserError(self.env._("None of these entries is in conflict."))
        return entries

    def action_accept_source(self):
        """Apply the source version to the approved timesheet line."""
        if not (self.env.su or self.env.user.has_group(GROUP_MANAGER)):
            raise AccessError(
                self.env._(
                    "Only time billing managers may change approved time: "
                    "ask one to accept the source version, or dismiss it."
                )
            )
        entries = self._check_conflicts()
        invoiced = entries.sudo().filtered(
            lambda e: e.timesheet_id.billing_state == "invoiced"
        )
        if invoiced:
            raise UserError(
                self.env._(
                    "Entries %(entries)s are already invoiced: credit or cancel "
                    "the invoice to change them, or dismiss the source version.",
                    entries=", ".join(invoiced.mapped("external_id")),
                )
            )
        runs = self.env["time.billing.importer"]._reprocess(entries, accept=True)
        runs._log(
            self.env._(
                "Source version accepted by %(user)s for entries %(entries)s",
                user=self.env.user.name,
                entries=", ".join(entries.mapped("external_id")),
            )
        )
        return self._notify_review(runs, self.env._("Source version accepted"))

    def action_dismiss_source(self):
        """Keep the timesheet line as it is in Odoo and forget the source
        version (receiving the same version again does not re-open it)."""
        entries = self._check_conflicts()
        for entry in entries:
            with pipeline_write():
                entry.write(
                    {
                        "state": "imported",
                        "dismissed_payload_hash": entry.pending_payload_hash,
                        "conflict_type": False,
                        "exception_reason": False,
                        "exception_kind": False,
                        "pending_payload": False,
                        "pending_payload_hash": False,
                        "pending_values": False,
                    }
                )
        for backend, backend_entries in entries.grouped("backend_id").items():
            run = backend._start_sync_run("review")
            run._log(
                self.env._(
                    "Source version dismissed by %(user)s for entries "
                    "%(entries)s: Odoo's timesheet lines are kept",
                    user=self.env.user.name,
                    entries=", ".join(backend_entries.mapped("external_id")),
                )
            )
            run._finish()
        return True
