"""Shared fixtures. Append new fixtures below; keep each one small."""

from __future__ import annotations

import shutil
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # `pytest` as well as `python -m pytest`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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
    settings: Any  # bot.core.config.Settings
    knowledge_dir: Path


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    fake = await FakeBotAPI.start()
    yield fake
    await fake.stop()


@pytest.fixture
def telegram_kb_source() -> Path:
    """The knowledge base `telegram_bot` copies; a test module may override this fixture."""
    return TELEGRAM_KB


@pytest.fixture
async def telegram_bot(
    fake_bot_api: FakeBotAPI, tmp_path: Path, telegram_kb_source: Path
) -> AsyncIterator[TelegramBot]:
    """The Telegram channel on a copy of tests/fixtures/telegram_kb, with admin ADMIN_ID and fast retries."""
    from bot.channels.telegram import build_application
    from bot.core.config import Settings
    from bot.core.pipeline import Pipeline
    from bot.store import Store

    knowledge_dir = tmp_path / "knowledge"
    shutil.copytree(telegram_kb_source, knowledge_dir)
    settings = Settings(
        telegram_bot_token=fake_bot_api.token,
        telegram_api_base_url=fake_bot_api.base_url,
        admin_user_ids=frozenset({ADMIN_ID}),
        database_path=tmp_path / "bot.sqlite3",
        knowledge_dir=knowledge_dir,
        user_hash_secret="test-secret",
    )
    pipeline = Pipeline.from_settings(settings)
    store = await Store.open(settings)
    app = build_application(settings, pipeline, store, retry_delays=(0.01, 0.02, 0.04))
    async with app:
        await app.post_init(app)  # run_polling would call it: registers the command menus
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield TelegramBot(fake_bot_api, app, store, pipeline, settings, knowledge_dir)
        finally:
            await app.updater.stop()
            await app.stop()
    await store.close()


def stub_suggestion(bot: TelegramBot, monkeypatch: pytest.MonkeyPatch, question: str, entry_ids: list[str]) -> None:
    """Make the pipeline suggest `entry_ids` for exactly `question` (channel tests need not track matcher tuning)."""
    from dataclasses import replace

    from bot.core.models import Outcome

    real_ask = bot.pipeline.ask

    def ask(text: str, lang: str = "es") -> Any:
        reply = real_ask(text, lang)
        if text != question:
            return reply
        kb = bot.pipeline.kb
        candidates = tuple(kb.entries[i] for i in entry_ids)
        return replace(reply, outcome=Outcome.SUGGEST, entry=None, candidates=candidates,
                       text=kb.message("suggest_intro", lang), score=0.5)

    monkeypatch.setattr(bot.pipeline, "ask", ask)
