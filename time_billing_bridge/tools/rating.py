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

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
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


@dataclass(frozen=True)
class RatingRun:
    ratings: list
    #: Consumption after the last entry (retainer alerts, gauges).
    usage: Usage


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


class _Rater:
    """Prices entries one after the other, carrying the usage along."""

    def __init__(self, terms: Terms, rows, usage: Usage, holidays):
        self.terms = terms
        self.rows = list(rows)
        self.usage = usage
        self.holidays = holidays or {}
        self.step = to_decimal(terms.currency_rounding)
        self.discount = to_decimal(terms.discount)

    def rate(self, entry: Entry) -> Rating:
        if not entry.billable:
            return self._not_billed(entry, Note("non_billable_source"))
        if self.terms.billing_mode == "fixed":
            return self._not_billed(entry, Note("fixed_fee"))
        choice = resolve_rate(self.rows, entry, self.terms.default_rate)
        if not choice.billable:
            return self._not_billed(
                entry, Note("non_billable_row", self._row_params(choice.row))
            )
        notes = [self._rate_note(choice)]
        minutes = billable_minutes(
            entry.hours,
            self.terms.rounding_increment,
            self.terms.rounding_method,
            self.terms.minimum_minutes,
        )
        notes += self._rounding_notes(entry, minutes)
        parts, multiplier_notes = self._split(entry, minutes)
        notes += multiplier_notes
        amount = self._net(_price(parts, choice.rate, minutes))
        if self.discount:
            notes.append(Note("discount", {"percent": self.discount}))
        hold = None
        if self.terms.has_cap:
            minutes, amount, hold, cap_note = self._apply_cap(
                entry, parts, choice.rate, minutes, amount
            )
            notes += cap_note
        if self.terms.has_retainer:
            retainer_hold, retainer_note = self._apply_retainer(minutes, amount)
            hold = hold or retainer_hold
            notes += retainer_note
        hours = minutes / SIXTY
        self.usage.daily[entry.employee_id, entry.date] += hours
        self.usage.weekly[entry.employee_id, _monday(entry.date)] += hours
        return Rating(
            id=entry.id,
            billable=True,
            hours=hours,
            rate=choice.rate,
            amount=amount,
            notes=tuple(notes),
            hold=hold,
            row_id=choice.row.id if choice.row else None,
        )

    # -- steps -------------------------------------------------------------

    def _not_billed(self, entry, note):
        return Rating(entry.id, False, ZERO, ZERO, ZERO, (note,))

    @staticmethod
    def _row_params(row: RateRow):
        return {
            "label": row.label,
            "date_from": row.date_from,
            "date_to": row.date_to,
            "level": row.level,
        }

    def _rate_note(self, choice: RateChoice) -> Note:
        if choice.row is None:
            return Note("rate_default", {"rate": choice.rate})
        return Note("rate_row", {"rate": choice.rate, **self._row_params(choice.row)})

    def _rounding_notes(self, entry, minutes):
        raw = to_decimal(entry.hours)
        if raw <= 0:
            return [Note("zero_duration")]
        hours = minutes / SIXTY
        raw_minutes = billable_minutes(raw)
        if minutes == raw_minutes:
            return []
        rounded = billable_minutes(
            raw, self.terms.rounding_increment, self.terms.rounding_method
        )
        code = "minimum" if minutes > rounded else "rounding"
        return [
            Note(
                code,
                {
                    "raw": raw_minutes / SIXTY,
                    "hours": hours,
                    "increment": self.terms.rounding_increment,
                    "method": self.terms.rounding_method,
                    "minimum": self.terms.minimum_minutes,
                },
            )
        ]

    def _day_multiplier(self, entry):
        """Multiplier of the entry's day, with the note that explains it."""
        terms = self.terms
        options = []
        if entry.date in self.holidays.get(entry.calendar, ()):
            options.append((to_decimal(terms.holiday_multiplier), "holiday"))
        if entry.date.weekday() >= 5:
            options.append((to_decimal(terms.weekend_multiplier), "weekend"))
        options = [o for o in options if o[0] != 1]
        if not options:
            return Decimal(1), None
        multiplier, code = max(options, key=lambda o: o[0])
        return multiplier, Note(code, {"multiplier": multiplier})

    def _split(self, entry, minutes):
        """Split the entry into normal and overtime minutes, with multipliers."""
        day_multiplier, day_note = self._day_multiplier(entry)
        notes = [day_note] if day_note else []
        terms = self.terms
        overtime = ZERO
        if terms.has_overtime and minutes:
            hours = minutes / SIXTY
            daily = _excess(
                self.usage.daily[entry.employee_id, entry.date],
                hours,
                to_decimal(terms.overtime_daily_hours),
            )
            weekly = _excess(
                self.usage.weekly[entry.employee_id, _monday(entry.date)],
                hours,
                to_decimal(terms.overtime_weekly_hours),
            )
            overtime = max(daily, weekly) * SIXTY
            overtime_multiplier = max(
                day_multiplier, to_decimal(terms.overtime_multiplier)
            )
            if overtime and overtime_multiplier != day_multiplier:
                notes.append(
                    Note(
                        "overtime",
                        {
                            "multiplier": overtime_multiplier,
                            "hours": overtime / SIXTY,
                            "per": "day" if daily >= weekly else "week",
                            "limit": to_decimal(
                                terms.overtime_daily_hours
                                if daily >= weekly
                                else terms.overtime_weekly_hours
                            ),
                        },
                    )
                )
            else:
                overtime = ZERO
        parts = [(minutes - overtime, day_multiplier)]
        if overtime:
            parts.append((overtime, overtime_multiplier))
        return parts, notes

    def _net(self, gross: Decimal) -> Decimal:
        if self.discount:
            gross = gross * (HUNDRED - self.discount) / HUNDRED
        return round_money(gross, self.step)

    def _apply_cap(self, entry, parts, rate, minutes, amount):
        """Apply the cap; return (minutes, amount, hold, notes)."""
        terms = self.terms
        key = entry.period_start if terms.cap_scope == "period" else None
        cap = to_decimal(terms.cap_value)
        used = self.usage.cap[key]
        in_hours = terms.cap_type == "hours"
        value = minutes / SIXTY if in_hours else amount
        params = {
            "cap": cap,
            "unit": terms.cap_type,
            "scope": terms.cap_scope,
            "used": used,
        }
        if used + value <= cap:
            self.usage.cap[key] = used + value
            return minutes, amount, None, []
        if terms.cap_action == "write_off":
            allowed = max(cap - used, ZERO)
            if in_hours:
                billed_minutes = min(minutes, allowed * SIXTY)
                billed_amount = self._net(_price(parts, rate, billed_minutes))
                written_off = (minutes - billed_minutes) / SIXTY
            else:
                billed_minutes = minutes
                billed_amount = min(amount, allowed)
                written_off = amount - billed_amount
            self.usage.cap[key] = used + min(value, allowed)
            note = Note(
                "cap_write_off",
                {**params, "written_off": written_off, "whole": not allowed},
            )
            return billed_minutes, billed_amount, note, [note]
        self.usage.cap[key] = used + value
        code = "cap_hold_reached" if used >= cap else "cap_hold_crossing"
        note = Note(code, params)
        return minutes, amount, note, [note]

    def _apply_retainer(self, minutes, amount):
        """Consume the retainer; return (hold, notes)."""
        terms = self.terms
        size = to_decimal(terms.retainer_size)
        value = minutes / SIXTY if terms.retainer_unit == "hours" else amount
        used = self.usage.retainer
        self.usage.retainer = used + value
        params = {
            "size": size,
            "unit": terms.retainer_unit,
            "used": self.usage.retainer,
            "beyond": min(max(used + value - size, ZERO), value),
        }
        if used + value <= size:
            return None, [Note("retainer", params)]
        if terms.retainer_exhausted_action == "stop":
            note = Note("retainer_stop", params)
            return note, [note]
        return None, [Note("retainer_flag", params)]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def rate_entries(
    entries: Iterable[Entry],
    terms: Terms,
    rows: Iterable[RateRow] = (),
    usage: Usage | None = None,
    holidays: Mapping[Hashable, set] | None = None,
) -> RatingRun:
    """Price ``entries`` under ``terms`` and the rate card ``rows``.

    ``usage`` is what time outside ``entries`` already consumed (it is not
    modified); ``holidays`` maps a calendar key (see :attr:`Entry.calendar`)
    to the set of its public holiday dates. Entries are priced in
    chronological order (date, then id); ratings come back in that order.
    """
    rater = _Rater(terms, rows, usage.clone() if usage else Usage(), holidays)
    ordered = sorted(entries, key=lambda e: (e.date, e.id))
    ratings = [rater.rate(entry) for entry in ordered]
    return RatingRun(ratings, rater.usage)
