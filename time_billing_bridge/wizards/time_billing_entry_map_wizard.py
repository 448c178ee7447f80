# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import CTX_SKIP_REPROCESS
from ..importer import matching
from ..models.time_billing_mapping import (
    MAPPING_KINDS,
    MAPPING_TARGET_FIELDS,
    source_label,
)


class TimeBillingEntryMapWizard(models.TransientModel):
    """Map the unknown user, project, task or client of import exceptions,
    then import every entry waiting on it."""

    _name = "time.billing.entry.map.wizard"
    _description = "Map Imported Entries"
    _check_company_auto = True

    entry_ids = fields.Many2many(
        comodel_name="time.billing.entry", string="Entries", readonly=True
    )
    backend_id = fields.Many2one(
        comodel_name="time.billing.backend", required=True, readonly=True
    )
    company_id = fields.Many2one(related="backend_id.company_id")
    kind = fields.Selection(
        selection=MAPPING_KINDS,
        string="Map the",
        required=True,
        default="user",
    )
    available_kinds = fields.Char(compute="_compute_available_kinds")
    external_ref = fields.Char(
        string="External Reference",
        required=True,
        help="What the source calls it: an ID, e-mail, code or name.",
    )
    external_name = fields.Char(string="Name at the Source")
    external_label = fields.Char(
        string="At the Source",
        compute="_compute_external_label",
        help="The name the source uses, next to its reference.",
    )
    employee_id = fields.Many2one(comodel_name="hr.employee", check_company=True)
    project_id = fields.Many2one(comodel_name="project.project", check_company=True)
    task_id = fields.Many2one(comodel_name="project.task", check_company=True)
    partner_id = fields.Many2one(comodel_name="res.partner", string="Client")

    @api.model
    def default_get(self, fields_list):
        vals = super().default_get(fields_list)
        entries = self._get_active_entries()
        if entries:
            kind = entries[0].match_issues.split(",")[0]
            vals.update(
                entry_ids=[fields.Command.set(entries.ids)],
                backend_id=entries.backend_id.id,
                kind=kind,
                **self._get_reference(entries[0], kind),
            )
        return vals

    def _get_active_entries(self):
        if self.env.context.get("active_model") != "time.billing.entry":
            return self.env["time.billing.entry"]
        entries = self.env["time.billing.entry"].browse(
            self.env.context.get("active_ids", [])
        )
        return entries.filtered(lambda e: e.state == "exception" and e.match_issues)

    @api.model
    def _get_reference(self, entry, kind):
        """The external reference and name of ``entry`` for a mapping of
        ``kind``."""
        external = entry._to_page().entries[0]
        return {
            "external_ref": matching.mapping_reference(kind, external),
            "external_name": matching.display_name(kind, external),
        }

    @api.depends("external_name", "external_ref")
    def _compute_external_label(self):
        for wizard in self:
            wizard.external_label = source_label(
                self.env, wizard.external_name, wizard.external_ref
            )

    @api.depends("entry_ids")
    def _compute_available_kinds(self):
        for wizard in self:
            kinds = set()
            for entry in wizard.entry_ids:
                kinds.update((entry.match_issues or "").split(","))
            wizard.available_kinds = ",".join(sorted(kinds - {""}))

    @api.onchange("kind")
    def _onchange_kind(self):
        entry = self.entry_ids.filtered(
            lambda e: self.kind in (e.match_issues or "").split(",")
        )[:1]
        if entry:
            self.update(self._get_reference(entry, self.kind))

    def action_map(self):
        """Create (or retarget) the mapping and re-process the waiting entries."""
        self.ensure_one()
        waiting = self.available_kinds.split(",") if self.available_kinds else []
        if waiting and self.kind not in waiting:
            # The reference in the form is that of another kind: mapping it
            # would key a wrong mapping and leave the entries waiting.
            kinds = dict(self._fields["kind"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "None of these entries waits for a %(kind)s mapping; they "
                    "wait for: %(waiting)s.",
                    kind=kinds[self.kind].lower(),
                    waiting=", ".join(kinds[kind].lower() for kind in waiting),
                )
            )
        target_field = MAPPING_TARGET_FIELDS[self.kind]
        target = self[target_field]
        if not target:
            raise UserError(
                self.env._(
                    "Choose what %(ref)s should be mapped to.", ref=self.external_ref
                )
            )
        Mapping = self.env["time.billing.mapping"].with_context(
            **{CTX_SKIP_REPROCESS: True}
        )
        mapping = Mapping.search(
            [
                ("backend_id", "=", self.backend_id.id),
                ("kind", "=", self.kind),
                ("external_ref", "=", self.external_ref),
            ],
            limit=1,
        )
        vals = {target_field: target.id}
        if mapping:
            mapping.write(vals)
        else:
            mapping = Mapping.create(
                {
                    "backend_id": self.backend_id.id,
                    "kind": self.kind,
                    "external_ref": self.external_ref,
                    "external_name": self.external_name,
                    **vals,
                }
            )
        runs = mapping._reprocess_waiting_entries()
        return self.env["time.billing.entry"]._notify_review(
            runs,
            self.env._(
                "%(ref)s mapped to %(target)s",
                ref=self.external_label,
                target=target.display_name,
            ),
        )
