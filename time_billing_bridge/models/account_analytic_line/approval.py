# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 4 of the billing pipeline: routing and approval.

Priced time under the contract's thresholds is approved, at once or after a
grace period; time above them, or held by pricing, waits for the contract's
approver (one activity per contract and billing period, kept by
``time.billing.period``). Approving and rejecting are the approver's actions
(``review.py``); every move of the billing state goes through
``_billing_set_state``.
"""

from odoo import api, fields, models
from odoo.tools.misc import format_amount, format_date, format_duration

from ...const import ROUTABLE_STATES
from ...tools.approval import approval_reasons, auto_approve_date, budget_share


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_review_note = fields.Char(
        string="Review Note",
        copy=False,
        readonly=True,
        help="Why this time waits for its approver, when it is approved "
        "automatically, or who approved or rejected it.",
    )
    billing_auto_approve_date = fields.Date(
        string="Auto-Approves On",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Time under the approval thresholds is approved on this day, unless "
        "it is rejected first.",
    )
    billing_rejection_reason = fields.Text(
        copy=False,
        readonly=True,
        help="Why the approver rejected this time. Kept when the time is "
        "corrected and reviewed again.",
    )
    billing_reviewer_id = fields.Many2one(
        comodel_name="res.users", string="Reviewed By", copy=False, readonly=True
    )
    billing_review_date = fields.Datetime(
        string="Reviewed On", copy=False, readonly=True
    )

    def _billing_route(self):
        """Decide which priced lines are approved and which wait (stage 4).

        Under the contract's thresholds time is approved, right away or after
        the grace period; above them, or held by pricing, it waits for the
        approver, who gets one activity per contract and billing period.
        """
        lines = self.filtered(
            lambda line: line.project_id
            and line.billing_contract_id
            and line.billing_state in ROUTABLE_STATES
        )
        today = fields.Date.context_today(self)
        now = fields.Datetime.now()
        vals_by_line = {}
        for line in lines:
            contract = line.billing_contract_id
            reasons = line._get_billing_approval_reasons()
            if reasons:
                vals_by_line[line] = {
                    "billing_state": "to_approve",
                    "billing_auto_approve_date": False,
                    "billing_review_note": "; ".join(reasons),
                }
                continue
            promised = (
                line.billing_auto_approve_date
                if line.billing_state == "to_approve"
                else None
            )
            day = auto_approve_date(today, contract.auto_approve_delay, promised)
            if day and day > today:
                vals_by_line[line] = {
                    "billing_state": "to_approve",
                    "billing_auto_approve_date": day,
                    "billing_review_note": self.env._(
                        "Under the approval thresholds: auto-approves on %(date)s.",
                        date=format_date(self.env, day),
                    ),
                }
            else:
                vals_by_line[line] = {
                    "billing_state": "approved",
                    "billing_auto_approve_date": False,
                    "billing_reviewer_id": False,
                    "billing_review_date": now,
                    "billing_review_note": self.env._(
                        "Approved automatically: under the approval thresholds."
                    ),
                }
        self._billing_write_grouped(vals_by_line)
        self.billing_period_id._sync_approval_activities()
        lines.billing_contract_id._billing_check_unbilled_alert()

    def _get_billing_approval_reasons(self):
        """Why this priced line waits for its approver, as translated texts;
        empty when it does not. Hook for extensions."""
        self.ensure_one()
        contract = self.billing_contract_id
        hold_reason = self.billing_hold_reason
        budget, consumed = 0.0, 0.0
        if contract.cap_type == "hours":
            budget, consumed = contract.cap_value, self.billable_hours
        elif contract.cap_type == "amount":
            budget, consumed = contract.cap_value, self.billing_amount
        elif contract.billing_mode == "retainer":
            budget = contract.retainer_size
            consumed = (
                self.billable_hours
                if contract.retainer_unit == "hours"
                else self.billing_amount
            )
        reasons = approval_reasons(
            hours=self.unit_amount,
            amount=self.billing_amount,
            share=budget_share(consumed, budget),
            hours_threshold=contract.approval_hours_threshold,
            amount_threshold=contract.approval_amount_threshold,
            share_threshold=contract.approval_budget_share,
            hold_reason=hold_reason,
        )
        currency = contract.currency_id
        texts = []
        for code, values in reasons:
            if code == "hold":
                texts.append(values["reason"])
            elif code == "hours":
                texts.append(
                    self.env._(
                        "%(hours)s h, above the %(threshold)s h approval threshold",
                        hours=format_duration(values["hours"]),
                        threshold=format_duration(values["threshold"]),
                    )
                )
            elif code == "amount":
                texts.append(
                    self.env._(
                        "%(amount)s, above the %(threshold)s approval threshold",
                        amount=format_amount(self.env, values["amount"], currency),
                        threshold=format_amount(
                            self.env, values["threshold"], currency
                        ),
                    )
                )
            elif code == "share":
                texts.append(
                    self.env._(
                        "%(share)s%% of the budget, above the %(threshold)s%% "
                        "approval threshold",
                        share=f"{values['share']:.1f}",
                        threshold=f"{values['threshold']:.1f}",
                    )
                )
        return texts

    @api.model
    def _billing_auto_approve_due(self, today=None, limit=None):
        """Approve the time whose grace period is over; return it."""
        today = today or fields.Date.context_today(self)
        lines = self.sudo().search(
            [
                ("billing_state", "=", "to_approve"),
                ("billing_auto_approve_date", "<=", today),
            ],
            order="billing_auto_approve_date, id",
            limit=limit,
        )
        lines._billing_approve(auto=True, today=today)
        return lines

    @api.model
    def _cron_billing_auto_approve(self, batch_size=500):
        """Daily: approve time after its grace period, re-check future time."""
        IrCron = self.env["ir.cron"]
        self._billing_revalidate_due()
        domain = [
            ("billing_state", "=", "to_approve"),
            ("billing_auto_approve_date", "<=", fields.Date.context_today(self)),
        ]
        IrCron._commit_progress(remaining=self.sudo().search_count(domain))
        while True:
            lines = self._billing_auto_approve_due(limit=batch_size)
            if not lines:
                break
            if not IrCron._commit_progress(len(lines)):
                break

    def _billing_reopen_edited(self, vals):
        """Send edited time back through billing.

        Rejected time changed by its author is reviewed again. Approved time
        changed by a billing manager (the lock lets nobody else) is priced and
        routed again, unless only its description changed.
        """
        changed = set(vals) & set(self._get_billing_trigger_fields())
        reopen = self.filtered(
            lambda line: line.billing_state == "rejected"
            or (line.billing_state == "approved" and changed - {"name"})
        )
        reopen.sudo()._billing_set_state(
            False,
            {
                "billing_review_note": False,
                "billing_reviewer_id": False,
                "billing_review_date": False,
            },
        )

    def _billing_log_reopened(self):
        """Tell each contract which of its reviewed time was changed."""
        for contract, lines in self.grouped("billing_contract_id").items():
            if not contract:
                continue
            contract.message_post(
                body=self.env._(
                    "%(user)s changed reviewed time (%(lines)s): it is priced and "
                    "reviewed again.",
                    user=self.env.user.name,
                    lines=", ".join(
                        f"{format_date(self.env, line.date)} "
                        f"{line.employee_id.name or ''} "
                        f"{format_duration(line.unit_amount)} h"
                        for line in lines
                    ),
                )
            )
