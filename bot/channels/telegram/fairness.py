"""Fair use: one chat cannot slow down everybody else.

Updates run concurrently across chats and in order within a chat. A chat first waits for its own
lock and only then takes one of the global concurrency slots, so a flooding chat's queued updates
hold no slot while they wait. A token bucket per chat admits a normal conversation (a short burst,
then one message every couple of seconds); beyond that the chat gets one polite "más despacio" and
its further updates are dropped (and marked handled, so a restart does not replay them) until it
has been quiet long enough for the bucket to refill.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from . import tickets

log = logging.getLogger("bot.telegram")

BURST = 10  # updates a chat may send at once
REFILL_SECONDS = 1.0  # then one more a second: the pace Telegram lets a bot answer one chat anyway
MAX_WAITING = 10_000  # updates that may wait for their chat's turn at once
Clock = Callable[[], float]


class Verdict(Enum):
    ADMIT = "admit"
    WARN = "warn"  # the first update over the limit: say "más despacio" once
    DROP = "drop"


@dataclass
class _Bucket:
    tokens: float
    at: float
    warned: bool = False


class Throttle:
    """A token bucket per chat; buckets that are full again are forgotten."""

    def __init__(self, burst: int = BURST, refill_seconds: float = REFILL_SECONDS, clock: Clock = time.monotonic):
        self.burst, self.refill_seconds, self._clock = burst, refill_seconds, clock
        self._buckets: dict[int, _Bucket] = {}

    def admit(self, chat_id: int) -> Verdict:
        now = self._clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) / self.refill_seconds)
        bucket.at = now
        if bucket.tokens >= self.burst:
            bucket.warned = False  # quiet long enough: a new flood gets a new notice
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ADMIT
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def forget_idle(self) -> None:
        """Drop the buckets of chats that are quiet again (bounded memory)."""
        now = self._clock()
        for chat_id, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) / self.refill_seconds >= self.burst:
                del self._buckets[chat_id]


class Hooks:
    """What the processor asks of the rest of the channel; the durable inbox implements it."""

    async def done(self, ticket: tickets.Ticket) -> None:
        """The update was handled (or dropped): never replay it."""

    async def slow_down(self, update: Update) -> None:
        """Tell a flooding chat, once, to write more slowly."""


def _discard(coroutine: Awaitable[Any]) -> None:
    if isinstance(coroutine, Coroutine):
        coroutine.close()  # never awaited on purpose: no "coroutine was never awaited" warning


class FairUpdateProcessor(BaseUpdateProcessor):
    """Per-chat order and throttling; a global slot is taken only once the chat's turn has come.

    PTB's own semaphore (taken before `do_process_update`) only bounds how many updates may wait
    (`MAX_WAITING`); the `max_concurrent_updates` slots that bound the work are taken inside, after
    the chat's lock. `closing` (set on SIGTERM) stops starting new updates: they stay unanswered in
    the inbox and are replayed on the next start, so stopping takes seconds, not the whole backlog.
    """

    def __init__(self, max_concurrent_updates: int, throttle: Throttle | None = None) -> None:
        super().__init__(MAX_WAITING)
        self.slots = asyncio.Semaphore(max_concurrent_updates)
        self.throttle = throttle or Throttle()
        self.hooks = Hooks()
        self.closing = False
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._seen = 0
        self._running: set[asyncio.Task[Any]] = set()

    @property
    def busy(self) -> bool:
        """Whether updates are being handled or wait for their chat's turn."""
        return bool(self._running or self._waiting)

    def cancel_running(self) -> int:
        """Cancel the handlers still running (at shutdown, after a grace period); returns how many."""
        for task in self._running:
            task.cancel()
        return len(self._running)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.closing:
            _discard(coroutine)
            return
        ticket = tickets.Ticket(update.update_id) if isinstance(update, Update) else None
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self.slots:
                await self._run(ticket, coroutine)
            return
        verdict = self.throttle.admit(chat.id)
        if verdict is not Verdict.ADMIT:
            _discard(coroutine)
            log.info("throttled chat_type=%s verdict=%s", chat.type, verdict.value)
            if verdict is Verdict.WARN and isinstance(update, Update):
                await self.hooks.slow_down(update)
            if ticket is not None:
                await self.hooks.done(ticket)
            return
        self._seen += 1
        if self._seen % 1000 == 0:
            self.throttle.forget_idle()
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._waiting[chat.id] = self._waiting.get(chat.id, 0) + 1
        try:
            async with lock, self.slots:  # the slot is taken after the chat's turn: waiting holds none
                await self._run(ticket, coroutine)
        finally:
            self._waiting[chat.id] -= 1
            if not self._waiting[chat.id]:
                del self._waiting[chat.id]
                del self._locks[chat.id]

    async def _run(self, ticket: tickets.Ticket | None, coroutine: Awaitable[Any]) -> None:
        if self.closing:  # stopping: leave it stored for the next start
            _discard(coroutine)
            return
        token = tickets.current.set(ticket)
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await coroutine  # Application.process_update: handler errors go to the error handler
        finally:
            tickets.current.reset(token)
            if task is not None:
                self._running.discard(task)
        if ticket is not None:
            await self.hooks.done(ticket)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
