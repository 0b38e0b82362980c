"""Sending: HTML messages split at clean boundaries, edits in place, and retries.

An answer must survive a transient network error or a 5xx from the Bot API, so those are retried
after each of a few delays. 429 (RetryAfter) is the rate limiter's job (`ratelimit.py`, which keeps
Telegram's limits and retries) and is not retried again here. Client errors (BadRequest, Forbidden)
are never retried: sending the same request again cannot succeed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from .formatting import split_message

if TYPE_CHECKING:
    from .context import Context

T = TypeVar("T")

log = logging.getLogger("bot.telegram")

DEFAULT_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)  # waits between the (up to) 4 attempts


async def send_with_retry(
    send: Callable[[], Awaitable[T]],
    *,
    delays: Sequence[float] = DEFAULT_DELAYS,
    what: str = "send",
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> T:
    """Await `send()`, retrying network errors and 5xx after each of `delays`; re-raise the last error."""
    attempt = 0
    while True:
        try:
            return await send()
        except (BadRequest, Forbidden, RetryAfter):
            raise
        except NetworkError as exc:  # includes TimedOut and 5xx responses
            if attempt >= len(delays):
                raise
            log.warning(
                "retry what=%s attempt=%d reason=%s wait_s=%.1f",
                what, attempt + 1, type(exc).__name__, delays[attempt],
            )
            await sleep(delays[attempt])
        attempt += 1


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
    delays = context.bot_data.retry_delays
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
    assert sent is not None  # split_message returns at least one chunk
    return sent


async def show(update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """Replace the pressed message with `text` (browsing in place), or send it if it cannot be edited."""
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=markup,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        log.debug("edit failed, sending instead: %s", exc.message)
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await send_html(context, chat_id, text, markup)


async def typing(context: Context, chat_id: int) -> None:
    """Show "typing…"; a failure here must never block the answer."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as exc:
        log.debug("chat action failed: %s", type(exc).__name__)
