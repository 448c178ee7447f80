# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..const import (
    DEFAULT_SYNC_RUN_RETENTION_DAYS,
    DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS,
    PARAM_SYNC_RUN_RETENTION_DAYS,
    PARAM_WEBHOOK_EVENT_RETENTION_DAYS,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    time_billing_rounding_increment = fields.Integer(
        related="company_id.time_billing_rounding_increment", readonly=False
    )
    time_billing_rounding_method = fields.Selection(
        related="company_id.time_billing_rounding_method", readonly=False
    )
    time_billing_period = fields.Selection(
        related="company_id.time_billing_period", readonly=False
    )
    time_billing_product_id = fields.Many2one(
        related="company_id.time_billing_product_id", readonly=False
    )
    time_billing_sync_run_retention_days = fields.Integer(
        string="Keep Synchronisations (days)",
        config_parameter=PARAM_SYNC_RUN_RETENTION_DAYS,
        default=DEFAULT_SYNC_RUN_RETENTION_DAYS,
        help="Synchronisation runs that ended longer ago are deleted; the "
        "entries and timesheet lines they imported stay.",
    )
    time_billing_webhook_event_retention_days = fields.Integer(
        string="Keep Webhook Events (days)",
        config_parameter=PARAM_WEBHOOK_EVENT_RETENTION_DAYS,
        default=DEFAULT_WEBHOOK_EVENT_RETENTION_DAYS,
        help="Webhook calls received are kept this long for review, and in "
        "any case until their replay protection expires.",
    )
    time_billing_backend_count = fields.Integer(
        compute="_compute_time_billing_backend_count"
    )

    def _compute_time_billing_backend_count(self):
        count = self.env["time.billing.backend"].search_count(
            [("company_id", "=", self.env.company.id)]
        )
        for settings in self:
            settings.time_billing_backend_count = count
