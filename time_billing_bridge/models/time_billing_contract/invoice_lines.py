# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a contract's invoice holds: its values, its lines from the priced time
(grouped, named, priced, with the projects' analytic distribution), and the
amounts of the time matched to Odoo's rounding of each line. Which periods
and which time an invoice run takes is ``invoicing.py``."""

import uuid
from decimal import Decimal

from odoo import Command, api, models
from odoo.tools import float_round
from odoo.tools.misc import format_amount, format_date

from ...const import FIXED_FEE_MODES
from ...tools.invoicing import Item, group_items, multiplier, spread
from ...tools.rating import to_decimal


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    def _billing_prepare_draft(
        self, run, product, batch, late, period, held=None, drawn=(0, 0)
    ):
        """``(invoice values, billed)``: the draft invoice of ``period`` billing
        ``batch`` (``[(period, approved lines)]``) and the ``late`` lines, and
        ``[(billing key, lines, late)]`` for each of its lines that bills time.
        ``held`` (time held for review, by period) and what caps wrote off are
        shown in notes, not billed. ``drawn`` is ``(amount, hours)`` of the
        retainer that earlier drafts of this run take."""
        held = held or {}
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
            line_vals += [
                Command.create(vals)
                for vals in self._prepare_unbilled_notes(approved, held.get(period))
            ]
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
            line_vals += [
                Command.create(vals) for vals in self._prepare_unbilled_notes(late)
            ]
        if self.billing_mode == "retainer":
            time = self.env["account.analytic.line"].union(
                *(lines for _key, lines, _late in billed)
            )
            credit = self._billing_retainer_credit(product, time, drawn)
            if credit:
                line_vals.append(Command.create(credit))
        return self._prepare_invoice(period, run, line_vals), billed

    @api.model
    def _billing_create_drafts(self, run, drafts):
        """Create the draft invoices ``[(contract, values, billed)]`` of
        ``run`` in one batch, put the time on their lines and match its
        amounts to Odoo's rounding; return the invoices."""
        if not drafts:
            return self.env["account.move"]
        Move = self.env["account.move"].sudo().with_company(run.company_id)
        # The sales journal Odoo would pick for each currency, found once.
        journals = {}
        for _contract, vals, _billed in drafts:
            if "journal_id" not in vals:
                currency = vals["currency_id"]
                if currency not in journals:
                    journals[currency] = (
                        Move.new({"move_type": "out_invoice", "currency_id": currency})
                        ._search_default_journal()
                        .id
                    )
                vals["journal_id"] = journals[currency]
        invoices = Move.create([vals for _contract, vals, _billed in drafts])
        for (contract, _vals, billed), invoice in zip(drafts, invoices, strict=True):
            by_key = {line.billing_key: line for line in invoice.invoice_line_ids}
            for key, lines, is_late in billed:
                lines._billing_put_on_invoice(by_key[key], late=is_late)
            contract._billing_match_rounding(run, invoice, billed, by_key)
        return invoices

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
            "billing_period_id": period.id or False,
            "billing_run_id": run.id or False,
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
        labels, items, factors = {}, [], {}
        discount = self.discount
        for line in lines:
            key = (line.billing_period_id, self._billing_invoice_group_key(line, jobs))
            if key not in labels:
                labels[key] = (
                    key[0].display_name or "",
                    self._billing_invoice_group_label(line, jobs),
                )
            rate, hours, amount = (
                line.billing_rate,
                line.billable_hours,
                line.billing_amount,
            )
            if (rate, hours, amount) not in factors:
                factors[rate, hours, amount] = multiplier(
                    rate, hours, amount, discount, step
                )
            items.append(
                Item(
                    id=line.id,
                    key=key,
                    rate=to_decimal(rate),
                    hours=to_decimal(hours),
                    amount=to_decimal(amount),
                    multiplier=factors[rate, hours, amount],
                    late=late,
                    capped=bool(
                        line.billing_written_off_amount
                        and not line.billing_written_off_hours
                    ),
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
            if group.capped:
                name = self.env._("%(name)s, up to the cap", name=name)
            elif group.multiplier != 1:
                name = self.env._(
                    "%(name)s, ×%(factor)s",
                    name=name,
                    factor=format(group.multiplier.normalize(), "f"),
                )
            vals = {
                "product_id": product.id,
                "name": name,
                "quantity": float(group.hours),
                "price_unit": self._billing_price_unit(group, price_digits),
                "discount": self.discount,
                "billing_key": uuid.uuid4().hex,
            }
            distribution = self._billing_analytic_distribution(members)
            if distribution:
                vals["analytic_distribution"] = distribution
            result.append((vals, members))
        return result

    def _billing_price_unit(self, group, digits):
        """The unit price of a group's invoice line, before the discount.
        Time an amount cap cut down is billed at what the cap left, rounded
        down: the invoice never passes the cap."""
        if not group.capped:
            return float_round(float(group.price_unit), precision_digits=digits)
        price = group.price_unit
        if self.discount:
            price = price * 100 / (100 - to_decimal(self.discount))
        return float_round(
            float(price), precision_digits=digits, rounding_method="DOWN"
        )

    def _prepare_unbilled_notes(self, billed, held=None):
        """Note lines for what the invoice does not bill of a period's time:
        what a cap wrote off of the ``billed`` lines, and the ``held`` lines
        waiting for review (billed once approved)."""
        notes = []
        hours = sum(billed.mapped("billing_written_off_hours"))
        amount = sum(billed.mapped("billing_written_off_amount"))
        money = self.currency_id.round
        if money(amount) or hours:
            cap = self._billing_cap_label(
                {"cap": self.cap_value, "unit": self.cap_type, "scope": self.cap_scope}
            )
            if self.cap_type == "hours":
                text = self.env._(
                    "Not billed: %(hours)s over the cap of %(cap)s written off "
                    "(worth %(amount)s)",
                    hours=self._billing_format(hours, "hours"),
                    cap=cap,
                    amount=format_amount(self.env, amount, self.currency_id),
                )
            else:
                text = self.env._(
                    "Not billed: %(amount)s over the cap of %(cap)s written off",
                    amount=format_amount(self.env, amount, self.currency_id),
                    cap=cap,
                )
            notes.append({"display_type": "line_note", "name": text})
        if held:
            values = {
                "count": len(held),
                "hours": self._billing_format(
                    sum(held.mapped("billable_hours")), "hours"
                ),
                "amount": format_amount(
                    self.env, sum(held.mapped("billing_amount")), self.currency_id
                ),
            }
            if self.cap_action == "hold" and self._get_rating_terms().has_cap:
                text = self.env._(
                    "Not billed yet: %(count)s entries (%(hours)s, %(amount)s) "
                    "over the cap, held for review",
                    **values,
                )
            else:
                text = self.env._(
                    "Not billed yet: %(count)s entries (%(hours)s, %(amount)s) "
                    "beyond the retainer, held for review",
                    **values,
                )
            notes.append({"display_type": "line_note", "name": text})
        return notes

    def _billing_invoice_group_key(self, line, jobs):
        """What tells apart the invoice lines of a period, for ``line``."""
        grouping = self.invoice_grouping
        if grouping == "employee":
            return line.employee_id.id
        if grouping == "role":
            return jobs.get(line)
        if grouping == "day":
            return line.date
        if grouping == "entry":
            return line.id
        return line.project_id.id, line.task_id.id

    def _billing_invoice_group_label(self, line, jobs):
        """The name of the invoice line that bills ``line``, after its period."""
        grouping = self.invoice_grouping
        if grouping == "employee":
            return line.employee_id.name or ""
        if grouping == "role":
            return self.env["hr.job"].browse(jobs.get(line) or ()).name or self.env._(
                "No role"
            )
        if grouping == "day":
            return format_date(self.env, line.date)
        if grouping == "entry":
            return self.env._(
                "%(date)s, %(employee)s: %(description)s",
                date=format_date(self.env, line.date),
                employee=line.employee_id.name or "",
                description=line.name or "",
            )
        label = line.project_id.name or ""
        if line.task_id:
            label = f"{label} / {line.task_id.name}"
        return label

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
