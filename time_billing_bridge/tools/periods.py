# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Billing periods of a contract, as plain date arithmetic."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta


def period_bounds(
    day: date, billing_period: str, anchor: date, end: date | None = None
):
    """Return ``(first_day, last_day)`` of the billing period containing ``day``.

    - ``weekly``: ISO weeks, Monday to Sunday;
    - ``biweekly``: two-week blocks starting on the Monday of the week of
      ``anchor`` (the contract's start);
    - ``monthly``: calendar months;
    - ``milestone`` and ``manual``: one period from ``anchor`` to ``end``
      (``date.max`` for an open-ended contract): invoicing decides when it
      closes.

    Periods are clipped to ``[anchor, end]`` so the first and last period of an
    engagement do not reach outside it.
    """
    if billing_period == "weekly":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
    elif billing_period == "biweekly":
        origin = anchor - timedelta(days=anchor.weekday())
        blocks = (day - origin).days // 14
        first = origin + timedelta(days=14 * blocks)
        last = first + timedelta(days=13)
    elif billing_period == "monthly":
        first = day.replace(day=1)
        last = first + relativedelta(months=1, days=-1)
    elif billing_period in ("milestone", "manual"):
        first, last = anchor, end or date.max
    else:
        raise ValueError(f"Unknown billing period {billing_period!r}")
    return max(first, anchor), min(last, end) if end else last
