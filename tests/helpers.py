"""Helpers for the Telegram tests: the running-bot handle and a pipeline stub. Tests import them
from here, never from conftest (which only holds fixtures)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from tests.fake_bot_api import FakeBotAPI

TELEGRAM_KB = Path(__file__).parent / "fixtures" / "telegram_kb"
ADMIN_ID = 4242


@dataclass
class TelegramBot:
    """A running bot (real PTB Application, long polling) against the fake Bot API."""

    fake: FakeBotAPI
    app: Any  # telegram.ext.Application
    store: Any  # bot.store.Store
    pipeline: Any  # bot.core.pipeline.Pipeline
    settings: Any  # bot.settings.Settings
    knowledge_dir: Path


def stub_suggestion(bot: TelegramBot, monkeypatch: pytest.MonkeyPatch, question: str, entry_ids: list[str]) -> None:
    """Make the pipeline suggest `entry_ids` for exactly `question` (channel tests need not track matcher tuning)."""
    from bot.core.models import Outcome

    real_ask = bot.pipeline.ask

    def ask(text: str, lang: str = "es", region: str | None = None) -> Any:
        reply = real_ask(text, lang, region=region)
        if text != question:
            return reply
        kb = bot.pipeline.kb
        candidates = tuple(kb.entries[i] for i in entry_ids)
        return replace(reply, outcome=Outcome.SUGGEST, entry=None, candidates=candidates,
                       text=kb.message("suggest_intro", lang), score=0.5)

    monkeypatch.setattr(bot.pipeline, "ask", ask)


def without_flood_limit(bot: TelegramBot) -> None:
    """For tests that press through many screens at machine speed, which the flood limit would stop."""
    from bot.channels.telegram.fairness import Throttle

    bot.app.update_processor.throttle = Throttle(burst=100_000)


async def pending_groups_once_logged(store: Any, contains: str, timeout: float = 5.0) -> list[Any]:
    """The pending review groups, once one holding `contains` is written: the bot logs a question
    right after its reply is on the way, so the fake can see the reply a moment before the log."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await store.flush()
        groups = await store.list_groups("pending")
        if any(contains in g.text for g in groups) or asyncio.get_running_loop().time() > deadline:
            return list(groups)
        await asyncio.sleep(0.02)
