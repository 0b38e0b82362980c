"""Shared fixtures. Append new fixtures below; keep each one small."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # `pytest` as well as `python -m pytest`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# No test writes index caches into the repository (`data/index-cache` beside the default database), nor
# into a developer's own INDEX_CACHE_DIR: bots the tests start, in this process or as subprocesses,
# build their indexes. tests/test_index_cache.py gives its caches a tmp_path.
os.environ["INDEX_CACHE_DIR"] = "off"

from tests.fake_bot_api import FakeBotAPI
from tests.helpers import ADMIN_ID, TELEGRAM_KB, TelegramBot


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
    from bot.core.pipeline import Pipeline
    from bot.settings import Settings
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
