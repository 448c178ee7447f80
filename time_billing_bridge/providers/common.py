# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Small pure helpers shared by the provider mappers.

Nothing here talks HTTP or touches the ORM: values in, values out.
"""

import math
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .base import EntryError

UTC = timezone.utc

_ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)

# A wall-clock time: 24-hour ("14:30", "14:30:15") or 12-hour ("2:30pm",
# "2:30 p.m.").
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?\s*$", re.I)


class MalformedRecord(ValueError):
    """A provider record lacks a field or carries a value we cannot read."""


def require(record, *path):
    """Return ``record[path[0]][path[1]]...``; MalformedRecord when missing."""
    value = record
    for key in path:
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            raise MalformedRecord(f"missing {'.'.join(path)}")
        value = value[key]
    return value


def ref(value):
    """External reference as a string ('' for None)."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\x00", "")


def text(value):
    """A provider's string, '' for anything else. NUL characters are
    dropped: they mean nothing in a name or a description, and PostgreSQL
    cannot store them."""
    return value.replace("\x00", "") if isinstance(value, str) else ""


def nested(record, *path):
    """``record[a][b]`` or None, tolerating missing or null levels."""
    value = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def parse_datetime(value, field_name="timestamp"):
    """ISO 8601 timestamp -> aware datetime (naive input is taken as UTC)."""
    if not isinstance(value, str) or not value:
        raise MalformedRecord(f"missing {field_name}")
    value = value.strip()
    if value[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat wants +00:00
        value = value[:-1] + "+00:00"
    try:
        result = datetime.fromisoformat(value)
    except ValueError as err:
        raise MalformedRecord(
            f"{field_name} {value!r} is not an ISO 8601 date-time"
        ) from err
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result


def to_naive_utc(value, field_name="timestamp"):
    """ISO 8601 timestamp (or None) -> naive UTC datetime, Odoo's convention."""
    if value in (None, ""):
        return None
    return parse_datetime(value, field_name).astimezone(UTC).replace(tzinfo=None)


def parse_date(value, field_name="date"):
    if not isinstance(value, str) or not value:
        raise MalformedRecord(f"missing {field_name}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError as err:
        raise MalformedRecord(
            f"{field_name} {value!r} is not a date (YYYY-MM-DD)"
        ) from err


def parse_moment(value):
    """ISO 8601 date-time -> datetime as written, or None when empty or
    unreadable: aware when the text carries an offset (or ``Z``), naive
    otherwise (the source's local wall-clock time)."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if value[-1:] in ("Z", "z"):  # Python 3.10's fromisoformat wants +00:00
        value = value[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def parse_clock(value):
    """Wall-clock time (``"14:30"``, ``"8:00am"``, ``"2:30 p.m."``) -> time,
    or None when unreadable."""
    match = _CLOCK.match(str(value or ""))
    if not match:
        return None
    hour, minute, second, meridiem = match.groups()
    hour = int(hour)
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem.lower().startswith("p") else 0)
    if hour > 23 or int(minute) > 59 or int(second or 0) > 59:
        return None
    return time(hour, int(minute), int(second or 0))


def parse_day(value):
    """Date at the start of ``value`` (``2026-03-02...``), or None."""
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def local_moment(day, clock):
    """Naive datetime of a local date and wall-clock time (text), or None."""
    day = parse_day(day) if day else None
    clock = parse_clock(clock)
    return datetime.combine(day, clock) if day and clock else None


def work_interval(start, end):
    """``(start, end)`` of a piece of work, or ``(None, None)``.

    Both must be known and of one kind (aware, or naive local time), the end
    after the start; otherwise the interval is unknown, not an error.
    """
    if start is None or end is None:
        return None, None
    if (start.tzinfo is None) != (end.tzinfo is None) or end <= start:
        return None, None
    return start, end


def timed_interval(start, seconds):
    """``work_interval`` of ``start`` and a positive number of seconds."""
    if (
        start is None
        or isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or seconds <= 0
    ):
        return None, None
    return work_interval(start, start + timedelta(seconds=seconds))


def local_interval(start_day, start_clock, end_day, end_clock):
    """Naive ``work_interval`` from a local start date, start and end clock
    times and, optionally, an end date (all text).

    Without an end date the work ends on its start date, or on the next day
    when the end clock is not after the start one (past midnight).
    """
    begin = local_moment(start_day, start_clock)
    end = parse_clock(end_clock)
    if begin is None or end is None:
        return None, None
    end_date = (parse_day(end_day) if end_day else None) or begin.date()
    finish = datetime.combine(end_date, end)
    if finish <= begin and not end_day:
        finish += timedelta(days=1)  # past midnight
    return work_interval(begin, finish)


def get_zone(tz_name):
    """ZoneInfo for an IANA name, or None when empty or unknown."""
    if not tz_name:
        return None
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_date(moment, tz_name=None):
    """Calendar date of an aware datetime.

    Without ``tz_name`` the date is read in the offset the source gave (the
    person's local time for Toggl reports). With it, the moment is first
    converted to that zone: for sources that only speak UTC.
    """
    zone = get_zone(tz_name)
    if zone is not None:
        moment = moment.astimezone(zone)
    return moment.date()


def parse_iso_duration(value):
    """ISO 8601 duration (``PT1H30M``, ``P1DT2H``, ``PT45.5S``) -> hours."""
    if not isinstance(value, str):
        raise MalformedRecord(f"duration {value!r} is not an ISO 8601 duration")
    match = _ISO_DURATION.match(value.strip())
    if not match or value.strip() in ("P", "PT"):
        raise MalformedRecord(f"duration {value!r} is not an ISO 8601 duration")
    parts = {key: float(val) for key, val in match.groupdict().items() if val}
    return (
        parts.get("days", 0.0) * 24
        + parts.get("hours", 0.0)
        + parts.get("minutes", 0.0) / 60
        + parts.get("seconds", 0.0) / 3600
    )


def seconds_to_hours(value, field_name="duration"):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedRecord(f"{field_name} {value!r} is not a number of seconds")
    return value / 3600.0


def number(value, field_name):
    """A finite JSON number (int/float, not bool) as float. Python's JSON
    reader accepts NaN and Infinity, which no duration can be."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedRecord(f"{field_name} {value!r} is not a number")
    try:
        value = float(value)
    except OverflowError:
        raise MalformedRecord(f"{field_name} is too large") from None
    if not math.isfinite(value):
        raise MalformedRecord(f"{field_name} {value!r} is not a number")
    return value


# The longest one entry can be, and the days it can be on: beyond them, a
# value is a mistake or an attack, not time worked.
MAX_ENTRY_HOURS = 24 * 31
EARLIEST_ENTRY_DATE = date(1970, 1, 1)


def check_plausible(entry):
    """``entry``, or MalformedRecord when its hours or its day cannot be
    time worked (a month of hours in one entry, a day next year)."""
    if entry.hours is not None and entry.hours > MAX_ENTRY_HOURS:
        raise MalformedRecord(
            f"{entry.hours:g} hours in one entry is more than a month of time"
        )
    latest = date.today() + timedelta(days=366)
    if entry.date and not EARLIEST_ENTRY_DATE <= entry.date <= latest:
        raise MalformedRecord(
            f"the date {entry.date.isoformat()} is not a day time can be logged on"
        )
    return entry


def map_records(records, to_entry, label, id_of=None):
    """Map provider records with ``to_entry``; bad ones become EntryError.

    Returns ``(entries, errors)``. ``to_entry`` may return None to skip a
    record on purpose (not an error). ``id_of(record)`` finds the external id
    of a record that cannot be mapped, when it is not at the top level.
    """
    entries, errors = [], []
    for record in records:
        try:
            entry = to_entry(record)
            if entry is not None:
                check_plausible(entry)
        except (MalformedRecord, KeyError, TypeError, ValueError) as err:
            errors.append(record_error(record, err, label, id_of=id_of))
            continue
        if entry is not None:
            entries.append(entry)
    return entries, errors


def record_error(record, err, label, id_of=None):
    """EntryError for ``record``, which ``err`` made unreadable."""
    external_id = ""
    if id_of is not None:
        try:
            external_id = ref(id_of(record))
        except (KeyError, TypeError, IndexError, AttributeError):
            external_id = ""
    elif isinstance(record, dict):
        id_keys = ("id", "tempoWorklogId", "_id")
        for key in id_keys:
            if record.get(key) not in (None, ""):
                external_id = ref(record[key])
                break
    if isinstance(err, ValueError):
        reason = str(err)
    else:
        reason = f"{type(err).__name__}: {err}"
    if external_id:
        message = f"{label} entry {external_id} cannot be read: {reason}."
    else:
        message = f"{label} sent an entry that cannot be read: {reason}."
    raw = record if isinstance(record, dict) else {"value": record}
    return EntryError(message=message, external_id=external_id, raw=raw)


def utc_iso(moment):
    """Aware or naive-UTC datetime -> ``2026-03-02T09:00:00Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + "Z"


def start_window(since, options, today=None):
    """Start date of the window re-read by sources without an updated filter.

    On an incremental run: ``since`` minus ``lookback_days`` (default 90). On
    the first run: ``options['start_date']`` when set, else None.
    """
    if since is not None:
        lookback = int(options.get("lookback_days", 90))
        return since.date() - timedelta(days=lookback)
    if options.get("start_date"):
        return parse_date(str(options["start_date"]), "start_date option")
    return None
