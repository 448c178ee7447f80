# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models
from odoo.exceptions import ValidationError

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
