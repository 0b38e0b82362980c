"""Plain data types shared by every layer: knowledge entries and the pipeline's reply."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

LANGS = ("es", "en")


@dataclass(frozen=True)
class Text:
    """A text given per language; Spanish is always present, English optionally."""

    es: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.es

    def as_dict(self) -> dict[str, str | None]:
        return {"es": self.es, "en": self.en}


@dataclass(frozen=True)
class TextList:
    """A list of texts per language (steps, requirements, questions, keywords)."""

    es: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def get(self, lang: str) -> tuple[str, ...]:
        return self.en if lang == "en" and self.en else self.es

    def as_dict(self) -> dict[str, list[str]]:
        return {"es": list(self.es), "en": list(self.en)}


@dataclass(frozen=True)
class Channel:
    """One way to reach a service: online, presencial, telefono, app, correo or whatsapp."""

    kind: str
    value: str
    label: Text | None = None


@dataclass(frozen=True)
class Entry:
    """A service or an event of the knowledge base."""

    id: str
    kind: str  # "service" or "event"
    title: Text
    summary: Text  # a service's `answer`, an event's `description`
    questions: TextList
    keywords: TextList
    url: str
    sources: tuple[str, ...]
    reviewed: date
    category: str = ""
    institution: str = ""  # a service's institution, an event's organizer
    steps: TextList = field(default_factory=TextList)
    requirements: TextList = field(default_factory=TextList)
    cost: Text | None = None
    channels: tuple[Channel, ...] = ()
    related: tuple[str, ...] = ()
    situations: TextList = field(default_factory=TextList)
    not_covered: tuple[str, ...] = ()  # aspects (see core.aspects) staff declare the entry does not answer
    # Events only. `None` for starts/ends means "to be announced".
    starts: date | datetime | None = None
    ends: date | datetime | None = None
    modality: str = ""
    location: Text | None = None
    region: str = ""
    # Services: what changes per department (`regions` block): (department id or "otras", text) pairs.
    regions: tuple[tuple[str, Text], ...] = ()
    source_file: str = ""
    source_line: int = 0

    def __hash__(self) -> int:
        """By id alone: entries key the per-entry caches (lru_cache), and hashing every field on each
        lookup cost more than some of the work cached. Equal entries have equal ids, so == agrees."""
        return hash(self.id)

    @property
    def is_event(self) -> bool:
        return self.kind == "event"

    def region_text(self, key: str) -> Text | None:
        """The `regions` text for a department id (or "otras"), if the entry has one."""
        return next((text for region, text in self.regions if region == key), None)


class Outcome(enum.StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    NONE = "none"
    SMALLTALK = "smalltalk"


@dataclass(frozen=True)
class Reply:
    """What the pipeline says about one question; channels render it, the store logs it."""

    outcome: Outcome
    lang: str
    question: str
    normalized: str = ""
    entry: Entry | None = None
    candidates: tuple[Entry, ...] = ()
    score: float = 0.0
    intent: str | None = None  # small-talk intent: greeting, thanks, goodbye, help
    text: str = ""  # ready text for small talk, the fallback, suggestions and "not covered"
    aspect: str | None = None  # what exactly was asked (cost, hours...), when recognised
    uncovered: bool = False  # the closest entry (first candidate) does not say what `aspect` asks
    latency_ms: float = 0.0
    region: str = ""  # department id the reply used: named in the question, else the citizen's own
    region_named: bool = False  # the question itself named the region ("soy de puno, …")
    region_note: str = ""  # an answer's regional variant, "no site in X" or "national", in `lang`
    events: tuple[Entry, ...] = ()  # intent "events": the events listed, in order

    @property
    def entry_id(self) -> str | None:
        return self.entry.id if self.entry else None
