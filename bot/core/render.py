"""Channel-neutral views of what the bot says: an answer, a suggestion, a plain message, the catalogue.

Telegram draws these views as HTML and the console as plain text; neither decides *what* is shown.
An answer is split in two: the essentials a citizen reads in seconds (what to do, cost, where, the
official link, how fresh the information is) and the details (steps, requirements, channels) shown
on demand. No line appears twice in one answer, and English labels never sit beside Spanish text:
an English reader of an entry whose essentials have no English gets the whole answer in Spanish,
told so once; when only the steps and requirements lack English, the essentials are English and
the details are Spanish, under Spanish titles, told so once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.core.dates import format_day, format_moment, lima_day, lima_now
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry, Outcome, Reply
from bot.core.normalize import fold

LABELS = {
    "es": {
        "steps": "Pasos",
        "requirements": "Requisitos",
        "cost": "Costo",
        "channels": "Canales de atención",
        "where": "Dónde",
        "url": "Enlace oficial",
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
        "where": "Where",
        "url": "Official link",
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
# Said once, in English, above what an English reader gets in Spanish.
SPANISH_ONLY_NOTICE = "This answer is only available in Spanish."
SPANISH_DETAILS_NOTICE = "The steps and requirements are only available in Spanish."


@dataclass(frozen=True)
class Item:
    """One line of a view: a value with an optional label ("Costo", "En línea")."""

    text: str
    label: str = ""
    key: str = ""  # facts: "cost", "where" or "url", so a channel can mark each with its icon

    @property
    def is_link(self) -> bool:
        return self.text.startswith(("https://", "http://"))


@dataclass(frozen=True)
class Section:
    """A titled list of the details: steps (numbered), requirements, channels."""

    title: str
    items: tuple[Item, ...]
    numbered: bool = False


@dataclass(frozen=True)
class AnswerView:
    """An entry as the citizen sees it: `lang` is the language of the essentials, `details_lang` of the details."""

    entry_id: str
    lang: str
    title: str
    notice: str  # SPANISH_ONLY_NOTICE or ""
    when: str  # events: "Se realizó: 25 oct 2022"
    place: str  # events: modality · location · region
    summary: str
    facts: tuple[Item, ...]  # cost, where (online / in person), official link
    reviewed: str  # "Información revisada el 1 dic 2026"
    details: tuple[Section, ...]  # shown on demand
    details_lang: str = "es"
    details_notice: str = ""  # SPANISH_DETAILS_NOTICE or ""


@dataclass(frozen=True)
class Option:
    """An entry offered to pick (a suggestion, a catalogue line)."""

    entry_id: str
    title: str


@dataclass(frozen=True)
class SuggestionView:
    intro: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class MessageView:
    """Small talk or the fallback; `offer_browse` when the citizen should be pointed to the catalogue."""

    text: str
    offer_browse: bool = False


@dataclass(frozen=True)
class CategoryView:
    category_id: str
    title: str
    services: tuple[Option, ...]


ReplyView = AnswerView | SuggestionView | MessageView
MAX_SUGGESTIONS = 3


def essentials_lang(entry: Entry, lang: str) -> str:
    """English when the reader wants it and every text of the essentials has English, else Spanish."""
    if lang != "en":
        return "es"
    texts = [entry.title.en, entry.summary.en]
    texts += [entry.cost.en] if entry.cost else []
    texts += [entry.location.en] if entry.location else []
    return "en" if all(texts) else "es"


def details_lang(entry: Entry, lang: str) -> str:
    """English when the essentials are English and so are every step, requirement and channel label."""
    if essentials_lang(entry, lang) != "en":
        return "es"
    lists = all(bool(items.en) or not items.es for items in (entry.steps, entry.requirements))
    labels = all(channel.label.en for channel in entry.channels if channel.label)
    return "en" if lists and labels else "es"


def event_status(entry: Entry, now: datetime | None = None) -> str:
    """upcoming, ongoing, past or tba (to be announced), judged in Lima time."""
    if entry.starts is None:
        return "tba"
    today = lima_day(now or lima_now())
    start = lima_day(entry.starts)
    end = lima_day(entry.ends) if entry.ends is not None else start
    if today < start:
        return "upcoming"
    return "ongoing" if today <= end else "past"


def event_when(entry: Entry, lang: str, now: datetime | None = None) -> str:
    labels = LABELS["en" if lang == "en" else "es"]
    status = event_status(entry, now)
    if status == "tba" or entry.starts is None:
        return labels["tba"]
    span = format_moment(entry.starts, lang)
    if entry.ends is not None and lima_day(entry.ends) != lima_day(entry.starts):
        span += f" – {format_moment(entry.ends, lang)}"
    return f"{labels[status]}: {span}"


def _place(entry: Entry, lang: str) -> str:
    labels = LABELS[lang]
    parts = [labels["modality_tba"] if entry.modality == "tba" else labels.get(entry.modality, entry.modality)]
    if entry.location:
        parts.append(entry.location.get(lang))
    if entry.region:
        parts.append(entry.region)
    return " · ".join(p for p in parts if p)


def _where(entry: Entry, lang: str) -> str:
    """The kinds of channel, each once, in the entry's order: "En línea · Presencial"."""
    kinds = list(dict.fromkeys(channel.kind for channel in entry.channels))
    return " · ".join(LABELS[lang].get(kind, kind) for kind in kinds)


def _said(text: str, summary: str) -> bool:
    """Whether `text` (a cost) is already written in the summary, so the essentials need not repeat it."""
    needle = fold(text).strip(" .")
    return bool(needle) and needle in fold(summary)


def answer_view(entry: Entry, lang: str, now: datetime | None = None) -> AnswerView:
    """The view of `entry` for a reader of `lang` (see `essentials_lang` and `details_lang`)."""
    shown, more = essentials_lang(entry, lang), details_lang(entry, lang)
    labels, more_labels = LABELS[shown], LABELS[more]
    summary = entry.summary.get(shown)
    facts: list[Item] = []
    if entry.cost and not _said(entry.cost.get(shown), summary):
        facts.append(Item(entry.cost.get(shown), labels["cost"], "cost"))
    if entry.channels:
        facts.append(Item(_where(entry, shown), labels["where"], "where"))
    facts.append(Item(entry.url, labels["url"], "url"))
    seen = {fold(line) for line in (entry.title.get(shown), summary, *(f.text for f in facts))}
    sections = (
        Section(more_labels["steps"], _fresh([Item(s) for s in entry.steps.get(more)], seen), numbered=True),
        Section(more_labels["requirements"], _fresh([Item(r) for r in entry.requirements.get(more)], seen)),
        Section(more_labels["channels"], _fresh(_channel_items(entry, more), seen)),
    )
    details = tuple(section for section in sections if section.items)
    return AnswerView(
        entry_id=entry.id,
        lang=shown,
        title=entry.title.get(shown),
        notice=SPANISH_ONLY_NOTICE if shown != lang else "",
        when=event_when(entry, shown, now) if entry.is_event else "",
        place=_place(entry, shown) if entry.is_event else "",
        summary=summary,
        facts=tuple(facts),
        reviewed=f"{labels['reviewed']} {format_day(entry.reviewed, shown)}",
        details=details,
        details_lang=more,
        details_notice=SPANISH_DETAILS_NOTICE if details and more != shown else "",
    )


def _channel_items(entry: Entry, lang: str) -> list[Item]:
    return [
        Item(c.value, c.label.get(lang) if c.label else LABELS[lang].get(c.kind, c.kind)) for c in entry.channels
    ]


def _fresh(items: list[Item], seen: set[str]) -> tuple[Item, ...]:
    """The items whose line was not shown yet (folded comparison); records the ones kept."""
    kept: list[Item] = []
    for item in items:
        key = fold(f"{item.label}: {item.text}" if item.label else item.text)
        if key in seen or fold(item.text) in seen:
            continue
        seen.add(key)
        kept.append(item)
    return tuple(kept)


def reply_view(reply: Reply, lang: str | None = None, now: datetime | None = None) -> ReplyView:
    """What to show for a pipeline reply, in `lang` (default: the reply's language).

    A suggestion's intro is the pipeline's `reply.text`, whatever it says (it may explain that the
    exact point is not covered); the fallback and small talk are `reply.text` too.
    """
    lang = lang or reply.lang
    if reply.outcome is Outcome.ANSWER and reply.entry is not None:
        return answer_view(reply.entry, lang, now)
    if reply.outcome is Outcome.SUGGEST and reply.candidates:
        options = tuple(Option(e.id, e.title.get(lang)) for e in reply.candidates[:MAX_SUGGESTIONS])
        return SuggestionView(reply.text, options)
    return MessageView(reply.text, offer_browse=reply.outcome is Outcome.NONE)


def catalogue(kb: KnowledgeBase, lang: str) -> tuple[CategoryView, ...]:
    """Services by category (the knowledge base's category order), titles sorted as a reader expects."""
    views: list[CategoryView] = []
    for category_id, title in kb.categories.items():
        services = sorted(
            (e for e in kb.services() if e.category == category_id), key=lambda e: fold(e.title.get(lang))
        )
        options = tuple(Option(e.id, e.title.get(lang)) for e in services)
        if options:
            views.append(CategoryView(category_id, title.get(lang), options))
    return tuple(views)


def upcoming_events(kb: KnowledgeBase, now: datetime | None = None) -> list[Entry]:
    """Ongoing and upcoming events (soonest first), then those whose date is to be announced."""
    dated = [e for e in kb.events() if event_status(e, now) in ("upcoming", "ongoing") and e.starts is not None]
    dated.sort(key=lambda e: lima_day(e.starts) if e.starts is not None else date.max)
    return dated + [e for e in kb.events() if event_status(e, now) == "tba"]


def past_events(kb: KnowledgeBase, now: datetime | None = None) -> list[Entry]:
    """Past events, most recent first: still answerable, never shown as upcoming."""
    past = [e for e in kb.events() if event_status(e, now) == "past" and e.starts is not None]
    past.sort(key=lambda e: lima_day(e.starts) if e.starts is not None else date.min, reverse=True)
    return past
