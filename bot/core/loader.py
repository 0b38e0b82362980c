"""One validation run over a knowledge folder: read every file, collect every problem, build the base.

The field rules live in `schema.FieldReader`; this module walks the folder layout (see
`knowledge.py` and knowledge/README.md), turns YAML syntax errors into hints staff can act on (a tab,
an unclosed quote, a mis-indented line), catches list items swallowed by the line above, and checks
what spans files (ids, related entries, phrasings shared by two entries). A base with any error is
never returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.core.aspects import NAMES as ASPECT_NAMES
from bot.core.knowledge import (
    EVENT_FIELDS,
    GLOSSARY_FILE,
    INTENTS,
    MESSAGE_KEYS,
    MIN_SERVICE_QUESTIONS,
    OPTIONAL_MESSAGE_KEYS,
    SERVICE_FIELDS,
    TOP_LEVEL_FILES,
    Intent,
    KnowledgeBase,
    Synonym,
)
from bot.core.models import Entry, Text
from bot.core.normalize import fold
from bot.core.problems import Problem
from bot.core.regions import OTHER_REGIONS, Department
from bot.core.schema import MODALITIES, FieldReader
from bot.core.yamlfile import Located, LocatedList, YamlProblem, load_yaml

_LIST_ITEM = re.compile(r"^\s*-(\s|$)")
_TODO = re.compile(r"^\s*(?:-\s+|[\w.-]+:\s+)(?:-\s+)?[\[{]?\s*[\"']?TODO\b")  # left by `review new`
_OPENING_QUOTE = re.compile(r"(^|[:\-\[,{]\s*)'")  # a ' that opens a text, not an apostrophe


@dataclass(frozen=True)
class _Head:
    """What every entry kind reads the same way, before its own fields."""

    entry_id: str
    title: Text | None
    common: dict[str, Any]


def yaml_hint(text: str, line: int, parser_message: str) -> tuple[int, str, str]:
    """Where and why a YAML syntax error happened, in Spanish and English, from the lines themselves.

    The parser names the symptom ("mapping values are not allowed here") and often the line after
    the fault; staff need the cause and the line to fix.
    """
    lines = text.splitlines()
    for number in range(max(1, line - 1), min(line, len(lines)) + 1):
        if "\t" in lines[number - 1]:
            return (
                number,
                "YAML inválido: hay un tabulador en esta línea; YAML solo admite espacios (cámbialo por espacios)",
                "invalid YAML: there is a tab on this line; YAML allows spaces only",
            )
    unclosed = _unclosed_bracket(lines[:line])
    if unclosed is not None:
        number, opening = unclosed
        closing = "]" if opening == "[" else "}"
        return (
            number,
            f"YAML inválido: falta cerrar '{opening}' con '{closing}' en esta línea "
            "(o pon el texto entre comillas dobles)",
            f"invalid YAML: '{opening}' is not closed with '{closing}' on this line (or quote the text)",
        )
    for number in range(1, min(line, len(lines)) + 1):
        body = lines[number - 1].split(" #", 1)[0]
        if body.count('"') % 2 or (body.count("'") % 2 and _OPENING_QUOTE.search(body)):
            return (
                number,
                "YAML inválido: hay comillas sin cerrar en esta línea; cierra el texto con la misma comilla "
                "con que lo abriste",
                "invalid YAML: a quote is not closed on this line; end the text with the quote it starts with",
            )
    if "mapping values are not allowed" in parser_message:
        return (
            line,
            "YAML inválido: un texto lleva ': ' (dos puntos y espacio); ponlo entre comillas dobles, "
            'por ejemplo - "Nota: ..."',
            'invalid YAML: a text contains ": " (colon and space); put it in double quotes, e.g. - "Note: ..."',
        )
    if any(word in parser_message for word in ("expected <block end>", "did not find expected", "bad indentation")):
        return (
            line,
            "YAML inválido: la sangría no cuadra; los campos de un mismo nivel y los '- ' de una lista van "
            "alineados, con espacios",
            "invalid YAML: the indentation does not line up; fields of one level and the '- ' of a list "
            "must be aligned",
        )
    return (
        line,
        "YAML inválido: si un texto lleva : # [ ] { } o comas dentro de [...], ponlo entre comillas",
        "invalid YAML: if a text contains : # [ ] { } or a comma inside [...], put it in quotes",
    )


def _unclosed_bracket(lines: list[str]) -> tuple[int, str] | None:
    """The line and bracket of a flow list or mapping still open at the end of `lines`, if any.

    Quoted texts and comments are skipped; a bracket inside a plain text is rare enough to ignore.
    """
    open_brackets: list[tuple[int, str]] = []
    for number, text in enumerate(lines, 1):
        quote = ""
        for index, char in enumerate(text):
            if quote:
                quote = "" if char == quote else quote
            elif char in "\"'" and (index == 0 or text[index - 1] in " [{,:"):
                quote = char
            elif char == "#" and (index == 0 or text[index - 1] == " "):
                break
            elif char in "[{":
                open_brackets.append((number, char))
            elif char in "]}" and open_brackets:
                open_brackets.pop()
    return open_brackets[-1] if open_brackets else None


def _item_lines(data: Any) -> set[int]:
    """The line of every list item in the document, however deep."""
    found: set[int] = set()
    if isinstance(data, LocatedList):
        found.update(data.item_lines)
        for item in data:
            found |= _item_lines(item)
    elif isinstance(data, dict):
        for value in data.values():
            found |= _item_lines(value)
    return found


def swallowed_items(text: str, data: Any) -> list[int]:
    """Lines that look like list items ("- ...") but are not: YAML read them as part of the text above.

    A "- " indented deeper than its list continues the previous item's text, so two steps silently
    become one; the same happens under a single text.
    """
    items = _item_lines(data)
    return [
        number
        for number, line in enumerate(text.splitlines(), 1)
        if _LIST_ITEM.match(line) and number not in items and not line.lstrip().startswith("#")
    ]


class Loader:
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
        self.departments: dict[str, Department] = {}
        self.departments_file = False  # departamentos.yaml exists (entries' `regions` need it)

    def problem(self, path: Path | str, line: int, es: str, en: str, severity: str = "error") -> None:
        self.problems.append(Problem(str(path), line, es, severity, en))

    def read(self, path: Path, expect: type) -> Any:
        try:
            data, duplicates = load_yaml(path)
        except YamlProblem as exc:
            if exc.syntax:
                line, es, en = yaml_hint(_text(path), exc.line, exc.syntax)
                self.problem(path, line, es, en)
            else:  # size, encoding, tags, alias bombs: yamlfile words these for staff already
                self.problem(path, exc.line, exc.message, "")
            return None
        except OSError as exc:
            self.problem(
                path, 1, f"no se puede leer el archivo: {exc.strerror}", f"cannot read the file: {exc.strerror}"
            )
            return None
        for line, key in duplicates:
            self.problem(
                path, line, f"el campo '{key}' aparece dos veces", f"field '{key}' appears twice in the same place"
            )
        text = _text(path)
        for line in swallowed_items(text, data):
            self.problem(
                path,
                line,
                "esta línea empieza con '- ' pero quedó dentro del texto de arriba: alinea el guion con los "
                "otros elementos de la lista",
                "this line starts with '- ' but was read as part of the text above: align the dash with the "
                "list's other items",
            )
        for number, source_line in enumerate(text.splitlines(), 1):
            if _TODO.match(source_line):
                self.problem(
                    path,
                    number,
                    "falta completar este campo: todavía dice TODO",
                    "this field is still to be written: it says TODO",
                )
        if not isinstance(data, expect):
            if expect is Located:
                es, en = "campos con su valor (campo: valor)", "a mapping of fields (key: value)"
            else:
                es, en = "una lista", "a list"
            self.problem(path, 1, f"el archivo debe contener {es}", f"the file must contain {en}")
            return None
        return data

    def run(self) -> KnowledgeBase | None:
        if not self.directory.is_dir():
            self.problem(self.directory, 0, "no se encuentra la carpeta de conocimiento", "knowledge folder not found")
            return None
        self.load_categories()
        self.load_departments()
        synonyms = self.load_synonyms()
        glossary = self.load_glossary()
        intents, messages = self.load_conversation()
        services = sorted((self.directory / "services").glob("**/*.y*ml"))
        if not services:
            self.problem(self.directory / "services", 0, "no hay archivos de servicios", "no service files found")
        for path in services:
            self.load_service(path)
        for path in sorted((self.directory / "events").glob("**/*.y*ml")):
            self.load_event(path)
        for path in sorted(self.directory.glob("*.y*ml")):
            if path.name not in TOP_LEVEL_FILES:
                es = "archivo sin uso: las entradas van en services/ o events/"
                self.problem(path, 1, es, "file not used: entries go in services/ or events/", "warning")
        self.check_related()
        self.check_question_collisions()
        if any(p.is_error for p in self.problems):
            return None
        return KnowledgeBase(
            entries=self.entries,
            categories=self.categories,
            synonyms=synonyms,
            glossary=glossary,
            intents=intents,
            messages=messages,
            directory=self.directory,
            departments=tuple(self.departments.values()),
        )

    def load_categories(self) -> None:
        path = self.directory / "categories.yaml"
        if not path.is_file():
            self.problem(path, 0, "falta categories.yaml", "categories.yaml is missing")
            return
        data = self.read(path, LocatedList)
        for index, item in enumerate(data or []):
            if not isinstance(item, Located):
                es, en = "cada categoría necesita id y title", "each category needs id and title"
                self.problem(path, data.line_of(index), es, en)
                continue
            reader = FieldReader(str(path), item, self.problems)
            reader.unknown_fields({"id", "title"})
            category_id = reader.identifier()
            title = reader.text("title")
            if category_id in self.categories:
                es = f"la categoría '{category_id}' está dos veces"
                reader.error("id", es, f"category '{category_id}' is defined twice")
            elif category_id and title:
                self.categories[category_id] = title

    def load_departments(self) -> None:
        """departamentos.yaml: each item {id, name, capital, aliases}; an alias names one department only."""
        path = self.directory / "departamentos.yaml"
        if not path.is_file():
            return
        self.departments_file = True
        data = self.read(path, LocatedList)
        alias_lines: dict[str, tuple[str, int]] = {}
        for index, item in enumerate(data or []):
            if not isinstance(item, Located):
                es = "cada departamento necesita id, name, capital y aliases"
                self.problem(path, data.line_of(index), es, "each department needs id, name, capital and aliases")
                continue
            reader = FieldReader(str(path), item, self.problems)
            reader.unknown_fields({"id", "name", "capital", "aliases"})
            department_id = reader.identifier()
            name, capital = reader.string("name"), reader.string("capital")
            aliases = tuple(fold(a) for a in reader.text_list("aliases").es if fold(a))
            if department_id in self.departments:
                es = f"el departamento '{department_id}' está dos veces"
                reader.error("id", es, f"department '{department_id}' is listed twice")
                continue
            for alias in aliases:
                owner = alias_lines.get(alias)
                if owner is not None and owner[0] != department_id:
                    reader.error(
                        "aliases",
                        f"'{alias}' ya es alias de '{owner[0]}' (línea {owner[1]}): "
                        "un alias nombra un solo departamento",
                        f"'{alias}' is already an alias of '{owner[0]}' (line {owner[1]}): one department per alias",
                    )
                alias_lines.setdefault(alias, (department_id, item.line))
            if department_id and name and capital:
                self.departments[department_id] = Department(department_id, name, capital, aliases)

    def read_regions(self, reader: FieldReader, data: Located) -> tuple[tuple[str, Text], ...]:
        """An entry's `regions` block: {department id or 'otras': text}, ids from departamentos.yaml."""
        block = data.get("regions")
        if block is None:
            return ()
        if not isinstance(block, Located) or not block:
            reader.error(
                "regions",
                "'regions' debe tener un bloque por id de departamento (arequipa: {es: ...})",
                "'regions' must hold one block per department id (arequipa: {es: ...})",
            )
            return ()
        if not self.departments_file:
            reader.error(
                "regions",
                "'regions' necesita departamentos.yaml en la carpeta de conocimiento",
                "'regions' needs departamentos.yaml in the knowledge folder",
            )
            return ()
        sub = FieldReader(reader.path, block, self.problems)
        result: list[tuple[str, Text]] = []
        for key in block:
            if key != OTHER_REGIONS and key not in self.departments:
                sub.error(
                    key,
                    f"'regions' nombra un departamento desconocido '{key}' (mira los id de departamentos.yaml)",
                    f"'regions' names unknown department '{key}' (see the ids in departamentos.yaml)",
                )
                continue
            text = sub.text(key)
            if text is not None:
                result.append((key, text))
        return tuple(result)

    def load_synonyms(self) -> tuple[Synonym, ...]:
        return self.load_groups(self.directory / "synonyms.yaml", with_lang=True)

    def load_glossary(self) -> tuple[Synonym, ...]:
        """English words -> the Spanish term they stand for (`term` Spanish, `same_as` English)."""
        return self.load_groups(self.directory / GLOSSARY_FILE, with_lang=False)

    def load_groups(self, path: Path, *, with_lang: bool) -> tuple[Synonym, ...]:
        """`{term, same_as[, lang]}` groups: synonyms.yaml, or the English glossary (no `lang`)."""
        if not path.is_file():
            return ()
        data = self.read(path, LocatedList)
        result: list[Synonym] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(data or []):
            if not isinstance(item, Located):
                es, en = "cada sinónimo necesita 'term' y 'same_as'", "each synonym needs 'term' and 'same_as'"
                self.problem(path, data.line_of(index), es, en)
                continue
            reader = FieldReader(str(path), item, self.problems)
            reader.unknown_fields({"term", "same_as", "lang"} if with_lang else {"term", "same_as"})
            term = fold(reader.string("term"))
            lang = (reader.string("lang", required=False) if with_lang else None) or "es"
            if lang not in ("es", "en"):
                reader.error(
                    "lang", f"'lang' debe ser es o en; dice {lang!r}", f"'lang' must be es or en, got {lang!r}"
                )
            variants = tuple(fold(v) for v in reader.text_list("same_as").es if fold(v))
            for variant in variants:
                key = f"{lang}:{variant}"
                if variant == term:
                    reader.warning("same_as", f"'{variant}' es el propio término", f"'{variant}' is the term itself")
                elif key in seen:
                    reader.error(
                        "same_as",
                        f"'{variant}' ya es sinónimo en la línea {seen[key]}",
                        f"'{variant}' is already a synonym on line {seen[key]}",
                    )
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
            es = "falta conversation.yaml (respuesta sin resultado y conversación)"
            self.problem(path, 0, es, "conversation.yaml is missing (fallback and small talk)")
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
            reader.error(
                where,
                "falta 'intents' con greeting, thanks, goodbye y help",
                "missing 'intents' with greeting, thanks, goodbye, help",
            )
            return intents, messages
        intent_reader = FieldReader(str(path), block, self.problems)
        intent_reader.unknown_fields(set(INTENTS))
        for name in INTENTS:
            item = block.get(name)
            if not isinstance(item, Located):
                es = f"falta el intent '{name}' (o no tiene phrases y reply)"
                intent_reader.error(None, es, f"intent '{name}' is missing or not a mapping")
                continue
            sub = FieldReader(str(path), item, self.problems)
            sub.unknown_fields({"phrases", "reply"})
            phrases, reply = sub.text_list("phrases"), sub.text("reply")
            if reply:
                intents[name] = Intent(name=name, phrases=phrases, reply=reply)
        return intents, messages

    # -- entries ------------------------------------------------------------------------------------

    def _head(self, path: Path, reader: FieldReader, fields: set[str], data: Located) -> _Head:
        """The fields both kinds share; the caller adds its own and then `_add`s the entry."""
        reader.unknown_fields(fields)
        entry_id = reader.identifier()
        if entry_id and path.stem != entry_id:
            reader.warning(
                "id",
                f"el nombre del archivo '{path.name}' no coincide con el id '{entry_id}'",
                f"file name '{path.name}' differs from the id '{entry_id}'",
            )
        title = reader.text("title")
        common: dict[str, Any] = {
            "title": title,
            "questions": reader.text_list("questions"),
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
        if common["questions"].en and title and not title.en:
            reader.warning(
                "title",
                "hay preguntas en inglés pero el título no tiene texto 'en'",
                "English questions are given but the title has no 'en' text",
            )
        return _Head(entry_id, title, common)

    def load_service(self, path: Path) -> None:
        data = self.read(path, Located)
        if data is None:
            self.unreadable_entries += 1
            return
        reader = FieldReader(str(path), data, self.problems)
        head = self._head(path, reader, SERVICE_FIELDS, data)
        summary = reader.text("answer")
        questions = head.common["questions"]
        if questions.es and len(questions.es) < MIN_SERVICE_QUESTIONS:
            count = len(questions.es)
            reader.warning(
                "questions",
                f"solo {count} preguntas en español; agrega al menos {MIN_SERVICE_QUESTIONS}",
                f"only {count} Spanish questions; add at least {MIN_SERVICE_QUESTIONS}",
            )
        details: dict[str, Any] = {
            "keywords": reader.text_list("keywords"),
            "steps": reader.text_list("steps"),
            "requirements": reader.text_list("requirements"),
            "cost": reader.text("cost"),
            "channels": reader.channels("channels"),
            "institution": reader.string("institution"),
            "category": reader.string("category"),
            "regions": self.read_regions(reader, data),
        }
        self._add("service", reader, data, head, summary, details)

    def load_event(self, path: Path) -> None:
        data = self.read(path, Located)
        if data is None:
            self.unreadable_entries += 1
            return
        reader = FieldReader(str(path), data, self.problems)
        head = self._head(path, reader, EVENT_FIELDS, data)
        summary = reader.text("description")
        starts, starts_ok = reader.moment("starts")
        ends, ends_ok = reader.moment("ends")
        if starts_ok and ends_ok and starts is not None and ends is not None and _day(ends) < _day(starts):
            reader.error("ends", "'ends' es anterior a 'starts'", "'ends' is before 'starts'")
        details: dict[str, Any] = {
            "keywords": reader.text_list("keywords", required=False),
            "starts": starts,
            "ends": ends,
            "modality": reader.choice("modality", MODALITIES),
            "location": reader.text("location", required=False),
            "region": reader.string("region"),
            "institution": reader.string("organizer"),
            "category": reader.string("category", required=False),
        }
        self._add("event", reader, data, head, summary, details)

    def _add(
        self, kind: str, reader: FieldReader, data: Located, head: _Head, summary: Text | None, details: dict[str, Any]
    ) -> None:
        category = details.get("category") or ""
        if category and self.categories and category not in self.categories:
            reader.error(
                "category",
                f"categoría desconocida '{category}' (mira categories.yaml)",
                f"unknown category '{category}' (see categories.yaml)",
            )
        entry_id = head.entry_id
        if not entry_id or head.title is None or summary is None:
            return
        if entry_id in self.entries:
            first = self.entries[entry_id]
            where = f"{first.source_file}:{first.source_line}"
            reader.error(
                "id", f"id repetido '{entry_id}' (también en {where})", f"duplicate id '{entry_id}' (also in {where})"
            )
            return
        self.question_lines[entry_id] = _question_lines(data)
        self.entries[entry_id] = Entry(id=entry_id, kind=kind, summary=summary, **head.common, **details)

    # -- checks across files --------------------------------------------------------------------------

    def check_related(self) -> None:
        for entry in self.entries.values():
            for other in entry.related:
                if other == entry.id:
                    es, en = "'related' nombra a la propia entrada", "'related' lists the entry itself"
                    self.problem(entry.source_file, entry.source_line, es, en)
                elif other not in self.entries and not self.unreadable_entries:
                    self.problem(
                        entry.source_file,
                        entry.source_line,
                        f"'related' nombra una entrada que no existe: '{other}'",
                        f"'related' names unknown entry '{other}'",
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
                        es, en = f"pregunta repetida: '{question}'", f"question repeated: '{question}'"
                        self.problem(entry.source_file, line, es, en, "warning")
                        continue
                    own.add(key)
                    first = owners.setdefault(key, entry)
                    if first is not entry:
                        where = f"{first.source_file}:{self.question_lines[first.id].get(key, first.source_line)}"
                        self.problem(
                            entry.source_file,
                            line,
                            f"la pregunta '{question}' también está en '{first.id}' ({where}): "
                            "cada pregunta va en una sola entrada",
                            f"question '{question}' is also on '{first.id}' ({where}): one entry per question",
                        )


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


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


def _aspects(reader: FieldReader) -> tuple[str, ...]:
    """Staff's `not_covered: [hours, cost]`: points the entry does not answer, from the known aspects."""
    names = reader.identifiers("not_covered")
    known = ", ".join(sorted(ASPECT_NAMES))
    for name in names:
        if name not in ASPECT_NAMES:
            reader.error(
                "not_covered",
                f"aspecto desconocido '{name}' en 'not_covered' (uno de {known})",
                f"unknown aspect '{name}' in 'not_covered' (one of {known})",
            )
    return tuple(n for n in names if n in ASPECT_NAMES)
