"""Answers: drawing a pipeline reply in the chat, and the buttons under it (open another answer,
"Pasos y requisitos", 👍/👎).

The first message of an answer holds only the essentials; the details button extends that same
message with the steps, requirements and channels (or sends them below it when the whole would
not fit in one message).
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.core.models import Entry, Outcome, Reply
from bot.core.regional import EVENTS_INTENT
from bot.core.render import AnswerView, MessageView, SuggestionView, answer_view, reply_view

from . import callbacks as cb
from . import events, regions
from .context import Context, memory, user_lang
from .formatting import MAX_MESSAGE, answer_html, details_html, esc, utf16_len
from .keyboards import answer_markup, browse_markup, button, keyboard, without
from .sending import send_html
from .texts import t

log = logging.getLogger("bot.telegram")

CHANNEL = "telegram"


def _with_prompt(html: str, lang: str) -> str:
    return f"{html}\n\n<i>{esc(t('helpful_question', lang))}</i>"


def first_message(view: AnswerView, lang: str, note: str = "") -> str:
    """The first message of an answer exactly as sent: the essentials (and the regional `note`, HTML)
    and "¿Te sirvió?"."""
    return _with_prompt(answer_html(view) + note, lang)


async def send_answer(
    context: Context, chat_id: int, entry: Entry, lang: str, question: str | None = None
) -> int:
    """The essentials of `entry`, with feedback, details and related buttons; remembers `question` for a 👎.
    Returns the message id of the answer."""
    view = answer_view(entry, lang)
    return await _send_view(context, chat_id, view, entry, lang, question)


async def _send_view(
    context: Context,
    chat_id: int,
    view: AnswerView,
    entry: Entry,
    lang: str,
    question: str | None,
    reply: Reply | None = None,
) -> int:
    markup = answer_markup(entry, context.bot_data.pipeline.kb, lang, lang if view.details else None)
    markup = events.with_event_rows(markup, entry, lang, context.bot_data.clock())
    note = ""
    if reply is not None:  # the region the question named or the citizen chose
        note = regions.note_html(reply)
        keep = regions.keep_row(reply, context, lang)
        markup = keyboard([*(markup.inline_keyboard if markup else ()), keep]) if keep else markup
    sent = await send_html(context, chat_id, first_message(view, lang, note), markup, what="answer")
    memory(context).sent_answer(sent, entry.id)
    if question is not None:
        memory(context).remember(sent, question, entry.id)
    return sent


async def send_reply(context: Context, chat_id: int, reply: Reply, lang: str) -> None:
    """Draw a pipeline reply: an answer, a choice of entries, or a plain message (small talk, fallback)."""
    if reply.intent == EVENTS_INTENT:
        await events.send_listing(context, chat_id, reply, lang)
        return
    view = reply_view(reply, lang)
    if isinstance(view, AnswerView) and reply.entry is not None:
        await _send_view(context, chat_id, view, reply.entry, lang, reply.question, reply)
    elif isinstance(view, SuggestionView):
        rows = [[button(option.title, cb.OpenAnswer(option.entry_id))] for option in view.options]
        rows.append([button(t("browse_services", lang), cb.Categories(1))])
        sent = await send_html(context, chat_id, esc(view.intro), keyboard(rows), what="suggest")
        memory(context).remember(sent, reply.question, None)
    elif isinstance(view, MessageView):
        if reply.outcome is Outcome.NONE and await regions.offer(context, chat_id, reply, lang):
            return
        markup = browse_markup(lang) if view.offer_browse else None
        await send_html(context, chat_id, esc(view.text), markup, what=reply.outcome.value)


async def _stale(update: Update, lang: str, reason: str) -> None:
    assert update.callback_query is not None
    log.info("button rejected reason=%s", reason)
    await update.callback_query.answer(t("stale_button", lang), show_alert=True)


def _pressed(update: Update) -> tuple[int, Message | None]:
    """The chat and the message of a button press (a press on an inline message has no message)."""
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    return (message.chat.id if message is not None else query.from_user.id), message


_EntryAction = TypeVar("_EntryAction", cb.OpenAnswer, cb.Details)


async def _entry_pressed(
    update: Update, context: Context, kind: type[_EntryAction]
) -> tuple[_EntryAction, Entry, str] | None:
    """The decoded press, its entry and the user's language, with the press acknowledged; a forged
    or stale press (an entry a reload removed) is answered politely and gives None."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, kind)
    lang = user_lang(update, context)
    entry = context.bot_data.pipeline.kb.entries.get(action.entry_id) if action else None
    if action is None or entry is None:
        await _stale(update, lang, "unknown_entry")
        return None
    await query.answer()
    return action, entry, lang


async def on_open(update: Update, context: Context) -> None:
    """A suggestion, related entry, catalogue line or event: send that answer."""
    pressed = await _entry_pressed(update, context, cb.OpenAnswer)
    if pressed is None:
        return
    _, entry, lang = pressed
    chat_id, message = _pressed(update)
    question = memory(context).question_for(message.message_id if message else None)
    await send_answer(context, chat_id, entry, lang, question=question)


async def on_details(update: Update, context: Context) -> None:
    """"Pasos y requisitos": extend the answer in place, or send the details below it if too long."""
    pressed = await _entry_pressed(update, context, cb.Details)
    if pressed is None:
        return
    action, entry, lang = pressed
    query = update.callback_query
    assert query is not None
    chat_id, message = _pressed(update)
    view = answer_view(entry, action.lang)
    markup = without(message.reply_markup if message else None, lambda a: isinstance(a, cb.Details))
    whole = _with_prompt(answer_html(view, with_details=True), lang)
    if message is not None and utf16_len(whole) <= MAX_MESSAGE:
        try:
            await query.edit_message_text(whole, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in exc.message.lower():  # pressed twice: already extended
                return
            log.debug("details edit failed, sending instead: %s", exc.message)
    await send_html(context, chat_id, details_html(view), what="details")
    if message is not None:
        try:
            await query.edit_message_reply_markup(markup)
        except TelegramError as exc:  # cosmetic: the details were sent
            log.debug("could not remove the details button: %s", type(exc).__name__)


async def on_feedback(update: Update, context: Context) -> None:
    """👍/👎: stored once per answer; a 👎 sends the question behind the answer to review."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.Feedback)
    lang = user_lang(update, context)
    if action is None or action.entry_id not in context.bot_data.pipeline.kb.entries:
        await _stale(update, lang, "unknown_entry")
        return
    chat_id, message = _pressed(update)
    chat = memory(context)
    if message is None or not chat.can_vote(message.message_id, action.entry_id):
        await _stale(update, lang, "not_sent")  # only an answer the bot sent here takes a vote
        return
    if not chat.vote(query.from_user.id, message.message_id):
        await query.answer(t("feedback_thanks", lang))
        return
    question = None if action.helpful else chat.question_for(message.message_id, action.entry_id)
    store = context.bot_data.store
    if store is not None:
        store.record_feedback(
            user_id=query.from_user.id,
            channel=CHANNEL,
            entry_id=action.entry_id,
            helpful=action.helpful,
            question=question,
        )
    log.info("feedback entry=%s helpful=%s with_question=%s", action.entry_id, action.helpful, question is not None)
    await query.answer(t("feedback_thanks", lang))
    if message.reply_markup is not None:
        try:
            await query.edit_message_reply_markup(
                without(message.reply_markup, lambda a: isinstance(a, cb.Feedback))
            )
        except TelegramError as exc:  # cosmetic: the vote is already stored
            log.debug("could not remove the feedback buttons: %s", type(exc).__name__)
    if not action.helpful:
        await send_html(context, chat_id, esc(t("feedback_sorry", lang)), what="feedback")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The answer buttons: open an answer, its details, feedback."""
    application.add_handler(CallbackQueryHandler(on_open, pattern=cb.matches(cb.OpenAnswer)))
    application.add_handler(CallbackQueryHandler(on_details, pattern=cb.matches(cb.Details)))
    application.add_handler(CallbackQueryHandler(on_feedback, pattern=cb.matches(cb.Feedback)))
