"""The Telegram rate limiter's schedule, on a fake clock: who waits, how long, and what is never held back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import NetworkError, RetryAfter

from bot.channels.telegram import build_application
from bot.channels.telegram.ratelimit import OVERALL, PER_CHAT, PER_GROUP, TelegramRateLimiter, is_message
from tests.helpers import TelegramBot


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


# PTB's own RetryAfter constructor warns about its future timedelta attribute; not this code's concern.
ptb_retry_after = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def limiter(clock: Clock, **kwargs: Any) -> TelegramRateLimiter:
    return TelegramRateLimiter(clock=clock, sleep=clock.sleep, **kwargs)


async def send(rl: TelegramRateLimiter, chat_id: int | str | None, endpoint: str = "sendMessage",
               callback: Any = None) -> Any:
    async def ok() -> bool:
        return True

    data = {} if chat_id is None else {"chat_id": chat_id}
    return await rl.process_request(callback or ok, (), {}, endpoint, data, None)


def test_messages_are_the_sends_and_edits_but_not_typing_or_button_answers() -> None:
    assert is_message("sendMessage") and is_message("editMessageText") and is_message("sendPhoto")
    assert not is_message("sendChatAction") and not is_message("answerCallbackQuery")
    assert not is_message("getUpdates") and not is_message("setMyCommands")


async def test_a_burst_to_many_chats_goes_at_once_then_at_the_overall_rate() -> None:
    clock = Clock()
    rl = limiter(clock)
    for chat in range(int(OVERALL.burst)):
        await send(rl, 1000 + chat)
    assert clock.sleeps == []
    await send(rl, 5000)
    await send(rl, 5001)
    assert clock.sleeps == pytest.approx([1 / OVERALL.rate, 1 / OVERALL.rate])


async def test_one_chat_gets_a_short_burst_then_one_message_per_second() -> None:
    clock = Clock()
    rl = limiter(clock)
    for _ in range(int(PER_CHAT.burst)):
        await send(rl, 42)
    assert clock.sleeps == []
    await send(rl, 42)
    assert clock.sleeps == pytest.approx([1 / PER_CHAT.rate])
    await send(rl, 43)  # another chat is not held back by chat 42's schedule
    assert len(clock.sleeps) == 1


async def test_groups_get_twenty_a_minute_not_one_a_second() -> None:
    clock = Clock()
    rl = limiter(clock)
    for _ in range(int(PER_GROUP.burst)):
        await send(rl, -100123)
    assert clock.sleeps == []
    await send(rl, -100123)
    assert clock.sleeps == pytest.approx([1 / PER_GROUP.rate])
    assert 60 / 20 <= clock.sleeps[0] < 60 / 18


async def test_typing_and_non_chat_calls_are_never_delayed() -> None:
    clock = Clock()
    rl = limiter(clock)
    for _ in range(50):
        await send(rl, 42, endpoint="sendChatAction")
        await send(rl, None, endpoint="getMe")
    assert clock.sleeps == []


@ptb_retry_after
async def test_a_429_pauses_every_message_then_retries() -> None:
    clock = Clock()
    rl = limiter(clock)
    attempts = 0

    async def flaky() -> bool:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RetryAfter(timedelta(seconds=5))
        return True

    assert await send(rl, 7, callback=flaky) is True
    assert attempts == 2 and clock.now >= 5
    before = clock.now
    await send(rl, 8)  # another chat, right after: not before the pause ended
    assert clock.now >= before


async def test_a_failed_send_gives_its_slot_back() -> None:
    clock = Clock()
    rl = limiter(clock)

    async def down() -> bool:
        raise NetworkError("Bad Gateway")

    for _ in range(10):  # a retry loop against a failing server is not throttled like real messages
        with pytest.raises(NetworkError):
            await send(rl, 42, callback=down)
    assert clock.sleeps == []
    for _ in range(int(PER_CHAT.burst)):  # and the chat still has its whole burst afterwards
        await send(rl, 42)
    assert clock.sleeps == []


@ptb_retry_after
async def test_a_429_beyond_the_retries_reaches_the_caller() -> None:
    clock = Clock()
    rl = limiter(clock, max_retries=1)

    async def always() -> bool:
        raise RetryAfter(timedelta(seconds=1))

    with pytest.raises(RetryAfter):
        await send(rl, 7, callback=always)


async def test_the_application_keeps_telegrams_limits_unless_told_none(telegram_bot: TelegramBot) -> None:
    assert isinstance(telegram_bot.app.bot.rate_limiter, TelegramRateLimiter)
    settings = replace(telegram_bot.settings, telegram_rate_limit="none")  # a local Bot API server
    unlimited = build_application(settings, telegram_bot.pipeline, telegram_bot.store)
    assert unlimited.bot.rate_limiter is None
