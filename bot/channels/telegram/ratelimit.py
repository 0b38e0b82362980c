"""Telegram's flood limits, kept on our side so a burst of questions drains at the ceiling without 429s.

Telegram allows a bot about 30 messages per second overall, about one per second in one chat (short
bursts tolerated) and 20 per minute in a group. Each limit is a schedule (GCRA, the "virtual
scheduling" form of a token bucket): a message reserves the earliest moment every limit it falls
under allows and sleeps until then. Reservations are made in arrival order, so no chat starves and
no timer polls. Limits are set a little inside Telegram's numbers: a message reaches Telegram some
milliseconds after it leaves, and two that leave 34 ms apart may arrive 30 ms apart.

Only messages (send*/edit*/copy*/forward*, not sendChatAction or answerCallbackQuery) are limited;
a 429 that still comes back pauses every message for the time Telegram asked, then the request is
retried (up to `max_retries`); a message that failed otherwise gives its slot back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger("bot.telegram")

JSONDict = dict[str, Any]
UNLIMITED = frozenset({"sendChatAction", "answerCallbackQuery"})
MAX_TRACKED_CHATS = 4096  # idle chat schedules are forgotten beyond this many


@dataclass(frozen=True)
class Rule:
    """`rate` messages per second on average, `burst` of them at once."""

    rate: float
    burst: float


# Telegram: ~30/s overall, ~1/s per chat with short bursts, 20/min per group (each a little inside).
OVERALL = Rule(rate=29.0, burst=20)
PER_CHAT = Rule(rate=1.0, burst=3)
PER_GROUP = Rule(rate=19 / 60, burst=10)


class Schedule:
    """One limit as a theoretical arrival time: when the next message may go if it came now."""

    __slots__ = ("due", "interval", "tolerance")

    def __init__(self, rule: Rule) -> None:
        self.interval = 1.0 / rule.rate
        self.tolerance = (rule.burst - 1) * self.interval
        self.due = 0.0

    def earliest(self, now: float) -> float:
        return max(now, self.due - self.tolerance)

    def reserve(self, at: float) -> None:
        self.due = max(self.due, at) + self.interval

    def idle(self, now: float) -> bool:
        return self.due <= now


def is_message(endpoint: str) -> bool:
    """The Bot API methods Telegram's flood limits count: the ones that put a message in a chat."""
    return endpoint.startswith(("send", "edit", "copy", "forward")) and endpoint not in UNLIMITED


class TelegramRateLimiter(BaseRateLimiter[int]):
    """Throttle messages to Telegram's limits; `rate_limit_args` overrides `max_retries` per call."""

    def __init__(
        self,
        overall: Rule = OVERALL,
        per_chat: Rule = PER_CHAT,
        per_group: Rule = PER_GROUP,
        max_retries: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._overall = Schedule(overall)
        self._chat_rule, self._group_rule = per_chat, per_group
        self._chats: dict[int | str, Schedule] = {}
        self._max_retries = max_retries
        self._clock, self._sleep = clock, sleep

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def reserve(self, chat_id: int | str | None) -> float:
        """Book the earliest send time for a message to `chat_id`; returns the seconds to wait."""
        now = self._clock()
        schedules = [self._overall]
        if chat_id is not None:
            schedules.append(self._chat(chat_id, now))
        at = max(s.earliest(now) for s in schedules)
        for schedule in schedules:
            schedule.reserve(at)
        return at - now

    def refund(self, chat_id: int | str | None) -> None:
        """A message that failed (network error, 5xx, 400) never reached the chat: its slot is free again,
        so a retry after a blip is not held back as if it had been sent."""
        schedules = [self._overall]
        if chat_id is not None and chat_id in self._chats:
            schedules.append(self._chats[chat_id])
        for schedule in schedules:
            schedule.due -= schedule.interval

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no message leaves before `seconds` from now."""
        self._overall.due = max(self._overall.due, self._clock() + seconds + self._overall.tolerance)

    def _chat(self, chat_id: int | str, now: float) -> Schedule:
        schedule = self._chats.get(chat_id)
        if schedule is None:
            if len(self._chats) >= MAX_TRACKED_CHATS:
                self._chats = {k: s for k, s in self._chats.items() if not s.idle(now)}
            group = isinstance(chat_id, str) or chat_id < 0
            schedule = self._chats[chat_id] = Schedule(self._group_rule if group else self._chat_rule)
        return schedule

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if not is_message(endpoint):
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int | str):
            chat_id = None
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            wait = self.reserve(chat_id)
            if wait > 1e-6:  # float dust from the schedule arithmetic is no wait
                await self._sleep(wait)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                attempt += 1
                seconds = _retry_after_seconds(exc)
                log.warning("rate limited by Telegram: pausing messages for %.1f s", seconds)
                self.pause(seconds)
            except Exception:
                self.refund(chat_id)
                raise


def _retry_after_seconds(exc: RetryAfter) -> float:
    period = getattr(exc, "_retry_after", None)
    return period.total_seconds() if isinstance(period, timedelta) else 1.0
