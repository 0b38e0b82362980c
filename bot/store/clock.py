"""Time as the store records it: UTC instants, days counted in Peru's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

# Peru has kept UTC-5 without daylight saving since 1994; a fixed offset needs no tz database.
PERU = timezone(timedelta(hours=-5), "America/Lima")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Sortable ISO text in UTC (string comparison = time comparison)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def peru_day(moment: datetime) -> date:
    """The calendar day in Peru: a question at 22:00 in Lima counts for that day, not the next."""
    return moment.astimezone(PERU).date()
