# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""One payment reminder level handled on one invoice: sent, or skipped.

A record per (invoice, level) rather than a counter on the invoice: the
unique key is what guarantees "each level at most once per invoice", even
when the daily job and a person's "Send Reminder Now" meet, it survives a
reordering of the policy's levels, and it is the history a person reads
(when, which level, which channel, to whom). Only the reminder engine writes
these records; a billing manager may delete one to send that level again.
"""

from odoo import api, fields, models

from ..const import REMINDER_CHANNELS, REMINDER_STATES, REMINDER_TRIGGERS


class TimeBillingReminder(models.Model):
    _name = "time.billing.reminder"
    _description = "Payment Reminder"
    _order = "date desc, id desc"

    move_id = fields.Many2one(
        comodel_name="account.move",
        string="Invoice",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    level_id = fields.Many2one(
        comodel_name="time.billing.reminder.level",
        string="Level",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    policy_id = fields.Many2one(
        related="level_id.policy_id", store=True, index=True, string="Policy"
    )
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id",
        store=True,
        index=True,
        string="Client",
    )
    company_id = fields.Many2one(
        related="move_id.company_id", store=True, index=True, string="Company"
    )
    date = fields.Date(required=True, readonly=True)
    state = fields.Selection(
        selection=REMINDER_STATES, required=True, readonly=True, default="sent"
    )
    channel = fields.Selection(selection=REMINDER_CHANNELS, readonly=True)
    trigger = fields.Selection(selection=REMINDER_TRIGGERS, readonly=True)
    recipient_ids = fields.Many2many(
        comodel_name="res.partner",
        relation="time_billing_reminder_recipient_rel",
        column1="reminder_id",
        column2="partner_id",
        string="Sent To",
        readonly=True,
    )
    user_id = fields.Many2one(
        comodel_name="res.users",
        string="Escalated To",
        readonly=True,
        help="The engagement manager who received the escalation activity.",
    )
    activity_id = fields.Many2one(
        comodel_name="mail.activity", readonly=True, ondelete="set null"
    )
    message_id = fields.Many2one(
        comodel_name="mail.message", readonly=True, ondelete="set null"
    )
    note = fields.Char(readonly=True)

    _move_level_uniq = models.Constraint(
        "UNIQUE(move_id, level_id)",
        "A reminder level is handled at most once per invoice.",
    )

    @api.depends("move_id.name", "level_id.name")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = self.env._(
                "%(invoice)s: %(level)s",
                invoice=reminder.move_id.name or "",
                level=reminder.level_id.name or "",
            )
