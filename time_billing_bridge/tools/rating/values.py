# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What goes in and out of the rating engine: a contract's terms and rate
card, the entries, what earlier time consumed, and the prices with their
notes. Money and hours are Decimals; floats are read through ``str()``."""

from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
SIXTY = Decimal(60)

#: Rate card levels, most specific first.
LEVELS = ("employee_task", "employee", "role", "task", "default")
LEVEL_RANK = {level: rank for rank, level in enumerate(LEVELS)}

ROUNDING_MODES = {
    "up": ROUND_CEILING,
    "nearest": ROUND_HALF_UP,
    "down": ROUND_FLOOR,
}


def to_decimal(value) -> Decimal:
    """Return ``value`` as a Decimal; floats are read through their repr."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value or 0))


@dataclass(frozen=True)
class RateRow:
    """One line of a rate card. Unset criteria (None) match anything."""

    id: int
    rate: Decimal | float
    billable: bool = True
    employee_id: int | None = None
    job_id: int | None = None
    task_id: int | None = None
    product_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sequence: int = 10
    label: str = ""

    @property
    def level(self) -> str:
        if self.employee_id and self.task_id:
            return "employee_task"
        if self.employee_id:
            return "employee"
        if self.job_id:
            return "role"
        if self.task_id or self.product_id:
            return "task"
        return "default"

    @property
    def specificity(self) -> int:
        """How many criteria the line sets (breaks ties inside a level)."""
        return sum(
            bool(x)
            for x in (self.employee_id, self.job_id, self.task_id, self.product_id)
        )

    def valid_on(self, day: date) -> bool:
        """Both ends are inclusive: a line valid to D applies on D."""
        return (self.date_from is None or self.date_from <= day) and (
            self.date_to is None or day <= self.date_to
        )

    def matches(self, entry: "Entry") -> bool:
        return all(
            wanted is None or wanted == actual
            for wanted, actual in (
                (self.employee_id, entry.employee_id),
                (self.job_id, entry.job_id),
                (self.task_id, entry.task_id),
                (self.product_id, entry.product_id),
            )
        )


@dataclass(frozen=True)
class Entry:
    """A time entry to price. ``hours`` is the raw duration."""

    id: int
    date: date
    hours: Decimal | float
    employee_id: int | None = None
    job_id: int | None = None
    task_id: int | None = None
    product_id: int | None = None
    #: False when the time tracker says the entry is not billable.
    billable: bool = True
    #: First day of the entry's billing period (per-period caps).
    period_start: date | None = None
    #: Key of the holiday calendar that applies to the entry's person.
    calendar: Hashable = None


@dataclass(frozen=True)
class Terms:
    """The billing terms of a contract, as plain values."""

    default_rate: Decimal | float = 0
    billing_mode: str = "hourly"
    weekend_multiplier: Decimal | float = 1
    holiday_multiplier: Decimal | float = 1
    overtime_daily_hours: Decimal | float = 0
    overtime_weekly_hours: Decimal | float = 0
    overtime_multiplier: Decimal | float = 1
    rounding_increment: int = 0
    rounding_method: str = "up"
    minimum_minutes: int = 0
    discount: Decimal | float = 0
    cap_type: str = "none"
    cap_scope: str = "contract"
    cap_value: Decimal | float = 0
    cap_action: str = "hold"
    retainer_size: Decimal | float = 0
    retainer_unit: str = "hours"
    retainer_exhausted_action: str = "flag"
    currency_rounding: Decimal | float = Decimal("0.01")

    @property
    def has_retainer(self) -> bool:
        return self.billing_mode == "retainer" and to_decimal(self.retainer_size) > 0

    @property
    def has_cap(self) -> bool:
        return self.cap_type in ("hours", "amount") and to_decimal(self.cap_value) > 0

    @property
    def has_overtime(self) -> bool:
        return to_decimal(self.overtime_multiplier) != 1 and (
            to_decimal(self.overtime_daily_hours) > 0
            or to_decimal(self.overtime_weekly_hours) > 0
        )

    @property
    def is_sequential(self) -> bool:
        """Whether an entry's price depends on the entries priced before it."""
        return self.has_cap or self.has_retainer or self.has_overtime


@dataclass
class Usage:
    """What earlier time consumed, updated as entries are priced.

    - ``cap``: hours or amount (per the cap type) by period start, or under
      the key None for a whole-contract cap;
    - ``retainer``: hours or amount (per the retainer unit);
    - ``daily`` / ``weekly``: billable hours by (person, day) and by
      (person, Monday of the week), for overtime.
    """

    cap: dict = field(default_factory=lambda: defaultdict(Decimal))
    retainer: Decimal = ZERO
    daily: dict = field(default_factory=lambda: defaultdict(Decimal))
    weekly: dict = field(default_factory=lambda: defaultdict(Decimal))

    def clone(self) -> "Usage":
        return Usage(
            cap=defaultdict(Decimal, self.cap),
            retainer=self.retainer,
            daily=defaultdict(Decimal, self.daily),
            weekly=defaultdict(Decimal, self.weekly),
        )


@dataclass(frozen=True)
class Note:
    """One reason in a line's billing note: a code and its parameters."""

    code: str
    params: Mapping = field(default_factory=dict)


@dataclass(frozen=True)
class RateChoice:
    rate: Decimal
    billable: bool
    row: RateRow | None


@dataclass(frozen=True)
class Rating:
    """The price of one entry."""

    id: int
    billable: bool
    hours: Decimal
    rate: Decimal
    amount: Decimal
    notes: tuple = ()
    #: Set when the line must wait for a person: held at the cap, retainer
    #: exhausted with ``stop``, or part of it written off.
    hold: Note | None = None
    row_id: int | None = None
    #: What a cap with ``write_off`` took off: the hours not billed (hours
    #: caps) and the amount they, or the excess over an amount cap, were worth.
    written_off_hours: Decimal = ZERO
    written_off_amount: Decimal = ZERO


@dataclass(frozen=True)
class RatingRun:
    ratings: list
    #: Consumption after the last entry (retainer alerts, gauges).
    usage: Usage
