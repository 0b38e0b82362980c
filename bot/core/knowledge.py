"""The YAML knowledge base in `knowledge/`: its layout, its fields and the loaded base.

Layout (explained for staff in knowledge/README.md): `services/*.yaml` and `events/*.yaml` hold one
entry each; `categories.yaml`, `synonyms.yaml` and `conversation.yaml` sit at the top. Reading and
validating is `bot.core.loader`: every problem is collected with its `path:line`, and a knowledge
base with any error is never returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.core.models import Entry, Text, TextList
from bot.core.problems import KnowledgeBaseError, Problem
from bot.core.regions import Department, RegionFinder

SERVICE_REQUIRED = (
    "id title answer questions keywords url steps requirements cost channels institution category sources reviewed"
).split()
SERVICE_FIELDS = {*SERVICE_REQUIRED, "related", "situations", "regions", "not_covered"}
EVENT_REQUIRED = "id title description starts ends modality region organizer url questions sources reviewed".split()
EVENT_FIELDS = {*EVENT_REQUIRED, "location", "keywords", "related", "category", "situations", "not_covered"}
MESSAGE_KEYS = ("fallback", "suggest_intro")
OPTIONAL_MESSAGE_KEYS = ("not_covered",)  # the entry is the right service but does not say what is asked
INTENTS = ("greeting", "thanks", "goodbye", "help")
MIN_SERVICE_QUESTIONS = 8
# departamentos.yaml: Peru's departments for the regions feature (read by the regions module, not an entry).
# glosario-en.yaml: English words -> Spanish terms, so an English question finds entries written only in Spanish.
GLOSSARY_FILE = "glosario-en.yaml"
TOP_LEVEL_FILES = {"categories.yaml", "synonyms.yaml", "conversation.yaml", "departamentos.yaml", GLOSSARY_FILE}


@dataclass(frozen=True)
class Synonym:
    """`variants` mean the same as `term` for matching ("brevete" = "licencia de conducir")."""

    term: str
    variants: tuple[str, ...]
    lang: str = "es"


@dataclass(frozen=True)
class Intent:
    """Small talk: short messages (`phrases`) answered with a fixed `reply`, never with a service."""

    name: str
    phrases: TextList
    reply: Text


@dataclass
class KnowledgeBase:
    entries: dict[str, Entry]
    categories: dict[str, Text] = field(default_factory=dict)
    synonyms: tuple[Synonym, ...] = ()
    glossary: tuple[Synonym, ...] = ()  # term: Spanish, variants: English
    intents: dict[str, Intent] = field(default_factory=dict)
    messages: dict[str, Text] = field(default_factory=dict)
    directory: Path = Path("knowledge")
    departments: tuple[Department, ...] = ()

    def __post_init__(self) -> None:
        self.regions = RegionFinder(self.departments)

    def services(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.is_event]

    def events(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.is_event]

    def message(self, key: str, lang: str) -> str:
        """A conversation text: fallback, suggest_intro, or an intent's reply."""
        if key in self.intents:
            return self.intents[key].reply.get(lang)
        text = self.messages.get(key)
        return text.get(lang) if text else ""


def load_knowledge(
    directory: Path, *, today: date | None = None, max_age_days: int = 365
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate and load; returns (None, problems) when there is any error."""
    from bot.core.loader import Loader  # the loader builds this module's types: imported on use

    run = Loader(directory, today or date.today(), max_age_days)
    kb = run.run()
    return kb, sorted(run.problems, key=lambda p: (p.path, p.line, p.message))


def load_knowledge_or_raise(directory: Path, *, today: date | None = None, max_age_days: int = 365) -> KnowledgeBase:
    kb, problems = load_knowledge(directory, today=today, max_age_days=max_age_days)
    if kb is None:
        raise KnowledgeBaseError(problems)
    return kb
