"""Fair use inside the update processor (the flood limit, a flooding chat holding no slots), and how
an unreachable Bot API is retried and logged."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

import pytest
from telegram import Chat, Message, Update

from bot.channels.telegram import tickets
from bot.channels.telegram.fairness import FairUpdateProcessor, Hooks, Throttle, Verdict
from bot.channels.telegram.polling import MAX_RETRY, Outage


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def update(update_id: int, chat_id: int) -> Update:
    return Update(update_id, message=Message(update_id, datetime.now(), Chat(chat_id, "private")))


def test_a_flood_is_told_once_and_a_quiet_chat_is_forgiven() -> None:
    clock = Clock()
    throttle = Throttle(burst=3, refill_seconds=2.0, clock=clock)
    verdicts = [throttle.admit(1) for _ in range(10)]
    assert verdicts == [Verdict.ADMIT] * 3 + [Verdict.WARN] + [Verdict.DROP] * 6
    assert throttle.admit(2) is Verdict.ADMIT  # another chat is not affected
    clock.now = 2.0
    assert throttle.admit(1) is Verdict.ADMIT  # one more every 2 s
    assert throttle.admit(1) is Verdict.DROP  # still the same flood: no second notice
    clock.now = 60.0
    assert [throttle.admit(1) for _ in range(4)] == [Verdict.ADMIT] * 3 + [Verdict.WARN]  # a new flood


class Recorder(Hooks):
    def __init__(self) -> None:
        self.handled: list[int] = []
        self.told: list[int] = []

    async def done(self, ticket: tickets.Ticket) -> None:
        self.handled.append(ticket.update_id)

    async def slow_down(self, update: Update) -> None:
        assert update.effective_chat is not None
        self.told.append(update.effective_chat.id)


async def test_dropped_updates_are_marked_handled_and_the_chat_told_once() -> None:
    processor = FairUpdateProcessor(4, Throttle(burst=2, refill_seconds=60.0))
    hooks = processor.hooks = Recorder()
    ran: list[int] = []

    async def work(n: int) -> None:
        ran.append(n)

    for n in range(1, 6):
        await processor.process_update(update(n, 1), work(n))
    assert ran == [1, 2]
    assert sorted(hooks.handled) == [1, 2, 3, 4, 5]  # dropped ones too: a restart must not replay them
    assert hooks.told == [1]


async def test_a_chat_waiting_for_its_turn_holds_no_slot() -> None:
    processor = FairUpdateProcessor(2, Throttle(burst=1000))
    release = asyncio.Event()
    ran: list[str] = []

    async def slow(name: str) -> None:
        ran.append(name)
        await release.wait()

    async def quick(name: str) -> None:
        ran.append(name)

    flood = [asyncio.ensure_future(processor.process_update(update(n, 1), slow(f"a{n}"))) for n in range(1, 20)]
    await asyncio.sleep(0.01)  # chat 1: one update running, 18 waiting for their turn
    other = asyncio.ensure_future(processor.process_update(update(100, 2), quick("b")))
    await asyncio.wait_for(other, 1)  # a slot was free although chat 1 has 19 updates queued
    assert ran == ["a1", "b"]
    release.set()
    await asyncio.gather(*flood)
    assert ran[2:] == [f"a{n}" for n in range(2, 20)]  # in order within the chat


def test_an_outage_is_logged_when_it_starts_once_a_minute_and_when_it_ends(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    outage = Outage("polling", clock=clock)
    delays = []
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        for second in range(0, 150, 5):  # a failure every 5 s for 2.5 minutes
            clock.now = float(second)
            delays.append(outage.failed(ConnectionError("refused")))
        outage.ok()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4  # it started, still down at 60 s and at 120 s, back
    assert "cannot reach the Bot API" in lines[0] and "reachable again" in lines[-1]
    assert delays[:4] == [1.0, 2.0, 4.0, 8.0] and max(delays) == MAX_RETRY
