# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import fields, models

from ..const import BILLING_PERIODS, ROUNDING_METHODS


class ResCompany(models.Model):
    _inherit = "res.company"

    time_billing_rounding_increment = fields.Integer(
        string="Default Rounding Increment (min)", default=6
    )
    time_billing_rounding_method = fields.Selection(
        selection=ROUNDING_METHODS,
        string="Default Rounding Method",
        default="up",
        required=True,
    )
    time_billing_period = fields.Selection(
        selection=BILLING_PERIODS,
        string="Default Billing Period",
        default="monthly",
        required=True,
    )
    time_billing_product_id = fields.Many2one(
        comodel_name="product.product",
        string="Default Invoiced Product",
        domain=[("type", "=", "service")],
        check_company=True,
    )
