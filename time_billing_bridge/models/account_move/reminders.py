# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment reminders of the invoices that bill a contract.

Order of operations, for each invoice followed (a posted customer invoice,
not paid or partly paid, billing a contract whose client accepts reminders):

1. the policy is the contract's, else its company's default;
2. ``tools/reminders.py`` plans the day: which level to send, which levels
   to mark skipped (each level at most once per invoice, the highest due
   level when several are due at once, never back down);
3. one ``time.billing.reminder`` per level handled is written first, so the
   unique (invoice, level) key stops a second send before anything leaves;
4. the level goes out on its channel (``_billing_reminder_send_<channel>``):
   the email template in the client's language, an escalation activity for
   the engagement manager with the client's outstanding balance, or an SMS;
5. one note in the invoice's chatter says which level, which channel, to whom
   (and which levels were skipped).
"""

import logging

from markupsafe import Markup
from psycopg2 import IntegrityError

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools.misc import format_amount, format_date

from ...const import ACTIVITY_REMINDER_ESCALATION, GROUP_USER
from ...tools.reminders import next_manual_level, next_reminder, plan_reminders

_logger = logging.getLogger(__name__)

# Invoices in these payment states are followed up; paid, in payment,
# reversed or blocked invoices get nothing more.
FOLLOWED_PAYMENT_STATES = ("not_paid", "partial")
# Who reads an invoice's reminders, and may send one now.
REMINDER_GROUPS = (
    f"{GROUP_USER},account.group_account_invoice,account.group_account_readonly"
)
SENDER_GROUPS = (GROUP_USER, "account.group_account_invoice")


class AccountMove(models.Model):
    _inherit = "account.move"

    billing_reminder_ids = fields.One2many(
        comodel_name="time.billing.reminder",
        inverse_name="move_id",
        string="Payment Reminders",
        groups=REMINDER_GROUPS,
    )
    billing_reminder_count = fields.Integer(
        string="Reminders Sent",
        compute="_compute_billing_reminder_count",
        groups=REMINDER_GROUPS,
    )
    billing_reminder_policy_id = fields.Many2one(
        comodel_name="time.billing.reminder.policy",
        string="Reminder Policy",
        compute="_compute_billing_reminder_next",
        groups=REMINDER_GROUPS,
    )
    billing_reminder_next_level_id = fields.Many2one(
        comodel_name="time.billing.reminder.level",
        string="Next Reminder",
        compute="_compute_billing_reminder_next",
        groups=REMINDER_GROUPS,
    )
    billing_reminder_next_date = fields.Date(
        string="Next Reminder On",
        compute="_compute_billing_reminder_next",
        groups=REMINDER_GROUPS,
    )
    billing_reminder_can_send = fields.Boolean(
        compute="_compute_billing_reminder_next", groups=REMINDER_GROUPS
    )
    billing_days_overdue = fields.Integer(
        string="Days Overdue",
        compute="_compute_billing_days_overdue",
        help="Days since the due date, 0 before it (used by reminder templates).",
    )

    @api.depends("billing_reminder_ids.state")
    def _compute_billing_reminder_count(self):
        for move in self:
            move.billing_reminder_count = len(
                move.sudo().billing_reminder_ids.filtered(
                    lambda reminder: reminder.state == "sent"
                )
            )

    @api.depends_context("company")
    @api.depends(
        "state",
        "move_type",
        "payment_state",
        "invoice_date",
        "invoice_date_due",
        "billing_contract_id",
        "billing_reminder_ids.state",
    )
    def _compute_billing_reminder_next(self):
        today = fields.Date.context_today(self)
        for move in self:
            policy = move._billing_reminder_get_policy()
            move.billing_reminder_policy_id = policy
            move.billing_reminder_next_level_id = False
            move.billing_reminder_next_date = False
            move.billing_reminder_can_send = False
            if not (policy and move._billing_reminder_is_followed()):
                continue
            levels, handled, sent = move._billing_reminder_progress(policy)
            upcoming = next_reminder(
                levels.values(),
                invoice_date=move.invoice_date,
                due_date=move.invoice_date_due,
                handled=handled,
                sent=sent,
                today=today,
            )
            if upcoming:
                move.billing_reminder_next_level_id = upcoming[0]
                move.billing_reminder_next_date = upcoming[1]
            move.billing_reminder_can_send = bool(
                next_manual_level(levels.values(), handled=handled, sent=sent)
            )

    @api.depends("invoice_date_due")
    def _compute_billing_days_overdue(self):
        today = fields.Date.context_today(self)
        for move in self:
            due = move.invoice_date_due
            move.billing_days_overdue = max((today - due).days, 0) if due else 0

    # ------------------------------------------------------------------
    # Which invoices are followed, by which policy
    # ------------------------------------------------------------------

    @api.model
    def _billing_reminder_get_domain(self):
        """The invoices the daily job follows. Only invoices billing a
        contract: the company's other customer invoices are left to whoever
        follows them today. Hook for extensions."""
        return Domain(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", FOLLOWED_PAYMENT_STATES),
                ("billing_contract_id", "!=", False),
                ("commercial_partner_id.time_billing_no_reminders", "=", False),
            ]
        )

    def _billing_reminder_is_followed(self):
        self.ensure_one()
        return bool(self.sudo().filtered_domain(self._billing_reminder_get_domain()))

    def _billing_reminder_get_policy(self):
        """The policy following this invoice: its contract's, else the
        company's default (see ``time.billing.contract``)."""
        self.ensure_one()
        contract = self.sudo().billing_contract_id
        if not contract:
            return self.env["time.billing.reminder.policy"]
        return contract._get_reminder_policy()

    def _billing_reminder_progress(self, policy):
        """``(levels, handled, sent)``: the policy's levels as plain values
        keyed by level record, and the ids of the levels already handled (sent
        or skipped) and sent on this invoice."""
        self.ensure_one()
        levels = policy._get_reminder_levels()
        reminders = self.sudo().billing_reminder_ids
        handled = set(reminders.level_id.ids)
        sent = set(
            reminders.filtered(lambda reminder: reminder.state == "sent").level_id.ids
        )
        return levels, handled, sent

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _billing_reminder_send_due(self, today):
        """Send the levels due on ``today`` or earlier; return how many were
        sent. Each invoice is isolated: one that fails is logged and left for
        the next run."""
        sent = 0
        for move in self.filtered_domain(self._billing_reminder_get_domain()):
            policy = move._billing_reminder_get_policy()
            if not policy:
                continue
            levels, handled, done = move._billing_reminder_progress(policy)
            plan = plan_reminders(
                levels.values(),
                invoice_date=move.invoice_date,
                due_date=move.invoice_date_due,
                handled=handled,
                sent=done,
                today=today,
            )
            if plan.send is None and not plan.skip:
                continue
            by_id = {level.id: level for level in levels}
            try:
                with self.env.cr.savepoint():
                    move._billing_reminder_apply(
                        by_id.get(plan.send),
                        [by_id[key] for key in plan.skip],
                        trigger="cron",
                        today=today,
                    )
            except IntegrityError:
                # Sent by someone else meanwhile (Send Reminder Now): the
                # unique (invoice, level) key kept it to one.
                _logger.info("Payment reminder of invoice %s already sent", move.id)
                continue
            except Exception:
                _logger.exception(
                    "Payment reminder of invoice %s failed; retried next run",
                    move.id,
                )
                continue
            sent += plan.send is not None
        return sent

    def action_billing_send_reminder(self):
        """Send Reminder Now: the next level not handled yet, ahead of its
        day. Once every level was handled the invoice has no level left to
        send: each level goes out at most once per invoice."""
        if not any(self.env.user.has_group(group) for group in SENDER_GROUPS):
            raise AccessError(
                self.env._("Only billing and invoicing users send payment reminders.")
            )
        self.check_access("read")
        today = fields.Date.context_today(self)
        for move in self:
            policy = move._billing_reminder_get_policy()
            move._billing_reminder_check_manual(policy)
            levels, handled, sent = move._billing_reminder_progress(policy)
            key = next_manual_level(levels.values(), handled=handled, sent=sent)
            if key is None:
                raise UserError(
                    self.env._(
                        "Every reminder level of %(policy)s was already sent "
                        "for %(invoice)s. Write to the client from the chatter "
                        "if another reminder is needed.",
                        policy=policy.name,
                        invoice=move.name,
                    )
                )
            level = next(level for level in levels if level.id == key)
            move._billing_reminder_apply(level, [], trigger="manual", today=today)
        return True

    def _billing_reminder_check_manual(self, policy):
        """Refuse Send Reminder Now, with the reason, on an invoice the
        reminders do not follow."""
        self.ensure_one()
        move = self.sudo()
        if move.move_type != "out_invoice" or move.state != "posted":
            reason = self.env._("only posted customer invoices get reminders")
        elif move.payment_state not in FOLLOWED_PAYMENT_STATES:
            reason = self.env._("it is paid, in payment or reversed")
        elif not move.billing_contract_id:
            reason = self.env._("it bills no contract")
        elif move.commercial_partner_id.time_billing_no_reminders:
            reason = self.env._(
                "%(client)s is marked No Payment Reminders",
                client=move.commercial_partner_id.display_name,
            )
        elif not policy:
            reason = self.env._(
                "neither its contract nor the company has a reminder policy"
            )
        else:
            return
        raise UserError(
            self.env._(
                "No payment reminder for %(invoice)s: %(reason)s.",
                invoice=move.name,
                reason=reason,
            )
        )

    def _billing_reminder_apply(self, level, skipped, trigger, today):
        """Record ``level`` as sent and ``skipped`` as skipped, send
        ``level`` and log it all in the chatter."""
        self.ensure_one()
        Reminder = self.env["time.billing.reminder"].sudo()
        base = {"move_id": self.id, "date": today, "trigger": trigger}
        skip_note = self.env._("A later level was due at the same time.")
        reminders = Reminder.create(
            [
                {
                    **base,
                    "level_id": skip.id,
                    "state": "skipped",
                    "channel": skip.channel,
                    "note": skip_note,
                }
                for skip in skipped
            ]
        )
        sent = Reminder
        if level:
            sent = Reminder.create(
                {
                    **base,
                    "level_id": level.id,
                    "state": "sent",
                    "channel": level.channel,
                }
            )
        # The unique (invoice, level) key fails here, before anything leaves.
        Reminder.flush_model()
        if level:
            sender = getattr(self, f"_billing_reminder_send_{level.channel}")
            sent.write(sender(level))
        self._billing_reminder_log(sent, reminders)

    def _billing_reminder_send_email(self, level):
        """Post the level's template as a message to the invoice's customer
        (rendered in the customer's language by the template)."""
        messages = self.message_post_with_source(
            level.mail_template_id,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )
        return {
            "message_id": messages[:1].id,
            "recipient_ids": [Command.set(messages.partner_ids.ids)],
        }

    def _billing_reminder_send_sms(self, level):
        """Text the level's SMS template to the invoice's customer."""
        message = self._message_sms_with_template(
            template=level._get_sms_template(), partner_ids=self.partner_id.ids
        )
        return {
            "message_id": message[:1].id,
            "recipient_ids": [Command.set(self.partner_id.ids)],
        }

    def _billing_reminder_send_activity(self, level):
        """Escalate to the engagement manager: an activity whose note states
        the client's outstanding balance."""
        user = self._billing_reminder_get_responsible()
        activity_type = level.activity_type_id or self.env.ref(
            ACTIVITY_REMINDER_ESCALATION
        )
        activity = self.activity_schedule(
            activity_type_id=activity_type.id,
            user_id=user.id,
            summary=level.name,
            note=self._billing_reminder_activity_note(user),
            date_deadline=activity_type._get_date_deadline(),
        )
        return {"activity_id": activity[:1].id, "user_id": user.id}

    def _billing_reminder_get_responsible(self):
        """The engagement manager: the contract's approver, else its billing
        responsible, else the invoice's salesperson, else the current user.
        Hook for extensions."""
        self.ensure_one()
        contract = self.sudo().billing_contract_id
        candidates = (
            contract.approver_id,
            contract.user_id,
            self.sudo().invoice_user_id,
        )
        for user in candidates:
            if user and user.active and not user.share:
                return user
        return self.env.user

    def _billing_reminder_outstanding(self):
        """The client's open receivables in company currency: the commercial
        partner's receivable balance across the company (Odoo's ``credit``)."""
        self.ensure_one()
        partner = self.commercial_partner_id.sudo().with_company(self.company_id)
        return partner.credit

    def _billing_reminder_activity_note(self, user):
        move = self.with_context(lang=user.lang or self.env.lang)
        env = move.env
        currency = move.company_id.currency_id
        client = move.commercial_partner_id.display_name
        facts = env._(
            "%(client)s has not paid %(invoice)s: %(residual)s due on "
            "%(due_date)s (%(days)s days overdue).",
            client=client,
            invoice=move.name,
            residual=format_amount(env, move.amount_residual, move.currency_id),
            due_date=format_date(env, move.invoice_date_due),
            days=move.billing_days_overdue,
        )
        balance = env._(
            "Outstanding balance of %(client)s: %(balance)s.",
            client=client,
            balance=format_amount(env, move._billing_reminder_outstanding(), currency),
        )
        ask = env._("Please contact the client about the payment.")
        return Markup("<p>%s</p><p><strong>%s</strong></p><p>%s</p>") % (
            facts,
            balance,
            ask,
        )

    def _billing_reminder_log(self, sent, skipped):
        """One note in the chatter: the level sent (which, how, to whom) and
        the levels skipped."""
        self.ensure_one()
        lines = []
        if sent:
            level = sent.level_id
            channels = dict(sent._fields["channel"]._description_selection(self.env))
            if sent.channel == "activity":
                whom = self.env._(
                    "escalated to %(user)s (outstanding balance %(balance)s)",
                    user=sent.user_id.name,
                    balance=format_amount(
                        self.env,
                        self._billing_reminder_outstanding(),
                        self.company_id.currency_id,
                    ),
                )
            else:
                whom = self.env._(
                    "sent to %(recipients)s",
                    recipients=", ".join(sent.recipient_ids.mapped("display_name"))
                    or self.env._("nobody (no recipient)"),
                )
            how = (
                self.env._("by the daily job")
                if sent.trigger == "cron"
                else self.env._("by %(user)s", user=self.env.user.name)
            )
            lines.append(
                self.env._(
                    "Payment reminder %(level)s (level %(rank)s of %(count)s, "
                    "%(channel)s) %(whom)s, %(how)s.",
                    level=level.name,
                    rank=self._billing_reminder_rank(level),
                    count=len(level.policy_id.level_ids),
                    channel=channels.get(sent.channel, sent.channel),
                    whom=whom,
                    how=how,
                )
            )
        for reminder in skipped:
            lines.append(
                self.env._(
                    "Payment reminder %(level)s (level %(rank)s) skipped: a "
                    "later level was due at the same time.",
                    level=reminder.level_id.name,
                    rank=self._billing_reminder_rank(reminder.level_id),
                )
            )
        if lines:
            body = Markup("<br/>").join(lines)
            self._message_log(body=Markup("<p>%s</p>") % body)

    @api.model
    def _billing_reminder_rank(self, level):
        levels = level.policy_id._get_reminder_levels()
        return levels[level].rank

    def action_view_billing_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.time_billing_reminder_action"
        )
        action["domain"] = [("move_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
