"""Browsing: /servicios (categories, then services, with pages); /eventos lives in events.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.core.knowledge import KnowledgeBase
from bot.core.render import catalogue

from . import callbacks as cb
from .context import Context, user_lang
from .formatting import esc
from .keyboards import button, keyboard
from .sending import send_html, show
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
    listed = catalogue(kb, lang)
    if not listed:
        return esc(t("no_services", lang)), None
    pages = _pages(len(listed), CATEGORIES_PER_PAGE)
    page = min(max(page, 1), pages)
    shown = listed[(page - 1) * CATEGORIES_PER_PAGE : page * CATEGORIES_PER_PAGE]
    rows: list[list[InlineKeyboardButton | None]] = [
        [button(f"{c.title} ({len(c.services)})", cb.Category(c.category_id, 1))] for c in shown
    ]
    rows.append(_nav(page, pages, lang, cb.Categories))
    text = f"<b>{esc(t('categories_title', lang))}</b>"
    if pages > 1:
        text += f"\n{esc(t('page', lang, page=page, pages=pages))}"
    return text, keyboard(rows)


def category_view(
    kb: KnowledgeBase, category: str, page: int, lang: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The services of `category`, page `page` (clamped); None if the category no longer has any."""
    found = next((c for c in catalogue(kb, lang) if c.category_id == category), None)
    if found is None:
        return None
    pages = _pages(len(found.services), SERVICES_PER_PAGE)
    page = min(max(page, 1), pages)
    shown = found.services[(page - 1) * SERVICES_PER_PAGE : page * SERVICES_PER_PAGE]
    rows: list[list[InlineKeyboardButton | None]] = [
        [button(option.title, cb.OpenAnswer(option.entry_id))] for option in shown
    ]
    rows.append(_nav(page, pages, lang, lambda n: cb.Category(category, n)))
    rows.append([button(t("back_to_categories", lang), cb.Categories(1))])
    text = f"<b>{esc(t('category_title', lang, category=found.title))}</b>"
    if pages > 1:
        text += f"\n{esc(t('page', lang, page=page, pages=pages))}"
    return text, keyboard(rows)


async def services(update: Update, context: Context) -> None:
    """Browse services by category with inline buttons (/servicios)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    text, markup = categories_view(context.bot_data.pipeline.kb, 1, lang)
    await send_html(context, message.chat_id, text, markup)


async def on_categories(update: Update, context: Context) -> None:
    """A page of the category list, in place."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.Categories)
    assert action is not None  # routed here by its pattern
    text, markup = categories_view(context.bot_data.pipeline.kb, action.page, user_lang(update, context))
    await query.answer()
    await show(update, context, text, markup)


async def on_category(update: Update, context: Context) -> None:
    """A page of one category's services, in place; a category that is gone gets a polite notice."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.Category)
    assert action is not None  # routed here by its pattern
    lang = user_lang(update, context)
    view = category_view(context.bot_data.pipeline.kb, action.category, action.page, lang)
    if view is None:
        await query.answer(t("stale_button", lang), show_alert=True)
        return
    await query.answer()
    await show(update, context, *view)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/servicios and the catalogue's page buttons (/eventos is events.py)."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("servicios", services, filters=new))
    application.add_handler(CallbackQueryHandler(on_categories, pattern=cb.matches(cb.Categories)))
    application.add_handler(CallbackQueryHandler(on_category, pattern=cb.matches(cb.Category)))
