# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

SYNC_RUN_STATES = [
    ("running", "Running"),
    ("done", "Done"),
    ("partial", "Partially Done"),
    ("failed", "Failed"),
]

SYNC_RUN_TRIGGERS = [
    ("manual", "Manual"),
    ("cron", "Scheduled"),
    ("webhook", "Webhook"),
    ("file", "File Upload"),
]


class TimeBillingSyncRun(models.Model):
    _name = "time.billing.sync.run"
    _description = "Time Billing Synchronisation Run"
    _order = "date_start desc, id desc"
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
    trigger = fields.Selection(
        selection=SYNC_RUN_TRIGGERS, required=True, default="manual"
    )
    state = fields.Selection(
        selection=SYNC_RUN_STATES, required=True, default="running", index=True
    )
    date_start = fields.Datetime(
        required=True, default=fields.Datetime.now, readonly=True
    )
    date_end = fields.Datetime(readonly=True)
    duration = fields.Float(
        string="Duration (s)", compute="_compute_duration", digits=(16, 1)
    )
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    unchanged_count = fields.Integer(string="Unchanged", readonly=True)
    deleted_count = fields.Integer(string="Deleted", readonly=True)
    error_count = fields.Integer(string="Errors", readonly=True)
    message = fields.Text(
        string="Log", readonly=True, help="What this run did, line by line."
    )

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for run in self:
            if run.date_start and run.date_end:
                run.duration = (run.date_end - run.date_start).total_seconds()
            else:
                run.duration = 0.0

    @api.depends("backend_id", "date_start")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "%(backend)s, %(date)s",
                backend=run.backend_id.display_name,
                date=fields.Datetime.to_string(run.date_start),
            )
