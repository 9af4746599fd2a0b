"""Read the dates real press-release feeds and pages write, which feedparser does not all understand.

Seen in congressional feeds: RFC 822 with US zone names (`Thu, 02 May 2013 11:27:00 EST`), House Drupal's
`Monday, April 15, 2013 - 2:23pm`, a three-digit day (`Thu, 113 Apr 2026`), ISO 8601 in pages' <meta>
and <time> tags, and plain `04/15/2013`. A text that holds no plausible date gives None, never a guess.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_HOUR = 3600
US_ZONES = {
    "EST": -5 * _HOUR,
    "EDT": -4 * _HOUR,
    "CST": -6 * _HOUR,
    "CDT": -5 * _HOUR,
    "MST": -7 * _HOUR,
    "MDT": -6 * _HOUR,
    "PST": -8 * _HOUR,
    "PDT": -7 * _HOUR,
    "AKST": -9 * _HOUR,
    "AKDT": -8 * _HOUR,
    "HST": -10 * _HOUR,
    "ET": -5 * _HOUR,
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
}
_YEAR = re.compile(r"\b(19|20)\d\d\b")
# A day as well as a year: a month name or a numeric date. "2013 Annual Report" names no day.
_DAY = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s|,|$)|\d{1,4}[/.-]\d{1,2}", re.I)
_DRUPAL_DASH = re.compile(r"(\d{4})\s+-\s+(\d)")  # "April 15, 2013 - 2:23pm": the dash is not a minus
# "Thu, 113 Apr 2026": a stray digit in the day. The weekday, when given, tells which two digits are right.
_LONG_DAY = re.compile(r"^(?P<wd>[A-Za-z]{3,9}),?\s+(?P<day>\d{3})\s+(?P<rest>[A-Za-z]{3,9}\.?\s+(?P<year>\d{4}).*)$")
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_abbr)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}


def _fix_long_day(text: str) -> str:
    found = _LONG_DAY.match(text.strip())
    if not found:
        return text
    digits, rest = found["day"], found["rest"]
    weekday = _WEEKDAYS.get(found["wd"][:3].lower())
    month = _MONTHS.get(rest[:3].lower())
    options = [digits[1:], digits[:2]]
    if weekday is not None and month is not None:
        for option in options:
            try:
                if date(int(found["year"]), month, int(option)).weekday() == weekday:
                    return f"{found['wd']}, {option} {rest}"
            except ValueError:
                continue
    return f"{found['wd']}, {options[0]} {rest}"


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _plausible(value: datetime | None, now: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = _aware(value)
    latest = (now or datetime.now(UTC)) + timedelta(days=2)
    return value if EARLIEST <= value <= latest else None


def parse_date(raw: str | None, now: datetime | None = None) -> datetime | None:
    """The moment a date text names, in UTC; None when it names none (or one before 1990 or in the future).
    A date without a time is taken as midnight UTC; a time without a zone as UTC."""
    text = " ".join((raw or "").split())[:200]
    if not text or not _YEAR.search(text) or not _DAY.search(text):
        return None
    text = _fix_long_day(text)
    try:
        return _plausible(parsedate_to_datetime(text), now)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    cleaned = _DRUPAL_DASH.sub(r"\1 \2", text)
    zones = {name: timezone(timedelta(seconds=offset)) for name, offset in US_ZONES.items()}
    try:
        parsed = dateutil_parser.parse(cleaned, tzinfos=zones, fuzzy=True, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    return _plausible(parsed, now)
