# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Pricing entries one after the other (steps 1 to 7 of the package's
docstring), carrying what they consume along: caps, retainer, overtime."""

from collections.abc import Hashable, Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal

from .rules import _excess, _price, billable_minutes, resolve_rate, round_money
from .values import (
    HUNDRED,
    SIXTY,
    ZERO,
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
        minutes_before = minutes
        if self.discount:
            notes.append(Note("discount", {"percent": self.discount}))
        hold = None
        written_off = (ZERO, ZERO)
        if self.terms.has_cap:
            minutes, billed, hold, cap_note = self._apply_cap(
                entry, parts, choice.rate, minutes, amount
            )
            written_off = ((minutes_before - minutes) / SIXTY, amount - billed)
            amount = billed
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
            written_off_hours=written_off[0],
            written_off_amount=written_off[1],
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
