"""HTML rendering of answers for Telegram and splitting of long messages at clean boundaries.

Every piece of knowledge-base or user text goes through `html.escape`; the only markup is ours
(<b>, <i>, <a>), and no tag ever spans a line, so a split at a line boundary keeps the HTML valid.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from bot.core.render import AnswerView

MAX_MESSAGE = 4096  # Telegram's limit for a message text (counted here in UTF-16 units, conservatively)
_TAG = re.compile(r"<[^>]*>")


_DEFAULT_LABELS = {
    "es": {
        "when": "Fecha",
        "steps": "Pasos",
        "requirements": "Requisitos",
        "cost": "Costo",
        "channels": "Canales de atención",
        "url": "Enlace oficial",
    },
    "en": {
        "when": "Date",
        "steps": "Steps",
        "requirements": "Requirements",
        "cost": "Fees",
        "channels": "Where to do it",
        "url": "Official link",
    },
}


def esc(text: object) -> str:
    """Escape any text for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=True)


def link(url: str, label: str | None = None) -> str:
    """An <a> link for http(s) URLs; anything else is shown as escaped plain text."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}">{esc(label or url)}</a>'
    return esc(label or url)


def _label(view: AnswerView, key: str, lang: str) -> str:
    labels = view.labels or {}
    return labels.get(key) or _DEFAULT_LABELS["en" if lang == "en" else "es"][key]


def answer_html(view: AnswerView, lang: str = "es") -> str:
    """The whole answer as Telegram HTML: title, short answer, date, steps, fees, channels, link."""
    blocks: list[str] = [f"<b>{esc(view.title)}</b>"]
    if view.when:
        blocks[0] += f"\n🗓 {esc(view.when)}"
    if view.place:
        blocks[0] += f"\n📍 {esc(view.place)}"
    if view.summary:
        blocks.append(esc(view.summary))
    if view.steps:
        lines = [f"{n}. {esc(step)}" for n, step in enumerate(view.steps, 1)]
        blocks.append(f"<b>{esc(_label(view, 'steps', lang))}</b>\n" + "\n".join(lines))
    if view.requirements:
        lines = [f"• {esc(item)}" for item in view.requirements]
        blocks.append(f"<b>{esc(_label(view, 'requirements', lang))}</b>\n" + "\n".join(lines))
    if view.cost:
        blocks.append(f"<b>{esc(_label(view, 'cost', lang))}:</b> {esc(view.cost)}")
    if view.channels:
        lines = []
        for label, value in view.channels:
            shown = link(value) if value.startswith(("https://", "http://")) else esc(value)
            lines.append(f"• {esc(label)}: {shown}" if label else f"• {shown}")
        blocks.append(f"<b>{esc(_label(view, 'channels', lang))}</b>\n" + "\n".join(lines))
    if view.url:
        blocks.append(f"🔗 <b>{esc(_label(view, 'url', lang))}:</b> {link(view.url)}")
    return "\n\n".join(blocks)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split `text` into chunks within `limit`, at paragraph, then line, then word boundaries.

    Chunks are stripped of surrounding blank lines. A single line longer than the limit loses its
    markup and is cut between words (never inside an HTML entity).
    """
    if utf16_len(text) <= limit:
        return [text]
    pieces = (piece for paragraph in text.split("\n\n") for piece in _fit(paragraph, limit))
    return [c.strip("\n") for c in _pack(pieces, "\n\n", limit) if c.strip()]


def _fit(paragraph: str, limit: int) -> list[str]:
    """A paragraph as one piece, or as line groups when it is too long."""
    if utf16_len(paragraph) <= limit:
        return [paragraph]
    return _pack((part for line in paragraph.split("\n") for part in _cut_line(line, limit)), "\n", limit)


def _pack(parts: Iterable[str], separator: str, limit: int) -> list[str]:
    """Join consecutive parts with `separator` into as few chunks of at most `limit` as possible."""
    packed: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{separator}{part}" if current else part
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            if current:
                packed.append(current)
            current = part
    if current:
        packed.append(current)
    return packed


def _cut_line(line: str, limit: int) -> list[str]:
    """A line that fits, or its plain text cut between words into parts that fit."""
    if utf16_len(line) <= limit:
        return [line]
    plain = _TAG.sub("", line)
    parts: list[str] = []
    current = ""
    for word in plain.split(" "):
        while utf16_len(word) > limit:  # a single enormous "word": cut it, avoiding entities
            cut = _safe_cut(word, limit)
            if current:
                parts.append(current)
                current = ""
            parts.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if utf16_len(candidate) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = word
    if current:
        parts.append(current)
    return parts


def _safe_cut(word: str, limit: int) -> int:
    """An index <= limit (in UTF-16 units) that does not fall inside an &entity;."""
    cut = min(len(word), limit // 2)  # conservative for astral characters
    while utf16_len(word[:cut]) < limit and cut < len(word):
        cut += 1
    while utf16_len(word[:cut]) > limit:
        cut -= 1
    amp = word.rfind("&", max(0, cut - 10), cut)
    if amp != -1 and ";" not in word[amp:cut]:
        cut = amp
    return max(cut, 1)
