"""Turning a citizen's question into one more phrasing of an entry, in the entry's own YAML file.

Staff write these files by hand, with comments and their own layout, so the file is edited with a
round-trip YAML parser (ruamel.yaml) and never re-dumped from plain data: the only change is the
new line. The result is validated like any content edit; anything wrong puts the file back as it
was. Refusals carry a message in Spanish for the content team (the CLI and Telegram show it as is).
"""

from __future__ import annotations

import difflib
import io
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.core.knowledge import KnowledgeBase, load_knowledge
from bot.core.models import Entry
from bot.core.normalize import fold
from bot.core.pipeline import Pipeline

_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")  # masked personal data ([DNI], [TELEFONO]) is no phrasing


class PhrasingRefused(Exception):
    """The question cannot be added; the message (Spanish) says why and what to do instead."""


@dataclass(frozen=True)
class Addition:
    """What `add_question` changed: the file, the line added and a unified diff to show staff."""

    entry_id: str
    path: Path
    question: str
    lang: str
    diff: str


def clean_phrasing(text: str) -> str:
    """The question as a phrasing: masked placeholders dropped, spaces squeezed."""
    return " ".join(_PLACEHOLDER.sub(" ", text).split())


def closest_entries(pipeline: Pipeline, question: str, limit: int = 3) -> list[tuple[Entry, float]]:
    """The entries the current knowledge base ranks highest for `question`, with their scores:
    the likely homes for it as a phrasing (the review CLI lists them, Telegram offers them as buttons)."""
    if not fold(clean_phrasing(question)):
        return []
    return [(c.entry, c.score) for c in pipeline.explain(question)[:limit]]


def owner_of(kb: KnowledgeBase, question: str, lang: str) -> Entry | None:
    """The entry that already has this phrasing (compared folded, as validation does), if any."""
    key = fold(question)
    for entry in kb.entries.values():
        phrasings = entry.questions.en if lang == "en" else entry.questions.es
        if any(fold(q) == key for q in phrasings):
            return entry
    return None


def add_question(
    directory: Path,
    entry_id: str,
    question: str,
    *,
    lang: str = "es",
    today: date | None = None,
    max_age_days: int = 365,
) -> Addition:
    """Append `question` to `entry_id`'s `questions` (the `lang` list) and validate the result.

    Raises PhrasingRefused when the knowledge base is invalid already, the entry is unknown, the
    question is empty, already a phrasing of this or another entry, or the edit would not validate.
    """
    kb, _ = load_knowledge(directory, today=today, max_age_days=max_age_days)
    if kb is None:
        raise PhrasingRefused("la base de conocimiento ya tiene errores: corrígelos primero (python -m bot validate)")
    entry = kb.entries.get(entry_id)
    if entry is None:
        close = difflib.get_close_matches(entry_id, list(kb.entries), n=3)
        hint = f"; ¿quisiste decir {', '.join(close)}?" if close else " (mira python -m bot dump)"
        raise PhrasingRefused(f"no existe la entrada '{entry_id}'{hint}")
    text = clean_phrasing(question)
    if not fold(text):
        raise PhrasingRefused("la pregunta está vacía (o su texto ya se borró por antigüedad)")
    owner = owner_of(kb, text, lang)
    if owner is not None and owner.id == entry_id:
        raise PhrasingRefused(f"'{entry_id}' ya tiene la pregunta '{text}': no hace falta agregarla")
    if owner is not None:
        raise PhrasingRefused(
            f"la pregunta '{text}' ya es de la entrada '{owner.id}' ({owner.source_file}): "
            "una pregunta solo puede estar en una entrada"
        )
    path = Path(entry.source_file)
    original = path.read_text(encoding="utf-8")
    changed = _appended(original, text, lang, path)
    _write(path, changed)
    after, problems = load_knowledge(directory, today=today, max_age_days=max_age_days)
    if after is None:
        _write(path, original)
        errors = "; ".join(str(p) for p in problems if p.is_error)
        raise PhrasingRefused(f"el cambio no pasa la validación y se deshizo: {errors}")
    diff = "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True), changed.splitlines(keepends=True), str(path), str(path)
        )
    )
    return Addition(entry_id, path, text, lang, diff)


# (mapping indent, sequence indent, dash offset) layouts tried, the project's own first.
_LAYOUTS = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 4, 0), (2, 3, 1), (4, 6, 4))


def _parser(layout: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode: comments, key order, quotes and flow style are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long answers
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: Any, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _appended(original: str, question: str, lang: str, path: Path) -> str:
    """The file with `question` appended to its `questions` list, written back in its own layout."""
    for layout in _LAYOUTS:
        yaml = _parser(layout)
        data = yaml.load(original)
        if _dump(yaml, data) == original:
            break
    else:
        # No layout writes this file back unchanged: editing it would reformat staff's work.
        raise PhrasingRefused(
            f"no puedo editar {path} sin cambiar su formato: agrega la pregunta a mano en 'questions'"
        )
    block = data.get("questions")
    target = block.get(lang) if hasattr(block, "keys") else (block if lang == "es" else None)
    if target is None or not hasattr(target, "append"):
        where = f"questions.{lang}" if lang == "en" else "questions"
        raise PhrasingRefused(f"{path} no tiene la lista '{where}': agrégala a mano primero")
    target.append(question)
    return _dump(yaml, data)


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so the bot never reads a half-written entry."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
