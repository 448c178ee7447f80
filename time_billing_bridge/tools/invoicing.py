# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Invoice lines from priced time, over plain values.

The invoice run turns each priced timesheet line into an :class:`Item` (its
grouping key, rate, effective multiplier, hours and amount), then:

1. :func:`group_items` gathers items that can share one invoice line: same
   grouping key (task, person, role, day or entry), same rate and same
   multiplier, late time apart. An invoice line bills its group's hours at
   the rate times the multiplier, less the contract's discount; time an
   amount cap cut down is grouped apart, at what it bills.
2. Once Odoo has computed the invoice (taxes, fiscal position, rounding
   method), :func:`spread` adjusts the group's amounts by the cents Odoo's
   rounding of the whole line differs from the sum of the lines' own
   rounding, so that every invoice line equals the sum of the priced time it
   bills.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .rating import to_decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Item:
    """One priced timesheet line, as the invoice sees it."""

    id: int
    key: Hashable
    rate: Decimal
    hours: Decimal
    amount: Decimal
    multiplier: Decimal = Decimal(1)
    late: bool = False
    #: Billed for less than its hours are worth (an amount cap took the rest).
    capped: bool = False


@dataclass
class Group:
    """The items billed by one invoice line."""

    key: Hashable
    rate: Decimal
    multiplier: Decimal
    late: bool
    capped: bool = False
    items: list = field(default_factory=list)

    @property
    def hours(self):
        return sum((item.hours for item in self.items), Decimal(0))

    @property
    def amount(self):
        return sum((item.amount for item in self.items), Decimal(0))

    @property
    def price_unit(self):
        if self.capped:
            return self.amount / self.hours if self.hours else Decimal(0)
        return self.rate * self.multiplier


def multiplier(rate, hours, amount, discount, step) -> Decimal:
    """The effective multiplier of a priced line: 1 for time billed at its
    rate, 1.5 for time billed at one and a half times its rate (weekend,
    holiday, overtime), to two decimals.

    ``amount`` is net of ``discount`` (percent) and rounded to ``step``.
    """
    rate, hours, amount = to_decimal(rate), to_decimal(hours), to_decimal(amount)
    gross = rate * hours * (1 - to_decimal(discount) / HUNDRED)
    if not gross or abs(amount - gross) <= to_decimal(step):
        return Decimal(1)
    return (amount / gross).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def group_items(items: Iterable[Item]) -> list[Group]:
    """Group items by (late, key, rate, multiplier), capped items apart, in
    the order they come."""
    groups = {}
    for item in items:
        multiplier = Decimal(1) if item.capped else item.multiplier
        signature = (item.late, item.capped, item.key, item.rate, multiplier)
        if signature not in groups:
            groups[signature] = Group(
                key=item.key,
                rate=item.rate,
                multiplier=multiplier,
                late=item.late,
                capped=item.capped,
            )
        groups[signature].items.append(item)
    return list(groups.values())


def spread(amounts: dict, target, step) -> dict:
    """New amounts, by id, that add up to ``target``.

    The difference between ``target`` and the sum of ``amounts`` is handed
    out ``step`` by ``step`` (a cent), the largest amounts first, so that no
    amount moves by more than one step more than another. Return only the
    amounts that change.
    """
    step = to_decimal(step)
    total = sum(amounts.values(), Decimal(0))
    difference = to_decimal(target) - total
    if not difference or not amounts or not step:
        return {}
    steps = int((abs(difference) / step).to_integral_value(rounding=ROUND_HALF_UP))
    sign = 1 if difference > 0 else -1
    order = sorted(amounts, key=lambda key: (-amounts[key], str(key)))
    moves = defaultdict(int)
    for index in range(steps):
        moves[order[index % len(order)]] += sign
    return {key: amounts[key] + count * step for key, count in moves.items()}
