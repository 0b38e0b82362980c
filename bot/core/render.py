"""A channel-neutral view of an answer; Telegram renders it as HTML, the console as plain text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry
from bot.core.schema import LIMA

LABELS = {
    "es": {
        "steps": "Pasos",
        "requirements": "Requisitos",
        "cost": "Costo",
        "channels": "Canales de atención",
        "url": "Enlace oficial",
        "when": "Fecha",
        "where": "Lugar",
        "modality": "Modalidad",
        "organizer": "Organiza",
        "institution": "Entidad",
        "tba": "Fecha por anunciar",
        "past": "Se realizó",
        "upcoming": "Próximo",
        "ongoing": "En curso",
        "online": "En línea",
        "presencial": "Presencial",
        "telefono": "Teléfono",
        "app": "App",
        "correo": "Correo",
        "whatsapp": "WhatsApp",
        "virtual": "Virtual",
        "hibrido": "Híbrido",
        "modality_tba": "Modalidad por anunciar",
        "reviewed": "Información revisada el",
    },
    "en": {
        "steps": "Steps",
        "requirements": "Requirements",
        "cost": "Cost",
        "channels": "Where to get it",
        "url": "Official link",
        "when": "Date",
        "where": "Place",
        "modality": "Format",
        "organizer": "Organised by",
        "institution": "Institution",
        "tba": "Date to be announced",
        "past": "Took place",
        "upcoming": "Upcoming",
        "ongoing": "Happening now",
        "online": "Online",
        "presencial": "In person",
        "telefono": "Phone",
        "app": "App",
        "correo": "E-mail",
        "whatsapp": "WhatsApp",
        "virtual": "Virtual",
        "hibrido": "Hybrid",
        "modality_tba": "Format to be announced",
        "reviewed": "Information checked on",
    },
}
MONTHS = {
    "es": "ene feb mar abr may jun jul ago sep oct nov dic".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}


@dataclass(frozen=True)
class AnswerView:
    entry_id: str
    lang: str
    title: str
    summary: str
    url: str
    labels: dict[str, str]
    when: str = ""
    status: str = ""  # events: upcoming, ongoing, past, tba
    place: str = ""
    steps: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    cost: str | None = None
    channels: list[tuple[str, str]] = field(default_factory=list)
    institution: str = ""
    related: list[str] = field(default_factory=list)
    reviewed: str = ""


def _day(value: date | datetime) -> date:
    return value.astimezone(LIMA).date() if isinstance(value, datetime) else value


def format_moment(value: date | datetime, lang: str) -> str:
    day = _day(value)
    text = f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"
    if isinstance(value, datetime):
        text += f", {value.astimezone(LIMA):%H:%M}"
    return text


def event_status(entry: Entry, now: datetime | None = None) -> str:
    """upcoming, ongoing, past or tba (to be announced), judged in Lima time."""
    if entry.starts is None:
        return "tba"
    today = (now or datetime.now(LIMA)).astimezone(LIMA).date()
    start = _day(entry.starts)
    end = _day(entry.ends) if entry.ends is not None else start
    if today < start:
        return "upcoming"
    return "ongoing" if today <= end else "past"


def event_when(entry: Entry, lang: str, now: datetime | None = None) -> str:
    labels = LABELS[lang]
    status = event_status(entry, now)
    if status == "tba" or entry.starts is None:
        return labels["tba"]
    span = format_moment(entry.starts, lang)
    if entry.ends is not None and _day(entry.ends) != _day(entry.starts):
        span += f" – {format_moment(entry.ends, lang)}"
    return f"{labels[status]}: {span}"


def answer_view(entry: Entry, lang: str, now: datetime | None = None) -> AnswerView:
    labels = LABELS.get(lang, LABELS["es"])
    lang = lang if lang in LABELS else "es"
    channels = [
        (channel.label.get(lang) if channel.label else labels.get(channel.kind, channel.kind), channel.value)
        for channel in entry.channels
    ]
    place = ""
    if entry.is_event:
        parts = [labels["modality_tba"] if entry.modality == "tba" else labels.get(entry.modality, entry.modality)]
        if entry.location:
            parts.append(entry.location.get(lang))
        if entry.region:
            parts.append(entry.region)
        place = " · ".join(p for p in parts if p)
    return AnswerView(
        entry_id=entry.id,
        lang=lang,
        title=entry.title.get(lang),
        summary=entry.summary.get(lang),
        url=entry.url,
        labels=labels,
        when=event_when(entry, lang, now) if entry.is_event else "",
        status=event_status(entry, now) if entry.is_event else "",
        place=place,
        steps=list(entry.steps.get(lang)),
        requirements=list(entry.requirements.get(lang)),
        cost=entry.cost.get(lang) if entry.cost else None,
        channels=channels,
        institution=entry.institution,
        related=list(entry.related),
        reviewed=entry.reviewed.isoformat(),
    )


def render_plain(view: AnswerView) -> str:
    """The answer as plain text (console, logs of examples)."""
    labels = view.labels
    lines = [view.title.upper(), "", view.summary]
    if view.when:
        lines += ["", view.when]
    if view.place:
        lines.append(view.place)
    for key, items in (("steps", view.steps), ("requirements", view.requirements)):
        if items:
            lines += ["", f"{labels[key]}:"]
            lines += [f"  {n}. {item}" if key == "steps" else f"  - {item}" for n, item in enumerate(items, 1)]
    if view.cost:
        lines += ["", f"{labels['cost']}: {view.cost}"]
    if view.channels:
        lines += ["", f"{labels['channels']}:"] + [f"  - {label}: {value}" for label, value in view.channels]
    lines += ["", f"{labels['url']}: {view.url}"]
    return "\n".join(lines)


def upcoming_events(kb: KnowledgeBase, now: datetime | None = None) -> list[Entry]:
    """Ongoing and upcoming events (soonest first), then those whose date is to be announced."""
    dated = [e for e in kb.events() if event_status(e, now) in ("upcoming", "ongoing") and e.starts is not None]
    dated.sort(key=lambda e: _day(e.starts) if e.starts is not None else date.max)
    return dated + [e for e in kb.events() if event_status(e, now) == "tba"]


def past_events(kb: KnowledgeBase, now: datetime | None = None) -> list[Entry]:
    """Past events, most recent first: still answerable, never shown as upcoming."""
    past = [e for e in kb.events() if event_status(e, now) == "past" and e.starts is not None]
    past.sort(key=lambda e: _day(e.starts) if e.starts is not None else date.min, reverse=True)
    return past
