"""Inline keyboards: buttons carrying versioned callback data, and the keyboards under answers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry

from . import callbacks as cb
from .texts import t

log = logging.getLogger("bot.telegram")

BUTTON_TEXT = 60
MAX_RELATED = 3


def short(text: str, limit: int = BUTTON_TEXT) -> str:
    """Button labels: one line, at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def button(text: str, action: cb.Action) -> InlineKeyboardButton | None:
    """An inline button, or None when the callback data would not fit (logged)."""
    data = cb.encode(action)
    if data is None:
        log.warning("button skipped: callback data too long for %s", type(action).__name__)
        return None
    return InlineKeyboardButton(short(text), callback_data=data)


def keyboard(rows: Sequence[Sequence[InlineKeyboardButton | None]]) -> InlineKeyboardMarkup | None:
    """A keyboard from rows, dropping missing buttons and empty rows; None if nothing is left."""
    clean = [[b for b in row if b is not None] for row in rows]
    clean = [row for row in clean if row]
    return InlineKeyboardMarkup(clean) if clean else None


def browse_markup(lang: str) -> InlineKeyboardMarkup | None:
    return keyboard([[button(t("browse_services", lang), cb.Categories(1))]])


def answer_markup(
    entry: Entry, kb: KnowledgeBase, lang: str, details_lang: str | None
) -> InlineKeyboardMarkup | None:
    """👍/👎, then "Pasos y requisitos" (when `details_lang` is given), then the related entries that exist."""
    rows: list[list[InlineKeyboardButton | None]] = [
        [button(t("yes", lang), cb.Feedback(entry.id, True)), button(t("no", lang), cb.Feedback(entry.id, False))]
    ]
    if details_lang is not None:
        rows.append([button(t("details", lang), cb.Details(entry.id, details_lang))])
    related = [kb.entries[r] for r in entry.related if r in kb.entries][:MAX_RELATED]
    rows += [[button("➡ " + other.title.get(lang), cb.OpenAnswer(other.id))] for other in related]
    return keyboard(rows)


def without(
    markup: InlineKeyboardMarkup | None, drop: Callable[[cb.Action | None], bool]
) -> InlineKeyboardMarkup | None:
    """The same keyboard without the buttons whose decoded action `drop` selects."""
    if markup is None:
        return None
    rows = [[b for b in row if not drop(cb.decode(b.callback_data))] for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None
