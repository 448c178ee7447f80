# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Which payment reminder levels an unpaid invoice gets, over plain values.

A policy's levels are ranked (their order in the policy: the first level is
the mildest, the last the strongest). For one invoice on one day:

1. each level falls due on a date: its base (the invoice date or the due
   date) plus its delay in days (:func:`level_due_date`);
2. a level already handled for the invoice (sent, or skipped) is never looked
   at again: each level is sent at most once per invoice;
3. a reminder never goes back down: only levels ranked above the highest
   level already sent are *eligible*; the others are skipped when they fall
   due (e.g. a level added to the policy after a stronger one was sent);
4. among the eligible levels due today or earlier, the highest ranked is sent
   and the lower ones are skipped: a client whose invoice crossed several
   levels at once (the job did not run for weeks, the invoice is older than
   the policy) gets the one reminder that applies today, not three in one
   morning. This is what credit-control tools do.

The sending itself (e-mail, activity, SMS) and the records of what was sent
belong to the models; nothing here reads the database.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ReminderLevel:
    """One level of a policy: ``key`` identifies it (the level's id),
    ``rank`` orders the levels (higher is stronger)."""

    key: int
    rank: int
    delay_days: int
    base: str = "invoice_date"


@dataclass(frozen=True)
class ReminderPlan:
    """What one run does on one invoice: the level to send (or ``None``)
    and the levels to mark skipped."""

    send: int | None
    skip: tuple = ()


def level_due_date(level: ReminderLevel, invoice_date: date, due_date: date | None):
    """The day ``level`` falls due for an invoice dated ``invoice_date`` and
    due on ``due_date`` (the invoice date when it has no due date)."""
    if level.base == "due_date":
        start = due_date or invoice_date
    elif level.base == "invoice_date":
        start = invoice_date
    else:
        raise ValueError(f"Unknown reminder delay base {level.base!r}")
    return start + timedelta(days=level.delay_days)


def _eligible(levels, handled, sent):
    """The levels not handled yet and ranked above every level sent."""
    ranks = {level.key: level.rank for level in levels}
    top_sent = max((ranks[key] for key in sent if key in ranks), default=None)
    return [
        level
        for level in levels
        if level.key not in handled and (top_sent is None or level.rank > top_sent)
    ]


def plan_reminders(
    levels,
    *,
    invoice_date: date,
    due_date: date | None,
    handled,
    sent,
    today: date,
) -> ReminderPlan:
    """What to send and skip on ``today`` (see the module's rules).

    :param levels: the policy's :class:`ReminderLevel` objects
    :param handled: keys of the levels already sent or skipped
    :param sent: keys of the levels already sent (a subset of ``handled``)
    """
    due = [
        level
        for level in levels
        if level.key not in handled
        and level_due_date(level, invoice_date, due_date) <= today
    ]
    if not due:
        return ReminderPlan(None)
    eligible = {level.key for level in _eligible(levels, handled, sent)}
    sendable = [level for level in due if level.key in eligible]
    top = max(sendable, key=lambda level: (level.rank, level.key), default=None)
    skip = tuple(
        level.key
        for level in sorted(due, key=lambda level: (level.rank, level.key))
        if top is None or level.key != top.key
    )
    return ReminderPlan(top.key if top else None, skip)


def next_reminder(
    levels,
    *,
    invoice_date: date,
    due_date: date | None,
    handled,
    sent,
    today: date,
):
    """The next level the daily job will send and the day it will, as
    ``(key, day)``, or ``None`` when no level is left to send."""
    eligible = _eligible(levels, handled, sent)
    if not eligible:
        return None
    dates = {
        level.key: level_due_date(level, invoice_date, due_date) for level in eligible
    }
    day = max(min(dates.values()), today)
    due = [level for level in eligible if dates[level.key] <= day]
    top = max(due, key=lambda level: (level.rank, level.key))
    return top.key, day


def next_manual_level(levels, *, handled, sent):
    """The level a person sends now, ahead of its day: the mildest level not
    handled yet above the levels already sent, or ``None`` when every level
    was handled."""
    eligible = _eligible(levels, handled, sent)
    if not eligible:
        return None
    return min(eligible, key=lambda level: (level.rank, level.key)).key
