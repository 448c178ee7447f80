# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Drafting a contract's invoices: which periods, which time, which lines.

For each contract, an invoice run (``time.billing.invoice.run``):

1. locks the contract's row, so that two runs at once cannot both invoice a
   period (the second one waits, then fails to serialise and is retried,
   and finds nothing left to invoice);
2. takes its billing periods that ended by the run's date (and the current
   one for a manual run) and have no live invoice, creating the missing
   periods of a fixed fee;
3. prepares one invoice per period (or one for all of them, when the
   contract asks): a fixed fee once per period, then the approved time
   grouped as ``invoice_grouping`` says; approved time of periods already
   invoiced rides along on the first new invoice, labelled late;
4. creates the invoices of all its contracts in one batch, links each
   timesheet line to the invoice line that bills it and makes the lines'
   amounts add up to Odoo's rounding of each invoice line;
5. closes the periods that ended, so that time logged for them later goes
   to the next period, and drafts the retainer top-ups that fall due.

What it leaves out (time waiting for approval, exceptions, no product, a
closed contract) is recorded on the run.
"""

from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.misc import format_amount

from ...const import ACTIVITY_UNBILLED, FIXED_FEE_MODES
from ...tools.guard import pipeline_write


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    invoice_periods_together = fields.Boolean(
        string="One Invoice for All Periods",
        help="An invoice run puts all the billing periods it invoices for this "
        "contract on one invoice, a section per period, instead of one invoice "
        "per period.",
    )
    last_invoice_run_date = fields.Datetime(
        string="Last Invoiced",
        readonly=True,
        copy=False,
        help="When an invoice run last drafted invoices for this contract.",
    )
    invoice_ids = fields.One2many(
        comodel_name="account.move",
        inverse_name="billing_contract_id",
        string="Invoices",
        readonly=True,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    invoice_time_appendix = fields.Boolean(
        string="Time Detail on the Invoice",
        default=True,
        help="The invoice PDF ends with the time it bills: date, person, task, "
        "description, hours, rate and amount.",
    )
    unbilled_alert_amount = fields.Monetary(
        string="Alert When Unbilled Exceeds",
        currency_field="currency_id",
        help="The billing responsible gets an activity when the approved time "
        "not invoiced yet passes this amount. 0 disables it.",
    )
    unbilled_alert_sent = fields.Boolean(
        copy=False,
        readonly=True,
        help="Set once the billing responsible was told; cleared when the "
        "approved time not invoiced falls back under the amount, so that the "
        "next crossing tells again.",
    )

    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]
            .sudo()
            ._read_group(
                [("billing_contract_id", "in", self.ids)],
                ["billing_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.invoice_count = counts.get(contract._origin, 0)

    def action_create_invoices(self, date_to=None):
        """Draft the invoices of every billing period of these contracts that
        ended on or before ``date_to`` (default today); return them."""
        runs = self.env["time.billing.invoice.run"]._run(self, date_to)
        return runs.invoice_ids

    def action_invoice_now(self):
        """Out of cycle: invoice the approved time up to today, the current
        period included (button)."""
        runs = self.env["time.billing.invoice.run"]._run(self, include_current=True)
        return runs._action_open()

    def action_view_invoices(self):
        self.ensure_one()
        return self.env["account.move"]._billing_invoices_action(
            [("billing_contract_id", "=", self.id)]
        )

    def _billing_check_unbilled_alert(self):
        """Tell the billing responsible, once per crossing, when the approved
        time not invoiced yet passes the contract's alert amount."""
        contracts = self.sudo().filtered("unbilled_alert_amount")
        if not contracts:
            return
        unbilled = dict(
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    ("billing_contract_id", "in", contracts.ids),
                    ("billing_state", "=", "approved"),
                    ("billing_invoice_line_id", "=", False),
                ],
                ["billing_contract_id"],
                ["billing_amount:sum"],
            )
        )
        for contract in contracts:
            amount = unbilled.get(contract, 0.0)
            above = (
                contract.currency_id.compare_amounts(
                    amount, contract.unbilled_alert_amount
                )
                > 0
            )
            if above and not contract.unbilled_alert_sent:
                money = format_amount(self.env, amount, contract.currency_id)
                contract.activity_schedule(
                    ACTIVITY_UNBILLED,
                    user_id=(
                        contract.user_id or contract.approver_id or self.env.user
                    ).id,
                    summary=self.env._(
                        "Invoice %(amount)s of approved time", amount=money
                    ),
                    note=self.env._(
                        "%(amount)s of approved time is not invoiced yet on "
                        "%(contract)s, above the %(alert)s set on the contract: "
                        "Invoice Now drafts it.",
                        amount=money,
                        contract=contract.display_name,
                        alert=format_amount(
                            self.env,
                            contract.unbilled_alert_amount,
                            contract.currency_id,
                        ),
                    ),
                )
                contract.unbilled_alert_sent = True
            elif not above and contract.unbilled_alert_sent:
                contract.unbilled_alert_sent = False

    # ------------------------------------------------------------------
    # One contract in one run
    # ------------------------------------------------------------------

    def _billing_invoice(self, run):
        """Draft these contracts' invoices in ``run`` (see the module's
        docstring): all of them in one batch, as superuser in the run's
        company; return them."""
        contracts = self.sudo()
        # A run that committed invoices for one of these contracts after this
        # transaction began makes this fail to serialise (the request or the
        # job is retried, and the retry sees those invoices): not an error.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s ORDER BY id FOR NO KEY UPDATE",
                SQL.identifier(self._table),
                tuple(contracts.ids) or (0,),
            ),
            log_exceptions=False,
        )
        ready = contracts.browse()
        for contract in contracts:
            if contract.state == "closed":
                run._add_skip(contract, "closed_contract")
            elif not contract._billing_invoice_product():
                run._add_skip(
                    contract,
                    "no_product",
                    detail=self.env._(
                        "Set the invoiced product on the contract or in the settings."
                    ),
                )
            else:
                ready |= contract
        periods = ready._billing_periods_to_invoice(run)
        lines = ready._billing_lines_to_invoice(run)
        invoiced = (
            self.env["time.billing.period"]
            .union(
                *periods.values(),
                *(group.billing_period_id for group in lines.values()),
            )
            ._billing_with_invoice()
        )
        plans = [
            (
                contract,
                contract._billing_plan_invoices(
                    run,
                    periods[contract] - invoiced,
                    lines.get(contract, self.env["account.analytic.line"]),
                    invoiced,
                ),
            )
            for contract in ready
        ]
        invoices = self._billing_create_drafts(
            run, [draft for _contract, plan in plans for draft in plan["drafts"]]
        )
        drafted = contracts.browse([c.id for c, plan in plans if plan["drafts"]])
        if drafted:
            drafted.last_invoice_run_date = run.date
            drafted._billing_check_unbilled_alert()
        for contract, plan in plans:
            contract._billing_retainer_topup(run, plan["product"])
        ready._billing_close_invoiced_periods(
            {contract: plan["periods"] for contract, plan in plans}, run
        )
        return invoices

    def _billing_invoice_product(self):
        self.ensure_one()
        return self.product_id or self.company_id.time_billing_product_id

    def _billing_plan_invoices(self, run, periods, lines, invoiced):
        """What ``run`` drafts for this contract: ``{"drafts": [(contract,
        invoice values, billed)], "periods": periods invoiced, "product":
        product}``. ``periods`` are the periods to invoice, ``lines`` the
        time not invoiced yet, ``invoiced`` periods with a live invoice.
        Records what is left out on the run."""
        self.ensure_one()
        contract = self.sudo()
        product = contract._billing_invoice_product()
        Period = self.env["time.billing.period"]
        plan = {"drafts": [], "periods": Period, "product": product}
        by_period = lines.grouped("billing_period_id")
        late = lines.browse(
            [
                line.id
                for period, group in by_period.items()
                if period not in periods
                for line in group
                if line.billing_state == "approved"
                and (period in invoiced or line.date < period.date_from)
            ]
        )
        batches, held = [], {}
        for period in periods:
            in_period = by_period.get(period, lines.browse())
            approved = in_period.filtered(lambda line: line.billing_state == "approved")
            if in_period != approved:
                run._add_skip_lines(contract, period, in_period - approved)
                held[period] = in_period.filtered(
                    lambda line: line.billing_state == "to_approve"
                    and line.billing_hold_reason
                )
            if approved or contract.billing_mode in FIXED_FEE_MODES:
                batches.append((period, approved))
            elif in_period == approved:
                run._add_skip(contract, "nothing", period=period)
        if not batches:
            # Late time alone waits for the next period's invoice, unless a
            # person runs invoicing (e.g. to bill again what a credit note
            # gave back).
            if late and run.trigger == "manual":
                plan["drafts"].append(
                    contract._billing_plan_draft(
                        run, product, [], late, late[-1].billing_period_id, {}, []
                    )
                )
            return plan
        if contract.invoice_periods_together:
            invoices = [batches]
        else:
            invoices = [[batch] for batch in batches]
        for index, batch in enumerate(invoices):
            plan["drafts"].append(
                contract._billing_plan_draft(
                    run,
                    product,
                    batch,
                    late if index == 0 else late.browse(),
                    batch[-1][0],
                    held,
                    plan["drafts"],
                )
            )
        plan["periods"] = Period.union(*(period for period, _ in batches))
        return plan

    def _billing_plan_draft(self, run, product, batch, late, period, held, earlier):
        """``(contract, invoice values, billed)`` of one draft, after the
        ``earlier`` drafts of this contract in the run (their retainer
        credit is taken first)."""
        drawn = [0.0, 0.0]
        for _contract, vals, _billed in earlier:
            for command in vals["invoice_line_ids"]:
                line = command[2]
                if line.get("billing_retainer_kind") == "credit":
                    drawn[0] -= line["price_unit"]
                    drawn[1] -= line["billing_retainer_hours"]
        vals, billed = self._billing_prepare_draft(
            run, product, batch, late, period, held, tuple(drawn)
        )
        return self, vals, billed

    def _billing_close_invoiced_periods(self, periods, run):
        """Close the invoiced periods that ended (``periods`` by contract):
        time logged for them from now on is billed in the next period, as a
        late entry."""
        ended = {
            contract: group.filtered(
                lambda period: period.state == "open" and period.date_to <= run.date_to
            )
            for contract, group in periods.items()
        }
        ended = {contract: group for contract, group in ended.items() if group}
        if not ended:
            return
        with pipeline_write():
            self.env["time.billing.period"].union(*ended.values()).write(
                {"state": "closed", "closed_date": fields.Datetime.now()}
            )
        self.browse([contract.id for contract in ended])._message_log_batch(
            {
                contract.id: self.env._(
                    "Billing periods closed by invoicing: %(periods)s. Time logged "
                    "for them from now on is billed in the next period.",
                    periods=", ".join(group.mapped("display_name")),
                )
                for contract, group in ended.items()
            }
        )

    def _billing_periods_to_invoice(self, run):
        """The billing periods ``run`` may invoice, by contract: ended by its
        date (started, for a manual run that includes the current period).
        A fixed fee is billed for every period, with or without time: its
        periods are created as needed. Periods with a live invoice are the
        caller's to leave out."""
        Period = self.env["time.billing.period"].sudo()
        days = []
        for contract in self.filtered(lambda c: c.billing_mode in FIXED_FEE_MODES):
            last_day = run.date_to
            if contract.date_end:
                last_day = min(last_day, contract.date_end)
            day = contract.date_start
            while day <= last_day:
                first, last = contract._billing_period_bounds(day)
                days.append((contract, first))
                if last >= last_day:
                    break
                day = fields.Date.add(last, days=1)
        if days:
            Period._get_for_dates(days)
        periods = Period.search(
            [("contract_id", "in", self.ids), ("date_from", "<=", run.date_to)],
            order="date_from",
        ).filtered(
            lambda period: period.date_to <= run.date_to or run.include_current_period
        )
        by_contract = periods.grouped("contract_id")
        return {contract: by_contract.get(contract, Period) for contract in self}

    def _billing_lines_to_invoice(self, run):
        """Time of these contracts up to the run's date that no invoice bills,
        by contract: approved (to invoice), waiting or in exception (to
        report)."""
        lines = (
            self.env["account.analytic.line"]
            .sudo()
            .search_fetch(
                [
                    ("billing_contract_id", "in", self.ids),
                    ("billing_invoice_line_id", "=", False),
                    ("billing_state", "in", ("approved", "to_approve", "exception")),
                    ("date", "<=", run.date_to),
                ],
                # The lines at once: drafting reads them contract by
                # contract, and a write reads more of them (sale_timesheet).
                None,
                order="date, id",
            )
        )
        # What the invoice lines are named after, for all contracts at once.
        lines.project_id.fetch(["name", "account_id"])
        lines.task_id.fetch(["name"])
        return lines.grouped("billing_contract_id")
