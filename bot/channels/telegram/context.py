"""Typed handler context (python-telegram-bot's `ContextTypes`): what the bot remembers per chat in
`context.chat_data` (a `ChatMemory`) and the objects every handler shares in `context.bot_data`
(a `BotData`), instead of string keys and `assert isinstance` look-ups.

Memory is in-process only: a restart forgets it, and nothing here is written to disk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.core.pipeline import Pipeline
from bot.settings import Settings
from bot.store import Store

from .replycache import ReplyCache
from .sending import DEFAULT_DELAYS

T = TypeVar("T")
MAX_REMEMBERED = 50  # answers per chat whose question we keep for a 👎
MAX_VOTES = 200  # answers per chat already voted on


@dataclass
class ChatMemory:
    """One chat: its language choice and region, the questions behind recent answers, its votes."""

    lang: str | None = None  # chosen with /idioma; None: follow the app and the question
    region: str | None = None  # chosen with /region (department id)
    preferences_loaded: bool = False  # lang and region were read from the store (see mydata.py)
    asked: dict[int, str] = field(default_factory=dict)  # bot message id -> question, oldest first
    last_question: str | None = None
    last_entry: str | None = None
    sent_answers: dict[int, str] = field(default_factory=dict)  # bot message id -> entry id, oldest first
    votes: dict[tuple[int, int], None] = field(default_factory=dict)  # (user id, message id), oldest first

    def remember(self, message_id: int, question: str, entry_id: str | None) -> None:
        """Keep the question behind the bot message `message_id`, forgetting the oldest beyond the limit."""
        self.asked[message_id] = question
        while len(self.asked) > MAX_REMEMBERED:
            del self.asked[next(iter(self.asked))]
        self.last_question, self.last_entry = question, entry_id

    def question_for(self, message_id: int | None, entry_id: str | None = None) -> str | None:
        """The question behind `message_id`, else the last one if it led to `entry_id`."""
        if message_id is not None and message_id in self.asked:
            return self.asked[message_id]
        if entry_id is not None and self.last_entry == entry_id:
            return self.last_question
        return None

    def sent_answer(self, message_id: int, entry_id: str) -> None:
        """The bot sent the answer `entry_id` as `message_id`: only such a message can be voted on."""
        self.sent_answers[message_id] = entry_id
        while len(self.sent_answers) > MAX_VOTES:
            del self.sent_answers[next(iter(self.sent_answers))]

    def can_vote(self, message_id: int, entry_id: str) -> bool:
        """Whether `message_id` is an answer about `entry_id` the bot really sent in this chat (a
        press forged with another message id, or another entry, is not)."""
        return self.sent_answers.get(message_id) == entry_id

    def vote(self, user_id: int, message_id: int) -> bool:
        """Record `user_id`'s vote on `message_id`; False when that user already voted on it."""
        key = (user_id, message_id)
        if key in self.votes:
            return False
        self.votes[key] = None
        while len(self.votes) > MAX_VOTES:
            del self.votes[next(iter(self.votes))]  # the oldest vote, not an arbitrary one
        return True


@dataclass
class BotData:
    """What every handler needs; `store` is None until post_init opens it (or when running without one)."""

    settings: Settings
    pipeline: Pipeline
    store: Store | None
    retry_delays: Sequence[float] = DEFAULT_DELAYS
    # Admin edits of the knowledge files and reloads run one at a time: two presses on "➕" must
    # not interleave their read-modify-write of the same YAML file, nor a reload with an edit.
    content_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))  # reminders' time; tests fake it
    answering: set[int] = field(default_factory=set)  # update ids whose replies a handler is sending now
    store_steps: set[asyncio.Future[Any]] = field(default_factory=set)  # see `store_step`
    replies: ReplyCache = field(init=False)  # pipeline.ask, remembering questions asked again

    def __post_init__(self) -> None:
        self.replies = ReplyCache(self.pipeline, enabled=self.settings.reply_cache)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_user_ids

    async def store_step(self, step: Awaitable[T]) -> T:
        """Run one durable store step so that cancelling the handler (at shutdown) cannot cut it in
        the middle of a transaction: the step finishes on its own, and shutdown waits for it."""
        task = asyncio.ensure_future(step)
        self.store_steps.add(task)
        task.add_done_callback(self.store_steps.discard)
        return await asyncio.shield(task)

    def require_store(self) -> Store:
        if self.store is None:
            raise RuntimeError("the store is not open")
        return self.store


Context = CallbackContext[ExtBot[None], dict[Any, Any], ChatMemory, BotData]


def context_types(data: BotData) -> ContextTypes[Context, dict[Any, Any], ChatMemory, BotData]:
    """ContextTypes for the Application. PTB builds bot_data by calling its type without arguments,
    so the already-built `data` is handed out by a subclass bound to it."""

    class Bound(BotData):
        def __init__(self) -> None:
            super().__init__(data.settings, data.pipeline, data.store, data.retry_delays, clock=data.clock)

    return ContextTypes(context=CallbackContext, bot_data=Bound, chat_data=ChatMemory)


def memory(context: Context) -> ChatMemory:
    """This chat's memory; a throwaway one for updates without a chat (inline-message buttons)."""
    return context.chat_data if context.chat_data is not None else ChatMemory()


def user_lang(update: Update, context: Context) -> str:
    """The language chosen with /idioma, else the one of the user's Telegram app, else Spanish."""
    chosen = memory(context).lang
    if chosen in ("es", "en"):
        return chosen
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    return "en" if code.lower().startswith("en") else "es"
