"""Loading and validating the YAML knowledge base in `knowledge/`.

Layout (explained for staff in knowledge/README.md): `services/*.yaml` and `events/*.yaml` hold one
entry each; `categories.yaml`, `synonyms.yaml` and `conversation.yaml` sit at the top. Every problem
is collected with its `path:line`, and a knowledge base with any error is never returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.core.aspects import NAMES as ASPECT_NAMES
from bot.core.models import Entry, Text, TextList
from bot.core.normalize import fold
from bot.core.problems import KnowledgeBaseError, Problem
from bot.core.schema import MODALITIES, FieldReader
from bot.core.yamlfile import Located, LocatedList, YamlProblem, load_yaml

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
TOP_LEVEL_FILES = {"categories.yaml", "synonyms.yaml", "conversation.yaml", "departamentos.yaml"}


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
    intents: dict[str, Intent] = field(default_factory=dict)
    messages: dict[str, Text] = field(default_factory=dict)
    directory: Path = Path("knowledge")

    def services(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.is_event]

    def events(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.is_event]

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def message(self, key: str, lang: str) -> str:
        """A conversation text: fallback, suggest_intro, or an intent's reply."""
        if key in self.intents:
            return self.intents[key].reply.get(lang)
        text = self.messages.get(key)
        return text.get(lang) if text else ""



class _Loading:
    """One validation run over a knowledge directory."""

    def __init__(self, directory: Path, today: date, max_age_days: int) -> None:
        self.directory = directory
        self.today = today
        self.max_age_days = max_age_days
        self.problems: list[Problem] = []
        self.entries: dict[str, Entry] = {}
        self.categories: dict[str, Text] = {}
        self.unreadable_entries = 0  # files that did not parse: their ids are unknown
        self.question_lines: dict[str, dict[str, int]] = {}  # entry id -> "lang:folded question" -> line

    def read(self, path: Path, expect: type) -> Any:
        try:
            data, duplicates = load_yaml(path)
        except YamlProblem as exc:
            self.problems.append(Problem(str(path), exc.line, exc.message))
            return None
        except OSError as exc:
            self.problems.append(Problem(str(path), 1, f"cannot read the file: {exc.strerror}"))
            return None
        for line, key in duplicates:
            self.problems.append(Problem(str(path), line, f"field '{key}' appears twice in the same place"))
        if not isinstance(data, expect):
            kind = "a mapping of fields (key: value)" if expect is Located else "a list"
            self.problems.append(Problem(str(path), 1, f"the file must contain {kind}"))
            return None
        return data

    def run(self) -> KnowledgeBase | None:
        if not self.directory.is_dir():
            self.problems.append(Problem(str(self.directory), 0, "knowledge folder not found"))
            return None
        self.load_categories()
        synonyms = self.load_synonyms()
        intents, messages = self.load_conversation()
        for kind, folder in (("service", "services"), ("event", "events")):
            files = sorted((self.directory / folder).glob("**/*.y*ml"))
            if not files and kind == "service":
                self.problems.append(Problem(str(self.directory / folder), 0, "no service files found"))
            for path in files:
                self.load_entry(path, kind)
        for path in sorted(self.directory.glob("*.y*ml")):
            if path.name not in TOP_LEVEL_FILES:
                self.problems.append(
                    Problem(str(path), 1, "file not used: entries go in services/ or events/", "warning")
                )
        self.check_related()
        self.check_question_collisions()
        if any(p.is_error for p in self.problems):
            return None
        return KnowledgeBase(
            entries=self.entries,
            categories=self.categories,
            synonyms=synonyms,
            intents=intents,
            messages=messages,
            directory=self.directory,
        )

    def load_categories(self) -> None:
        path = self.directory / "categories.yaml"
        if not path.is_file():
            self.problems.append(Problem(str(path), 0, "categories.yaml is missing"))
            return
        data = self.read(path, LocatedList)
        for index, item in enumerate(data or []):
            if not isinstance(item, Located):
                self.problems.append(Problem(str(path), data.line_of(index), "each category needs id and title"))
                continue
            reader = FieldReader(str(path), item, self.problems)
            reader.unknown_fields({"id", "title"})
            category_id = reader.identifier()
            title = reader.text("title")
            if category_id in self.categories:
                reader.error("id", f"category '{category_id}' is defined twice")
            elif category_id and title:
                self.categories[category_id] = title

    def load_synonyms(self) -> tuple[Synonym, ...]:
        path = self.directory / "synonyms.yaml"
        if not path.is_file():
            return ()
        data = self.read(path, LocatedList)
        result: list[Synonym] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(data or []):
            if not isinstance(item, Located):
                self.problems.append(
                    Problem(str(path), data.line_of(index), "each synonym needs 'term' and 'same_as'")
                )
                continue
            reader = FieldReader(str(path), item, self.problems)
            reader.unknown_fields({"term", "same_as", "lang"})
            term = fold(reader.string("term"))
            lang = reader.string("lang", required=False) or "es"
            if lang not in ("es", "en"):
                reader.error("lang", f"'lang' must be es or en, got {lang!r}")
            variants = tuple(fold(v) for v in reader.text_list("same_as").es if fold(v))
            for variant in variants:
                key = f"{lang}:{variant}"
                if variant == term:
                    reader.warning("same_as", f"'{variant}' is the term itself")
                elif key in seen:
                    reader.error("same_as", f"'{variant}' is already a synonym on line {seen[key]}")
                else:
                    seen[key] = item.line
            if term and variants:
                result.append(Synonym(term=term, variants=variants, lang=lang))
        return tuple(result)

    def load_conversation(self) -> tuple[dict[str, Intent], dict[str, Text]]:
        path = self.directory / "conversation.yaml"
        intents: dict[str, Intent] = {}
        messages: dict[str, Text] = {}
        if not path.is_file():
            self.problems.append(Problem(str(path), 0, "conversation.yaml is missing (fallback and small talk)"))
            return intents, messages
        data = self.read(path, Located)
        if data is None:
            return intents, messages
        reader = FieldReader(str(path), data, self.problems)
        reader.unknown_fields({*MESSAGE_KEYS, *OPTIONAL_MESSAGE_KEYS, "intents"})
        for key in (*MESSAGE_KEYS, *OPTIONAL_MESSAGE_KEYS):
            text = reader.text(key, required=key in MESSAGE_KEYS)
            if text:
                messages[key] = text
        block = data.get("intents")
        if not isinstance(block, Located):
            where = "intents" if "intents" in data else None
            reader.error(where, "missing 'intents' with greeting, thanks, goodbye, help")
            return intents, messages
        intent_reader = FieldReader(str(path), block, self.problems)
        intent_reader.unknown_fields(set(INTENTS))
        for name in INTENTS:
            item = block.get(name)
            if not isinstance(item, Located):
                intent_reader.error(None, f"intent '{name}' is missing or not a mapping")
                continue
            sub = FieldReader(str(path), item, self.problems)
            sub.unknown_fields({"phrases", "reply"})
            phrases, reply = sub.text_list("phrases"), sub.text("reply")
            if reply:
                intents[name] = Intent(name=name, phrases=phrases, reply=reply)
        return intents, messages

    def load_entry(self, path: Path, kind: str) -> None:
        data = self.read(path, Located)
        if data is None:
            self.unreadable_entries += 1
            return
        reader = FieldReader(str(path), data, self.problems)
        is_event = kind == "event"
        reader.unknown_fields(EVENT_FIELDS if is_event else SERVICE_FIELDS)
        entry_id = reader.identifier()
        if entry_id and path.stem != entry_id:
            reader.warning("id", f"file name '{path.name}' differs from the id '{entry_id}'")
        title = reader.text("title")
        summary = reader.text("description" if is_event else "answer")
        questions = reader.text_list("questions")
        keywords = reader.text_list("keywords", required=not is_event)
        if not is_event and questions.es and len(questions.es) < MIN_SERVICE_QUESTIONS:
            reader.warning(
                "questions", f"only {len(questions.es)} Spanish questions; add at least {MIN_SERVICE_QUESTIONS}"
            )
        if questions.en and title and not title.en:
            reader.warning("title", "English questions are given but the title has no 'en' text")
        common: dict[str, Any] = {
            "url": reader.url("url"),
            "sources": reader.urls("sources"),
            "reviewed": reader.review_date("reviewed", self.today, self.max_age_days),
            "related": reader.identifiers("related"),
            # What happened to a citizen, in their words, when they do not name the service
            # ("me robaron la billetera"); matched like questions.
            "situations": reader.text_list("situations", required=False),
            "not_covered": _aspects(reader),
            "source_file": str(path),
            "source_line": data.line,
        }
        if is_event:
            starts, starts_ok = reader.moment("starts")
            ends, ends_ok = reader.moment("ends")
            if starts_ok and ends_ok and starts is not None and ends is not None and _day(ends) < _day(starts):
                reader.error("ends", "'ends' is before 'starts'")
            details: dict[str, Any] = {
                "starts": starts,
                "ends": ends,
                "modality": reader.choice("modality", MODALITIES),
                "location": reader.text("location", required=False),
                "region": reader.string("region"),
                "institution": reader.string("organizer"),
                "category": reader.string("category", required=False),
            }
        else:
            details = {
                "steps": reader.text_list("steps"),
                "requirements": reader.text_list("requirements"),
                "cost": reader.text("cost"),
                "channels": reader.channels("channels"),
                "institution": reader.string("institution"),
                "category": reader.string("category"),
            }
        category = details.get("category") or ""
        if category and self.categories and category not in self.categories:
            reader.error("category", f"unknown category '{category}' (see categories.yaml)")
        if not entry_id or title is None or summary is None:
            return
        if entry_id in self.entries:
            first = self.entries[entry_id]
            reader.error("id", f"duplicate id '{entry_id}' (also in {first.source_file}:{first.source_line})")
            return
        self.question_lines[entry_id] = _question_lines(data)
        self.entries[entry_id] = Entry(
            id=entry_id, kind=kind, title=title, summary=summary, questions=questions, keywords=keywords,
            **common, **details,
        )

    def check_related(self) -> None:
        for entry in self.entries.values():
            for other in entry.related:
                if other == entry.id:
                    problem = Problem(entry.source_file, entry.source_line, "'related' lists the entry itself")
                    self.problems.append(problem)
                elif other not in self.entries and not self.unreadable_entries:
                    self.problems.append(
                        Problem(entry.source_file, entry.source_line, f"'related' names unknown entry '{other}'")
                    )

    def check_question_collisions(self) -> None:
        owners: dict[str, Entry] = {}
        for entry in self.entries.values():
            lines = self.question_lines.get(entry.id, {})
            for lang in ("es", "en"):
                own: set[str] = set()
                for question in entry.questions.es if lang == "es" else entry.questions.en:
                    key = f"{lang}:{fold(question)}"
                    line = lines.get(key, entry.source_line)
                    if key in own:
                        self.problems.append(
                            Problem(entry.source_file, line, f"question repeated: '{question}'", "warning")
                        )
                        continue
                    own.add(key)
                    first = owners.setdefault(key, entry)
                    if first is not entry:
                        where = f"{first.source_file}:{self.question_lines[first.id].get(key, first.source_line)}"
                        message = f"question '{question}' is also on '{first.id}' ({where}): one entry per question"
                        self.problems.append(Problem(entry.source_file, line, message))


def _aspects(reader: FieldReader) -> tuple[str, ...]:
    """Staff's `not_covered: [hours, cost]`: points the entry does not answer, from the known aspects."""
    names = reader.identifiers("not_covered")
    for name in names:
        if name not in ASPECT_NAMES:
            known = ", ".join(sorted(ASPECT_NAMES))
            reader.error("not_covered", f"unknown aspect '{name}' in 'not_covered' (one of {known})")
    return tuple(n for n in names if n in ASPECT_NAMES)


def _question_lines(data: Located) -> dict[str, int]:
    """Where each alternative question stands, so a collision names its own line."""
    found: dict[str, int] = {}
    block = data.get("questions")
    per_lang = {"es": block} if isinstance(block, LocatedList) else (block if isinstance(block, dict) else {})
    for lang, items in per_lang.items():
        if isinstance(items, LocatedList):
            for index, question in enumerate(items):
                found.setdefault(f"{lang}:{fold(str(question))}", items.line_of(index))
    return found


def _day(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value  # type: ignore[no-any-return]


def load_knowledge(
    directory: Path, *, today: date | None = None, max_age_days: int = 365
) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate and load; returns (None, problems) when there is any error."""
    run = _Loading(directory, today or date.today(), max_age_days)
    kb = run.run()
    return kb, sorted(run.problems, key=lambda p: (p.path, p.line, p.message))


def load_knowledge_or_raise(directory: Path, *, today: date | None = None, max_age_days: int = 365) -> KnowledgeBase:
    kb, problems = load_knowledge(directory, today=today, max_age_days=max_age_days)
    if kb is None:
        raise KnowledgeBaseError(problems)
    return kb

