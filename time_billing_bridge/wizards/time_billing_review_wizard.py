# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from odoo import Command, api, fields, models
from odoo.tools.misc import format_amount, format_duration

REVIEW_ACTIONS = [
    ("approve", "Approve"),
    ("reject", "Reject"),
]


class TimeBillingReviewWizard(models.TransientModel):
    """Approve or reject the time selected in a list, in one go."""

    _name = "time.billing.review.wizard"
    _description = "Approve or Reject Time"

    line_ids = fields.Many2many(
        comodel_name="account.analytic.line",
        string="Time Entries",
        required=True,
    )
    review_action = fields.Selection(
        selection=REVIEW_ACTIONS, required=True, default="approve"
    )
    reason = fields.Text(
        help="Sent to the employees and kept on the rejected time.",
    )
    summary = fields.Char(compute="_compute_summary")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        context = self.env.context
        if (
            "line_ids" in fields_list
            and context.get("active_model") == "account.analytic.line"
            and context.get("active_ids")
        ):
            res["line_ids"] = [Command.set(context["active_ids"])]
        return res

    @api.depends("line_ids")
    def _compute_summary(self):
        for wizard in self:
            lines = wizard.line_ids
            amounts = [
                format_amount(
                    self.env,
                    sum(group.mapped("billing_amount")),
                    currency,
                )
                for currency, group in lines.grouped("billing_currency_id").items()
                if currency
            ]
            wizard.summary = self.env._(
                "%(entries)s, %(hours)s h, %(amounts)s",
                entries=lines._billing_entries_label(len(lines)),
                hours=format_duration(sum(lines.mapped("unit_amount"))),
                amounts=amounts or "-",
            )

    def action_approve(self):
        self.ensure_one()
        return self.line_ids.action_billing_approve()

    def action_reject(self):
        self.ensure_one()
        return self.line_ids.action_billing_reject(self.reason)
