"""Browsing: /servicios (categories, then services, with pages) and /eventos (upcoming first)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry
from bot.core.normalize import fold
from bot.core.render import event_when, past_events, upcoming_events

from . import callbacks as cb
from .common import Context, button, deps, keyboard, send_html, user_lang
from .formatting import esc
from .texts import t

CATEGORIES_PER_PAGE = 8
SERVICES_PER_PAGE = 6
MAX_PAST_EVENTS = 5
MAX_UPCOMING_EVENTS = 10


def _pages(count: int, per_page: int) -> int:
    return max(1, math.ceil(count / per_page))


def _nav(page: int, pages: int, lang: str, go: Callable[[int], cb.Action]) -> list[InlineKeyboardButton | None]:
    """◀/▶ buttons for `page` of `pages`; `go(n)` is the action that opens page n."""
    row: list[InlineKeyboardButton | None] = []
    if page > 1:
        row.append(button(t("previous", lang), go(page - 1)))
    if page < pages:
        row.append(button(t("next", lang), go(page + 1)))
    return row


def categories_view(kb: KnowledgeBase, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The category list, page `page` (clamped)."""
    counts: dict[str, int] = {}
    for entry in kb.services():
        counts[entry.category] = counts.get(entry.category, 0) + 1
    listed = [(cid, title.get(lang)) for cid, title in kb.categories.items() if counts.get(cid)]
    if not listed:
        return esc(t("no_services", lang)), None
    pages = _pages(len(listed), CATEGORIES_PER_PAGE)
    page = min(max(page, 1), pages)
    shown = listed[(page - 1) * CATEGORIES_PER_PAGE : page * CATEGORIES_PER_PAGE]
    rows: list[list[InlineKeyboardButton | None]] = [
        [button(f"{title} ({counts[cid]})", cb.Category(cid, 1))] for cid, title in shown
    ]
    rows.append(_nav(page, pages, lang, cb.Categories))
    text = f"<b>{esc(t('categories_title', lang))}</b>"
    if pages > 1:
        text += f"\n{esc(t('page', lang, page=page, pages=pages))}"
    return text, keyboard(rows)


def category_view(
    kb: KnowledgeBase, category: str, page: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The services of `category` by title, page `page` (clamped); None if the category no longer exists."""
    services: list[Entry] = [e for e in kb.services() if e.category == category]
    services.sort(key=lambda e: fold(e.title.get(lang)))
    if not services:
        return None
    title = kb.categories[category].get(lang) if category in kb.categories else t("other_category", lang)
    pages = _pages(len(services), SERVICES_PER_PAGE)
    page = min(max(page, 1), pages)
    shown = services[(page - 1) * SERVICES_PER_PAGE : page * SERVICES_PER_PAGE]
    rows: list[list[InlineKeyboardButton | None]] = [
        [button(entry.title.get(lang), cb.OpenAnswer(entry.id))] for entry in shown
    ]
    rows.append(_nav(page, pages, lang, lambda n: cb.Category(category, n)))
    rows.append([button(t("back_to_categories", lang), cb.Categories(1))])
    text = f"<b>{esc(t('category_title', lang, category=title))}</b>"
    if pages > 1:
        text += f"\n{esc(t('page', lang, page=page, pages=pages))}"
    return text, keyboard(rows)


def events_view(kb: KnowledgeBase, lang: str, now: datetime | None = None) -> tuple[str, InlineKeyboardMarkup | None]:
    """Upcoming (and to-be-announced) events first, then the latest past ones, marked as past."""
    upcoming = upcoming_events(kb, now)[:MAX_UPCOMING_EVENTS]
    past = past_events(kb, now)[:MAX_PAST_EVENTS]
    lines = [f"<b>{esc(t('events_title', lang))}</b>"]
    if upcoming:
        lines += [f"• {esc(e.title.get(lang))} — {esc(event_when(e, lang, now))}" for e in upcoming]
    else:
        lines.append(esc(t("no_events", lang)))
    if past:
        lines += ["", f"<b>{esc(t('events_past_title', lang))}</b>"]
        lines += [f"• {esc(e.title.get(lang))} — {esc(event_when(e, lang, now))}" for e in past]
    rows: list[list[InlineKeyboardButton | None]] = [
        [button("🗓 " + e.title.get(lang), cb.OpenAnswer(e.id))] for e in upcoming
    ]
    rows += [[button("🕘 " + e.title.get(lang), cb.OpenAnswer(e.id))] for e in past]
    if upcoming or past:
        lines += ["", esc(t("events_hint", lang))]
    return "\n".join(lines), keyboard(rows)


async def services(update: Update, context: Context) -> None:
    """Browse services by category with inline buttons (/servicios)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    text, markup = categories_view(deps(context).pipeline.kb, 1, lang)
    await send_html(context, message.chat_id, text, markup)


async def events(update: Update, context: Context) -> None:
    """List upcoming events first, then recent past ones (/eventos)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    text, markup = events_view(deps(context).pipeline.kb, lang)
    await send_html(context, message.chat_id, text, markup)
