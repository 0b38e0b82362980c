"""HTML drawing of answer views for Telegram and splitting of long messages at clean boundaries.

Every piece of knowledge-base or user text goes through `html.escape`; the only markup is ours
(<b>, <i>, <a>), and no tag ever spans a line, so a split at a line boundary keeps the HTML valid.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.core.render import AnswerView, Item

MAX_MESSAGE = 4096  # Telegram's limit for a message text (counted here in UTF-16 units, conservatively)
_TAG = re.compile(r"<[^>]*>")
FACT_ICONS = {"cost": "💰", "where": "📍", "url": "🔗"}


def esc(text: object) -> str:
    """Escape any text for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=True)


def link(url: str, label: str | None = None) -> str:
    """An <a> link for http(s) URLs; anything else is shown as escaped plain text."""
    if url.startswith(("https://", "http://")):
        return f'<a href="{esc(url)}">{esc(label or url)}</a>'
    return esc(label or url)


def link_text(url: str) -> str:
    """What a reader sees of a link: its site ("gob.pe/…"), which is what tells an official page apart;
    the whole address stays in the link itself."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    return host + ("/…" if parts.path.strip("/") or parts.query else "")


def _value(item: Item) -> str:
    return link(item.text, link_text(item.text)) if item.is_link else esc(item.text)


def essentials_html(view: AnswerView) -> str:
    """The first message of an answer: title, what to do, cost, where, official link, review date."""
    head = f"<b>{esc(view.title)}</b>"
    if view.when:
        head += f"\n🗓 {esc(view.when)}"
    if view.place:
        head += f"\n📍 {esc(view.place)}"
    blocks = [f"<i>{esc(view.notice)}</i>"] if view.notice else []
    blocks.append(head)
    if view.summary:
        blocks.append(esc(view.summary))
    facts = [f"{FACT_ICONS.get(f.key, '•')} <b>{esc(f.label)}:</b> {_value(f)}" for f in view.facts]
    if facts:
        blocks.append("\n".join(facts))
    blocks.append(f"<i>{esc(view.reviewed)}</i>")
    return "\n\n".join(blocks)


def details_html(view: AnswerView) -> str:
    """Steps, requirements and channels, shown when the citizen asks for them."""
    blocks = [f"<i>{esc(view.details_notice)}</i>"] if view.details_notice else []
    for section in view.details:
        lines = []
        for n, item in enumerate(section.items, 1):
            bullet = f"{n}." if section.numbered else "•"
            label = f"{esc(item.label)}: " if item.label else ""
            lines.append(f"{bullet} {label}{_value(item)}")
        blocks.append(f"<b>{esc(section.title)}</b>\n" + "\n".join(lines))
    return "\n\n".join(blocks)


def answer_html(view: AnswerView, with_details: bool = False) -> str:
    """The essentials, followed by the details when asked for."""
    parts = [essentials_html(view)]
    if with_details and view.details:
        parts.append(details_html(view))
    return "\n\n".join(parts)


def visible_length(text: str) -> int:
    """Characters a reader sees in an HTML message (tags removed, entities decoded)."""
    return len(html.unescape(_TAG.sub("", text)))


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
