"""The durable inbox and outbox of the Telegram channel (the store side is `bot/store/inbox.py`).

Every store step here and in `sending.py` goes through `BotData.store_step`, so that stopping
(which cancels the poller, the outbox loop and late handlers) never cuts a transaction in half.

Inbox: every update is stored before its offset is confirmed to Telegram (`admit`); the update
processor marks it handled when its handler is done (`done`) or when a reply marks it answered;
on start, what was stored but never answered is replayed once (`replay`), and a question older
than `late_after` gets a short "perdón por la demora" instead of a stale answer. Outbox: replies
that could not be delivered, or were in flight when the process died, are sent again with backoff
(`Outbox.run`) until the store gives them up (15 minutes).
With the log down, nothing is durable: every update is handled and replies get the quick retries.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.store import Store

from . import tickets
from .context import BotData
from .fairness import Hooks
from .sending import reply_payload, send_kept
from .texts import t

log = logging.getLogger("bot.telegram")

App = Application[Any, Any, Any, Any, Any, Any]
OUTBOX_EVERY = 1.0  # seconds between two looks at the outbox
OUTBOX_BATCH = 50


def _lang(update: Update) -> str:
    user = update.effective_user
    return "en" if user is not None and (user.language_code or "").lower().startswith("en") else "es"


class Inbox(Hooks):
    """Stores updates before they are confirmed, marks them handled, replays the unanswered."""

    def __init__(self, application: App, late_after: timedelta) -> None:
        self.application = application
        self.late_after = late_after

    @property
    def store(self) -> Store | None:
        data: BotData = self.application.bot_data
        return data.store

    async def admit(self, updates: Sequence[Update]) -> list[Update]:
        """Store a getUpdates batch in one transaction; returns the updates to handle (not redeliveries)."""
        store = self.store
        if store is None or not updates:
            return list(updates)
        data: BotData = self.application.bot_data
        new = await data.store_step(store.save_updates([(u.update_id, json.dumps(u.to_dict())) for u in updates]))
        if new is None:  # the log is down: nothing is durable, handle them all
            return list(updates)
        fresh = set(new)
        return [u for u in updates if u.update_id in fresh]

    async def admit_raw(self, batch: Sequence[dict[str, Any]]) -> list[Update]:
        """`admit` for a getUpdates batch as Telegram sent it (JSON objects): stored as that JSON,
        decoded once; an update PTB cannot decode is stored, logged and marked handled."""
        store = self.store
        data: BotData = self.application.bot_data
        if store is None:
            return self._decode(batch)
        new = await data.store_step(store.save_updates([(int(u["update_id"]), json.dumps(u)) for u in batch]))
        if new is None:  # the log is down: nothing is durable, handle them all
            return self._decode(batch)
        fresh = set(new)
        updates = self._decode([u for u in batch if int(u["update_id"]) in fresh])
        for unreadable in fresh - {u.update_id for u in updates}:
            await data.store_step(store.mark_answered(unreadable))
        return updates

    def _decode(self, batch: Sequence[dict[str, Any]]) -> list[Update]:
        updates = []
        for raw in batch:
            try:
                updates.append(Update.de_json(raw, self.application.bot))
            except (ValueError, TypeError, KeyError) as exc:
                log.error("update unreadable update_id=%s type=%s", raw.get("update_id"), type(exc).__name__)
        return updates

    async def done(self, ticket: tickets.Ticket) -> None:
        data: BotData = self.application.bot_data
        if data.store is not None and not ticket.claimed:
            ticket.claimed = True
            await data.store_step(data.store.mark_answered(ticket.update_id))

    async def slow_down(self, update: Update) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        try:
            await self.application.bot.send_message(chat.id, t("slow_down", _lang(update)))
        except TelegramError as exc:
            log.info("slow-down notice not sent type=%s", type(exc).__name__)

    async def replay(self) -> int:
        """Queue the stored updates nobody answered (oldest first); returns how many."""
        store = self.store
        if store is None:
            return 0
        pending = await store.unanswered()
        late = 0
        for item in pending:
            try:
                update = Update.de_json(json.loads(item.payload), self.application.bot)
            except (ValueError, TypeError, KeyError) as exc:
                log.error("stored update unreadable update_id=%d type=%s", item.update_id, type(exc).__name__)
                await store.mark_answered(item.update_id)
                continue
            if item.age > self.late_after:
                late += 1
                await self._apologise(store, update)
                continue
            self.application.update_queue.put_nowait(update)  # stored already: not through StoringQueue.put
        if pending:
            log.info("replaying %d unanswered update(s), %d too old: apologised", len(pending) - late, late)
        return len(pending)

    async def _apologise(self, store: Store, update: Update) -> None:
        """A question that waited too long: say sorry (kept in the outbox like any reply)."""
        chat = update.effective_chat
        if update.effective_message is None or chat is None:
            await store.mark_answered(update.update_id)  # an old button press: nothing to say
            return
        await store.mark_answered(update.update_id, reply=reply_payload(chat.id, t("late_sorry", _lang(update)), None))


class StoringQueue(asyncio.Queue[object]):
    """The Application's update queue. In webhook mode PTB's server puts each update here and answers
    Telegram 200 only after `put` returns: `put` stores the update first (and drops a redelivery).
    The poller and the replay have stored theirs already and use `put_nowait`."""

    inbox: Inbox | None = None

    async def put(self, item: object) -> None:
        if self.inbox is not None and isinstance(item, Update):
            for fresh in await self.inbox.admit([item]):
                self.put_nowait(fresh)
            return
        await super().put(item)


class Outbox:
    """Sends what the store's outbox holds when it is due: kept replies, and those a crash left."""

    def __init__(self, application: App, every: float = OUTBOX_EVERY) -> None:
        self.application = application
        self.every = every
        self.fatal: InvalidToken | None = None

    async def run(self) -> None:
        """Until cancelled; an InvalidToken stops it (the poller stops the bot)."""
        while True:
            try:
                await self.send_due()
            except InvalidToken as exc:
                self.fatal = exc
                return
            await asyncio.sleep(self.every)

    async def send_due(self) -> int:
        """One pass: send the due replies; returns how many were delivered."""
        data: BotData = self.application.bot_data
        store = data.store
        if store is None:
            return 0
        sent = 0
        for reply in await data.store_step(store.due_replies(OUTBOX_BATCH)):
            if reply.update_id in data.answering:  # its handler is sending it right now
                continue
            try:
                await send_kept(data, self.application.bot, reply.payload, reply.id)
                sent += 1
            except InvalidToken:
                raise
            except (BadRequest, Forbidden) as exc:  # cannot succeed later either
                log.info("kept reply dropped type=%s", type(exc).__name__)
                await data.store_step(store.reply_sent(reply.id))
            except (NetworkError, RetryAfter) as exc:
                delay = await data.store_step(store.reply_failed(reply.id, type(exc).__name__))
                log.info("kept reply not delivered type=%s attempts=%d next_s=%s", type(exc).__name__,
                         reply.attempts + 1, "gave_up" if delay is None else f"{delay:.0f}")
            except (ValueError, KeyError, TypeError) as exc:
                log.error("kept reply unreadable type=%s", type(exc).__name__)
                await data.store_step(store.reply_sent(reply.id))
        return sent
