# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 4 of the billing pipeline, the person's part: approving and rejecting.

Time routed to an approver (``approval.py``) is approved or rejected here, by
the contract's approver or a billing manager; nobody approves their own time
unless the contract allows it. The rejection reason goes to the employees and
each review batch leaves one message on its contract.
"""

from collections import Counter

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import format_amount, format_date, format_duration

from ...const import GROUP_MANAGER
from ...tools.notify import CLOSE, notification


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_can_review = fields.Boolean(
        string="Can Review",
        compute="_compute_billing_can_review",
        help="Whether you may approve or reject this time: you approve its "
        "contract's time, or you are a billing manager.",
    )

    @api.depends_context("uid")
    @api.depends("billing_contract_id.approver_id", "billing_contract_id.user_id")
    def _compute_billing_can_review(self):
        for line in self:
            line.billing_can_review = (
                bool(line.billing_contract_id) and not line._billing_foreign_contracts()
            )

    def _billing_foreign_contracts(self):
        """The contracts of these lines whose time the current user may not
        approve or reject: all but theirs, none for a billing manager."""
        contracts = self.sudo().billing_contract_id
        if self.env.su or self.env.user.has_group(GROUP_MANAGER):
            return contracts.browse()
        return contracts.filtered(
            lambda contract: contract._get_billing_approver() != self.env.user
        )

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
        foreign = self._billing_foreign_contracts()
        if foreign:
            approver = foreign[0]._get_billing_approver()
            raise AccessError(
                self.env._(
                    "Only the approver of contract '%(contract)s' (%(approver)s) "
                    "or a billing manager can approve or reject its time.",
                    contract=foreign[0].display_name,
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
                    dates=own._billing_dates_label(),
                    contract=own[0].billing_contract_id.display_name,
                )
            )

    def action_billing_approve(self):
        """Approve the selected time waiting for approval."""
        self._billing_check_review(("to_approve",), "approve")
        self.sudo()._billing_approve()
        return notification(
            self.env._(
                "%(entries)s approved.", entries=self._billing_entries_label(len(self))
            ),
            "success",
            next_action=CLOSE,
        )

    def action_billing_reject(self, reason):
        """Reject the selected time with a ``reason`` sent to the employees."""
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("A rejection needs a reason: tell the employee what to fix.")
            )
        self._billing_check_review(("to_approve", "approved"), "reject")
        self.sudo()._billing_reject(reason)
        return notification(
            self.env._(
                "%(entries)s rejected.", entries=self._billing_entries_label(len(self))
            ),
            "warning",
            next_action=CLOSE,
        )

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
                date=format_date(self.env, today),
            )
        else:
            note = self.env._(
                "Approved by %(user)s on %(date)s.",
                user=self.env.user.name,
                date=format_date(self.env, today),
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
                    date=format_date(self.env, fields.Date.context_today(self)),
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
                "hours": format_duration(sum(lines.mapped("unit_amount"))),
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
                    date=format_date(self.env, line.date),
                    project=line.project_id.display_name,
                    hours=format_duration(line.unit_amount),
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
