# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The text of billing notes: the rating engine explains each price with
codes and values (``tools/rating.py``, ``Note``); this turns them into
sentences in the user's language, amounts in the contract's currency.
"""

from decimal import Decimal

from odoo import models
from odoo.tools.misc import format_amount, format_date, format_duration


def format_multiplier(value):
    """``1.5`` as "×1.5", ``2.0`` as "×2": the stored float, as written."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return f"×{text}"


class TimeBillingContract(models.Model):
    _inherit = "time.billing.contract"

    def _billing_format(self, value, unit):
        """``value`` as hours ("01:30 h", as the lists show them) or as an
        amount in the contract's currency, as the user's language writes it."""
        if unit == "hours":
            return self.env._("%(hours)s h", hours=format_duration(value))
        return format_amount(self.env, float(value), self.currency_id)

    def _billing_validity(self, params):
        start, end = params.get("date_from"), params.get("date_to")
        if start and end:
            return self.env._(
                " (valid %(start)s to %(end)s)",
                start=format_date(self.env, start),
                end=format_date(self.env, end),
            )
        if start:
            start = format_date(self.env, start)
            return self.env._(" (valid from %(start)s)", start=start)
        if end:
            return self.env._(" (valid until %(end)s)", end=format_date(self.env, end))
        return ""

    def _billing_cap_label(self, params):
        cap = self._billing_format(params["cap"], params["unit"])
        if params["scope"] == "period":
            return self.env._("%(cap)s per billing period", cap=cap)
        return cap

    def _billing_note_text(self, notes):
        """Translate the rating notes of a line into its billing note."""
        return "; ".join(self._billing_note_part(note) for note in notes)

    def _billing_note_part(self, note):  # noqa: C901 - one branch per code
        self.ensure_one()
        p = note.params
        code = note.code

        def money(value):
            return self._billing_format(value, "amount")

        def hours(value):
            return self._billing_format(value, "hours")

        def unit(value, key="unit"):
            return self._billing_format(value, p[key])

        def factor(value):
            return format(Decimal(value).normalize(), "f")

        if code == "rate_default":
            return self.env._("Rate %(rate)s (contract default)", rate=money(p["rate"]))
        if code == "rate_row":
            return self.env._(
                "Rate %(rate)s from '%(line)s'%(validity)s",
                rate=money(p["rate"]),
                line=p["label"],
                validity=self._billing_validity(p),
            )
        if code == "non_billable_row":
            return self.env._(
                "Not billable: rate card line '%(line)s'%(validity)s",
                line=p["label"],
                validity=self._billing_validity(p),
            )
        if code == "non_billable_source":
            return self.env._("Not billable: marked so in the time tracker")
        if code == "fixed_fee":
            return self.env._("Not billed by the hour: covered by the fixed fee")
        if code == "zero_duration":
            return self.env._("Zero duration: nothing to bill")
        if code == "minimum":
            return self.env._(
                "%(raw)s raw billed as %(hours)s (%(minimum)s-minute minimum)",
                raw=hours(p["raw"]),
                hours=hours(p["hours"]),
                minimum=p["minimum"],
            )
        if code == "rounding":
            values = {
                "raw": hours(p["raw"]),
                "hours": hours(p["hours"]),
                "increment": p["increment"],
            }
            if p["method"] == "up":
                return self.env._(
                    "%(raw)s rounded up to %(hours)s (%(increment)s-minute steps)",
                    **values,
                )
            if p["method"] == "down":
                return self.env._(
                    "%(raw)s rounded down to %(hours)s (%(increment)s-minute steps)",
                    **values,
                )
            return self.env._(
                "%(raw)s rounded to %(hours)s (nearest %(increment)s minutes)",
                **values,
            )
        if code == "weekend":
            return self.env._(
                "Weekend %(factor)s", factor=format_multiplier(p["multiplier"])
            )
        if code == "holiday":
            return self.env._(
                "Public holiday %(factor)s",
                factor=format_multiplier(p["multiplier"]),
            )
        if code == "overtime":
            values = {
                "factor": format_multiplier(p["multiplier"]),
                "hours": hours(p["hours"]),
                "limit": hours(p["limit"]),
            }
            if p["per"] == "day":
                return self.env._(
                    "Overtime %(factor)s on %(hours)s (beyond %(limit)s a day)",
                    **values,
                )
            return self.env._(
                "Overtime %(factor)s on %(hours)s (beyond %(limit)s a week)",
                **values,
            )
        if code == "discount":
            return self.env._("Discount %(percent)s%%", percent=factor(p["percent"]))
        if code == "cap_write_off":
            if p["whole"]:
                return self.env._(
                    "Cap of %(cap)s reached before this entry: all of it "
                    "written off (%(written_off)s)",
                    cap=self._billing_cap_label(p),
                    written_off=unit(p["written_off"]),
                )
            return self.env._(
                "Crosses the cap of %(cap)s (%(used)s used before): billed up "
                "to the cap, %(written_off)s written off",
                cap=self._billing_cap_label(p),
                used=unit(p["used"]),
                written_off=unit(p["written_off"]),
            )
        if code == "cap_hold_crossing":
            return self.env._(
                "Crosses the cap of %(cap)s (%(used)s used before): held as a "
                "whole for approval",
                cap=self._billing_cap_label(p),
                used=unit(p["used"]),
            )
        if code == "cap_hold_reached":
            return self.env._(
                "Cap of %(cap)s already reached: held for approval",
                cap=self._billing_cap_label(p),
            )
        if code == "retainer":
            return self.env._(
                "Retainer: %(used)s of %(size)s used",
                used=unit(p["used"]),
                size=unit(p["size"]),
            )
        if code == "retainer_flag":
            return self.env._(
                "Retainer of %(size)s used up: %(beyond)s beyond it billed hourly",
                size=unit(p["size"]),
                beyond=unit(p["beyond"]),
            )
        if code == "retainer_stop":
            return self.env._(
                "Retainer of %(size)s used up: held for approval (%(beyond)s "
                "beyond it)",
                size=unit(p["size"]),
                beyond=unit(p["beyond"]),
            )
        return code
