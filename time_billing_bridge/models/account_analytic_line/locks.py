# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may change billed time.

- Billing fields come from the pipeline only, for every user
  (:meth:`_billing_check_outside_values`).
- Approved time is changed or deleted by billing managers only.
- Time on an invoice (draft or posted) is neither changed nor deleted, by
  anybody: the invoice bills it as it is.
"""

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date, format_duration

from ...const import GROUP_MANAGER, LOCKED_STATES
from ...tools.guard import is_pipeline_write


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    @api.model
    def _get_billing_locked_fields(self):
        """Fields approved and invoiced time refuses to change, except for
        billing managers (its billing fields are the pipeline's anyway).
        Hook for extensions."""
        return self._get_billing_trigger_fields()

    @api.model
    def _get_billing_pipeline_fields(self):
        """Fields only the billing pipeline writes (read-only in the views)."""
        return [
            fname
            for fname, field in self._fields.items()
            if (fname.startswith("billing_") or fname == "billable_hours")
            and field.store
            and field.readonly
            and field.type != "one2many"
        ]

    @api.model
    def _billing_check_outside_values(self, vals_list):
        """Refuse billing values in ``create()`` or ``write()`` values that do
        not come from the pipeline, whoever the user: billing fields are set
        by validation, pricing, approval and invoicing, and a value given by
        hand would bypass them (an approved line at any amount, an invoiced
        line sent back to open)."""
        if is_pipeline_write():
            return
        pipeline = set(self._get_billing_pipeline_fields())
        given = sorted({fname for vals in vals_list for fname in vals} & pipeline)
        if given:
            raise UserError(
                self.env._(
                    "Billing fields of timesheet lines (%(fields)s) are set by "
                    "validation, pricing and approval, not by hand: leave them out.",
                    fields=given,
                )
            )

    def _billing_lock_message(self, action="change"):
        self.ensure_one()
        values = {
            "date": format_date(self.env, self.date),
            "employee": self.employee_id.name or self.user_id.name or "",
            "hours": format_duration(self.unit_amount),
        }
        if self.billing_state == "invoiced" or self.billing_invoice_line_id:
            return self.env._(
                "Line of %(date)s (%(employee)s, %(hours)s h) is on invoice "
                "%(invoice)s: it cannot change while the invoice bills it. Delete "
                "its invoice line or the draft, or cancel or credit the invoice "
                "first.",
                invoice=self.sudo().billing_invoice_id.display_name or "-",
                **values,
            )
        approver = self.sudo().billing_contract_id._get_billing_approver()
        if action == "delete":
            return self.env._(
                "Line of %(date)s (%(employee)s, %(hours)s h) is approved: only a "
                "billing manager can delete it. Ask a billing manager, or ask "
                "%(approver)s to reject it first.",
                approver=approver.name or self.env._("the approver"),
                **values,
            )
        return self.env._(
            "Line of %(date)s (%(employee)s, %(hours)s h) is approved: only a "
            "billing manager can change it. Ask a billing manager, or ask "
            "%(approver)s to reject it first.",
            approver=approver.name or self.env._("the approver"),
            **values,
        )

    def _check_can_write(self, values):
        res = super()._check_can_write(values)
        if self.env.su:
            return res
        locked = set(values) & set(self._get_billing_locked_fields())
        # Time on an invoice changes for nobody: the invoice bills it as it is.
        if locked - {"name"}:
            for line in self:
                if line.billing_invoice_line_id or line.billing_state == "invoiced":
                    raise UserError(line._billing_lock_message())
        if self.env.user.has_group(GROUP_MANAGER):
            return res
        if locked:
            for line in self:
                if line.billing_state in LOCKED_STATES:
                    raise UserError(line._billing_lock_message())
        return res

    def _is_readonly(self):
        return (
            super()._is_readonly()
            or bool(self.billing_invoice_line_id)
            or (
                self.billing_state in LOCKED_STATES
                and not self.env.user.has_group(GROUP_MANAGER)
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billing_locked(self):
        for line in self.filtered(
            lambda line: line.billing_state == "invoiced"
            or line.billing_invoice_line_id
        ):
            raise UserError(
                self.env._(
                    "Line of %(date)s (%(employee)s, %(hours)s h) is on invoice "
                    "%(invoice)s: it cannot be deleted. Delete its invoice line or "
                    "the draft, or cancel or credit the invoice first.",
                    date=format_date(self.env, line.date),
                    employee=line.employee_id.name or "",
                    hours=format_duration(line.unit_amount),
                    invoice=line.sudo().billing_invoice_id.display_name or "-",
                )
            )
        if self.env.su or self.env.user.has_group(GROUP_MANAGER):
            return
        for line in self.filtered(lambda line: line.billing_state == "approved"):
            raise UserError(line._billing_lock_message(action="delete"))
