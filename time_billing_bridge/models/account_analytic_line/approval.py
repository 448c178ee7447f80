# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 4 of the billing pipeline: routing, approval and review.

Priced time under the contract's thresholds is approved, at once or after a
grace period; time above them, or held by pricing, waits for the contract's
approver (one activity per contract and billing period, kept by
``time.billing.period``). Approving and rejecting are the approver's actions;
every move of the billing state goes through ``_billing_set_state``.
"""

from collections import Counter

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount

from ...const import GROUP_MANAGER, ROUTABLE_STATES
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
                        date=day.isoformat(),
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
                        hours=f"{values['hours']:.2f}",
                        threshold=f"{values['threshold']:.2f}",
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

    # Approving and rejecting

    def _billing_check_review(self, states, action):
        """Check these lines can be approved or rejected by the current user.

        ``states`` are the billing states the action applies to; ``action`` is
        ``"approve"`` or ``"reject"``.
        """
        if not self:
            raise UserError(self.env._("Select the time to review first."))
        wrong = self.filtered(lambda line: line.billing_state not in states)
        if wrong:
            labels = dict(
                self._fields["billing_state"]._description_selection(self.env)
            )
            counts = Counter(
                labels.get(line.billing_state) or self.env._("not billed")
                for line in wrong
            )
            details = [f"{count} {label}" for label, count in sorted(counts.items())]
            if action == "approve":
                message = self.env._(
                    "%(count)s of the selected lines cannot be approved (%(details)s): "
                    "only time waiting for approval can be.",
                    count=len(wrong),
                    details=details,
                )
            else:
                message = self.env._(
                    "%(count)s of the selected lines cannot be rejected (%(details)s): "
                    "only time waiting for approval or approved and not invoiced yet "
                    "can be.",
                    count=len(wrong),
                    details=details,
                )
            raise UserError(message)
        if action == "approve":
            self._billing_check_self_approval()
        if self.env.su or self.env.user.has_group(GROUP_MANAGER):
            return
        for contract in self.sudo().billing_contract_id:
            approver = contract._get_billing_approver()
            if approver != self.env.user:
                raise AccessError(
                    self.env._(
                        "Only the approver of contract '%(contract)s' (%(approver)s) "
                        "or a billing manager can approve or reject its time.",
                        contract=contract.display_name,
                        approver=approver.name or self.env._("nobody yet"),
                    )
                )

    def _billing_check_self_approval(self):
        """Nobody approves their own time, unless the contract allows it."""
        if self.env.su:
            return
        own = self.sudo().filtered(
            lambda line: line.employee_id.user_id == self.env.user
            and not line.billing_contract_id.allow_self_approval
        )
        if own:
            raise AccessError(
                self.env._(
                    "You cannot approve your own time (%(dates)s) on contract "
                    "'%(contract)s': ask another approver or a billing manager, or "
                    "allow self-approval on the contract.",
                    dates=sorted({line.date.isoformat() for line in own}),
                    contract=own[0].billing_contract_id.display_name,
                )
            )

    def action_billing_approve(self):
        """Approve the selected time waiting for approval."""
        self._billing_check_review(("to_approve",), "approve")
        self.sudo()._billing_approve()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(entries)s approved.",
                    entries=self._billing_entries_label(len(self)),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_billing_reject(self, reason):
        """Reject the selected time with a ``reason`` sent to the employees."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("A rejection needs a reason: tell the employee what to fix.")
            )
        self._billing_check_review(("to_approve", "approved"), "reject")
        self.sudo()._billing_reject(reason)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "message": self.env._(
                    "%(entries)s rejected.",
                    entries=self._billing_entries_label(len(self)),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _billing_entries_label(self, count):
        if count == 1:
            return self.env._("1 time entry")
        return self.env._("%(count)s time entries", count=count)

    def action_billing_open_reject_wizard(self):
        """Ask for the reason before rejecting the selected time."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.time_billing_review_wizard_reject_action"
        )
        action["context"] = {
            "default_review_action": "reject",
            "active_model": self._name,
            "active_ids": self.ids,
        }
        return action

    def _billing_approve(self, auto=False, today=None):
        """Approve these lines; ``auto`` when their grace period ran out."""
        if not self:
            return
        today = today or fields.Date.context_today(self)
        if auto:
            note = self.env._(
                "Approved automatically on %(date)s, after the grace period.",
                date=today.isoformat(),
            )
        else:
            note = self.env._(
                "Approved by %(user)s on %(date)s.",
                user=self.env.user.name,
                date=today.isoformat(),
            )
        self._billing_set_state(
            "approved",
            {
                "billing_auto_approve_date": False,
                "billing_reviewer_id": False if auto else self.env.uid,
                "billing_review_date": fields.Datetime.now(),
                "billing_review_note": note,
            },
        )
        self.billing_contract_id._billing_check_unbilled_alert()
        who = self.env._("automatically") if auto else self.env.user.name
        self.billing_period_id._sync_approval_activities(
            feedback=self.env._(
                "All time approved or rejected (last: %(who)s).", who=who
            )
        )

    def _billing_reject(self, reason):
        """Reject these lines with ``reason``; their authors are told."""
        self._billing_set_state(
            "rejected",
            {
                "billing_auto_approve_date": False,
                "billing_rejection_reason": reason,
                "billing_reviewer_id": self.env.uid,
                "billing_review_date": fields.Datetime.now(),
                "billing_review_note": self.env._(
                    "Rejected by %(user)s on %(date)s.",
                    user=self.env.user.name,
                    date=fields.Date.context_today(self).isoformat(),
                ),
            },
        )
        self.billing_period_id._sync_approval_activities(
            feedback=self.env._(
                "All time approved or rejected (last: %(who)s).",
                who=self.env.user.name,
            )
        )

    def _billing_log_review(self, action, reason=None, auto=False):
        """Post one message per contract summarising a review batch."""
        for contract, lines in self.grouped("billing_contract_id").items():
            if not contract:
                continue
            figures = {
                "entries": self._billing_entries_label(len(lines)),
                "hours": f"{sum(lines.mapped('unit_amount')):.2f}",
                "amount": format_amount(
                    self.env, sum(lines.mapped("billing_amount")), contract.currency_id
                ),
                "periods": [p.display_name for p in lines.billing_period_id]
                or [self.env._("no period")],
            }
            if action == "reject":
                text = self.env._(
                    "Time rejected by %(user)s: %(entries)s, %(hours)s h, "
                    "%(amount)s (%(periods)s). Reason: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                    **figures,
                )
            elif auto:
                text = self.env._(
                    "Time approved automatically after the grace period: %(entries)s, "
                    "%(hours)s h, %(amount)s (%(periods)s).",
                    **figures,
                )
            else:
                text = self.env._(
                    "Time approved by %(user)s: %(entries)s, %(hours)s h, "
                    "%(amount)s (%(periods)s).",
                    user=self.env.user.name,
                    **figures,
                )
            contract.message_post(body=text)

    def _billing_notify_rejection(self, reason):
        """Tell each employee which of their time was rejected, and why."""
        for (contract, employee), lines in self.grouped(
            lambda line: (line.billing_contract_id, line.employee_id)
        ).items():
            partner = employee.user_id.partner_id or employee.work_contact_id
            if not contract or not partner:
                continue
            items = Markup().join(
                Markup("<li>%s</li>")
                % self.env._(
                    "%(date)s, %(project)s, %(hours)s h: %(description)s",
                    date=line.date.isoformat(),
                    project=line.project_id.display_name,
                    hours=f"{line.unit_amount:.2f}",
                    description=line.name,
                )
                for line in lines.sorted("date")
            )
            body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
                self.env._(
                    "%(user)s rejected your time on %(contract)s: %(reason)s",
                    user=self.env.user.name,
                    contract=contract.display_name,
                    reason=reason,
                ),
                items,
                self.env._(
                    "Correct these entries in your timesheet: a corrected entry "
                    "goes back to review."
                ),
            )
            contract.message_notify(
                partner_ids=partner.ids,
                subject=self.env._(
                    "Time rejected: %(contract)s", contract=contract.display_name
                ),
                body=body,
            )

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
                    lines=[
                        f"{line.date.isoformat()} {line.employee_id.name or ''} "
                        f"{line.unit_amount:.2f} h"
                        for line in lines
                    ],
                )
            )
