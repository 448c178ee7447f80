# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import api, models
from odoo.exceptions import UserError

from ..tools.guard import is_pipeline_write


class TimeBillingPipelineMixin(models.AbstractModel):
    """Records only the pipeline creates and changes (staging entries,
    billing periods): ``create()`` and ``write()`` refuse everybody else,
    whatever their access rights; the pipeline writes inside
    ``tools.guard.pipeline_write()``."""

    _name = "time.billing.pipeline.mixin"
    _description = "Written by the Billing Pipeline Only"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_pipeline_write()
        return super().create(vals_list)

    def write(self, vals):
        self._check_pipeline_write()
        return super().write(vals)

    @api.model
    def _check_pipeline_write(self):
        if not is_pipeline_write():
            raise UserError(self._get_pipeline_write_message())

    @api.model
    def _get_pipeline_write_message(self):
        """Why this record cannot be written by hand, and how it changes."""
        return self.env._(
            "%(records)s change through billing only, not by hand.",
            records=self._description,
        )
