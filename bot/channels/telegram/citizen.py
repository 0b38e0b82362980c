"""Citizen handlers: /start (with deep links), /help and /ayuda, /idioma, free-text questions, non-text."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from . import callbacks as cb
from .answers import CHANNEL, send_answer, send_reply
from .context import Context, memory, user_lang
from .formatting import esc
from .keyboards import browse_markup, button, keyboard
from .mydata import save_language
from .sending import send_html, show
from .texts import t

log = logging.getLogger("bot.telegram")

MAX_QUESTION = 500  # longer messages are answered from their beginning
LANGUAGE_WORDS = {"es": "es", "espanol": "es", "español": "es", "spanish": "es", "en": "en", "english": "en",
                  "ingles": "en", "inglés": "en"}


def log_fields(**fields: Any) -> str:
    """key=value pairs for one structured log line (values must never be user text)."""
    return " ".join(f"{key}={value}" for key, value in fields.items())


async def start(update: Update, context: Context) -> None:
    """Greet the user, or open an answer directly from a deep link (t.me/<bot>?start=<entry-id>)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    payload = context.args[0].strip().lower() if context.args else ""
    if payload:
        entry = context.bot_data.pipeline.kb.entries.get(payload)
        if entry is not None:
            log.info("deep_link %s", log_fields(entry=entry.id, lang=lang))
            await send_answer(context, message.chat_id, entry, lang)
            return
        log.info("deep_link %s", log_fields(entry="unknown", lang=lang))
        await send_html(context, message.chat_id, esc(t("deep_link_unknown", lang)))
        return
    text = f"{esc(t('welcome', lang))}\n\n{esc(t('help', lang))}"
    await send_html(context, message.chat_id, text, browse_markup(lang))


async def help_command(update: Update, context: Context) -> None:
    """What the bot can do (/help and /ayuda)."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    await send_html(context, message.chat_id, esc(t("help", lang)), browse_markup(lang))


async def language(update: Update, context: Context) -> None:
    """Switch language: `/idioma en` directly, or `/idioma` to choose with buttons."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    if context.args:
        chosen = LANGUAGE_WORDS.get(context.args[0].strip().lower())
        if chosen is None:
            await send_html(context, message.chat_id, esc(t("language_unknown", lang)))
            return
        set_language(context, chosen)
        await save_language(update, context, chosen)
        await send_html(context, message.chat_id, esc(t("language_set", chosen)))
        return
    markup = keyboard(
        [[button("🇵🇪 Español", cb.SetLanguage("es")), button("🇬🇧 English", cb.SetLanguage("en"))]]
    )
    await send_html(context, message.chat_id, esc(t("choose_language", lang)), markup)


def set_language(context: Context, lang: str) -> None:
    memory(context).lang = lang


async def on_language_button(update: Update, context: Context) -> None:
    """A press on one of /idioma's buttons."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.SetLanguage)
    assert action is not None  # routed here by its pattern
    set_language(context, action.lang)
    await save_language(update, context, action.lang)
    await query.answer(t("language_set", action.lang))
    await show(update, context, esc(t("language_set", action.lang)), None)


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question in `message`, or None when a group message is not meant for the bot.

    In private chats every text is a question. In groups only a message that mentions @bot (the
    mention is removed from the question) or replies to one of the bot's messages is.
    """
    text = message.text or message.caption or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{bot_username}".lower()
    mentioned = False
    entities = message.parse_entities if message.text is not None else message.parse_caption_entities
    for value in entities([MessageEntity.MENTION]).values():
        if value.lower() == mention:
            mentioned = True
            text = text.replace(value, " ")
    replied = message.reply_to_message
    to_bot = replied is not None and replied.from_user is not None and replied.from_user.id == bot_id
    return text if mentioned or to_bot else None


def _cut(text: str, limit: int = MAX_QUESTION) -> str:
    """The first `limit` characters of `text`, ending at a word boundary when possible."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return head[:space] if space > limit // 2 else head


async def question(update: Update, context: Context) -> None:
    """Answer a free-text question (or a photo's caption): answer, suggestions, small talk or the fallback."""
    message = update.effective_message
    if message is None or (message.text is None and message.caption is None):
        return
    if message.from_user is not None and message.from_user.is_bot:
        return
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    chat_id = message.chat_id
    lang = user_lang(update, context)
    text = " ".join(text.split())
    if not text:
        await send_html(context, chat_id, esc(t("empty", lang)))
        return
    # The answer is ready in about a millisecond: no "typing…" (a second rate-limited call that would
    # halve the bot's capacity), and the log and the store wait until the reply is on its way.
    too_long = len(text) > MAX_QUESTION
    asked = _cut(text)
    data = context.bot_data
    reply = data.replies.ask(asked, lang, memory(context).region)
    if memory(context).lang is None:  # no /idioma choice: reply in the question's language
        lang = reply.lang
    try:
        if too_long:
            await send_html(context, chat_id, esc(t("too_long", lang)))
        await send_reply(context, chat_id, reply, lang)
    finally:
        user_id = message.from_user.id if message.from_user else None
        if data.store is not None:
            data.store.record_question(user_id=user_id, channel=CHANNEL, reply=reply)
        log.info(
            "question %s",
            log_fields(
                outcome=reply.outcome.value,
                entry=reply.entry_id or "-",
                candidates=len(reply.candidates),
                score=f"{reply.score:.2f}",
                lang=reply.lang,
                latency_ms=f"{reply.latency_ms:.1f}",
                chat=message.chat.type,
                truncated=str(too_long).lower(),
            ),
        )


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice, locations, documents…: say politely that the bot reads text."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        replied = message.reply_to_message
        if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
            return
    log.info("non_text %s", log_fields(chat=message.chat.type))
    await send_html(context, message.chat_id, esc(t("text_only", user_lang(update, context))))


async def edited(update: Update, context: Context) -> None:
    """An edited message: explain that only new messages are answered (private chats only)."""
    message = update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    await send_html(context, message.chat_id, esc(t("edited", user_lang(update, context))))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Commands (new messages only), /idioma's buttons, free text and captions, edits, non-text."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", start, filters=new))
    application.add_handler(CommandHandler(["help", "ayuda"], help_command, filters=new))
    application.add_handler(CommandHandler("idioma", language, filters=new))
    application.add_handler(CallbackQueryHandler(on_language_button, pattern=cb.matches(cb.SetLanguage)))
    application.add_handler(MessageHandler(new & filters.TEXT & ~filters.COMMAND, question))
    application.add_handler(MessageHandler(new & filters.CAPTION, question))  # a photo "of my DNI, how…"
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, edited))
    other = new & ~filters.TEXT & ~filters.StatusUpdate.ALL & ~filters.VIA_BOT
    application.add_handler(MessageHandler(other, not_text))
