# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Stage 3 of the billing pipeline: the price of each line.

Rate card, multipliers, rounding, caps and retainer. The arithmetic lives in
``tools/rating.py``; the methods below gather records into plain values
(the contract's side in ``time_billing_contract/rating.py``), run it, and
write the results back.
"""

from datetime import datetime, time, timedelta

import pytz

from odoo import fields, models
from odoo.fields import Domain

from ...const import (
    BILLING_AMOUNT_GROUPS,
    COUNTED_STATES,
    LOCKED_STATES,
    ROUTABLE_STATES,
    UNRATED_STATES,
)
from ...tools.rating import Entry, Usage, rate_entries, to_decimal

DAY = timedelta(days=1)


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_hold_reason = fields.Char(
        copy=False,
        readonly=True,
        help="Set when pricing needs a person: the cap is reached and the "
        "contract holds the excess, the retainer is used up and the contract "
        "stops, or part of the time was written off. Such lines wait for "
        "approval.",
    )
    billing_written_off_hours = fields.Float(
        string="Hours Written Off",
        copy=False,
        readonly=True,
        help="Hours of this line a cap took off: not billed.",
    )
    billing_written_off_amount = fields.Monetary(
        string="Amount Written Off",
        currency_field="billing_currency_id",
        copy=False,
        readonly=True,
        groups=BILLING_AMOUNT_GROUPS,
        help="What the time a cap took off was worth: not billed.",
    )
    billing_period_start = fields.Date(
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="First day of the contract's billing period this time belongs to.",
    )

    def _billing_rate(self):
        """Price lines under a contract (stage 3).

        Lines in ``exception``, ``approved`` or ``invoiced`` keep their price.
        A ``rejected`` line is priced again only when it is in ``self``, i.e.
        when it was itself edited; re-rating a contract leaves it alone.
        Later open lines whose price depends on these ones (same cap,
        retainer or overtime week) are priced again and re-routed. Runs as
        superuser: a line's price depends on every other line of its contract,
        whoever logged them; only billing fields are written.
        """
        lines = self.sudo()
        sale_owned = lines._billing_detach_sale_lines()
        lines -= sale_owned
        uncovered = lines.filtered(
            lambda line: not line.billing_contract_id
            and line.billing_state not in LOCKED_STATES
        )
        uncovered._billing_clear_price()
        # "Non-billable" was a pricing decision under the contract it left.
        uncovered.filtered(
            lambda line: line.billing_state == "non_billable"
        )._billing_set_state(False)
        lines = lines.filtered("billing_contract_id")
        lines.filtered(
            lambda line: line.billing_state == "exception"
        )._billing_clear_price(keep_period=True)
        lines = lines.filtered(lambda line: line.billing_state not in UNRATED_STATES)
        if not lines:
            return
        followers = lines._billing_rating_followers()
        changed = (lines | followers)._billing_rate_lines()
        (changed & followers)._billing_route()

    def _billing_clear_price(self, keep_period=False):
        """Forget the price of lines that are not priced (any more)."""
        vals = {
            "billable_hours": 0.0,
            "billing_rate": 0.0,
            "billing_amount": 0.0,
            "billing_hold_reason": False,
            "billing_written_off_hours": 0.0,
            "billing_written_off_amount": 0.0,
        }
        if not keep_period:
            vals["billing_period_start"] = False
        lines = self.filtered(
            lambda line: line.billable_hours
            or line.billing_rate
            or line.billing_amount
            or line.billing_hold_reason
            or line.billing_written_off_hours
            or line.billing_written_off_amount
            or (not keep_period and line.billing_period_start)
        )
        lines._billing_write(vals)
        if keep_period:
            starts = self._billing_period_starts()
            for start, group in self.grouped(lambda line: starts[line]).items():
                group.filtered(
                    lambda line, s=start: line.billing_period_start != s
                )._billing_write({"billing_period_start": start})

    def _billing_period_starts(self):
        """First day of each line's billing period, by line.

        A line already placed in a billing period record (a late entry moved
        to the next open period) counts in that period. Hook for extensions.
        """
        bounds = {}
        starts = {}
        for line in self:
            if line.billing_period_id:
                starts[line] = line.billing_period_id.date_from
                continue
            contract = line.billing_contract_id
            key = (contract, line.date)
            if key not in bounds:
                bounds[key] = contract._billing_period_bounds(line.date)[0]
            starts[line] = bounds[key]
        return starts

    def _billing_rating_followers(self):
        """Open lines priced after these ones and depending on them.

        Under a cap, a retainer or an overtime limit, a line's price depends
        on the lines priced before it (date, then id). When lines change, the
        open lines after them on the same contract (same period or week when
        the term does not span the whole contract) are priced again.
        """
        domains = []
        for contract, lines in self.grouped("billing_contract_id").items():
            terms = contract._get_rating_terms()
            if not terms.is_sequential:
                continue
            dates = lines.mapped("date")
            domain = Domain("billing_contract_id", "=", contract.id) & Domain(
                "date", ">=", min(dates)
            )
            whole_contract = terms.has_retainer or (
                terms.has_cap and terms.cap_scope == "contract"
            )
            if not whole_contract:
                last = max(dates)
                ends = [last + timedelta(days=6 - last.weekday())]
                if terms.has_cap:
                    ends.append(contract._billing_period_bounds(last)[1])
                domain &= Domain("date", "<=", max(ends))
            domains.append(domain)
        if not domains:
            return self.browse()
        return self.search(
            Domain.OR(domains)
            & Domain("billing_state", "in", ROUTABLE_STATES)
            & Domain("id", "not in", self.ids)
        )

    def _billing_rate_lines(self):
        """Price these lines (all under a contract); return those that changed."""
        starts = self._billing_period_starts()
        usage = self._billing_gather_usage()
        calendars, holidays = self._billing_holidays()
        jobs = self._billing_jobs()
        source_billable = self._billing_source_billable()
        changed = self.browse()
        for contract, lines in self.grouped("billing_contract_id").items():
            entries = [
                Entry(
                    id=line.id,
                    date=line.date,
                    hours=line.unit_amount,
                    employee_id=line.employee_id.id or None,
                    job_id=jobs.get(line),
                    task_id=line.task_id.id or None,
                    product_id=line.product_id.id or None,
                    billable=source_billable[line],
                    period_start=starts[line],
                    calendar=calendars.get(line),
                )
                for line in lines
            ]
            run = rate_entries(
                entries,
                contract._get_rating_terms(),
                contract._get_rating_rows(),
                usage.get(contract),
                holidays,
            )
            changed |= lines._billing_write_ratings(run, starts)
            contract._billing_check_retainer_alert(run.usage)
        return changed

    def _billing_write_ratings(self, run, starts):
        """Write a rating run on these lines; return the lines that changed."""
        contract = self.billing_contract_id
        by_id = self.browse([rating.id for rating in run.ratings]).grouped("id")
        # The price apart from the period start: prices repeat across
        # periods, so one write per price and one per period instead of one
        # per combination of both.
        prices, periods = {}, {}
        for rating in run.ratings:
            line = by_id[rating.id]
            vals = {
                "billable_hours": float(rating.hours),
                "billing_rate": float(rating.rate),
                "billing_amount": float(rating.amount),
                "billing_written_off_hours": float(rating.written_off_hours),
                "billing_written_off_amount": float(rating.written_off_amount),
                "billing_note": contract._billing_note_text(rating.notes),
                "billing_hold_reason": rating.hold
                and contract._billing_note_text([rating.hold])
                or False,
            }
            if not rating.billable:
                vals["billing_state"] = "non_billable"
            elif line.billing_state == "non_billable":
                vals["billing_state"] = False
            prices[line] = vals
            periods[line] = {"billing_period_start": starts[line]}
        return self._billing_write_grouped(prices) | self._billing_write_grouped(
            periods
        )

    def _billing_gather_usage(self):
        """What the time outside these lines consumed, by contract.

        Counts the lines already priced and not in ``self``: approved and
        invoiced time, and open time priced before. One ``_read_group`` for the
        caps and retainers of all contracts, and one for the overtime limits
        of the contracts that have them.
        """
        contracts = self.billing_contract_id
        terms = {contract: contract._get_rating_terms() for contract in contracts}
        usage = {contract: Usage() for contract in contracts}
        base = Domain("billing_state", "in", COUNTED_STATES) & Domain(
            "id", "not in", self.ids
        )
        budgeted = contracts.filtered(
            lambda c: terms[c].has_cap or terms[c].has_retainer
        )
        if budgeted:
            for contract, start, hours, amount in self._read_group(
                base & Domain("billing_contract_id", "in", budgeted.ids),
                ["billing_contract_id", "billing_period_start:day"],
                ["billable_hours:sum", "billing_amount:sum"],
            ):
                term = terms[contract]
                if term.has_cap:
                    key = start if term.cap_scope == "period" else None
                    usage[contract].cap[key] += to_decimal(
                        hours if term.cap_type == "hours" else amount
                    )
                if term.has_retainer:
                    usage[contract].retainer += to_decimal(
                        hours if term.retainer_unit == "hours" else amount
                    )
        domains = []
        for contract, lines in self.grouped("billing_contract_id").items():
            if terms[contract].has_overtime:
                dates = lines.mapped("date")
                first, last = min(dates), max(dates)
                domains.append(
                    Domain("billing_contract_id", "=", contract.id)
                    & Domain("date", ">=", first - timedelta(days=first.weekday()))
                    & Domain("date", "<=", last + timedelta(days=6 - last.weekday()))
                )
        if domains:
            for contract, employee, day, hours in self._read_group(
                base & Domain.OR(domains),
                ["billing_contract_id", "employee_id", "date:day"],
                ["billable_hours:sum"],
            ):
                hours = to_decimal(hours)
                monday = day - timedelta(days=day.weekday())
                usage[contract].daily[employee.id or None, day] += hours
                usage[contract].weekly[employee.id or None, monday] += hours
        return usage

    def _billing_holidays(self):
        """Public holidays of these lines' people.

        Return ``(calendar_by_line, holidays)``: the key of each line's
        working-time calendar, and the set of public holiday dates of each key.
        Public holidays are the company's global time off (no resource) on the
        person's calendar, or on no calendar, read in the calendar's timezone.
        """
        contracts = self.billing_contract_id.filtered(
            lambda c: c.holiday_multiplier != 1
        )
        lines = self.filtered(lambda line: line.billing_contract_id in contracts)
        if not lines:
            return {}, {}
        calendar_by_line = {
            line: (
                line.employee_id.resource_calendar_id
                or line.company_id.resource_calendar_id
            )
            for line in lines
        }
        calendars = self.env["resource.calendar"].union(*calendar_by_line.values())
        dates = lines.mapped("date")
        leaves = self.env["resource.calendar.leaves"].search(
            [
                ("resource_id", "=", False),
                ("time_type", "=", "leave"),
                ("company_id", "in", lines.company_id.ids),
                ("calendar_id", "in", [False, *calendars.ids]),
                # One day of margin each side for the calendars' timezones.
                ("date_from", "<", datetime.combine(max(dates), time.max) + DAY),
                ("date_to", ">", datetime.combine(min(dates), time.min) - DAY),
            ]
        )
        holidays = {}
        for calendar in calendars:
            tz = pytz.timezone(calendar.tz or "UTC")
            days = set()
            for leave in leaves:
                if leave.calendar_id not in (calendar, calendar.browse()) or (
                    not leave.calendar_id
                    and calendar.company_id
                    and leave.company_id != calendar.company_id
                ):
                    continue
                first = pytz.utc.localize(leave.date_from).astimezone(tz).date()
                last = (
                    pytz.utc.localize(leave.date_to - timedelta(seconds=1))
                    .astimezone(tz)
                    .date()
                )
                days.update(
                    first + timedelta(days=n) for n in range((last - first).days + 1)
                )
            holidays[calendar.id] = days
        return {
            line: calendar.id for line, calendar in calendar_by_line.items()
        }, holidays

    def _billing_source_billable(self):
        """Whether the time tracker bills each line, by line: the importer
        clears ``billing_source_billable`` when the source marks an entry
        non-billable. Hook for extensions."""
        return {line: line.billing_source_billable for line in self}

    def _billing_jobs(self):
        """Role (job position) of each line's person on the line's date.

        Read from the employee's versions, so time logged before a promotion
        keeps the former role's rate.
        """
        jobs = {}
        employees = self.employee_id.sudo()
        versions = employees.version_ids.filtered("active").sorted("date_version")
        by_employee = versions.grouped("employee_id")
        for line in self:
            employee = line.employee_id
            history = by_employee.get(employee.sudo())
            if not history:
                jobs[line] = employee.sudo().job_id.id or None
                continue
            current = history[0]
            for version in history:
                if version.date_version > line.date:
                    break
                current = version
            jobs[line] = current.job_id.id or None
        return jobs

    def _billing_detach_sale_lines(self):
        """Keep time billed by a contract off sales orders; return sale-owned lines.

        With ``sale_timesheet`` installed, a line under a contract is kept with
        no sales order item, marked as edited so Odoo never links it again.
        A line a person deliberately put on a sales order item, or already
        invoiced through a sales order, stays there and is not billed by the
        contract: it becomes a billing exception that says so.
        """
        if "so_line" not in self._fields:
            return self.browse()
        lines = self.filtered(
            lambda line: line.billing_contract_id
            and line.billing_state not in LOCKED_STATES
        )
        sale_owned = lines.filtered(
            lambda line: not line._is_not_billed()
            or (line.so_line and line.is_so_line_edited)
        )
        (lines - sale_owned).filtered(
            lambda line: line.so_line or not line.is_so_line_edited
        ).write({"so_line": False, "is_so_line_edited": True})
        for line in sale_owned:
            if line.timesheet_invoice_id and not line._is_not_billed():
                note = self.env._(
                    "Invoiced through sales order item %(item)s (%(invoice)s): "
                    "not billed again under the contract.",
                    item=line.so_line.display_name or "-",
                    invoice=line.timesheet_invoice_id.display_name,
                )
            else:
                note = self.env._(
                    "Billed through sales order item %(item)s: not billed "
                    "again under the contract.",
                    item=line.so_line.display_name,
                )
            line._billing_set_state("exception", {"billing_note": note})
        sale_owned._billing_clear_price(keep_period=True)
        return sale_owned
