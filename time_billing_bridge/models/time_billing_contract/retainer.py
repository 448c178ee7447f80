# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoicing a retainer: top-ups and the credit that draws them down.

A retainer's prepaid block is billed by a top-up invoice. Each period's
invoice bills the time hourly, then a retainer credit line (negative) takes
off what the prepaid balance still covers. The balance is what posted
top-ups bring in less the credits drawn on posted invoices (credit notes of
either count the other way); credits on drafts are reserved, so that two
drafts never draw the same money. For a retainer in hours, the credit is the
price of the hours it covers, in date order.

When the contract asks for top-ups, a run drafts one once the balance is
used up (after drafting the period's invoice that uses it up).
"""

import uuid
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ...const import GROUP_USER
from ...tools.rating import to_decimal


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    retainer_topup = fields.Boolean(
        string="Invoice Top-Ups",
        help="An invoice run drafts a top-up invoice of the retainer block once "
        "the prepaid balance is used up.",
    )
    retainer_prepaid_amount = fields.Monetary(
        string="Prepaid Balance",
        currency_field="currency_id",
        compute="_compute_retainer_prepaid",
        help="Top-ups invoiced and posted, less the retainer credits drawn on "
        "invoices (drafts included: their credit is reserved).",
    )
    retainer_prepaid_hours = fields.Float(
        string="Prepaid Hours", compute="_compute_retainer_prepaid"
    )

    @api.depends("invoice_ids.state", "invoice_ids.invoice_line_ids")
    def _compute_retainer_prepaid(self):
        for contract in self:
            amount, hours = contract._origin._billing_retainer_balance()
            contract.retainer_prepaid_amount = float(amount)
            contract.retainer_prepaid_hours = float(hours)

    def _billing_retainer_balance(self):
        """``(amount, hours)`` of prepaid retainer left: posted top-ups less
        the credits of posted and draft invoices."""
        if not self.id:
            return Decimal(0), Decimal(0)
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("move_id.billing_contract_id", "=", self.id),
                    ("move_id.state", "!=", "cancel"),
                    ("billing_retainer_kind", "!=", False),
                ]
            )
        )
        amount = hours = Decimal(0)
        for line in lines:
            if line.move_id.state != "posted" and line.billing_retainer_kind == "topup":
                continue
            sign = -1 if line.move_id.move_type == "out_refund" else 1
            amount += sign * to_decimal(line.price_subtotal)
            hours += sign * to_decimal(line.billing_retainer_hours)
        return amount, hours

    def _billing_retainer_credit(self, product, lines, drawn=(0, 0)):
        """Values of the credit line drawing the prepaid balance down for
        the time ``lines`` bill, or ``None`` when nothing is left. ``drawn``
        is ``(amount, hours)`` that drafts not created yet take first."""
        self.ensure_one()
        amount_left, hours_left = self._billing_retainer_balance()
        amount_left -= to_decimal(drawn[0])
        hours_left -= to_decimal(drawn[1])
        in_hours = self.retainer_unit == "hours"
        total = sum((to_decimal(line.billing_amount) for line in lines), Decimal(0))
        if in_hours:
            drawn_hours = Decimal(0)
            credit = Decimal(0)
            for line in lines.sorted(lambda line: (line.date, line.id)):
                if drawn_hours >= hours_left:
                    break
                hours = to_decimal(line.billable_hours)
                take = min(hours, hours_left - drawn_hours)
                drawn_hours += take
                if hours:
                    credit += to_decimal(line.billing_amount) * take / hours
            credit = credit.quantize(to_decimal(self.currency_id.rounding))
            left = hours_left - drawn_hours
            text = self.env._(
                "Retainer: %(drawn)s drawn, %(left)s left",
                drawn=self._billing_format(drawn_hours, "hours"),
                left=self._billing_format(left, "hours"),
            )
        else:
            drawn_hours = Decimal(0)
            credit = min(amount_left, total)
            text = self.env._(
                "Retainer: %(drawn)s drawn, %(left)s left",
                drawn=self._billing_format(credit, "amount"),
                left=self._billing_format(amount_left - credit, "amount"),
            )
        if credit <= 0:
            return None
        return {
            "product_id": product.id,
            "name": text,
            "quantity": 1.0,
            "price_unit": -float(credit),
            "billing_key": uuid.uuid4().hex,
            "billing_retainer_kind": "credit",
            "billing_retainer_hours": -float(drawn_hours),
        }

    def _billing_retainer_topup(self, run, product):
        """Draft a top-up invoice when this retainer's prepaid balance is
        used up and the contract asks for top-ups; return it."""
        self.ensure_one()
        if self.billing_mode != "retainer" or not self.retainer_topup:
            return self.env["account.move"]
        amount, hours = self._billing_retainer_balance()
        used_up = hours <= 0 if self.retainer_unit == "hours" else amount <= 0
        if not used_up or self._billing_draft_topups():
            return self.env["account.move"]
        return self._billing_draft_topup(run, product)

    def _billing_draft_topups(self):
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("billing_contract_id", "=", self.id),
                    ("state", "=", "draft"),
                    ("invoice_line_ids.billing_retainer_kind", "=", "topup"),
                ]
            )
        )

    def _billing_draft_topup(self, run, product):
        in_hours = self.retainer_unit == "hours"
        size = to_decimal(self.retainer_size)
        price = size * to_decimal(self.default_rate) if in_hours else size
        line = {
            "product_id": product.id,
            "name": self.env._(
                "Retainer top-up: %(block)s, %(contract)s",
                block=self._billing_format(size, self.retainer_unit),
                contract=self.name,
            ),
            "quantity": 1.0,
            "price_unit": float(price),
            "billing_key": uuid.uuid4().hex,
            "billing_retainer_kind": "topup",
            "billing_retainer_hours": float(size) if in_hours else 0.0,
        }
        vals = self._prepare_invoice(self.env["time.billing.period"], run, [])
        vals["invoice_line_ids"] = [fields.Command.create(line)]
        return (
            self.env["account.move"].sudo().with_company(self.company_id).create(vals)
        )

    def action_invoice_retainer_topup(self):
        """Draft a top-up invoice of the retainer block now (button)."""
        self.ensure_one()
        if not (self.env.su or self.env.user.has_group(GROUP_USER)):
            raise AccessError(self.env._("Only billing staff can invoice top-ups."))
        if self.billing_mode != "retainer":
            raise UserError(self.env._("Only a retainer contract has top-ups."))
        product = self.product_id or self.company_id.time_billing_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Set the invoiced product on the contract or in the settings."
                )
            )
        invoice = self.sudo()._billing_draft_topup(
            self.env["time.billing.invoice.run"], product
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice.id,
            "view_mode": "form",
        }
