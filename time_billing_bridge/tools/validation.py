# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Checks a timesheet line must pass before it is billed, over plain values.

The model gathers the lines, their contracts and their neighbours, calls these
functions and turns the codes they return into translated messages.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MAX_HOURS_PER_DAY = 24.0
# Below one second a duration is zero: float noise of conversions, not work.
_ZERO_HOURS = 1.0 / 3600


def duration_issue(hours: float) -> str | None:
    """Return ``"zero"``, ``"negative"`` or ``"too_long"`` for an unbillable
    duration in hours, ``None`` when it can be billed."""
    if hours < -_ZERO_HOURS:
        return "negative"
    if hours < _ZERO_HOURS:
        return "zero"
    if hours > MAX_HOURS_PER_DAY + _ZERO_HOURS:
        return "too_long"
    return None


@dataclass(frozen=True)
class ContractSpan:
    """What validation needs to know of a contract: its name and dates."""

    key: int
    name: str
    date_start: date
    date_end: date | None = None
    closed: bool = False


def coverage_gap(day: date, spans: Iterable[ContractSpan]):
    """Explain why none of the contracts of a project bills ``day``.

    Return ``(kind, span)`` for the contract the person most likely meant:

    - ``("closed", span)``: its dates include ``day`` but it is closed;
    - ``("ends", span)``: it ended before ``day`` (the latest such end);
    - ``("starts", span)``: it starts after ``day`` (the earliest such start);

    the nearer in time of the last two wins, an ended contract on a tie.
    ``None`` when there is no contract at all.
    """
    spans = list(spans)
    closed = [
        s
        for s in spans
        if s.closed and s.date_start <= day and (not s.date_end or day <= s.date_end)
    ]
    if closed:
        return "closed", closed[0]
    ended = [s for s in spans if s.date_end and s.date_end < day]
    starting = [s for s in spans if s.date_start > day]
    best = None
    if ended:
        span = max(ended, key=lambda s: s.date_end)
        best = ((day - span.date_end).days, 0, "ends", span)
    if starting:
        span = min(starting, key=lambda s: s.date_start)
        candidate = ((span.date_start - day).days, 1, "starts", span)
        best = min(best, candidate, key=lambda c: c[:2]) if best else candidate
    return best[2:] if best else None


def fit_bounds(first: date, last: date, day: date, existing: Iterable[tuple]):
    """Shrink the period ``[first, last]`` around ``day`` so that it does not
    overlap the ``(date_from, date_to)`` periods that already exist.

    Periods are created on demand; when a contract changes its billing period
    the new rhythm starts where the existing periods stop.
    """
    for date_from, date_to in existing:
        if date_to < day and date_to >= first:
            first = date_to + timedelta(days=1)
        if date_from > day and date_from <= last:
            last = date_from - timedelta(days=1)
    return first, last


def duplicate_key(employee_id, day: date, hours: float, description: str | None):
    """What makes two entries the same work: person, date, duration to the
    minute and description (case and spacing ignored)."""
    text = " ".join((description or "").split()).casefold()
    return employee_id, day, round(hours * 60), text


def find_duplicates(checked: Iterable[tuple], in_place: Iterable[tuple]) -> dict:
    """Find the entries that repeat work already received from another source.

    ``checked`` and ``in_place`` hold ``(line_id, key, source)`` triples, the
    key from :func:`duplicate_key`, the source being whatever tells two time
    sources apart (a backend, or Odoo itself). ``in_place`` are the lines
    already billed normally; ``checked`` are validated now, in id order, each
    one joining ``in_place`` when it is not a duplicate.

    Return ``{line_id: original_line_id}``, the original being the oldest
    matching line of another source. Two lines of the same source are never
    duplicates of each other: people do repeat identical entries.
    """
    by_key = defaultdict(list)
    for line_id, key, source in in_place:
        by_key[key].append((line_id, source))
    duplicates = {}
    for line_id, key, source in sorted(checked, key=lambda item: item[0]):
        originals = [oid for oid, osource in by_key[key] if osource != source]
        if originals:
            duplicates[line_id] = min(originals)
        else:
            by_key[key].append((line_id, source))
    return duplicates


def overlapping(intervals: Iterable[tuple]) -> dict:
    """Return ``{id: [ids it overlaps]}`` for ``(id, start, end)`` intervals.

    Intervals touching end to start do not overlap.
    """
    items = sorted(intervals, key=lambda item: item[1])
    result = defaultdict(list)
    for index, (item_id, start, end) in enumerate(items):
        for other_id, other_start, other_end in items[index + 1 :]:
            if other_start >= end:
                break
            if other_end > start:
                result[item_id].append(other_id)
                result[other_id].append(item_id)
    return {key: sorted(value) for key, value in result.items()}


def _parse_moment(text) -> datetime | None:
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    if text[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat wants +00:00
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def entry_interval(start_text, end_text) -> tuple | None:
    """Start and end of an imported entry, when its source recorded them.

    ``start_text`` and ``end_text`` are the ISO 8601 texts stored on the
    staging entry (``source_start``, ``source_end``; False when empty).
    Return ``(start, end)``: timezone-aware when the texts carry a UTC
    offset, naive otherwise, and then the person's local wall-clock time.
    ``None`` when either is empty or unreadable, when one is aware and the
    other naive, or when the end is not after the start.
    """
    start, end = _parse_moment(start_text), _parse_moment(end_text)
    if start is None or end is None:
        return None
    if (start.tzinfo is None) != (end.tzinfo is None) or end <= start:
        return None
    return start, end
