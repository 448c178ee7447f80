# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The billing pipeline of a timesheet line: its entry points and its writes.

Every timesheet line on a contract's project, typed in Odoo or imported, runs
through the same stages (:meth:`_billing_refresh`), each in its own file of
this package: find the contract (here), validate (``validation.py``,
``duplicates.py``), price (``rating.py``), route and review
(``approval.py``, ``review.py``). ``locks.py`` says who may change what.

Only this pipeline writes the billing fields: ``billing_state`` through one
door (:meth:`_billing_set_state`), the others through :meth:`_billing_write`.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from ...const import (
    BILLING_AMOUNT_GROUPS,
    BILLING_STATES,
    BILLING_TRANSITIONS,
    COUNTED_STATES,
    CTX_DEFER_REFRESH,
    LOCKED_STATES,
)
from ...tools.guard import pipeline_write
from ...tools.values import holds_all


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
        groups=BILLING_AMOUNT_GROUPS,
        # An hourly rate does not add up: group rows show no total of it.
        aggregator=None,
    )
    billing_amount = fields.Monetary(
        string="Billed Amount",
        currency_field="billing_currency_id",
        copy=False,
        readonly=True,
        groups=BILLING_AMOUNT_GROUPS,
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

    billing_source_billable = fields.Boolean(
        string="Billable at Source",
        default=True,
        help="Cleared when the time tracker marks the entry non-billable; such "
        "time is not billed.",
    )

    def _billing_dates_label(self):
        """The days of these lines, in order, as the user's language writes
        them: "03/02/2026, 03/05/2026"."""
        days = sorted(set(self.mapped("date")))
        return ", ".join(format_date(self.env, day) for day in days)

    @api.model_create_multi
    def create(self, vals_list):
        self._billing_check_outside_values(vals_list)
        # The contract goes into copies: a caller may retry with its values.
        vals_list = [dict(vals) for vals in vals_list]
        self._billing_prepare_create(vals_list)
        lines = super().create(vals_list)
        if not self.env.context.get(CTX_DEFER_REFRESH):
            lines.filtered("project_id")._billing_refresh()
        return lines

    def write(self, vals):
        self._billing_check_outside_values([vals])
        res = super().write(vals)
        if set(vals) & set(self._get_billing_trigger_fields()):
            self._billing_reopen_edited(vals)
            if not self.env.context.get(CTX_DEFER_REFRESH):
                self._billing_refresh()
        return res

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
            and line.billing_state in COUNTED_STATES
        )
        followers = lines._billing_rating_followers() - lines
        contracts = lines.billing_contract_id
        res = super().unlink()
        followers = followers.exists()
        if followers:
            followers._billing_rate_lines()._billing_route()
        contracts.exists()._billing_update_retainer_alerts()
        periods.exists()._sync_approval_activities()
        if dependents:
            dependents._billing_refresh()
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

        Each stage works on the whole recordset at once:
        1. find the contract (project and date);
        2. validate the line against it (dates, periods, durations, duplicates);
        3. price it (rate card, multipliers, rounding, caps, retainer);
        4. route it (approve, or wait for the approver).

        The stages run as superuser: billing is bookkeeping around the line,
        and people who only log their time have no access to contracts.
        """
        lines = self.sudo()
        lines._billing_assign_contracts()
        lines._billing_validate()
        lines._billing_rate()
        lines._billing_route()

    # ------------------------------------------------------------------
    # Stage 1: the contract of each line
    # ------------------------------------------------------------------

    def _billing_assign_contracts(self):
        """Link each timesheet to the contract covering its project and date.

        Approved and invoiced time keeps the contract it was priced on.
        """
        lines = self.filtered(lambda line: line.billing_state not in LOCKED_STATES)
        if not lines:
            return
        covering = self._billing_contract_finder(lines.project_id)
        for contract, group in lines.grouped(
            lambda line: covering(line.project_id, line.company_id, line.date)
        ).items():
            group = group.filtered(
                lambda line, c=contract: line.billing_contract_id != c
            )
            group._billing_write({"billing_contract_id": contract.id})

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
        after; :meth:`_billing_assign_contracts` checks it once the line exists.
        """

        def record_id(value):
            return value if isinstance(value, int) and value is not True else False

        todo = [
            vals
            for vals in vals_list
            if record_id(vals.get("project_id")) or record_id(vals.get("task_id"))
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

    @api.constrains("billing_contract_id")
    def _check_billing_contract_company(self):
        for line in self.filtered("billing_contract_id"):
            contract = line.sudo().billing_contract_id
            if contract.company_id != line.company_id:
                raise ValidationError(
                    self.env._(
                        "Line of %(date)s (%(employee)s) belongs to %(company)s, "
                        "but contract '%(contract)s' to %(contract_company)s: time "
                        "is billed under a contract of its own company.",
                        date=format_date(self.env, line.date),
                        employee=line.employee_id.name or "",
                        company=line.company_id.name,
                        contract=contract.display_name,
                        contract_company=contract.company_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # The pipeline's writes
    # ------------------------------------------------------------------

    def _billing_set_state(self, state, vals=None, reason=None):
        """Move these lines to billing ``state``, writing ``vals`` with it.

        The one door of ``billing_state``: it refuses the moves that
        ``BILLING_TRANSITIONS`` does not list and leaves the trace the move
        asks for (:meth:`_billing_trace_state`), with ``reason`` when the
        caller knows why (an invoice cancelled or credited). Return the lines.
        """
        if not self:
            return self
        allowed = BILLING_TRANSITIONS[state]
        wrong = self.filtered(lambda line: line.billing_state not in allowed)
        if wrong:
            labels = dict(
                self._fields["billing_state"]._description_selection(self.env)
            )
            raise UserError(
                self.env._(
                    "Time of %(dates)s cannot go from '%(current)s' to "
                    "'%(target)s' in billing.",
                    dates=wrong._billing_dates_label(),
                    current=labels.get(wrong[0].billing_state)
                    or self.env._("Not Billed"),
                    target=labels.get(state) or self.env._("Not Billed"),
                )
            )
        before = {
            line: (line.billing_state, line.billing_auto_approve_date) for line in self
        }
        with pipeline_write():
            self.write({**(vals or {}), "billing_state": state})
        self._billing_trace_state(state, before, reason)
        return self

    def _billing_trace_state(self, state, before, reason=None):
        """Leave the trace a move to ``state`` asks for.

        Reviews and invoicing are told in the contract's chatter: approval by
        a person or after the grace period, rejection with its reason (its
        authors are told too), reviewed time sent back by an edit, time
        invoiced, time given back by its invoice. Other moves explain
        themselves on the line (billing note, review note).

        :param before: ``{line: (state, auto-approve date)}`` before the move
        """
        if state == "invoiced":
            self._billing_log_invoicing_by(
                {
                    self.env._("Invoiced on %(invoice)s", invoice=invoice.name): lines
                    for invoice, lines in self.grouped("billing_invoice_id").items()
                }
            )
            return
        released = self.filtered(lambda line: before[line][0] == "invoiced")
        if released:
            released._billing_log_invoicing(
                reason or self.env._("Given back by its invoice")
            )
        if state == "approved":
            by_person = (self - released).filtered("billing_reviewer_id")
            by_person._billing_log_review("approve")
            (self - released - by_person).filtered(
                lambda line: before[line][0] == "to_approve" and before[line][1]
            )._billing_log_review("approve", auto=True)
        elif state == "rejected":
            for reason, lines in self.grouped("billing_rejection_reason").items():
                lines._billing_log_review("reject", reason=reason)
                lines._billing_notify_rejection(reason)
        elif not state:
            self.filtered(
                lambda line: before[line][0] in ("approved", "rejected")
            )._billing_log_reopened()

    def _billing_write(self, vals):
        """Write billing values on these lines: the pipeline's one writer.

        ``create()`` and ``write()`` refuse billing values from anywhere else
        (:meth:`_billing_check_outside_values`); a ``billing_state`` in
        ``vals`` goes through :meth:`_billing_set_state`.
        """
        if "billing_state" in vals:
            vals = dict(vals)
            return self._billing_set_state(vals.pop("billing_state"), vals)
        if self:
            with pipeline_write():
                self.write(vals)
        return self

    def _billing_write_grouped(self, vals_by_line):
        """Write per-line values in as few writes as possible, skipping the
        lines that already hold them; return the lines written."""
        groups = defaultdict(list)
        for line, vals in vals_by_line.items():
            if not holds_all(line, vals):
                groups[tuple(sorted(vals.items()))].append(line.id)
        written = []
        for vals, ids in groups.items():
            self.browse(ids)._billing_write(dict(vals))
            written += ids
        return self.browse(written)
