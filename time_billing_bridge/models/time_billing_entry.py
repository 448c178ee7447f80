# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

ENTRY_STATES = [
    ("imported", "Imported"),
    ("exception", "Exception"),
    ("conflict", "Conflict"),
    ("deleted", "Deleted"),
]


class TimeBillingEntry(models.Model):
    _name = "time.billing.entry"
    _description = "Imported Time Entry"
    _order = "date desc, id desc"
    _rec_name = "external_id"
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
    provider = fields.Selection(related="backend_id.provider")
    external_id = fields.Char(required=True, readonly=True)
    payload = fields.Text(
        readonly=True, help="The entry exactly as the source sent it."
    )
    state = fields.Selection(
        selection=ENTRY_STATES, required=True, default="imported", index=True
    )
    exception_reason = fields.Text(readonly=True)
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
    external_project_ref = fields.Char(string="External Project", readonly=True)
    external_project_name = fields.Char(readonly=True)
    external_task_ref = fields.Char(string="External Task", readonly=True)
    external_task_name = fields.Char(readonly=True)
    external_client_ref = fields.Char(string="External Client", readonly=True)
    external_client_name = fields.Char(readonly=True)
    external_updated_at = fields.Datetime(string="Updated at Source", readonly=True)

    _backend_external_uniq = models.Constraint(
        "UNIQUE(backend_id, external_id)",
        "An entry with this external ID was already imported from this backend.",
    )
