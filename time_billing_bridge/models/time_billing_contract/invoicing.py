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
3. drafts one invoice per period (or one for all of them, when the contract
   asks): a fixed fee once per period, then the approved time grouped as
   ``invoice_grouping`` says; approved time of periods already invoiced
   rides along on the first new invoice, labelled late;
4. links each timesheet line to the invoice line that bills it and makes
   the lines' amounts add up to Odoo's rounding of each invoice line;
5. closes the periods that ended, so that time logged for them later goes
   to the next period.

What it leaves out (time waiting for approval, exceptions, no product, a
closed contract) is recorded on the run.
"""

import uuid
from decimal import Decimal

from odoo import Command, fields, models
from odoo.tools import SQL, float_round
from odoo.tools.misc import format_amount, format_date

from ...tools.guard import pipeline_write
from ...tools.invoicing import Item, group_items, multiplier, spread
from ...tools.rating import to_decimal

# Billing modes whose invoices a run drafts.
INVOICED_MODES = ("hourly", "capped", "fixed", "mixed")
FIXED_FEE_MODES = ("fixed", "mixed")


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
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("billing_contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # One contract in one run
    # ------------------------------------------------------------------

    def _billing_invoice(self, run):
        """Draft this contract's invoices in ``run`` (see the module's
        docstring); runs as superuser in the contract's company."""
        self.ensure_one()
        contract = self.sudo()
        # A run that committed invoices for this contract after this
        # transaction began makes this fail to serialise (the request or the
        # job is retried, and the retry sees those invoices): not an error.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = %s FOR NO KEY UPDATE",
                SQL.identifier(self._table),
                contract.id,
            ),
            log_exceptions=False,
        )
        if contract.state == "closed":
            run._add_skip(contract, "closed_contract")
            return
        if contract.billing_mode not in INVOICED_MODES:
            run._add_skip(
                contract,
                "billing_mode",
                detail=self.env._(
                    "Retainer contracts are invoiced from the contract by hand."
                ),
            )
            return
        product = contract.product_id or contract.company_id.time_billing_product_id
        if not product:
            run._add_skip(
                contract,
                "no_product",
                detail=self.env._(
                    "Set the invoiced product on the contract or in the settings."
                ),
            )
            return
        periods = contract._billing_periods_to_invoice(run)
        lines = contract._billing_lines_to_invoice(run)
        late = lines.filtered(
            lambda line: line.billing_state == "approved"
            and line.billing_period_id not in periods
            and (
                line.billing_period_id._billing_has_invoice()
                or line.date < line.billing_period_id.date_from
            )
        )
        batches = []
        for period in periods:
            in_period = lines.filtered(
                lambda line, p=period: line.billing_period_id == p
            )
            approved = in_period.filtered(lambda line: line.billing_state == "approved")
            run._add_skip_lines(contract, period, in_period - approved)
            if approved or contract.billing_mode in FIXED_FEE_MODES:
                batches.append((period, approved))
            elif in_period == approved:
                run._add_skip(contract, "nothing", period=period)
        if not batches:
            # Late time alone waits for the next period's invoice, unless a
            # person runs invoicing (e.g. to bill again what a credit note
            # gave back).
            if late and run.trigger == "manual":
                contract._billing_draft_invoice(
                    run, product, [], late, late[-1].billing_period_id
                )
                contract.last_invoice_run_date = run.date
            return
        if contract.invoice_periods_together:
            invoices = [batches]
        else:
            invoices = [[batch] for batch in batches]
        for index, batch in enumerate(invoices):
            contract._billing_draft_invoice(
                run, product, batch, late if index == 0 else late.browse(), batch[-1][0]
            )
        contract.last_invoice_run_date = run.date
        contract._billing_close_invoiced_periods(
            self.env["time.billing.period"].union(*(period for period, _ in batches)),
            run,
        )

    def _billing_close_invoiced_periods(self, periods, run):
        """Close the invoiced periods that ended: time logged for them from
        now on is billed in the next period, as a late entry."""
        ended = periods.filtered(
            lambda period: period.state == "open" and period.date_to <= run.date_to
        )
        if not ended:
            return
        with pipeline_write():
            ended.write({"state": "closed", "closed_date": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Billing periods closed by invoicing: %(periods)s. Time logged for "
                "them from now on is billed in the next period.",
                periods=ended.mapped("display_name"),
            )
        )

    def _billing_periods_to_invoice(self, run):
        """The billing periods ``run`` invoices: ended by its date (started,
        for a manual run that includes the current period), without a live
        invoice. A fixed fee is billed for every period, with or without
        time: its periods are created as needed."""
        self.ensure_one()
        Period = self.env["time.billing.period"].sudo()
        last_day = run.date_to
        if self.date_end:
            last_day = min(last_day, self.date_end)
        if self.billing_mode in FIXED_FEE_MODES and self.date_start <= last_day:
            days, day = [], self.date_start
            while day <= last_day:
                first, last = self._billing_period_bounds(day)
                days.append((self, first))
                if last >= last_day:
                    break
                day = fields.Date.add(last, days=1)
            Period._get_for_dates(days)
        periods = Period.search(
            [("contract_id", "=", self.id), ("date_from", "<=", run.date_to)],
            order="date_from",
        )
        return periods.filtered(
            lambda period: (period.date_to <= run.date_to or run.include_current_period)
            and not period._billing_has_invoice()
        )

    def _billing_lines_to_invoice(self, run):
        """Time of this contract up to the run's date that no invoice bills:
        approved (to invoice), waiting or in exception (to report)."""
        return (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                [
                    ("billing_contract_id", "=", self.id),
                    ("billing_invoice_line_id", "=", False),
                    ("billing_state", "in", ("approved", "to_approve", "exception")),
                    ("date", "<=", run.date_to),
                ],
                order="date, id",
            )
        )

    def _billing_draft_invoice(self, run, product, batch, late, period):
        """Draft the invoice of ``period`` billing ``batch`` (``[(period,
        approved lines)]``) and the ``late`` lines; link its lines and put the
        time on them."""
        sections = len(batch) > 1 or (bool(late) and bool(batch))
        line_vals, billed = [], []
        for period, approved in batch:
            if sections:
                line_vals.append(
                    Command.create(
                        {"display_type": "line_section", "name": period.display_name}
                    )
                )
            if self.billing_mode in FIXED_FEE_MODES and self.fixed_amount:
                line_vals.append(
                    Command.create(self._prepare_fixed_fee_line(product, period))
                )
            for vals, lines in self._prepare_time_lines(product, approved):
                line_vals.append(Command.create(vals))
                billed.append((vals["billing_key"], lines, False))
        if late:
            if sections:
                line_vals.append(
                    Command.create(
                        {
                            "display_type": "line_section",
                            "name": self.env._("Late time from earlier periods"),
                        }
                    )
                )
            for vals, lines in self._prepare_time_lines(product, late, late=True):
                line_vals.append(Command.create(vals))
                billed.append((vals["billing_key"], lines, True))
        invoice = (
            self.env["account.move"]
            .sudo()
            .with_company(self.company_id)
            .create(self._prepare_invoice(period, run, line_vals))
        )
        by_key = {line.billing_key: line for line in invoice.invoice_line_ids}
        for key, lines, is_late in billed:
            lines._billing_put_on_invoice(by_key[key], late=is_late)
        self._billing_match_rounding(run, invoice, billed, by_key)
        return invoice

    def _prepare_invoice(self, period, run, line_vals):
        """Values of a draft invoice of this contract. Hook for extensions."""
        self.ensure_one()
        partner = self.partner_id
        invoice_address = partner.address_get(["invoice"])["invoice"]
        vals = {
            "move_type": "out_invoice",
            "partner_id": invoice_address,
            "currency_id": self.currency_id.id,
            "invoice_origin": self.reference or self.name,
            "billing_contract_id": self.id,
            "billing_period_id": period.id,
            "billing_run_id": run.id,
            "invoice_line_ids": line_vals,
        }
        if self.payment_term_id:
            vals["invoice_payment_term_id"] = self.payment_term_id.id
        return vals

    def _prepare_fixed_fee_line(self, product, period):
        return {
            "product_id": product.id,
            "name": self.env._(
                "%(period)s: fixed fee, %(contract)s",
                period=period.display_name,
                contract=self.name,
            ),
            "quantity": 1.0,
            "price_unit": self.fixed_amount,
            "billing_key": uuid.uuid4().hex,
        }

    def _prepare_time_lines(self, product, lines, late=False):
        """``[(invoice line values, timesheet lines)]``: ``lines`` grouped
        as ``invoice_grouping`` says, at one price each."""
        jobs = lines._billing_jobs() if self.invoice_grouping == "role" else {}
        step = self.currency_id.rounding
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        labels, items = {}, []
        for line in lines:
            key, label = self._billing_invoice_group(line, jobs)
            period = line.billing_period_id.display_name or ""
            key = (period, key)
            labels[key] = (period, label)
            items.append(
                Item(
                    id=line.id,
                    key=key,
                    rate=to_decimal(line.billing_rate),
                    hours=to_decimal(line.billable_hours),
                    amount=to_decimal(line.billing_amount),
                    multiplier=multiplier(
                        line.billing_rate,
                        line.billable_hours,
                        line.billing_amount,
                        self.discount,
                        step,
                    ),
                    late=late,
                )
            )
        result = []
        groups = group_items(items)
        # Groups of one key at several rates (a rate card line for one task):
        # their rate tells them apart.
        split = {
            key
            for key in {group.key for group in groups}
            if len({g.rate for g in groups if g.key == key}) > 1
        }
        for group in groups:
            period, label = labels[group.key]
            if group.key in split:
                label = self.env._(
                    "%(label)s at %(rate)s",
                    label=label,
                    rate=self._billing_format(group.rate, "amount"),
                )
            members = lines.browse([item.id for item in group.items])
            if late:
                name = self.env._(
                    "%(period)s (late): %(label)s", period=period, label=label
                )
            else:
                name = self.env._("%(period)s: %(label)s", period=period, label=label)
            if group.multiplier != 1:
                name = self.env._(
                    "%(name)s, ×%(factor)s",
                    name=name,
                    factor=format(group.multiplier.normalize(), "f"),
                )
            vals = {
                "product_id": product.id,
                "name": name,
                "quantity": float(group.hours),
                "price_unit": float_round(
                    float(group.price_unit), precision_digits=price_digits
                ),
                "discount": self.discount,
                "billing_key": uuid.uuid4().hex,
            }
            distribution = self._billing_analytic_distribution(members)
            if distribution:
                vals["analytic_distribution"] = distribution
            result.append((vals, members))
        return result

    def _billing_invoice_group(self, line, jobs):
        """``(key, label)`` of the invoice line that bills ``line``."""
        grouping = self.invoice_grouping
        if grouping == "employee":
            return line.employee_id.id, line.employee_id.name or ""
        if grouping == "role":
            job = self.env["hr.job"].browse(jobs.get(line) or ())
            return job.id, job.name or self.env._("No role")
        if grouping == "day":
            return line.date, format_date(self.env, line.date)
        if grouping == "entry":
            return line.id, self.env._(
                "%(date)s, %(employee)s: %(description)s",
                date=format_date(self.env, line.date),
                employee=line.employee_id.name or "",
                description=line.name or "",
            )
        label = line.project_id.name or ""
        if line.task_id:
            label = f"{label} / {line.task_id.name}"
        return (line.project_id.id, line.task_id.id), label

    def _billing_analytic_distribution(self, lines):
        """The analytic distribution of the projects of ``lines``, in
        proportion to their amounts."""
        weights = {}
        for line in lines:
            account = line.project_id.account_id
            if account:
                weights[account.id] = weights.get(account.id, 0.0) + (
                    line.billing_amount or line.billable_hours
                )
        total = sum(weights.values())
        if not total:
            return {}
        shares = {
            str(key): round(100.0 * value / total, 2) for key, value in weights.items()
        }
        # The rounding of the shares goes to the largest one.
        largest = max(shares, key=shares.get)
        shares[largest] = round(shares[largest] + 100.0 - sum(shares.values()), 2)
        return shares

    def _billing_match_rounding(self, run, invoice, billed, by_key):
        """Make the amounts of the time on each invoice line add up to the
        line as Odoo computed it (its rounding of the whole line can differ
        from the sum of the lines' own rounding by a few cents)."""
        step = to_decimal(self.currency_id.rounding)
        for key, lines, _late in billed:
            invoice_line = by_key[key]
            tax_included = any(tax.price_include for tax in invoice_line.tax_ids)
            target = to_decimal(
                invoice_line.price_total
                if tax_included
                else invoice_line.price_subtotal
            )
            amounts = {line.id: to_decimal(line.billing_amount) for line in lines}
            difference = target - sum(amounts.values(), Decimal(0))
            if not difference:
                continue
            hours = sum(to_decimal(line.billable_hours) for line in lines)
            tolerance = step * (len(lines) + 1) + Decimal("0.005") * hours
            if abs(difference) > tolerance:
                run._add_skip(
                    self,
                    "rounding",
                    period=invoice.billing_period_id,
                    detail=self.env._(
                        "%(line)s on %(invoice)s is %(invoiced)s, its time %(priced)s",
                        line=invoice_line.name,
                        invoice=invoice.name or "/",
                        invoiced=format_amount(
                            self.env, float(target), self.currency_id
                        ),
                        priced=format_amount(
                            self.env, float(sum(amounts.values())), self.currency_id
                        ),
                    ),
                    lines=lines,
                )
                continue
            for line_id, amount in spread(amounts, target, step).items():
                line = lines.browse(line_id)
                note = self.env._(
                    "%(note)s; %(change)s to the invoice line's rounding",
                    note=line.billing_note or "",
                    change=f"{amount - amounts[line_id]:+}",
                )
                line._billing_write(
                    {"billing_amount": float(amount), "billing_note": note}
                )
