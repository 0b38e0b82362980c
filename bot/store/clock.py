"""Time as the store records it: UTC instants, days counted in Peru's time zone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from bot.core.dates import LIMA

PERU = LIMA  # one Lima time zone for the whole project (bot/core/dates.py)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Sortable ISO text in UTC (string comparison = time comparison)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def peru_day(moment: datetime) -> date:
    """The calendar day in Peru: a question at 22:00 in Lima counts for that day, not the next."""
    return moment.astimezone(PERU).date()
