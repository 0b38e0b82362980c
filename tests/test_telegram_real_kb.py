"""A smoke test of the Telegram channel on the real knowledge base in knowledge/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fake_bot_api import _check_html
from tests.helpers import TelegramBot

USER = 1001


@pytest.fixture
def telegram_kb_source() -> Path:
    return Path(__file__).resolve().parents[1] / "knowledge"


async def test_real_knowledge_base_deep_link_browse_and_events(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/start dni-renovacion")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.text.startswith("<b>") and '<a href="https://' in answer.text
    assert "Información revisada el" in answer.text
    assert "v1|fb|1|dni-renovacion" in answer.callback_data() and "v1|d|es|dni-renovacion" in answer.callback_data()
    fake.push_callback("v1|d|es|dni-renovacion", fake.bot_message(answer))
    extended = await fake.wait_for("editMessageText", chat_id=USER)
    assert "<b>Pasos</b>" in extended.text and _check_html(extended.text) is None

    fake.push_text("/servicios")
    menu = await fake.wait_for("sendMessage", chat_id=USER)
    assert "v1|cat|identidad|1" in menu.callback_data()
    fake.push_callback("v1|cat|identidad|1", fake.bot_message(menu))
    category = await fake.wait_for("editMessageText", chat_id=USER)
    assert any(data.startswith("v1|a|") for data in category.callback_data())

    fake.push_text("/eventos")
    events = await fake.wait_for("sendMessage", chat_id=USER)
    assert _check_html(events.text) is None

    # Every entry renders to valid HTML within Telegram's limits, and every button fits in 64 bytes.
    for entry_id in telegram_bot.pipeline.kb.entries:
        fake.push_text(f"/start {entry_id}")
        call = await fake.wait_for("sendMessage", chat_id=USER)
        assert _check_html(call.text) is None, entry_id
        assert all(len(d.encode()) <= 64 for d in call.callback_data())
