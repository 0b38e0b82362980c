"""Helpers for the Telegram tests: the running-bot handle and a pipeline stub. Tests import them
from here, never from conftest (which only holds fixtures)."""

from __future__ import annotations

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
