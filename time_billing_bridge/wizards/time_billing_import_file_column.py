# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, fields, models

from ..providers import files


class TimeBillingImportFileColumn(models.TransientModel):
    _name = "time.billing.import.file.column"
    _description = "Column of an Imported File"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        comodel_name="time.billing.import.file", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    header = fields.Char(string="Column", readonly=True)
    role = fields.Selection(
        selection=lambda self: self._selection_role(),
        string="Contains",
        help="What this column holds. Leave empty to ignore the column.",
    )
    sample = fields.Char(string="First Values", readonly=True)

    @api.model
    def _selection_role(self):
        return list(files.ROLES.items())
