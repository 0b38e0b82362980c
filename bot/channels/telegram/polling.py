"""Long polling that confirms an update to Telegram only once it is stored.

PTB's Updater confirms a batch (by the next getUpdates offset) before anything is handled, so a
crash loses the backlog. Here each batch is first stored by the durable inbox, then the offset moves
on, then the new updates go to the Application's queue. The batch is asked for through the bot's
`_post`, which returns the JSON as Telegram sent it: each update is stored as that JSON and decoded
into a PTB `Update` once (`get_updates` would decode it, and storing it would encode it back).
An unreachable Bot API is retried with backoff (logged once a minute); a rejected token (401) ends
polling with `InvalidToken`, so the process can exit non-zero for its supervisor instead of living
on as a zombie.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from .durable import Inbox

log = logging.getLogger("bot.telegram")

App = Application[Any, Any, Any, Any, Any, Any]
T = TypeVar("T")
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open
FIRST_RETRY = 1.0  # seconds; doubles up to MAX_RETRY
MAX_RETRY = 30.0
LOG_EVERY = 60.0  # an outage is logged when it starts, then at most once a minute


class Outage:
    """Backoff and logging for a Bot API that cannot be reached: one line when it starts, one a
    minute while it lasts, one when it ends."""

    def __init__(self, what: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.what = what
        self._clock = clock
        self._since: float | None = None
        self._logged = 0.0
        self._delay = FIRST_RETRY

    def failed(self, exc: Exception) -> float:
        """Count a failure; returns the seconds to wait before the next try."""
        now = self._clock()
        if self._since is None:
            self._since, self._logged = now, now
            log.warning("cannot reach the Bot API (%s: %s) during %s; retrying with backoff",
                        type(exc).__name__, exc, self.what)
        elif now - self._logged >= LOG_EVERY:
            self._logged = now
            log.warning("still cannot reach the Bot API after %.0f s (%s)", now - self._since, type(exc).__name__)
        delay, self._delay = self._delay, min(MAX_RETRY, self._delay * 2)
        return delay

    def ok(self) -> None:
        if self._since is not None:
            log.warning("the Bot API is reachable again after %.0f s", self._clock() - self._since)
        self._since, self._delay = None, FIRST_RETRY


async def until_reachable(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Await `call()` until it succeeds, retrying network failures with backoff (never InvalidToken)."""
    outage = Outage(what)
    while True:
        try:
            result = await call()
        except InvalidToken:
            raise
        except (NetworkError, TimedOut, RetryAfter) as exc:
            await asyncio.sleep(outage.failed(exc))
            continue
        outage.ok()
        return result


class Poller:
    """getUpdates in a loop; `run` returns only by cancellation or InvalidToken."""

    def __init__(self, application: App, inbox: Inbox, timeout: int = POLL_TIMEOUT) -> None:
        self.application = application
        self.inbox = inbox
        self.timeout = timeout
        self.offset = 0  # 0: Telegram hands back everything not confirmed yet
        self.on_poll: Callable[[], None] = lambda: None  # called after each successful getUpdates

    async def run(self) -> None:
        bot = self.application.bot
        outage = Outage("polling")
        while True:
            try:
                raw: list[dict[str, Any]] = await bot._post(  # raw JSON: stored as it came (module docstring)
                    "getUpdates",
                    {"offset": self.offset, "timeout": self.timeout, "allowed_updates": ALLOWED_UPDATES},
                    read_timeout=self.timeout + 10,
                )
            except InvalidToken:
                raise
            except TelegramError as exc:  # network, 5xx, a conflict with another instance...
                await asyncio.sleep(outage.failed(exc))
                continue
            outage.ok()
            self.on_poll()
            if not raw:
                continue
            fresh = await self.inbox.admit_raw(raw)  # stored before the offset confirms them
            self.offset = int(raw[-1]["update_id"]) + 1
            for update in fresh:
                self.application.update_queue.put_nowait(update)
