# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The rating engine: price time entries against a contract's terms.

Pure functions over plain values (no ORM, no environment): the models gather
records, turn them into the dataclasses below, call :func:`rate_entries` and
write the results back. Money and hours are computed with :class:`Decimal`;
floats coming in are read through ``str()`` so ``0.1`` stays ``0.1``.

Order of operations for one entry:

1. non-billable at the source, fixed-fee contract, or a winning rate card line
   that is not billable: the entry is not billed;
2. rate resolution (:func:`resolve_rate`): the most specific matching rate card
   line valid on the entry's date wins, else the contract's default rate;
3. rounding (:func:`billable_minutes`): the raw duration, to the second, is
   rounded to the increment (up, nearest or down), then raised to the minimum
   per entry. A zero duration bills zero: the minimum never turns nothing into
   something;
4. multipliers: weekend (Saturday, Sunday) or public holiday for the whole
   entry; overtime for the part of the entry beyond the daily or weekly limit
   of that person on that contract. Multipliers do not stack: each part of the
   entry gets the highest multiplier that applies to it;
5. discount: a percentage off the amount, then the amount is rounded once to
   the currency's rounding step;
6. cap (hours or amount, whole contract or per billing period): ``write_off``
   bills the entry up to the cap and writes the excess off on the same line;
   ``hold`` bills the whole entry but holds it for approval (the entry is never
   split into two timesheet lines);
7. retainer: the entry consumes the prepaid block; once the block is used up,
   ``flag`` keeps billing hourly with a note, ``stop`` holds the time for
   approval.

Caps, retainers and overtime depend on the time priced before: the caller
passes what settled time (approved, invoiced, or simply outside the batch)
already consumed as a :class:`Usage`, and entries are processed in
chronological order (date, then id).

Notes are returned as :class:`Note` codes with parameters, not as text, so the
caller can translate them.
"""

from .rater import rate_entries
from .rules import billable_minutes, resolve_rate, round_money
from .values import (
    LEVELS,
    Entry,
    Note,
    RateChoice,
    RateRow,
    Rating,
    RatingRun,
    Terms,
    Usage,
    to_decimal,
)

__all__ = [
    "LEVELS",
    "Entry",
    "Note",
    "RateChoice",
    "RateRow",
    "Rating",
    "RatingRun",
    "Terms",
    "Usage",
    "billable_minutes",
    "rate_entries",
    "resolve_rate",
    "round_money",
    "to_decimal",
]
