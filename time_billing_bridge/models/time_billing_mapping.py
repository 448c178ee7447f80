# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import escape_psql

from ..const import CTX_SKIP_REPROCESS

MAPPING_KINDS = [
    ("user", "User"),
    ("project", "Project"),
    ("task", "Task"),
    ("client", "Client"),
]

# The target field each kind of mapping must fill.
MAPPING_TARGET_FIELDS = {
    "user": "employee_id",
    "project": "project_id",
    "task": "task_id",
    "client": "partner_id",
}

# The fields of time.billing.entry a mapping of each kind may be keyed on.
MAPPING_ENTRY_FIELDS = {
    "user": ["external_user_ref", "external_user_email", "external_user_name"],
    "project": [
        "external_project_ref",
        "external_project_code",
        "external_project_name",
    ],
    "task": ["external_task_ref", "external_task_name"],
    "client": [
        "external_client_ref",
        "external_client_name",
        "external_client_email",
        "external_client_phone",
    ],
}
# Context key: do not re-process waiting entries when mappings change (the
# caller does it).


def source_label(env, name, ref):
    """What the source calls a record, for a person: "Jane Doe (id 4711)",
    "Jane Doe (jane@example.com)", "id 4711" or "Jane Doe"."""
    name, ref = (name or "").strip(), (ref or "").strip()
    if not ref or name.casefold() == ref.casefold():
        return name
    if not name:
        return ref if "@" in ref else env._("id %(ref)s", ref=ref)
    if "@" in ref:
        return env._("%(name)s (%(ref)s)", name=name, ref=ref)
    return env._("%(name)s (id %(ref)s)", name=name, ref=ref)


class TimeBillingMapping(models.Model):
    _name = "time.billing.mapping"
    _description = "Time Billing Mapping"
    _order = "backend_id, kind, external_name, id"
    _rec_name = "external_name"
    _check_company_auto = True

    backend_id = fields.Many2one(
        comodel_name="time.billing.backend",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="backend_id.company_id", store=True, index=True
    )
    kind = fields.Selection(selection=MAPPING_KINDS, required=True, default="user")
    external_ref = fields.Char(
        string="External ID",
        required=True,
        help="Identifier of the user, project, task or client at the source.",
    )
    external_name = fields.Char(help="Name shown at the source, kept for readability.")
    employee_id = fields.Many2one(
        comodel_name="hr.employee", check_company=True, ondelete="cascade"
    )
    project_id = fields.Many2one(
        comodel_name="project.project", check_company=True, ondelete="cascade"
    )
    task_id = fields.Many2one(
        comodel_name="project.task", check_company=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(comodel_name="res.partner", ondelete="cascade")

    _backend_kind_ref_uniq = models.Constraint(
        "UNIQUE(backend_id, kind, external_ref)",
        "This external reference is already mapped for this backend.",
    )

    @api.depends("external_name", "external_ref")
    def _compute_display_name(self):
        for mapping in self:
            mapping.display_name = source_label(
                self.env, mapping.external_name, mapping.external_ref
            )

    @api.constrains("kind", "employee_id", "project_id", "task_id", "partner_id")
    def _check_target(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for mapping in self:
            if not mapping[MAPPING_TARGET_FIELDS[mapping.kind]]:
                raise ValidationError(
                    self.env._(
                        "The %(kind)s mapping of '%(ref)s' needs a target.",
                        kind=labels[mapping.kind].lower(),
                        ref=mapping.external_name or mapping.external_ref,
                    )
                )

    def _get_target(self):
        """Return the Odoo record this mapping points to."""
        self.ensure_one()
        return self[MAPPING_TARGET_FIELDS[self.kind]]

    @api.model_create_multi
    def create(self, vals_list):
        mappings = super().create(vals_list)
        if not self.env.context.get(CTX_SKIP_REPROCESS):
            mappings._reprocess_waiting_entries()
        return mappings

    def write(self, vals):
        res = super().write(vals)
        if not self.env.context.get(CTX_SKIP_REPROCESS) and (
            {"kind", "external_ref", *MAPPING_TARGET_FIELDS.values()} & set(vals)
        ):
            self._reprocess_waiting_entries()
        return res

    def _get_waiting_entries_domain(self):
        """Entries in exception that these mappings may resolve."""
        return Domain.OR(
            Domain("backend_id", "=", mapping.backend_id.id)
            & Domain("state", "=", "exception")
            & Domain.OR(
                Domain(fname, "=ilike", escape_psql(mapping.external_ref))
                for fname in MAPPING_ENTRY_FIELDS[mapping.kind]
            )
            for mapping in self
        )

    def _reprocess_waiting_entries(self):
        """Import again the exceptions waiting on these mappings.

        :return: the review runs (one per backend), or an empty recordset
        """
        if not self:
            return self.env["time.billing.sync.run"]
        entries = (
            self.env["time.billing.entry"]
            .sudo()
            .search(self._get_waiting_entries_domain())
        )
        if not entries:
            return self.env["time.billing.sync.run"]
        return self.env["time.billing.importer"]._reprocess(entries)
