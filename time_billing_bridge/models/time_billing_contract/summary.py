# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The client time summary: an opt-in e-mail to the client's billing contact
with the time of a period, what is not invoiced yet and the budget left.

Order of operations of the daily job (:meth:`_cron_send_client_summaries`):

1. find the opted-in active contracts whose next summary is due
   (``client_summary_next_date``, stored, computed from the last day already
   covered and the frequency);
2. for each, the period due is the last complete one (week, two weeks or
   month), starting after the last day covered: a summary never covers a
   period twice, and a period missed (contract not active, no e-mail
   address, scheduler down) is not sent afterwards;
3. a period with priced billable time is posted in the contract's chatter
   from the mail template and mailed to the recipient; a period without
   any sends and logs nothing. Either way the period counts as covered.

The template reads the period from the context (:data:`CTX_SUMMARY_PERIOD`)
and its figures from :meth:`_get_client_summary_values`. "Send Summary Now"
posts the current period so far the same way, without moving the schedule.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import split_every
from odoo.tools.misc import format_date

from ...const import COUNTED_STATES, CTX_SUMMARY_PERIOD, GROUP_USER
from ...tools.notify import RELOAD, notification
from ...tools.periods import period_bounds

_logger = logging.getLogger(__name__)

SUMMARY_FREQUENCIES = [
    ("weekly", "Weekly"),
    ("biweekly", "Every Two Weeks"),
    ("monthly", "Monthly"),
]
SUMMARY_TEMPLATE = "time_billing_bridge.mail_template_time_billing_client_summary"
ONE_DAY = timedelta(days=1)


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    client_summary_enabled = fields.Boolean(
        string="Send Time Summaries",
        tracking=True,
        help="E-mail the client a summary of the time of each period, the "
        "amount not invoiced yet and the retainer or cap left.",
    )
    client_summary_frequency = fields.Selection(
        selection=SUMMARY_FREQUENCIES,
        string="Summary Frequency",
        required=True,
        default="weekly",
        tracking=True,
        help="Weeks run Monday to Sunday; two-week periods start on the "
        "Monday of the contract's first week; months are calendar months.",
    )
    client_summary_partner_id = fields.Many2one(
        comodel_name="res.partner",
        string="Summary Recipient",
        tracking=True,
        help="Leave empty to send the summaries to the client's invoice address.",
    )
    client_summary_recipient_id = fields.Many2one(
        comodel_name="res.partner",
        string="Summaries Go To",
        compute="_compute_client_summary_recipient_id",
    )
    client_summary_missing_email = fields.Boolean(
        compute="_compute_client_summary_recipient_id"
    )
    client_summary_last_date = fields.Date(
        string="Summaries Sent Up To",
        readonly=True,
        copy=False,
        help="Last day covered by the scheduled summaries.",
    )
    client_summary_next_date = fields.Date(
        string="Next Summary On",
        compute="_compute_client_summary_next_date",
        store=True,
        copy=False,
        help="Day the scheduled job sends the next summary, if the period has "
        "billable time.",
    )

    @api.depends("partner_id", "client_summary_partner_id")
    def _compute_client_summary_recipient_id(self):
        for contract in self:
            recipient = (
                contract.client_summary_partner_id
                or contract._get_client_summary_default_recipient()
            )
            contract.client_summary_recipient_id = recipient
            contract.client_summary_missing_email = not recipient.email

    def _get_client_summary_default_recipient(self):
        """The client's billing contact: its invoice address. Hook."""
        self.ensure_one()
        partner = self.partner_id
        if not partner:
            return partner
        return partner.browse(partner.address_get(["invoice"])["invoice"])

    @api.depends(
        "client_summary_enabled",
        "client_summary_frequency",
        "client_summary_last_date",
        "date_start",
        "date_end",
    )
    def _compute_client_summary_next_date(self):
        for contract in self:
            contract.client_summary_next_date = contract._client_summary_next_date()

    def _client_summary_next_date(self):
        """The day after the end of the first period not covered yet."""
        if not (self.client_summary_enabled and self.date_start):
            return False
        last = self.client_summary_last_date
        start = max(last + ONE_DAY, self.date_start) if last else self.date_start
        if self.date_end and start > self.date_end:
            return False
        return self._client_summary_bounds(start)[1] + ONE_DAY

    # ------------------------------------------------------------------
    # Periods
    # ------------------------------------------------------------------

    def _client_summary_bounds(self, day):
        """``(first_day, last_day)`` of the summary period containing ``day``,
        within the engagement's dates."""
        self.ensure_one()
        return period_bounds(
            day, self.client_summary_frequency, self.date_start, self.date_end
        )

    def _client_summary_due_period(self, today):
        """The period the scheduled summary of ``today`` covers: the last
        complete period, from the day after the last one covered; ``None``
        when there is none."""
        self.ensure_one()
        day = today - ONE_DAY
        if self.date_end:
            day = min(day, self.date_end)
        if day < self.date_start:
            return None
        first, last = self._client_summary_bounds(day)
        if last >= today:
            if first <= self.date_start:
                return None
            first, last = self._client_summary_bounds(first - ONE_DAY)
        if self.client_summary_last_date:
            first = max(first, self.client_summary_last_date + ONE_DAY)
        return (first, last) if first <= last else None

    def _client_summary_current_period(self, today):
        """The current period so far, within the engagement's dates; ``None``
        before the engagement starts."""
        self.ensure_one()
        day = min(today, self.date_end) if self.date_end else today
        if day < self.date_start:
            return None
        return self._client_summary_bounds(day)[0], day

    def _client_summary_period(self):
        """The period of the summary being rendered (see
        :data:`CTX_SUMMARY_PERIOD`), else the current period so far."""
        self.ensure_one()
        period = self.env.context.get(CTX_SUMMARY_PERIOD)
        if period:
            return tuple(fields.Date.to_date(day) for day in period)
        today = fields.Date.context_today(self)
        return self._client_summary_current_period(today) or (
            self.date_start,
            self.date_start,
        )

    # ------------------------------------------------------------------
    # Content
    # ------------------------------------------------------------------

    def _get_client_summary_domain(self, date_from, date_to):
        """The time a summary lists: priced billable time of the period,
        waiting for approval, approved or invoiced. Non-billable, rejected
        and exception time is not shown to the client. Hook."""
        self.ensure_one()
        return (
            Domain("billing_contract_id", "=", self.id)
            & Domain("billing_state", "in", COUNTED_STATES)
            & Domain("date", ">=", date_from)
            & Domain("date", "<=", date_to)
        )

    def _get_client_summary_values(self):
        """What the summary template shows, as plain values: the period, its
        lines sorted by date and person with their totals, the priced time not
        invoiced yet and the retainer or cap left, all as of the period's last
        day. The same whoever sends it: the time is read as superuser once the
        sender's access is checked."""
        self.ensure_one()
        date_from, date_to = self._client_summary_period()
        contract = self.sudo()
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search(contract._get_client_summary_domain(date_from, date_to))
        )
        several_projects = len(lines.project_id) > 1
        rows = []
        for line in lines:
            work = line.task_id.name or line.project_id.name or ""
            if several_projects and line.task_id:
                work = f"{line.project_id.name} / {work}"
            rows.append(
                {
                    "id": line.id,
                    "date": line.date,
                    "person": line.employee_id.name or line.user_id.name or "",
                    "work": work,
                    "description": "" if line.name == "/" else line.name or "",
                    "hours": line.unit_amount,
                    "billable_hours": line.billable_hours,
                    "amount": line.billing_amount,
                }
            )
        rows.sort(key=lambda row: (row["date"], row["person"], row["id"]))
        currency = contract.currency_id
        unbilled_hours, unbilled_amount, budgets = contract._client_summary_balances(
            date_to
        )
        return {
            "date_from": date_from,
            "date_to": date_to,
            "lines": rows,
            "hours": sum(row["hours"] for row in rows),
            "billable_hours": sum(row["billable_hours"] for row in rows),
            "amount": currency.round(sum(row["amount"] for row in rows)),
            "unbilled_hours": unbilled_hours,
            "unbilled_amount": currency.round(unbilled_amount),
            "budgets": budgets,
        }

    def _client_summary_balances(self, date_to):
        """``(unbilled_hours, unbilled_amount, budgets)`` of the priced time up
        to ``date_to``: the time not invoiced yet, and the retainer and cap
        gauges of ``rating.py`` as of that day (a cap per billing period is the
        one of the billing period containing ``date_to``)."""
        self.ensure_one()
        unbilled = [0.0, 0.0]
        total = [0.0, 0.0]
        by_period = {}
        for state, start, hours, amount in self.env[
            "account.analytic.line"
        ]._read_group(
            Domain("billing_contract_id", "=", self.id)
            & Domain("billing_state", "in", COUNTED_STATES)
            & Domain("date", "<=", date_to),
            ["billing_state", "billing_period_start:day"],
            ["billable_hours:sum", "billing_amount:sum"],
        ):
            if state != "invoiced":
                unbilled[0] += hours
                unbilled[1] += amount
            total[0] += hours
            total[1] += amount
            used = by_period.setdefault(start, [0.0, 0.0])
            used[0] += hours
            used[1] += amount
        budgets = []
        if self.billing_mode == "retainer" and self.retainer_size:
            budgets.append(
                self._client_summary_budget(
                    "retainer", self.retainer_unit, self.retainer_size, total
                )
            )
        if self.cap_type != "none" and self.cap_value:
            used, period = total, None
            if self.cap_scope == "period":
                period = self._billing_period_bounds(date_to)
                used = by_period.get(period[0], [0.0, 0.0])
            budgets.append(
                self._client_summary_budget(
                    "cap", self.cap_type, self.cap_value, used, period
                )
            )
        return unbilled[0], unbilled[1], budgets

    def _client_summary_budget(self, kind, unit, size, used, period=None):
        """One budget line of the summary: a retainer or a cap, in hours or in
        the contract's currency."""
        used = used[0] if unit == "hours" else self.currency_id.round(used[1])
        left = size - used
        return {
            "kind": kind,
            "unit": unit,
            "size": size,
            "used": used,
            "left": max(left, 0.0),
            "over": max(-left, 0.0),
            "period": period,
        }

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _client_summary_send(self, date_from, date_to):
        """Post the summary of ``date_from``..``date_to`` in the chatter from
        the template and mail it to the recipient. Return the message, or an
        empty recordset, posting nothing, when the period has no billable
        time. Its author is the template's sender (the billing responsible),
        as Odoo's composer decides."""
        self.ensure_one()
        Line = self.env["account.analytic.line"].sudo()
        if not Line.search_count(
            self._get_client_summary_domain(date_from, date_to), limit=1
        ):
            return self.env["mail.message"]
        template = self.env.ref(SUMMARY_TEMPLATE, raise_if_not_found=False)
        if not template:
            raise UserError(
                self.env._(
                    "The client time summary e-mail template was deleted: "
                    "update the Time Billing module to restore it."
                )
            )
        lang = self.client_summary_recipient_id.lang or self.env.lang
        contract = self.with_context(
            **{CTX_SUMMARY_PERIOD: (date_from.isoformat(), date_to.isoformat())},
            # The mail's heading reads "Your time summary", not "Your Time
            # Billing Contract".
            model_description=self.with_context(lang=lang).env._("time summary"),
        )
        return contract.message_post_with_source(
            template, subtype_xmlid="mail.mt_comment"
        )

    def _client_summary_check_access(self):
        """Only time billing users send summaries, on contracts they may edit."""
        if not (self.env.su or self.env.user.has_group(GROUP_USER)):
            raise AccessError(
                self.env._("Only time billing users can send client time summaries.")
            )
        self.check_access("write")

    def action_send_client_summary(self):
        """Send the summary of the current period so far (button).

        The scheduled summary of the period still goes out when it ends,
        covering the whole period: the schedule does not move.
        """
        self._client_summary_check_access()
        today = fields.Date.context_today(self)
        recipients = self.env["res.partner"]
        for contract in self:
            if contract.state != "active" or not contract.client_summary_enabled:
                raise UserError(
                    self.env._(
                        "Contract '%(name)s' does not send time summaries: it "
                        "must be active with Send Time Summaries ticked.",
                        name=contract.display_name,
                    )
                )
            recipient = contract.client_summary_recipient_id
            if not recipient.email:
                raise UserError(
                    self.env._(
                        "The summary recipient of contract '%(name)s', "
                        "%(partner)s, has no e-mail address.",
                        name=contract.display_name,
                        partner=recipient.display_name,
                    )
                )
            period = contract._client_summary_current_period(today)
            if not period or not contract._client_summary_send(*period):
                first, last = period or (contract.date_start, contract.date_start)
                raise UserError(
                    self.env._(
                        "Contract '%(name)s' has no billable time from %(start)s "
                        "to %(end)s: there is nothing to summarise.",
                        name=contract.display_name,
                        start=format_date(self.env, first),
                        end=format_date(self.env, last),
                    )
                )
            recipients |= recipient
        return notification(
            self.env._(
                "Time summary sent to %(recipients)s.",
                recipients=", ".join(recipients.mapped("display_name")),
            ),
            next_action=RELOAD,
        )

    @api.model
    def _get_client_summary_due_domain(self, today):
        """Contracts whose scheduled summary is due on ``today``. Hook."""
        return (
            Domain("client_summary_enabled", "=", True)
            & Domain("state", "=", "active")
            & Domain("client_summary_next_date", "<=", today)
        )

    @api.model
    def _cron_send_client_summaries(self, batch_size=50):
        """Daily: send the client summaries that are due.

        Mails are queued (sent by the mail queue, not inside this job); each
        batch of contracts is committed with ``ir.cron._commit_progress``,
        each contract in a savepoint so that one failing does not stop the
        others (it stays due and is tried again the next day).
        """
        today = fields.Date.context_today(self)
        contracts = self.with_context(mail_notify_force_send=False).search(
            self._get_client_summary_due_domain(today),
            order="client_summary_next_date, id",
        )
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=len(contracts))
        for batch in split_every(batch_size, contracts.ids, contracts.browse):
            for contract in batch:
                contract.with_company(contract.company_id)._client_summary_send_due(
                    today
                )
            if not cron._commit_progress(len(batch)):
                break

    def _client_summary_send_due(self, today):
        """Send the scheduled summary of this contract due on ``today``, and
        mark its period covered."""
        self.ensure_one()
        period = self._client_summary_due_period(today)
        if not period:
            return
        if self.client_summary_missing_email:
            _logger.info(
                "Contract %s: the summary recipient has no e-mail address; "
                "summary of %s..%s not sent",
                self.id,
                *period,
            )
            return
        try:
            with self.env.cr.savepoint():
                self._client_summary_send(*period)
                self.client_summary_last_date = period[1]
        except Exception:
            _logger.exception("Contract %s: the client summary failed", self.id)
