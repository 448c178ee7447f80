# Copyright 2026 time_billing_bridge contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Value parsing: numbers, hours, dates, times of day, yes/no, cell text.

Each parser raises ValueError with a message for the person who uploaded
the file; :mod:`.rows` gathers them into one error per row.
"""

import re
from datetime import date, datetime, time, timedelta

from .columns import _alias_key

_NUMBER = r"\d+(?:[.,]\d+)?"
_CLOCK_RE = re.compile(r"^(\d+):([0-5]?\d)(?::([0-5]?\d(?:[.,]\d+)?))?$")
_MIN_SEC_RE = re.compile(r"^(\d+):([0-5]\d)\s*min$")  # Toggl "classic": 47:06 min
_HOURS_UNIT_RE = re.compile(
    rf"^(?P<h>{_NUMBER})\s*(?:h|hr|hrs|hours?)\.?"
    r"(?:\s*(?P<m>\d+)\s*(?:m|mn|min|mins|minutes?)?\.?)?$"
)
_MINUTES_UNIT_RE = re.compile(rf"^(?P<m>{_NUMBER})\s*(?:m|mn|min|mins|minutes?)\.?$")
_ISO_DURATION_RE = re.compile(
    rf"^pt(?:(?P<h>{_NUMBER})h)?(?:(?P<m>{_NUMBER})m)?(?:(?P<s>{_NUMBER})s)?$"
)
_HHMM_LOOSE_RE = re.compile(r"^(\d+)\s*[.,h]\s*([0-5]\d)$")
_GROUPED_RE = {
    ",": re.compile(r"^\d{1,3}(?:,\d{3})+$"),
    ".": re.compile(r"^\d{1,3}(?:\.\d{3})+$"),
}


def parse_number(value, decimal_separator="auto") -> float:
    """Read ``1.5``, ``1,5``, ``1,234.5``, ``1.234,5``, ``1 234,5``, ``1'234.5``.

    Raises ValueError.
    """
    text = str(value).strip()
    for space in (" ", "\u00a0", "\u202f", "'", "\u2019"):
        text = text.replace(space, "")
    sign = 1
    if text[:1] in ("-", "\u2212", "+"):
        sign = -1 if text[0] != "+" else 1
        text = text[1:]
    if decimal_separator == "auto":
        commas, dots = text.count(","), text.count(".")
        if commas and dots:
            decimal_separator = "," if text.rindex(",") > text.rindex(".") else "."
        elif commas == 1:
            decimal_separator = ","
        elif commas > 1:
            decimal_separator = "."
        elif dots > 1:
            decimal_separator = ","
        else:
            decimal_separator = "."
    if not text:
        raise ValueError(f"{value!r} is not a number")
    thousands = "." if decimal_separator == "," else ","
    whole, _sep, fraction = text.partition(decimal_separator)
    if thousands in whole:
        if not _GROUPED_RE[thousands].match(whole):
            raise ValueError(f"{value!r} is not a number")
        whole = whole.replace(thousands, "")
    if not whole:
        whole = "0"
    if (
        not whole.isdigit()
        or (fraction and not fraction.isdigit())
        or (_sep and not fraction)
    ):
        raise ValueError(f"{value!r} is not a number")
    return sign * float(f"{whole}.{fraction or 0}")


def _hours_from_cell(value, epoch):
    """Hours of an XLSX cell that is not text, or None if it is text."""
    if isinstance(value, bool):
        raise ValueError(f"duration '{value}' is not a number of hours or h:mm")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    if isinstance(value, time):
        return value.hour + value.minute / 60 + value.second / 3600
    if isinstance(value, datetime):
        # A duration formatted [h]:mm comes back as a date near the epoch.
        from openpyxl.utils.datetime import to_excel

        return to_excel(value, epoch or datetime(1899, 12, 30)) * 24
    return None


def parse_hours(value, hours_format="auto", decimal_separator="auto", epoch=None):
    """Hours in ``value`` as a float; raise ValueError with a readable message.

    ``auto`` reads decimals (``1.5``, ``1,5``), clock durations (``1:30``,
    ``1:30:00``, Toggl's ``47:06 min``), units (``1h30``, ``1.5h``, ``90m``,
    ``90 min``) and ISO 8601 (``PT1H30M``).
    """
    hours = _hours_from_cell(value, epoch)
    text = "" if value is None else str(value).strip()
    if hours is None:
        if not text:
            raise ValueError("no duration")
        negative = text[:1] in ("-", "\u2212")
        hours = _parse_hours_text(
            text[1:].strip() if negative else text, hours_format, decimal_separator
        )
        if hours is None:
            raise ValueError(_hours_error(text, hours_format))
        if negative and hours:
            raise ValueError(f"duration '{text}' is negative")
    if hours < 0:
        raise ValueError(f"duration '{text}' is negative")
    return round(hours, 6)


def _hours_error(text, hours_format):
    if hours_format == "decimal":
        return f"duration '{text}' is not a decimal number of hours"
    if hours_format == "hh:mm":
        return f"duration '{text}' is not a duration in h:mm"
    return f"duration '{text}' is not a number of hours or h:mm"


def _parse_hours_text(text, hours_format, decimal_separator):
    """Hours in a non-negative text, or None if it is not a duration."""
    lowered = text.lower()
    match = _CLOCK_RE.match(lowered)
    if match and hours_format != "decimal":
        seconds = float((match.group(3) or "0").replace(",", "."))
        return int(match.group(1)) + int(match.group(2)) / 60 + seconds / 3600
    if hours_format == "hh:mm":
        match = _HHMM_LOOSE_RE.match(lowered)
        if match:
            return int(match.group(1)) + int(match.group(2)) / 60
        if lowered.isdigit():
            return float(lowered)
        return None
    if hours_format == "decimal":
        lowered = re.sub(r"\s*(?:h|hrs?|hours?)$", "", lowered)
        try:
            return parse_number(lowered, decimal_separator)
        except ValueError:
            return None
    return _parse_hours_auto(lowered, decimal_separator)


def _parse_hours_auto(lowered, decimal_separator):
    match = _MIN_SEC_RE.match(lowered)
    if match:
        return int(match.group(1)) / 60 + int(match.group(2)) / 3600
    match = _HOURS_UNIT_RE.match(lowered)
    if match:
        minutes = int(match.group("m") or 0)
        if minutes >= 60:
            return None
        return float(match.group("h").replace(",", ".")) + minutes / 60
    match = _MINUTES_UNIT_RE.match(lowered)
    if match:
        return float(match.group("m").replace(",", ".")) / 60
    match = _ISO_DURATION_RE.match(lowered)
    if match and any(match.groupdict().values()):
        parts = {
            k: float((v or "0").replace(",", ".")) for k, v in match.groupdict().items()
        }
        return parts["h"] + parts["m"] / 60 + parts["s"] / 3600
    try:
        return parse_number(lowered, decimal_separator)
    except ValueError:
        return None


_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?$", re.IGNORECASE)
_YMD_RE = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[t ,].*)?$", re.IGNORECASE)
_DMY_RE = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?:[t ,].*)?$", re.I)
_TEXT_DATE_FORMATS = (
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
    "%d-%b-%y",
)
_ORDER_LABELS = {"dmy": "day/month/year", "mdy": "month/day/year"}


def _date_parts(text):
    """(a, b, year, separator) of a dd/mm/yyyy-like text, or None."""
    match = _DMY_RE.match(text)
    if not match:
        return None
    year = int(match.group(4))
    if len(match.group(4)) == 2:
        year += 2000 if year < 70 else 1900
    return int(match.group(1)), int(match.group(3)), year, match.group(2)


def _is_date(year, month, day):
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _make_date(text, year, month, day, hint=""):
    if not 1900 <= year <= 2199:
        raise ValueError(f"date '{text}' is not a valid date")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"date '{text}' is not a valid date{hint}") from None


def parse_date(value, order="dmy", date_format="auto", epoch=None) -> date:
    """The date in ``value``; raise ValueError with a readable message.

    ``order`` (``dmy`` or ``mdy``) settles 03/04/2026; dates written with
    dots are always day first; ISO dates are always accepted.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value, epoch or datetime(1899, 12, 30)).date()
        except (ValueError, OverflowError, TypeError):
            raise ValueError(f"date '{value}' is not a valid date") from None
    text = "" if value is None else " ".join(str(value).split())
    if not text:
        raise ValueError("no date")
    match = _ISO_DATE_RE.match(text)
    if match:
        return _make_date(text, *(int(part) for part in match.groups()))
    if date_format in ("dmy", "mdy"):
        order = date_format
    elif date_format != "auto":
        try:
            return datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueError(
                f"date '{text}' does not match the date format {date_format}"
            ) from None
    match = _YMD_RE.match(text)
    if match:
        return _make_date(text, *(int(part) for part in match.groups()))
    parts = _date_parts(text)
    if parts:
        first, second, year, separator = parts
        if separator == "." or order == "dmy":
            day, month = first, second
        else:
            month, day = first, second
        hint = ""
        if separator != "." and _is_date(year, day, month):
            hint = (
                f" (dates in this file are read as {_ORDER_LABELS[order]}; "
                "change the date format of the column mapping if that is wrong)"
            )
        return _make_date(text, year, month, day, hint)
    cleaned = text.replace(",", "").replace(".", "")
    for pattern in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise ValueError(
        f"date '{text}' is not a valid date (expected e.g. 2026-03-31, 31/03/2026 "
        "or 31.03.2026)"
    )


_TIME_RE = re.compile(
    r"^(\d{1,2})(?:[:h.](\d{2}))?(?::(\d{2})(?:\.\d+)?)?\s*([ap])?\.?\s*(?:m\.?)?$"
)


def parse_time(value) -> time:
    """Time of day in ``value`` (10:00, 10:00:00, 3:00pm, 10h00, or the time of
    an ISO date-time); raise ValueError."""
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError("no time")
    candidate = text.lower()
    iso = re.match(r"^\d{4}-\d{2}-\d{2}[t ](.+?)(?:z|[+-]\d{2}:?\d{2})?$", candidate)
    if iso:
        candidate = iso.group(1)
    match = _TIME_RE.match(candidate)
    if match and (match.group(2) or match.group(4)):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        second = int(match.group(3) or 0)
        meridiem = match.group(4)
        if meridiem:
            if not 1 <= hour <= 12:
                match = None
            else:
                hour = hour % 12 + (12 if meridiem == "p" else 0)
        if match and hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise ValueError(f"time '{text}' is not a valid time of day")


_TRUE = {
    "yes", "y", "true", "t", "1", "x", "billable", "oui", "o", "vrai", "ja",
    "j", "wahr", "si", "s", "verdadero", "waar",
}  # fmt: skip
_FALSE = {
    "no", "n", "false", "f", "0", "non billable", "not billable", "non", "faux",
    "nein", "falsch", "falso", "nee", "onwaar",
}  # fmt: skip


def parse_bool(value) -> bool | None:
    """yes/no, true/false, 1/0 and a few translations; None when empty."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"'{value}' is not yes or no")
    if value is None:
        return None
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    text = _alias_key(text)  # Sí, Non-billable, "yes."
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{str(value).strip()}' is not yes or no")


def _text(value):
    """A cell as clean text (numbers without a useless .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return " ".join(str(value).split())


def _json_value(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value
