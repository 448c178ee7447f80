# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rules that price one entry: rounding, rate resolution, money."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .values import (
    LEVEL_RANK,
    ROUNDING_MODES,
    SIXTY,
    ZERO,
    Entry,
    RateChoice,
    RateRow,
    to_decimal,
)


def round_money(value, step) -> Decimal:
    """Round ``value`` to a multiple of ``step`` (half away from zero).

    ``step`` is the currency's rounding (0.01, 1.0 for JPY, 0.05 for a
    cash-rounded currency). Same convention as ``odoo.tools.float_round``.
    """
    value, step = to_decimal(value), to_decimal(step)
    if step <= 0:
        return value
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def billable_minutes(hours, increment=0, method="up", minimum=0) -> Decimal:
    """Billable minutes of an entry of ``hours`` raw hours.

    The raw duration is first read to the whole second, so float noise
    (10 minutes typed as 0.16666666 h) cannot push an entry to the next
    increment. A duration of zero (or less) bills zero, whatever the minimum.
    """
    seconds = (to_decimal(hours) * 3600).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if seconds <= 0:
        return ZERO
    minutes = seconds / SIXTY
    if increment and increment > 0:
        steps = (seconds / (Decimal(increment) * SIXTY)).quantize(
            Decimal(1), rounding=ROUNDING_MODES[method]
        )
        minutes = steps * Decimal(increment)
    return max(minutes, Decimal(minimum or 0))


def resolve_rate(rows: Iterable[RateRow], entry: Entry, default_rate) -> RateChoice:
    """Pick the rate card line that prices ``entry``.

    Among the lines matching the entry and valid on its date, the most
    specific level wins (employee + task > employee > role > task / product >
    default line); inside a level, the line setting more criteria, then the
    latest ``date_from`` (an open start counts as the earliest), then the
    lowest sequence, then the oldest line. Without a match, the contract's
    default rate applies.
    """
    candidates = [r for r in rows if r.valid_on(entry.date) and r.matches(entry)]
    if not candidates:
        return RateChoice(to_decimal(default_rate), True, None)
    winner = min(
        candidates,
        key=lambda r: (
            LEVEL_RANK[r.level],
            -r.specificity,
            -(r.date_from or date.min).toordinal(),
            r.sequence,
            r.id,
        ),
    )
    return RateChoice(to_decimal(winner.rate), winner.billable, winner)


def _excess(used: Decimal, added: Decimal, limit: Decimal) -> Decimal:
    """Part of ``added`` beyond ``limit`` when ``used`` is already consumed."""
    if limit <= 0:
        return ZERO
    return min(max(used + added - limit, ZERO), added)


def _price(parts, rate: Decimal, minutes: Decimal) -> Decimal:
    """Gross amount of the first ``minutes`` of an entry split in ``parts``.

    ``parts`` is an ordered list of ``(minutes, multiplier)``: normal time
    first, overtime last.
    """
    total, left = ZERO, minutes
    for part_minutes, multiplier in parts:
        taken = min(part_minutes, left)
        total += taken * multiplier
        left -= taken
    return total * rate / SIXTY
