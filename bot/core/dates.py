"""Peru's time zone and the one way the project writes a date for citizens ("1 dic 2026").

Peru has kept UTC-5 without daylight saving since 1994, so a fixed offset needs no tz database.
Every module that turns an instant into a Peruvian day, or a day into words, uses this one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

LIMA = timezone(timedelta(hours=-5), "America/Lima")
MONTHS = {
    "es": "ene feb mar abr may jun jul ago sep oct nov dic".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}


def lima_day(value: date | datetime) -> date:
    """The calendar day in Lima: an instant at 22:00 in Lima is that day, not the next one in UTC."""
    return value.astimezone(LIMA).date() if isinstance(value, datetime) else value


def lima_now() -> datetime:
    return datetime.now(LIMA)


def format_day(value: date | datetime, lang: str) -> str:
    """"1 dic 2026" / "1 Dec 2026": short enough for a phone, unambiguous in both languages."""
    day = lima_day(value)
    months = MONTHS["en" if lang == "en" else "es"]
    return f"{day.day} {months[day.month - 1]} {day.year}"


def format_moment(value: date | datetime, lang: str) -> str:
    """A day, plus the Lima clock time when `value` has one ("25 oct 2022, 09:00")."""
    text = format_day(value, lang)
    if isinstance(value, datetime):
        text += f", {value.astimezone(LIMA):%H:%M}"
    return text
