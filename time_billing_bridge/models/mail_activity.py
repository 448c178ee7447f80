# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    time_billing_period_id = fields.Many2one(
        comodel_name="time.billing.period",
        string="Billing Period",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="For time approval activities: the billing period whose time waits.",
    )
