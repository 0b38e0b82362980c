"""Sending: HTML messages split at clean boundaries, edits in place, and retries.

An answer must survive a transient network error or a 5xx from the Bot API, so those are retried
after each of a few delays. 429 (RetryAfter) is the rate limiter's job (`ratelimit.py`, which keeps
Telegram's limits and retries) and is not retried again here. Client errors (BadRequest, Forbidden)
are never retried: sending the same request again cannot succeed.

Durable replies: while a handler answers an update (see `tickets.py`), each message is kept in the
store's outbox before it is sent and forgotten once delivered; the first one also marks the update
answered, in the same transaction. A message that still fails after the quick retries stays in the
outbox, and `durable.Outbox` keeps trying with backoff for minutes (the handler gets `ReplyKept`).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from . import tickets
from .formatting import split_message

if TYPE_CHECKING:
    from .context import BotData, Context

T = TypeVar("T")

log = logging.getLogger("bot.telegram")

DEFAULT_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0)  # waits between the (up to) 4 attempts
NO_PREVIEW = {"is_disabled": True}  # LinkPreviewOptions: answers carry links, never previews


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


class ReplyKept(NetworkError):
    """The reply could not be delivered now; it is in the outbox and will be retried for minutes."""


class AlreadyAnswered(TelegramError):
    """The update had been answered before (a replay that raced a redelivery): nothing is sent."""


def reply_payload(chat_id: int, text: str, markup: InlineKeyboardMarkup | None) -> str:
    """One message as the outbox keeps it (HTML text and buttons; the chat id to send it to)."""
    return json.dumps({"chat_id": chat_id, "text": text, "markup": markup_dict(markup) if markup else None})


_OTHER_BUTTON_FIELDS = (
    "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat", "callback_game", "pay",
    "switch_inline_query_chosen_chat", "web_app", "copy_text",
)  # fmt: skip


def markup_dict(markup: InlineKeyboardMarkup) -> dict[str, object]:
    """`markup.to_dict()`, written out directly for keyboards of plain text-and-callback buttons
    (every keyboard the bot builds): PTB's generic serializer cost as much as building the buttons.
    Any other kind of button goes through `to_dict`."""
    rows = []
    for row in markup.inline_keyboard:
        out = []
        for b in row:
            if (not isinstance(b.callback_data, str) or b.api_kwargs
                    or any(getattr(b, name) is not None for name in _OTHER_BUTTON_FIELDS)):
                return markup.to_dict()
            out.append({"text": b.text, "callback_data": b.callback_data})
        rows.append(out)
    return {"inline_keyboard": rows}


async def send_payload(bot: ExtBot[None], payload: str) -> int:
    """Send one message kept by `reply_payload` (one attempt); returns its message id.

    The kept JSON goes to the Bot API as it is, through the bot's `_post` (so the rate limiter and
    error handling still apply) rather than `send_message`, which would rebuild the keyboard as
    objects, encode it again and decode the whole returned Message only for its id."""
    data = json.loads(payload)
    params: dict[str, object] = {
        "chat_id": int(data["chat_id"]),
        "text": str(data["text"]),
        "parse_mode": "HTML",
        "link_preview_options": NO_PREVIEW,
    }
    if data.get("markup"):
        params["reply_markup"] = data["markup"]
    result = await bot._post("sendMessage", params)
    return int(result["message_id"])


async def send_kept(data: BotData, bot: ExtBot[None], payload: str, reply_id: int | None) -> int:
    """One attempt at a kept message, then forget it once delivered, as one step that stopping does
    not cut: a request cancelled after it left may still have been delivered, and the outbox would
    send it a second time on the next start. Shutdown waits for the step (see `BotData.store_step`)."""

    async def attempt() -> int:
        sent = await send_payload(bot, payload)
        if reply_id is not None and data.store is not None:
            await data.store.reply_sent(reply_id)
        return sent

    return await data.store_step(attempt())


async def _keep(context: Context, payload: str) -> int | None:
    """Keep the message in the outbox before sending it; None when there is nothing to keep it in."""
    data = context.bot_data
    ticket, store = tickets.current.get(), data.store
    if ticket is None or store is None:
        return None
    if ticket.claimed:
        return await data.store_step(store.keep_reply(payload, update_id=ticket.update_id, retry_in=0.0))
    ticket.claimed = True
    reply_id = await data.store_step(store.mark_answered(ticket.update_id, reply=payload))
    if reply_id is None and store.healthy:
        ticket.duplicate = True
    return reply_id


async def deliver(context: Context, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, what: str) -> int:
    """Send one message: kept in the outbox first, retried quickly, then left to the outbox;
    returns its message id."""
    payload = reply_payload(chat_id, text, markup)
    data = context.bot_data
    ticket = tickets.current.get()
    if ticket is not None:
        data.answering.add(ticket.update_id)  # the outbox loop leaves this update's replies alone
    try:
        reply_id = await _keep(context, payload)
        if ticket is not None and ticket.duplicate:
            raise AlreadyAnswered(f"update {ticket.update_id} was answered already")
        return await _send(context, payload, reply_id, what)
    finally:
        if ticket is not None:
            data.answering.discard(ticket.update_id)


async def _send(context: Context, payload: str, reply_id: int | None, what: str) -> int:
    data = context.bot_data
    store = data.store
    try:
        sent = await send_with_retry(
            lambda: send_kept(data, context.bot, payload, reply_id), delays=data.retry_delays, what=what
        )
    except (BadRequest, Forbidden):
        if reply_id is not None and store is not None:
            await data.store_step(store.reply_sent(reply_id))  # cannot succeed later either
        raise
    except NetworkError as exc:
        if reply_id is None or store is None:
            raise
        if await data.store_step(store.reply_failed(reply_id, type(exc).__name__)) is None:
            raise
        raise ReplyKept(f"{type(exc).__name__}: kept for retry") from exc
    return sent


async def send_html(
    context: Context,
    chat_id: int,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    what: str = "message",
) -> int:
    """Send HTML `text`, split into several messages if needed; the keyboard goes under the last one.
    Returns the message id of the last one."""
    chunks = split_message(text)
    sent: int | None = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        sent = await deliver(context, chat_id, chunk, markup if last else None, what)
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
