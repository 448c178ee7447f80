# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytz
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools.misc import format_amount

from ..tools.approval import approval_reasons, auto_approve_date, budget_share
from ..tools.periods import period_bounds
from ..tools.rating import Entry, Usage, rate_entries, to_decimal
from ..tools.validation import (
    MAX_HOURS_PER_DAY,
    ContractSpan,
    coverage_gap,
    duplicate_key,
    duration_issue,
    find_duplicates,
    overlapping,
    payload_interval,
)

BILLING_STATES = [
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("non_billable", "Non-Billable"),
    ("exception", "Exception"),
    ("invoiced", "Invoiced"),
]
LOCKED_BILLING_STATES = ("approved", "invoiced")
BILLING_EXCEPTION_TYPES = [
    ("no_contract", "No Contract on the Date"),
    ("closed_period", "No Open Period"),
    ("duration", "Invalid Duration"),
    ("future_date", "Future Date"),
    ("duplicate", "Duplicate"),
]
USER_GROUP = "time_billing_bridge.group_time_billing_user"
MANAGER_GROUP = "time_billing_bridge.group_time_billing_manager"
# Context key: create() and write() leave the billing pipeline to the caller,
# which runs _billing_refresh() once the lines are complete (the importer runs
# it after linking the staging entries, which tell the source of each line).
BILLING_DEFER_CONTEXT = "time_billing_defer_refresh"

# Rating leaves these lines' price alone.
RATING_SKIPPED_STATES = ("exception", "approved", "invoiced")
# Priced time that consumes caps, retainers and overtime limits.
COUNTED_BILLING_STATES = (False, "to_approve", "approved", "invoiced")
DAY = timedelta(days=1)


def _same_value(current, new):
    """Whether a field already holds ``new`` (floats compared to 1e-9)."""
    if isinstance(new, float):
        return abs((current or 0.0) - new) < 1e-9
    return (current or False) == (new or False)


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    billing_contract_id = fields.Many2one(
        comodel_name="time.billing.contract",
        string="Billing Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Contract this time is billed under, found from the project and the date.",
    )
    billing_state = fields.Selection(
        selection=BILLING_STATES,
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    billing_currency_id = fields.Many2one(
        related="billing_contract_id.currency_id", string="Billing Currency"
    )
    billable_hours = fields.Float(
        copy=False,
        readonly=True,
        help="Hours as billed, after rounding, minimums and caps. The raw "
        "duration stays in the time spent.",
    )
    billing_rate = fields.Monetary(
        string="Rate",
        currency_field="billing_currency_id",
        copy=False,
        readonly=True,
    )
    billing_amount = fields.Monetary(
        string="Billed Amount",
        currency_field="billing_currency_id",
        copy=False,
        readonly=True,
    )
    billing_note = fields.Char(
        copy=False,
        readonly=True,
        help="Why this line is priced, held or written off the way it is.",
    )
    billing_invoice_id = fields.Many2one(
        comodel_name="account.move",
        string="Billing Invoice",
        index="btree_not_null",
        copy=False,
        readonly=True,
    )
    billing_entry_ids = fields.One2many(
        comodel_name="time.billing.entry",
        inverse_name="timesheet_id",
        string="Imported From",
        readonly=True,
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._billing_prepare_create(vals_list)
        lines = super().create(vals_list)
        if not self.env.context.get(BILLING_DEFER_CONTEXT):
            lines.filtered("project_id")._billing_refresh()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if set(vals) & set(self._get_billing_trigger_fields()):
            self._billing_reopen_edited(vals)
            if not self.env.context.get(BILLING_DEFER_CONTEXT):
                self._billing_refresh()
        return res

    @api.model
    def _get_billing_trigger_fields(self):
        """Fields whose change re-runs the billing pipeline. Hook for extensions."""
        return [
            "project_id",
            "task_id",
            "date",
            "employee_id",
            "unit_amount",
            "name",
            "product_id",
            "billing_source_billable",
        ]

    def _billing_refresh(self):
        """Run the billing pipeline on these timesheet lines.

        Each step works on the whole recordset at once:
        1. find the contract (project and date);
        2. validate the line against it (dates, periods, durations, duplicates);
        3. price it (rate card, multipliers, rounding, caps, retainer);
        4. route it (approve, or wait for the approver).

        The steps run as superuser: billing is bookkeeping around the line, and
        people who only log their time have no access to contracts.
        """
        lines = self.sudo()
        lines._assign_billing_contract()
        lines._validate_billing()
        lines._rate_billing()
        lines._route_billing()

    def _validate_billing(self):
        """Flag lines that cannot be billed as they are (step 2).

        Approved, invoiced and rejected time is left alone: approved and
        invoiced time is locked, rejected time waits for its author to fix it
        (an edit sends it back, see :meth:`_billing_reopen_edited`).
        """
        lines = self.filtered(
            lambda line: line.project_id
            and line.billing_state not in (*LOCKED_BILLING_STATES, "rejected")
        )
        if lines:
            lines._billing_check_lines()
        # Lines flagged as duplicates of these ones are checked again: the
        # original may have changed.
        dependents = self.search(
            [
                ("billing_duplicate_of_id", "in", self.ids),
                ("id", "not in", self.ids),
            ]
        )
        if dependents:
            dependents._billing_refresh()

    def _rate_billing(self):
        """Price lines under a contract (step 3).

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
            and line.billing_state not in LOCKED_BILLING_STATES
        )
        uncovered._billing_clear_price()
        # "Non-billable" was a pricing decision under the contract it left.
        uncovered.filtered(lambda line: line.billing_state == "non_billable").write(
            {"billing_state": False}
        )
        lines = lines.filtered("billing_contract_id")
        lines.filtered(
            lambda line: line.billing_state == "exception"
        )._billing_clear_price(keep_period=True)
        lines = lines.filtered(
            lambda line: line.billing_state not in RATING_SKIPPED_STATES
        )
        if not lines:
            return
        followers = lines._billing_rating_followers()
        changed = (lines | followers)._billing_rate_lines()
        (changed & followers)._route_billing()

    def _route_billing(self):
        """Decide which priced lines are approved and which wait (step 4).

        Under the contract's thresholds time is approved, right away or after
        the grace period; above them, or held by pricing, it waits for the
        approver, who gets one activity per contract and billing period.
        """
        self._billing_route_lines()

    def _assign_billing_contract(self):
        """Link each timesheet to the contract covering its project and date.

        Approved and invoiced time keeps the contract it was priced on.
        """
        lines = self.filtered(
            lambda line: line.billing_state not in LOCKED_BILLING_STATES
        )
        if not lines:
            return
        covering = self._billing_contract_finder(lines.project_id)
        for contract, group in lines.grouped(
            lambda line: covering(line.project_id, line.company_id, line.date)
        ).items():
            group = group.filtered(
                lambda line, c=contract: line.billing_contract_id != c
            )
            if group:
                group.sudo().billing_contract_id = contract

    @api.model
    def _billing_contract_finder(self, projects):
        """Return a function ``(project, company, date) -> contract`` that
        answers from one search of the open contracts of ``projects``.

        Anyone logging time gets it priced, whether or not they may read the
        contracts: the assignment is a system computation. ``_covering``
        scans every contract it is called on, and a batch has few distinct
        keys: each answer is computed once.
        """
        contracts = (
            self.env["time.billing.contract"]
            .sudo()
            .search([("project_ids", "in", projects.ids), ("state", "!=", "closed")])
        )
        candidates = defaultdict(contracts.browse)
        for contract in contracts:
            for project in contract.project_ids:
                candidates[project] |= contract
        answers = {}

        def covering(project, company, day):
            key = (project, company, day)
            if key not in answers:
                answers[key] = candidates[project]._covering(*key)
            return answers[key]

        return covering

    @api.model
    def _billing_prepare_create(self, vals_list):
        """Put the contract of each new timesheet line in its values.

        The line is inserted with its contract instead of being updated right
        after; :meth:`_assign_billing_contract` checks it once the line exists.
        """

        def record_id(value):
            return value if isinstance(value, int) and value is not True else False

        todo = [
            vals
            for vals in vals_list
            if "billing_contract_id" not in vals
            and (record_id(vals.get("project_id")) or record_id(vals.get("task_id")))
        ]
        if not todo:
            return
        tasks = (
            self.env["project.task"]
            .sudo()
            .browse(set(filter(None, (record_id(v.get("task_id")) for v in todo))))
        )
        projects = (
            self.env["project.project"]
            .sudo()
            .browse(set(filter(None, (record_id(v.get("project_id")) for v in todo))))
        ) | tasks.project_id
        covering = self._billing_contract_finder(projects)
        today = fields.Date.context_today(self)
        Company = self.env["res.company"]
        for vals in todo:
            task = tasks.browse(record_id(vals.get("task_id")) or ())
            project = projects.browse(
                record_id(vals.get("project_id")) or task.project_id.ids
            )
            company = (
                task.company_id
                or project.company_id
                or Company.browse(vals.get("company_id") or ())
                or self.env.company
            )
            day = fields.Date.to_date(vals.get("date")) or today
            contract = covering(project, company, day)
            if contract:
                vals["billing_contract_id"] = contract.id

    # ------------------------------------------------------------------
    # Rating (step 3): rate card, multipliers, rounding, caps, retainer.
    # The arithmetic lives in tools/rating.py; the methods below gather
    # records into plain values and write the results back.
    # ------------------------------------------------------------------

    billing_hold_reason = fields.Char(
        copy=False,
        readonly=True,
        help="Set when pricing needs a person: the cap is reached and the "
        "contract holds the excess, the retainer is used up and the contract "
        "stops, or part of the time was written off. Such lines wait for "
        "approval.",
    )
    billing_period_start = fields.Date(
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="First day of the contract's billing period this time belongs to.",
    )
    billing_source_billable = fields.Boolean(
        string="Billable at Source",
        default=True,
        help="Cleared when the time tracker marks the entry non-billable; such "
        "time is not billed.",
    )

    def _billing_clear_price(self, keep_period=False):
        """Forget the price of lines that are not priced (any more)."""
        vals = {
            "billable_hours": 0.0,
            "billing_rate": 0.0,
            "billing_amount": 0.0,
            "billing_hold_reason": False,
        }
        if not keep_period:
            vals["billing_period_start"] = False
        lines = self.filtered(
            lambda line: line.billable_hours
            or line.billing_rate
            or line.billing_amount
            or line.billing_hold_reason
            or (not keep_period and line.billing_period_start)
        )
        if lines:
            lines.write(vals)
        if keep_period:
            starts = self._billing_period_starts()
            for start, group in self.grouped(lambda line: starts[line]).items():
                group.filtered(
                    lambda line, s=start: line.billing_period_start != s
                ).write({"billing_period_start": start})

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
                bounds[key] = period_bounds(
                    line.date,
                    contract.billing_period,
                    contract.date_start,
                    contract.date_end,
                )[0]
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
                    ends.append(
                        period_bounds(
                            last,
                            contract.billing_period,
                            contract.date_start,
                            contract.date_end,
                        )[1]
                    )
                domain &= Domain("date", "<=", max(ends))
            domains.append(domain)
        if not domains:
            return self.browse()
        return self.search(
            Domain.OR(domains)
            & Domain("billing_state", "in", [False, "to_approve"])
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
        # Lines by values to write, the price apart from the period start:
        # prices repeat across periods, so one write per price and one per
        # period instead of one per combination of both.
        updates = defaultdict(list)
        for rating in run.ratings:
            line = by_id[rating.id]
            vals = {
                "billable_hours": float(rating.hours),
                "billing_rate": float(rating.rate),
                "billing_amount": float(rating.amount),
                "billing_note": contract._billing_note_text(rating.notes),
                "billing_hold_reason": rating.hold
                and contract._billing_note_text([rating.hold])
                or False,
            }
            if not rating.billable:
                vals["billing_state"] = "non_billable"
            elif line.billing_state == "non_billable":
                vals["billing_state"] = False
            period = {"billing_period_start": starts[line]}
            for part in (vals, period):
                if any(
                    not _same_value(line[fname], value) for fname, value in part.items()
                ):
                    updates[tuple(sorted(part.items()))].append(line.id)
        changed_ids = {}
        for key, line_ids in updates.items():
            self.browse(line_ids).write(dict(key))
            changed_ids.update(dict.fromkeys(line_ids))
        return self.browse(list(changed_ids))

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
        base = Domain("billing_state", "in", COUNTED_BILLING_STATES) & Domain(
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
            and line.billing_state not in LOCKED_BILLING_STATES
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
            line.write({"billing_state": "exception", "billing_note": note})
        sale_owned._billing_clear_price(keep_period=True)
        return sale_owned

    def unlink(self):
        # Deleted time frees cap, retainer and overtime room for the open
        # lines priced after it; lines flagged as its duplicates are checked
        # again, and the approval activities count what still waits.
        periods = self.sudo().billing_period_id
        dependents = self.sudo().search(
            [("billing_duplicate_of_id", "in", self.ids), ("id", "not in", self.ids)]
        )
        lines = self.sudo().filtered(
            lambda line: line.billing_contract_id
            and line.billing_state in COUNTED_BILLING_STATES
        )
        followers = lines._billing_rating_followers() - lines
        contracts = lines.billing_contract_id
        res = super().unlink()
        followers = followers.exists()
        if followers:
            followers._billing_rate_lines()._route_billing()
        contracts.exists()._billing_update_retainer_alerts()
        periods.exists()._sync_approval_activities()
        if dependents:
            dependents._billing_refresh()
        return res

    # ------------------------------------------------------------------
    # Validation, periods, routing, approvals and locks
    # ------------------------------------------------------------------

    billing_period_id = fields.Many2one(
        comodel_name="time.billing.period",
        string="Billing Period",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Period this time is billed in: the period of its date, or the next "
        "open one for a late entry.",
    )
    billing_exception_type = fields.Selection(
        selection=BILLING_EXCEPTION_TYPES,
        string="Exception Type",
        copy=False,
        readonly=True,
    )
    billing_duplicate_of_id = fields.Many2one(
        comodel_name="account.analytic.line",
        string="Duplicate Of",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        readonly=True,
    )
    billing_warning = fields.Char(
        copy=False,
        readonly=True,
        help="Checks that do not stop billing: a late entry billed in a later "
        "period, time of one person that overlaps.",
    )
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

    # Validation (step 2)

    def _billing_check_lines(self):
        """Validate these timesheet lines, set their billing period and warnings."""
        today = fields.Date.context_today(self)
        old_periods = self.billing_period_id
        in_scope, out_of_scope = self._billing_split_scope()
        # Time of projects that never had a contract is not billable: clear
        # what an earlier contract may have left on it.
        leftovers = out_of_scope.filtered(
            lambda line: line.billing_state
            or line.billing_period_id
            or line.billing_exception_type
        )
        if leftovers:
            leftovers.write(self._billing_cleared_vals())
        issues = {}
        for line in in_scope:
            message = line._billing_check_duration(today)
            if message:
                issues[line] = message
        in_scope._billing_check_coverage(issues)
        periods = in_scope._billing_assign_periods(issues)
        # Read before anything is written: a query on lines written meanwhile
        # would first send the pending updates of the whole batch.
        neighbours = in_scope._billing_same_day_lines()
        in_scope._billing_check_duplicates(issues, neighbours)
        vals_by_line = {}
        for line in in_scope:
            if line in issues:
                exception_type, message, extra = issues[line]
                vals_by_line[line] = {
                    **self._billing_exception_vals(exception_type, message),
                    "billing_period_id": periods.get(line, False),
                    **extra,
                }
                continue
            vals = {
                "billing_period_id": periods.get(line, False),
                "billing_exception_type": False,
                "billing_duplicate_of_id": False,
            }
            if line.billing_state == "exception":
                vals.update(billing_state=False, billing_note=False)
            vals_by_line[line] = vals
        self._billing_write_grouped(vals_by_line)
        in_scope.filtered(lambda line: line not in issues)._billing_update_warnings(
            neighbours | in_scope
        )
        (old_periods - self.billing_period_id)._sync_approval_activities()

    def _billing_update_warnings(self, neighbours):
        """Write the warnings of these lines: late entry, overlapping time.

        :param neighbours: lines of the same people and days, these or others
            (:meth:`_billing_same_day_lines`)
        """
        lines = self.filtered(
            lambda line: line.billing_contract_id and line.billing_state != "exception"
        )
        late = lines._billing_late_notes()
        overlaps = lines._billing_check_overlaps(neighbours)
        self._billing_write_grouped(
            {
                line: {
                    "billing_warning": "; ".join(
                        filter(None, [late.get(line), overlaps.get(line)])
                    )
                    or False
                }
                for line in lines
            }
        )

    def _billing_late_notes(self):
        """``{line: note}`` for the lines billed after the period of their date."""
        late = self.filtered(
            lambda line: line.billing_period_id
            and line.billing_period_id.date_from > line.date
        )
        if not late:
            return {}
        dates = late.mapped("date")
        own_periods = self.env["time.billing.period"].search(
            [
                ("contract_id", "in", late.billing_contract_id.ids),
                ("date_from", "<=", max(dates)),
                ("date_to", ">=", min(dates)),
            ]
        )
        notes = {}
        for line in late:
            own = own_periods.filtered(
                lambda p, line=line: p.contract_id == line.billing_contract_id
                and p.date_from <= line.date <= p.date_to
            )[:1]
            notes[line] = self.env._(
                "Late entry from %(date)s (closed period %(period)s), billed in "
                "%(target)s",
                date=line.date.isoformat(),
                period=own.display_name or "-",
                target=line.billing_period_id.display_name,
            )
        return notes

    def _billing_split_scope(self):
        """Split lines into those billing looks at (under a contract, or on a
        project that has contracts at other dates) and the others."""
        uncovered = self.filtered(lambda line: not line.billing_contract_id)
        projects_with_contract = (
            self.env["time.billing.contract"]
            .search([("project_ids", "in", uncovered.project_id.ids)])
            .project_ids
        )
        out_of_scope = uncovered.filtered(
            lambda line: line.project_id not in projects_with_contract
        )
        return self - out_of_scope, out_of_scope

    @api.model
    def _billing_cleared_vals(self):
        return {
            "billing_state": False,
            "billing_note": False,
            "billing_period_id": False,
            "billing_exception_type": False,
            "billing_duplicate_of_id": False,
            "billing_warning": False,
            "billing_review_note": False,
            "billing_auto_approve_date": False,
            "billable_hours": 0.0,
            "billing_rate": 0.0,
            "billing_amount": 0.0,
        }

    @api.model
    def _billing_exception_vals(self, exception_type, message):
        """An exception is not billed: no price, no approval pending."""
        return {
            "billing_state": "exception",
            "billing_exception_type": exception_type,
            "billing_note": message,
            "billing_duplicate_of_id": False,
            "billing_warning": False,
            "billing_review_note": False,
            "billing_auto_approve_date": False,
            "billable_hours": 0.0,
            "billing_rate": 0.0,
            "billing_amount": 0.0,
        }

    def _billing_check_duration(self, today):
        """Return ``(type, message, extra vals)`` when the duration or the date
        of this line cannot be billed, else ``None``."""
        self.ensure_one()
        issue = duration_issue(self.unit_amount)
        hours = f"{self.unit_amount:.2f}"
        if issue == "zero":
            message = self.env._("Duration is zero: there is no time to bill.")
        elif issue == "negative":
            message = self.env._(
                "Negative duration (%(hours)s h): time cannot be billed below zero.",
                hours=hours,
            )
        elif issue == "too_long":
            message = self.env._(
                "Duration of %(hours)s h is longer than a day of 24 hours.",
                hours=hours,
            )
        elif self.date > today:
            return (
                "future_date",
                self.env._(
                    "Dated %(date)s, in the future: time is billed once it is worked.",
                    date=self.date.isoformat(),
                ),
                {},
            )
        else:
            return None
        return "duration", message, {}

    def _billing_check_coverage(self, issues):
        """Flag time on a project with contracts when none covers its date."""
        uncovered = self.filtered(
            lambda line: not line.billing_contract_id and line not in issues
        )
        if not uncovered:
            return
        contracts = self.env["time.billing.contract"].search(
            [("project_ids", "in", uncovered.project_id.ids)]
        )
        for line in uncovered:
            spans = [
                ContractSpan(
                    key=contract.id,
                    name=contract.display_name,
                    date_start=contract.date_start,
                    date_end=contract.date_end,
                    closed=contract.state == "closed",
                )
                for contract in contracts
                if line.project_id in contract.project_ids
                and contract.company_id == line.company_id
            ]
            gap = coverage_gap(line.date, spans)
            if not gap:
                continue
            kind, span = gap
            values = {
                "project": line.project_id.display_name,
                "date": line.date.isoformat(),
                "contract": span.name,
            }
            if kind == "closed":
                message = self.env._(
                    "No contract covers %(project)s on %(date)s (contract "
                    "'%(contract)s' is closed)",
                    **values,
                )
            elif kind == "ends":
                message = self.env._(
                    "No contract covers %(project)s on %(date)s (contract "
                    "'%(contract)s' ends %(end)s)",
                    end=span.date_end.isoformat(),
                    **values,
                )
            else:
                message = self.env._(
                    "No contract covers %(project)s on %(date)s (contract "
                    "'%(contract)s' starts %(start)s)",
                    start=span.date_start.isoformat(),
                    **values,
                )
            issues[line] = ("no_contract", message, {})

    def _billing_assign_periods(self, issues):
        """Find the billing period of each line under a contract.

        A line dated in a closed period goes to the next open one, with a note;
        when the contract has no open period left, it becomes an exception.
        Return ``{line: period id}``.
        """
        lines = self.filtered(
            lambda line: line.billing_contract_id and line not in issues
        )
        found = self.env["time.billing.period"]._get_for_dates(
            {(line.billing_contract_id, line.date) for line in lines}
        )
        periods, next_open = {}, {}
        for line in lines:
            contract = line.billing_contract_id
            period = found[contract, line.date]
            if period.state == "open":
                periods[line] = period.id
                continue
            if period not in next_open:
                next_open[period] = period._get_next_open()
            target = next_open[period]
            if not target:
                issues[line] = (
                    "closed_period",
                    self.env._(
                        "Late entry from %(date)s (closed period %(period)s): "
                        "contract '%(contract)s' has no open period left to bill "
                        "it in.",
                        date=line.date.isoformat(),
                        period=period.display_name,
                        contract=contract.display_name,
                    ),
                    {},
                )
                continue
            periods[line] = target.id
        return periods

    def _billing_get_sources(self):
        """``{line: backend}`` of the lines imported from a backend; lines
        typed in Odoo are not in it."""
        sources = {}
        for entry in self.env["time.billing.entry"].search_fetch(
            [("timesheet_id", "in", self.ids)],
            ["timesheet_id", "backend_id"],
            order="id",
        ):
            sources.setdefault(entry.timesheet_id, entry.backend_id)
        return sources

    def _billing_check_duplicates(self, issues, neighbours):
        """Flag time that repeats work already received from another source:
        same person, date, duration and description.

        :param neighbours: the other lines of the same people and days
            (:meth:`_billing_same_day_lines`)
        """
        candidates = self.filtered(
            lambda line: line.billing_contract_id and line not in issues
        )
        if not candidates:
            return
        days = candidates._billing_days()
        in_place = neighbours.filtered(
            lambda line: (line.employee_id, line.date) in days
            and line.billing_contract_id
            and line.billing_exception_type != "duplicate"
            and line.billing_state != "rejected"
        )

        sources = (candidates | in_place)._billing_get_sources()

        def triple(line):
            key = duplicate_key(
                line.employee_id.id, line.date, line.unit_amount, line.name
            )
            source = sources.get(line)
            return line.id, key, source.id if source else 0

        duplicates = find_duplicates(
            [triple(line) for line in candidates],
            [triple(line) for line in in_place],
        )
        for line_id, original_id in duplicates.items():
            line, original = self.browse(line_id), self.browse(original_id)
            source = sources.get(original)
            if source:
                message = self.env._(
                    "Duplicate of line #%(line)s imported from %(backend)s",
                    line=original.id,
                    backend=source.name,
                )
            else:
                message = self.env._(
                    "Duplicate of line #%(line)s entered in Odoo", line=original.id
                )
            issues[line] = (
                "duplicate",
                message,
                {"billing_duplicate_of_id": original.id},
            )

    def _billing_days(self):
        """The ``(employee, date)`` pairs of these lines."""
        return {(line.employee_id, line.date) for line in self}

    def _billing_same_day_lines(self):
        """The other timesheet lines of the same people on the same days, with
        what the duplicate and overlap checks read, in one query."""
        if not self:
            return self
        same_days = Domain.OR(
            Domain("employee_id", "=", employee.id)
            & Domain("date", "in", sorted(set(lines.mapped("date"))))
            for employee, lines in self.grouped("employee_id").items()
        )
        return self.search_fetch(
            Domain("project_id", "!=", False)
            & same_days
            & Domain("id", "not in", self.ids),
            [
                "employee_id",
                "date",
                "unit_amount",
                "name",
                "billing_contract_id",
                "billing_exception_type",
                "billing_state",
            ],
        )

    def _billing_check_overlaps(self, neighbours):
        """Warn about time of one person that cannot all have been worked.

        With start and end times (imported entries whose source records them),
        overlapping intervals are reported. Time typed in Odoo has a duration
        only: there, more than 24 hours of one person on one day is the signal.
        Duplicates are left out: they are not billed.

        :param neighbours: lines of the same people and days, these or others
            (:meth:`_billing_same_day_lines`)
        Return ``{line: warning}``.
        """
        if not self:
            return {}
        days = self._billing_days()
        same_days = (neighbours | self).filtered(
            lambda line: (line.employee_id, line.date) in days
            and line.billing_exception_type != "duplicate"
        )
        totals = defaultdict(float)
        for line in same_days:
            totals[line.employee_id, line.date] += line.unit_amount
        warnings = defaultdict(list)
        for line in self:
            total = totals[line.employee_id, line.date]
            if total > MAX_HOURS_PER_DAY + 1e-6:
                warnings[line].append(
                    self.env._(
                        "%(employee)s logged %(hours)s h on %(date)s: entries overlap.",
                        employee=line.employee_id.name,
                        hours=f"{total:.2f}",
                        date=line.date.isoformat(),
                    )
                )
        # Start and end times come from the imported entries: first those of
        # these lines, then, if any has them, those of the same people's other
        # lines of the same days.
        intervals = self._billing_get_intervals()
        timed = self.browse(list(intervals))
        if timed:
            timed_days = timed._billing_days()
            others = (same_days - timed).filtered(
                lambda line: (line.employee_id, line.date) in timed_days
            )
            intervals.update(others._billing_get_intervals())
            lines = self.browse(list(intervals))
            for (_employee, _day), group in lines.grouped(
                lambda line: (line.employee_id, line.date)
            ).items():
                found = overlapping((line.id, *intervals[line.id]) for line in group)
                for line_id, overlapped in found.items():
                    line = self.browse(line_id)
                    if line in self:
                        warnings[line].append(
                            self.env._(
                                "Overlaps %(lines)s of the same person.",
                                lines=[f"#{other}" for other in overlapped],
                            )
                        )
        return {line: " ".join(texts) for line, texts in warnings.items()}

    def _billing_get_intervals(self):
        """``{line id: (start, end)}`` (naive UTC) of these lines whose imported
        entry recorded its start and end. Local clock times are read in the
        employee's time zone."""
        payloads = {}
        for entry in self.env["time.billing.entry"].search_fetch(
            [("timesheet_id", "in", self.ids)], ["timesheet_id", "payload"], order="id"
        ):
            payloads.setdefault(entry.timesheet_id, entry.payload)
        intervals = {}
        for line, payload in payloads.items():
            span = payload_interval(payload) if payload else None
            if not span:
                continue
            start, end = span
            if start.tzinfo is None:
                zone = ZoneInfo(line.employee_id.tz or self.env.user.tz or "UTC")
                start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
            intervals[line.id] = (
                start.astimezone(timezone.utc).replace(tzinfo=None),
                end.astimezone(timezone.utc).replace(tzinfo=None),
            )
        return intervals

    def _billing_write_grouped(self, vals_by_line):
        """Write per-line values in as few ``write`` calls as possible,
        skipping the lines that already hold them."""
        groups = defaultdict(list)
        for line, vals in vals_by_line.items():
            if not line._billing_holds(vals):
                groups[tuple(sorted(vals.items()))].append(line.id)
        for vals, ids in groups.items():
            self.browse(ids).write(dict(vals))

    def _billing_holds(self, vals):
        """Whether this line already holds ``vals`` (ids for many2one fields)."""
        self.ensure_one()
        for fname, value in vals.items():
            current = self[fname]
            if self._fields[fname].type == "many2one":
                current = current.id
            if isinstance(value, float):
                if abs((current or 0.0) - value) > 1e-9:
                    return False
            elif (current or False) != (value or False):
                return False
        return True

    # Routing (step 4)

    def _billing_route_lines(self):
        lines = self.filtered(
            lambda line: line.project_id
            and line.billing_contract_id
            and line.billing_state in (False, "to_approve")
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
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
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
        self.write(
            {
                "billing_state": "approved",
                "billing_auto_approve_date": False,
                "billing_reviewer_id": False if auto else self.env.uid,
                "billing_review_date": fields.Datetime.now(),
                "billing_review_note": note,
            }
        )
        self._billing_log_review("approve", auto=auto)
        who = self.env._("automatically") if auto else self.env.user.name
        self.billing_period_id._sync_approval_activities(
            feedback=self.env._(
                "All time approved or rejected (last: %(who)s).", who=who
            )
        )

    def _billing_reject(self, reason):
        """Reject these lines with ``reason``; their authors are told."""
        self.write(
            {
                "billing_state": "rejected",
                "billing_auto_approve_date": False,
                "billing_rejection_reason": reason,
                "billing_reviewer_id": self.env.uid,
                "billing_review_date": fields.Datetime.now(),
                "billing_review_note": self.env._(
                    "Rejected by %(user)s on %(date)s.",
                    user=self.env.user.name,
                    date=fields.Date.context_today(self).isoformat(),
                ),
            }
        )
        self._billing_log_review("reject", reason=reason)
        self._billing_notify_rejection(reason)
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
    def _billing_revalidate_due(self, today=None):
        """Check again time that was in the future and is not anymore."""
        today = today or fields.Date.context_today(self)
        lines = self.sudo().search(
            [
                ("billing_state", "=", "exception"),
                ("billing_exception_type", "=", "future_date"),
                ("date", "<=", today),
            ]
        )
        lines._billing_refresh()
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

    # Locks

    @api.model
    def _get_billing_locked_fields(self):
        """Fields approved and invoiced time refuses to change, except for
        billing managers. Hook for extensions."""
        return [
            *self._get_billing_trigger_fields(),
            "billing_contract_id",
            "billing_period_id",
            "billable_hours",
            "billing_rate",
            "billing_amount",
        ]

    @api.model
    def _get_billing_pipeline_fields(self):
        """Fields the billing pipeline sets (read-only in the views): people
        outside billing never write them."""
        return [
            fname
            for fname, field in self._fields.items()
            if (fname.startswith("billing_") or fname == "billable_hours")
            and field.store
            and field.readonly
            and field.type != "one2many"
        ]

    def _billing_lock_message(self, action="change"):
        self.ensure_one()
        values = {
            "date": self.date.isoformat(),
            "employee": self.employee_id.name or self.user_id.name or "",
            "hours": f"{self.unit_amount:.2f}",
        }
        if self.billing_state == "invoiced":
            return self.env._(
                "Line of %(date)s (%(employee)s, %(hours)s h) is invoiced on "
                "%(invoice)s: only a billing manager can change it. Ask a billing "
                "manager, or have the invoice cancelled or credited first.",
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
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return res
        if set(values) & set(self._get_billing_locked_fields()):
            for line in self:
                if line.billing_state in LOCKED_BILLING_STATES:
                    raise UserError(line._billing_lock_message())
        pipeline = set(values) & set(self._get_billing_pipeline_fields())
        if pipeline and not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Billing fields of timesheet lines (%(fields)s) are set by "
                    "pricing and approval, not by hand.",
                    fields=sorted(pipeline),
                )
            )
        return res

    def _is_readonly(self):
        return super()._is_readonly() or (
            self.billing_state in LOCKED_BILLING_STATES
            and not self.env.user.has_group(MANAGER_GROUP)
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billing_locked(self):
        for line in self.filtered(lambda line: line.billing_state == "invoiced"):
            raise UserError(
                self.env._(
                    "Line of %(date)s (%(employee)s, %(hours)s h) is invoiced on "
                    "%(invoice)s: it cannot be deleted. Have the invoice cancelled "
                    "or credited first.",
                    date=line.date.isoformat(),
                    employee=line.employee_id.name or "",
                    hours=f"{line.unit_amount:.2f}",
                    invoice=line.sudo().billing_invoice_id.display_name or "-",
                )
            )
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        for line in self.filtered(lambda line: line.billing_state == "approved"):
            raise UserError(line._billing_lock_message(action="delete"))

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
        if not reopen:
            return
        for contract, lines in reopen.sudo().grouped("billing_contract_id").items():
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
        reopen.sudo().write(
            {
                "billing_state": False,
                "billing_review_note": False,
                "billing_reviewer_id": False,
                "billing_review_date": False,
            }
        )
