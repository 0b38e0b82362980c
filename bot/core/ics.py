"""An event as an iCalendar file (RFC 5545) that any calendar app imports, in Lima time.

Timed events carry TZID=America/Lima and the matching VTIMEZONE; all-day events are DATE values
with the exclusive end day RFC 5545 asks for. Built with the `icalendar` library.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.core.models import Entry

LIMA_ZONE = ZoneInfo("America/Lima")
PRODID = "-//Asistente gob.pe//eventos//ES"


def _value(moment: date | datetime) -> date | datetime:
    return moment.astimezone(LIMA_ZONE) if isinstance(moment, datetime) else moment


def event_ics(entry: Entry, lang: str, now: datetime) -> bytes:
    """The `.ics` bytes for a dated event; raises ValueError for one whose date is to be announced."""
    if entry.starts is None:
        raise ValueError(f"event {entry.id} has no date yet")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", f"{entry.id}@asistente-gobpe")
    event.add("dtstamp", now)
    event.add("summary", entry.title.get(lang))
    # ORGANIZER needs an address the data does not have: the organiser's name goes in the description.
    organizer = f"\n{entry.institution}" if entry.institution else ""
    event.add("description", f"{entry.summary.get(lang)}{organizer}\n\n{entry.url}")
    event.add("url", entry.url)
    place = ", ".join(p for p in (entry.location.get(lang) if entry.location else "", entry.region) if p)
    if place:
        event.add("location", place)
    start = _value(entry.starts)
    end = _value(entry.ends) if entry.ends is not None else None
    if isinstance(start, datetime):
        event.add("dtstart", start)
        if isinstance(end, datetime) and end > start:
            event.add("dtend", end)
        else:  # a timed start with a date (or no) end: it lasts until the end of that day
            last = end if isinstance(end, date) and not isinstance(end, datetime) else start.date()
            event.add("dtend", datetime.combine(last + timedelta(days=1), datetime.min.time(), LIMA_ZONE))
    else:
        last = end.date() if isinstance(end, datetime) else (end or start)
        event.add("dtstart", start)
        event.add("dtend", max(last, start) + timedelta(days=1))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def ics_filename(entry: Entry) -> str:
    return f"{entry.id}.ics"
