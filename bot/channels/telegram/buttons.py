"""The one handler for inline-button presses: decode the versioned data and dispatch.

Forged, stale or malformed data is answered with a polite notice, never an exception.
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from . import admin
from . import callbacks as cb
from .browse import categories_view, category_view
from .citizen import set_language
from .common import (
    CHANNEL,
    Context,
    deps,
    question_for,
    send_answer,
    send_html,
    user_lang,
    without_feedback,
)
from .formatting import esc
from .texts import t

log = logging.getLogger("bot.telegram")


async def on_button(update: Update, context: Context) -> None:
    """Handle a button press (answers, feedback, browsing, language, admin review)."""
    query = update.callback_query
    if query is None:
        return
    lang = user_lang(update, context)
    action = cb.decode(query.data)
    if action is None:
        log.info("button rejected reason=malformed")
        await query.answer(t("stale_button", lang), show_alert=True)
        return
    kb = deps(context).pipeline.kb
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    message_id = message.message_id if message is not None else None

    if isinstance(action, cb.OpenAnswer):
        entry = kb.entries.get(action.entry_id)
        if entry is None:
            await _stale(query, lang, "unknown_entry")
            return
        await query.answer()
        await send_answer(context, chat_id, entry, lang, question=question_for(context, message_id))
    elif isinstance(action, cb.Feedback):
        await _feedback(update, context, action, lang)
    elif isinstance(action, cb.Categories):
        text, markup = categories_view(kb, action.page, lang)
        await query.answer()
        await _show(update, context, text, markup)
    elif isinstance(action, cb.Category):
        view = category_view(kb, action.category, action.page, lang)
        if view is None:
            await _stale(query, lang, "unknown_category")
            return
        await query.answer()
        await _show(update, context, *view)
    elif isinstance(action, cb.SetLanguage):
        set_language(context, action.lang)
        await query.answer(t("language_set", action.lang))
        await _show(update, context, esc(t("language_set", action.lang)), None)
    else:
        await admin.on_group_button(update, context, action)


async def _stale(query: CallbackQuery, lang: str, reason: str) -> None:
    log.info("button rejected reason=%s", reason)
    await query.answer(t("stale_button", lang), show_alert=True)


async def _feedback(update: Update, context: Context, action: cb.Feedback, lang: str) -> None:
    query = update.callback_query
    assert query is not None
    if action.entry_id not in deps(context).pipeline.kb.entries:
        await _stale(query, lang, "unknown_entry")
        return
    message = query.message if isinstance(query.message, Message) else None
    message_id = message.message_id if message is not None else None
    voted: set[int] = context.chat_data.setdefault("voted", set()) if context.chat_data is not None else set()
    if message_id is not None and message_id in voted:
        await query.answer(t("feedback_thanks", lang))
        return
    question = None if action.helpful else question_for(context, message_id, action.entry_id)
    store = deps(context).store
    if store is not None:
        store.record_feedback(
            user_id=query.from_user.id,
            channel=CHANNEL,
            entry_id=action.entry_id,
            helpful=action.helpful,
            question=question,
        )
    log.info("feedback entry=%s helpful=%s with_question=%s", action.entry_id, action.helpful, question is not None)
    if message_id is not None:
        voted.add(message_id)
        while len(voted) > 200:
            voted.pop()
    await query.answer(t("feedback_thanks", lang))
    markup = message.reply_markup if message is not None else None
    if markup is not None:
        try:
            await query.edit_message_reply_markup(without_feedback(markup))
        except TelegramError as exc:  # cosmetic: the vote is already stored
            log.debug("could not remove the feedback buttons: %s", type(exc).__name__)
    if not action.helpful and message is not None:
        await send_html(context, message.chat.id, esc(t("feedback_sorry", lang)), what="feedback")


async def _show(update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message with `text` (browsing in place), or send it if it cannot be edited."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        log.debug("edit failed, sending instead: %s", exc.message)
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await send_html(context, chat_id, text, markup)
