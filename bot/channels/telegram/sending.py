"""Retrying sends: an answer must survive a transient network error or a 5xx from the Bot API.

429 (RetryAfter) is first retried by PTB's AIORateLimiter; if it still surfaces here we wait the
time Telegram asked for (capped) and try again. Client errors (BadRequest, Forbidden) are never
retried: sending the same request again cannot succeed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

T = TypeVar("T")

log = logging.getLogger("bot.telegram")

DEFAULT_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)  # waits between the (up to) 4 attempts
MAX_RETRY_AFTER = 30.0


async def send_with_retry(
    send: Callable[[], Awaitable[T]],
    *,
    delays: Sequence[float] = DEFAULT_DELAYS,
    what: str = "send",
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Await `send()`, retrying transient failures after each of `delays`; re-raise the last error."""
    attempt = 0
    while True:
        try:
            return await send()
        except (BadRequest, Forbidden):
            raise
        except RetryAfter as exc:
            if attempt >= len(delays):
                raise
            wait = min(_retry_after_seconds(exc), MAX_RETRY_AFTER)
            log.warning("retry what=%s attempt=%d reason=RetryAfter wait_s=%.1f", what, attempt + 1, wait)
            await sleep(wait)
        except NetworkError as exc:  # includes TimedOut and 5xx responses
            if attempt >= len(delays):
                raise
            log.warning(
                "retry what=%s attempt=%d reason=%s wait_s=%.1f",
                what, attempt + 1, type(exc).__name__, delays[attempt],
            )
            await sleep(delays[attempt])
        attempt += 1


def _retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for (read like PTB's own AIORateLimiter, avoiding the deprecated int form)."""
    period = getattr(exc, "_retry_after", None)
    if isinstance(period, timedelta):
        return period.total_seconds()
    return 1.0
