"""When each Congress sits: from noon Eastern on 3 January of the year after its election (20th Amendment)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")


def congress_start(congress: int) -> datetime:
    """When a Congress begins, as aware UTC: the 120th at 2027-01-03 17:00 UTC."""
    year = 1789 + 2 * (congress - 1)
    return datetime.combine(date(year, 1, 3), time(12), tzinfo=EASTERN).astimezone(UTC)


def congress_number(when: datetime | date) -> int:
    """The Congress in office at `when` (a naive datetime is taken as UTC; a date as its start in Washington):
    the 120th from noon Eastern on 3 January 2027."""
    if not isinstance(when, datetime):
        when = datetime.combine(when, time(0), tzinfo=EASTERN)
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    year = when.year if when.year % 2 == 1 else when.year - 1
    number = (year - 1789) // 2 + 1
    return number if when >= congress_start(number) else number - 1
