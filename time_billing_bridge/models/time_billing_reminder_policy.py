# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Payment reminder policies and their levels (the credit-control shape).

A policy applies to the invoices of a contract (the contract's policy, else
its company's default). Which level an invoice gets when is decided by
``tools/reminders.py``; the invoice sends it (``account_move/reminders.py``)
and keeps a ``time.billing.reminder`` per level handled. The daily job,
``_cron_send_reminders()``, lives here because integrators call it by this
name.
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import split_every

from ..const import ACTIVITY_REMINDER_ESCALATION, DELAY_BASES, REMINDER_CHANNELS
from ..tools.reminders import ReminderLevel

_logger = logging.getLogger(__name__)


class TimeBillingReminderPolicy(models.Model):
    _name = "time.billing.reminder.policy"
    _description = "Payment Reminder Policy"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        comodel_name="res.company",
        index=True,
        help="Leave empty to share the policy between companies.",
    )
    level_ids = fields.One2many(
        comodel_name="time.billing.reminder.level",
        inverse_name="policy_id",
        string="Levels",
        copy=True,
    )
    is_company_default = fields.Boolean(
        string="Default of the Company",
        compute="_compute_is_company_default",
        inverse="_inverse_is_company_default",
        help="Follows the invoices of the current company's contracts that "
        "name no policy of their own.",
    )
    reminder_count = fields.Integer(compute="_compute_reminder_count")

    @api.depends_context("company")
    def _compute_is_company_default(self):
        default = self.env.company.time_billing_reminder_policy_id
        for policy in self:
            policy.is_company_default = policy == default

    def _inverse_is_company_default(self):
        company = self.env.company
        for policy in self:
            # Whoever may write the policy (a billing manager) sets it as the
            # default, without needing the right to edit the company.
            if policy.is_company_default:
                company.sudo().time_billing_reminder_policy_id = policy
            elif company.time_billing_reminder_policy_id == policy:
                company.sudo().time_billing_reminder_policy_id = False

    def _compute_reminder_count(self):
        counts = dict(
            self.env["time.billing.reminder"]._read_group(
                [("policy_id", "in", self.ids), ("state", "=", "sent")],
                ["policy_id"],
                ["__count"],
            )
        )
        for policy in self:
            policy.reminder_count = counts.get(policy, 0)

    def _get_reminder_levels(self):
        """The policy's levels as plain values for ``tools/reminders.py``:
        ``{level: ReminderLevel}``, ranked by their order in the policy."""
        self.ensure_one()
        levels = self.level_ids.sorted(lambda level: (level.sequence, level.id))
        return {
            level: ReminderLevel(level.id, rank, level.delay_days, level.delay_from)
            for rank, level in enumerate(levels, start=1)
        }

    def action_view_reminders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "time_billing_bridge.time_billing_reminder_action"
        )
        action["domain"] = [("policy_id", "=", self.id)]
        action["context"] = {"search_default_sent": 1}
        return action

    @api.model
    def _cron_send_reminders(self, batch_size=100):
        """Daily: send the reminder levels due today or earlier.

        The invoices followed are searched once; each batch is sent, then
        committed with ``ir.cron._commit_progress``. A run stopped for time
        is continued by the cron: what was sent is recorded, so the next run
        only sends what is still due.
        """
        today = fields.Date.context_today(self)
        Move = self.env["account.move"].sudo()
        moves = Move.search(Move._billing_reminder_get_domain(), order="id")
        IrCron = self.env["ir.cron"]
        IrCron._commit_progress(remaining=len(moves))
        sent = 0
        for batch in split_every(batch_size, moves.ids, Move.browse):
            # Invoices a user is changing right now wait for tomorrow's run.
            locked = batch.try_lock_for_update(allow_referencing=True)
            for company, company_moves in locked.grouped("company_id").items():
                sent += company_moves.with_company(company)._billing_reminder_send_due(
                    today
                )
            if not IrCron._commit_progress(len(batch)):
                break
        _logger.info("Payment reminders: %s sent on %s", sent, today)


class TimeBillingReminderLevel(models.Model):
    _name = "time.billing.reminder.level"
    _description = "Payment Reminder Level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one(
        comodel_name="time.billing.reminder.policy",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(
        required=True,
        translate=True,
        help="Shown in the invoice's chatter and in the activity's summary, "
        "e.g. Friendly reminder, Escalation.",
    )
    delay_days = fields.Integer(
        string="Days",
        required=True,
        help="Days after the date below; may be negative from the due date "
        "(a reminder before the invoice falls due).",
    )
    delay_from = fields.Selection(
        selection=DELAY_BASES,
        string="After",
        required=True,
        default="invoice_date",
    )
    channel = fields.Selection(
        selection="_selection_channel",
        required=True,
        default="email",
        help="Email: the template is sent to the invoice's customer. Activity: "
        "the engagement manager (the contract's approver, else its billing "
        "responsible, else the invoice's salesperson) gets a to-do with the "
        "client's outstanding balance. SMS (with the SMS module): the SMS "
        "template is sent to the customer's mobile.",
    )
    mail_template_id = fields.Many2one(
        comodel_name="mail.template",
        string="Email Template",
        domain=[("model", "=", "account.move")],
        ondelete="restrict",
    )
    sms_template_model = fields.Char(compute="_compute_sms_template_model")
    sms_template_id = fields.Many2oneReference(
        string="SMS Template",
        model_field="sms_template_model",
        help="An SMS template on invoices (only with the SMS module).",
    )
    activity_type_id = fields.Many2one(
        comodel_name="mail.activity.type",
        domain=[("res_model", "in", (False, "account.move"))],
        default=lambda self: self.env.ref(
            ACTIVITY_REMINDER_ESCALATION, raise_if_not_found=False
        ),
        ondelete="restrict",
    )

    @api.model
    def _selection_channel(self):
        """The channels offered: SMS only while Odoo's SMS module is
        installed (the addon does not depend on it)."""
        if self._sms_available():
            return REMINDER_CHANNELS
        return [item for item in REMINDER_CHANNELS if item[0] != "sms"]

    @api.model
    def _sms_available(self):
        return "sms.template" in self.env

    def _compute_sms_template_model(self):
        self.sms_template_model = "sms.template" if self._sms_available() else False

    @api.constrains("channel", "mail_template_id", "sms_template_id")
    def _check_channel_template(self):
        for level in self:
            if level.channel == "email" and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "The reminder level %(level)s sends an email: choose its "
                        "email template.",
                        level=level.name,
                    )
                )
            if level.channel == "sms" and not (
                level._get_sms_template().model == "account.move"
            ):
                raise ValidationError(
                    self.env._(
                        "The reminder level %(level)s sends an SMS: choose its "
                        "SMS template, one for invoices (SMS needs Odoo's SMS "
                        "module).",
                        level=level.name,
                    )
                )

    @api.constrains("delay_days", "delay_from")
    def _check_delay(self):
        for level in self:
            if level.delay_from == "invoice_date" and level.delay_days < 0:
                raise ValidationError(
                    self.env._(
                        "The reminder level %(level)s cannot come before the "
                        "invoice date.",
                        level=level.name,
                    )
                )

    def _get_sms_template(self):
        """The level's SMS template: an ``sms.template`` record, empty without
        one, or the empty ``mail.template`` without the SMS module."""
        self.ensure_one()
        if not self._sms_available():
            return self.env["mail.template"]
        return self.env["sms.template"].browse(self.sms_template_id).exists()
