"""Event queries: upcoming events soonest first (Lima time), filtered by region, modality and period.

Past events are never listed as upcoming; a query that finds no upcoming event says so and names
the latest past ones that fit ("se realizó el …"). A free-text question is an event query only when
it asks for a list and nothing else ("eventos en Cusco", "eventos virtuales", "what events are
coming up"): a question about one event ("cuándo es el próximo encuentro…") is matched like any
other question and answered by that event's entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.dates import LIMA, format_moment, lima_day
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry
from bot.core.normalize import fold
from bot.core.render import LABELS, event_status, event_when

MAX_LISTED = 10
MAX_PAST = 3
TRIGGERS = frozenset("evento eventos event events conferencia conferencias".split())
FILLERS = frozenset(
    """
    hay habra que cuales son los las el la lo de del en a al por para y o con mi mis tu region departamento
    proximo proximos proxima proximas siguiente siguientes futuro futuros vienen viene publico publicos
    todos todas ver lista listar muestrame mostrar dime quiero saber tienen tiene algun algunos alguna
    hola porfa gracias
    what which are is there any the of in at for my show me list all next upcoming coming up soon future
    public please do you have near
    """.split()
)
MODALITY_WORDS = {
    "virtual": "virtual", "virtuales": "virtual", "online": "virtual", "en linea": "virtual",
    "presencial": "presencial", "presenciales": "presencial", "in person": "presencial",
    "hibrido": "hibrido", "hibridos": "hibrido", "hibrida": "hibrido", "hybrid": "hibrido",
}  # fmt: skip
PERIOD_WORDS = {
    "este mes": "month", "this month": "month", "del mes": "month",
    "esta semana": "week", "this week": "week",
    "proximo mes": "next_month", "mes que viene": "next_month", "next month": "next_month",
    "este ano": "year", "this year": "year",
}  # fmt: skip
_PHRASES = re.compile(
    r"\b("
    + "|".join(re.escape(p) for p in sorted([*MODALITY_WORDS, *PERIOD_WORDS], key=len, reverse=True))
    + r")\b"
)


@dataclass(frozen=True)
class EventQuery:
    """What a citizen asked to list; every filter is optional."""

    region: str | None = None  # department id
    modality: str | None = None  # virtual, presencial, hibrido
    period: str | None = None  # week, month, next_month, year


@dataclass(frozen=True)
class EventListing:
    upcoming: tuple[Entry, ...]  # dated ones soonest first, then those to be announced
    past: tuple[Entry, ...]  # only when nothing upcoming fits: the latest past ones that do


def parse_event_query(text: str, kb: KnowledgeBase) -> EventQuery | None:
    """The listing a message asks for, or None when it is not (only) a request to list events."""
    folded = fold(text)
    if TRIGGERS.isdisjoint(folded.split()):  # most messages name no event; what follows only removes words
        return None
    region = kb.regions.find(folded)
    if region is not None:
        department = kb.regions.departments[region]
        spellings = sorted({fold(a) for a in (department.name, department.capital, *department.aliases)}, key=len)
        for spelling in reversed(spellings):
            folded = re.sub(rf"\b{re.escape(spelling)}\b", " ", folded)
    modality = period = None
    for phrase in _PHRASES.findall(folded):
        modality = MODALITY_WORDS.get(phrase, modality)
        period = PERIOD_WORDS.get(phrase, period)
    rest = _PHRASES.sub(" ", folded).split()
    if not any(word in TRIGGERS for word in rest):
        return None
    if any(word not in TRIGGERS and word not in FILLERS for word in rest):
        return None
    return EventQuery(region, modality, period)


def _period(period: str, today: date) -> tuple[date, date]:
    if period == "week":
        monday = today - timedelta(days=today.weekday())
        return today, monday + timedelta(days=6)
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    if period == "month":
        return today, next_month - timedelta(days=1)
    if period == "next_month":
        return next_month, (next_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return today, date(today.year, 12, 31)


def _fits(entry: Entry, query: EventQuery, kb: KnowledgeBase, today: date) -> bool:
    if query.region is not None:
        place = kb.regions.of_place(entry.region)
        if place is not None and place != query.region:
            return False
        if place is None and fold(entry.region) != "nacional":
            return False
    if query.modality is not None and entry.modality != query.modality:
        return False
    if query.period is not None:
        if entry.starts is None:
            return False
        first, last = _period(query.period, today)
        end = lima_day(entry.ends) if entry.ends is not None else lima_day(entry.starts)
        if lima_day(entry.starts) > last or end < first:
            return False
    return True


def find_events(
    kb: KnowledgeBase, query: EventQuery, now: datetime | None = None, limit: int | None = MAX_LISTED
) -> EventListing:
    """Upcoming and ongoing events that fit, soonest first, then to-be-announced ones (at most `limit`;
    None for all); past ones only when nothing upcoming fits, most recent first."""
    now = now or datetime.now(LIMA)
    today = now.astimezone(LIMA).date()
    fitting = [e for e in kb.events() if _fits(e, query, kb, today)]
    dated = sorted(
        (e for e in fitting if e.starts is not None and event_status(e, now) in ("upcoming", "ongoing")),
        key=lambda e: (_moment(e), e.id),
    )
    tba = sorted((e for e in fitting if event_status(e, now) == "tba"), key=lambda e: e.id)
    upcoming = tuple([*dated, *tba][:limit])
    if upcoming:
        return EventListing(upcoming, ())
    past = sorted((e for e in fitting if event_status(e, now) == "past"), key=_moment, reverse=True)
    return EventListing((), tuple(past[:MAX_PAST]))


def _moment(entry: Entry) -> datetime:
    """When an event starts, as a Lima instant (an all-day event starts at 00:00)."""
    start = entry.starts
    if isinstance(start, datetime):
        return start.astimezone(LIMA)
    if isinstance(start, date):
        return datetime(start.year, start.month, start.day, tzinfo=LIMA)
    return datetime.max.replace(tzinfo=LIMA)


def start_moment(entry: Entry) -> datetime | None:
    """The start of a dated event as a Lima instant (00:00 for an all-day event); None if to be announced."""
    return _moment(entry) if entry.starts is not None else None


def describe(query: EventQuery, kb: KnowledgeBase, lang: str) -> str:
    """The filters in words: " en Cusco · virtuales · este mes" (empty for no filter)."""
    words = TEXTS[lang]
    parts = []
    if query.region is not None:
        parts.append(words["in"].format(region=kb.regions.name(query.region)))
    if query.modality is not None:
        parts.append(words[query.modality])
    if query.period is not None:
        parts.append(words[query.period])
    return " · ".join(parts)


def event_parts(entry: Entry, lang: str, now: datetime | None = None) -> tuple[str, str, str, str]:
    """What a list shows of one event: title, date, "modality · place · region", organizer."""
    labels = LABELS[lang]
    modality = labels["modality_tba"] if entry.modality == "tba" else labels.get(entry.modality, entry.modality)
    place = " · ".join(p for p in (modality, entry.location.get(lang) if entry.location else "", entry.region) if p)
    return entry.title.get(lang), event_when(entry, lang, now), place, entry.institution


def event_line(entry: Entry, lang: str, now: datetime | None = None) -> str:
    """One event of a plain-text list: title — date — modality · place · region — organizer."""
    return " — ".join(event_parts(entry, lang, now))


def listing_text(listing: EventListing, query: EventQuery, kb: KnowledgeBase, lang: str, now: datetime | None) -> str:
    """The listing as plain text (the console shows it as is; Telegram adds buttons)."""
    words = TEXTS[lang]
    filters = describe(query, kb, lang)
    title = words["title"] + (f" ({filters})" if filters else "")
    if listing.upcoming:
        lines = [title + ":"] + [f"• {event_line(e, lang, now)}\n  {e.url}" for e in listing.upcoming]
        return "\n".join(lines)
    lines = [words["none"] + (f" ({filters})." if filters else ".")]
    if listing.past:
        lines.append(words["past"])
        lines += [f"• {e.title.get(lang)} — {_took_place(e, lang)}" for e in listing.past]
    return "\n".join(lines)


def _took_place(entry: Entry, lang: str) -> str:
    assert entry.starts is not None
    return TEXTS[lang]["took_place"].format(day=format_moment(entry.starts, lang))


TEXTS = {
    "es": {
        "title": "Próximos eventos",
        "none": "No hay eventos próximos registrados",
        "past": "Los últimos que se realizaron:",
        "took_place": "se realizó el {day}",
        "in": "en {region}",
        "virtual": "virtuales",
        "presencial": "presenciales",
        "hibrido": "híbridos",
        "week": "esta semana",
        "month": "este mes",
        "next_month": "el próximo mes",
        "year": "este año",
    },
    "en": {
        "title": "Upcoming events",
        "none": "No upcoming events registered",
        "past": "The latest that took place:",
        "took_place": "took place on {day}",
        "in": "in {region}",
        "virtual": "virtual",
        "presencial": "in person",
        "hibrido": "hybrid",
        "week": "this week",
        "month": "this month",
        "next_month": "next month",
        "year": "this year",
    },
}
