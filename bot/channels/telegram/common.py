"""What every handler shares: the dependencies, the user's language, and safe, retrying sends."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.core.config import Settings
from bot.core.models import Entry
from bot.core.pipeline import Pipeline
from bot.core.render import answer_view
from bot.store import Store

from . import callbacks as cb
from .formatting import answer_html, esc, split_message
from .sending import DEFAULT_DELAYS, send_with_retry
from .texts import t

log = logging.getLogger("bot.telegram")

CHANNEL = "telegram"
MAX_RELATED = 3
MAX_REMEMBERED = 50  # answers per chat whose question we remember for a 👎
BUTTON_TEXT = 60

Context = ContextTypes.DEFAULT_TYPE


@dataclass
class Deps:
    """The objects handlers need; kept in `application.bot_data["deps"]`."""

    settings: Settings
    pipeline: Pipeline
    store: Store | None
    retry_delays: Sequence[float] = DEFAULT_DELAYS

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_user_ids


def deps(context: Context) -> Deps:
    found = context.bot_data["deps"]
    assert isinstance(found, Deps)
    return found


def store_of(context: Context) -> Store:
    store = deps(context).store
    if store is None:
        raise RuntimeError("the store is not open")
    return store


def user_lang(update: Update, context: Context) -> str:
    """The language chosen with /idioma, else the one of the user's Telegram app, else Spanish."""
    chosen = context.user_data.get("lang") if context.user_data is not None else None
    if chosen in ("es", "en"):
        return str(chosen)
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "en" if code.lower().startswith("en") else "es"


def short(text: str, limit: int = BUTTON_TEXT) -> str:
    """Button labels: one line, at most `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def button(text: str, action: cb.Action) -> InlineKeyboardButton | None:
    """An inline button, or None when the callback data would not fit (logged once per id)."""
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


async def typing(context: Context, chat_id: int) -> None:
    """Show "typing…"; a failure here must never block the answer."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("chat action failed: %s", type(exc).__name__)


async def send_html(
    context: Context,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    what: str = "message",
) -> Message:
    """Send HTML `text`, split into several messages if needed; the keyboard goes under the last one."""
    chunks = split_message(text)
    delays = deps(context).retry_delays
    sent: Message | None = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1

        async def send(chunk: str = chunk, last: bool = last) -> Message:
            return await context.bot.send_message(
                chat_id,
                chunk,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )

        sent = await send_with_retry(send, delays=delays, what=what)
    assert sent is not None
    return sent


def remember_question(context: Context, message_id: int, question: str | None, entry_id: str | None) -> None:
    """Keep (in memory only) the question behind an answer, so a 👎 can send it to review."""
    if context.chat_data is None or question is None:
        return
    asked: dict[int, str] = context.chat_data.setdefault("asked", {})
    asked[message_id] = question
    while len(asked) > MAX_REMEMBERED:
        asked.pop(next(iter(asked)))
    context.chat_data["last_question"] = question
    context.chat_data["last_entry"] = entry_id


def question_for(context: Context, message_id: int | None, entry_id: str | None = None) -> str | None:
    """The question behind the answer in `message_id` (or the last question, if it led to `entry_id`)."""
    if context.chat_data is None:
        return None
    asked: dict[int, str] = context.chat_data.get("asked", {})
    if message_id is not None and message_id in asked:
        return asked[message_id]
    if entry_id is not None and context.chat_data.get("last_entry") == entry_id:
        last = context.chat_data.get("last_question")
        return str(last) if last else None
    return None


def answer_markup(entry: Entry, pipeline: Pipeline, lang: str) -> InlineKeyboardMarkup | None:
    """👍/👎 under an answer, then one button per related entry that still exists."""
    rows: list[list[InlineKeyboardButton | None]] = [
        [
            button(t("yes", lang), cb.Feedback(entry.id, True)),
            button(t("no", lang), cb.Feedback(entry.id, False)),
        ]
    ]
    related = [pipeline.kb.entries[r] for r in entry.related if r in pipeline.kb.entries][:MAX_RELATED]
    for other in related:
        rows.append([button("➡ " + other.title.get(lang), cb.OpenAnswer(other.id))])
    return keyboard(rows)


async def send_answer(
    context: Context, chat_id: int, entry: Entry, lang: str, question: str | None = None
) -> Message:
    """The full answer to `entry` in HTML, with feedback and related buttons."""
    pipeline = deps(context).pipeline
    text = answer_html(answer_view(entry, lang), lang) + f"\n\n<i>{esc(t('helpful_question', lang))}</i>"
    sent = await send_html(context, chat_id, text, answer_markup(entry, pipeline, lang), what="answer")
    remember_question(context, sent.message_id, question, entry.id)
    return sent


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The same keyboard without the 👍/👎 row (after the user voted)."""
    if markup is None:
        return None
    rows = [
        [b for b in row if not isinstance(cb.decode(b.callback_data), cb.Feedback)]
        for row in markup.inline_keyboard
    ]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def chat_id_of(update: Update) -> int | None:
    chat = update.effective_chat
    return chat.id if chat else None


def log_fields(**fields: Any) -> str:
    """key=value pairs for one structured log line (values must never be user text)."""
    return " ".join(f"{key}={value}" for key, value in fields.items())
