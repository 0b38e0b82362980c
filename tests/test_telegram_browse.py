"""/servicios (categories, paging, button round trip) and /eventos."""

from __future__ import annotations

import pytest

from bot.channels.telegram import browse
from tests.fake_bot_api import _check_html
from tests.helpers import TelegramBot

USER = 1001


async def test_servicios_browse_categories_pages_and_answer(
    telegram_bot: TelegramBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(browse, "SERVICES_PER_PAGE", 2)
    fake = telegram_bot.fake
    fake.push_text("/servicios")
    menu = await fake.wait_for("sendMessage", chat_id=USER)
    assert "Elige una categoría" in menu.text
    assert [b["text"] for b in menu.flat_buttons()] == ["Identidad y documentos (3)", "Pagos <y> tasas & más (1)"]
    assert menu.callback_data() == ["v1|cat|identidad|1", "v1|cat|pagos|1"]

    fake.push_callback("v1|cat|identidad|1", fake.bot_message(menu))
    page1 = await fake.wait_for("editMessageText", chat_id=USER)
    assert "Página 1 de 2" in page1.text
    assert page1.callback_data() == ["v1|a|dni-duplicado", "v1|a|dni-renovacion", "v1|cat|identidad|2", "v1|cats|1"]

    fake.push_callback("v1|cat|identidad|2", fake.bot_message(page1))
    page2 = await fake.wait_for("editMessageText", chat_id=USER)
    assert page2.callback_data() == ["v1|a|pasaporte", "v1|cat|identidad|1", "v1|cats|1"]

    fake.push_callback("v1|a|pasaporte", fake.bot_message(page2))
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.text.startswith("<b>Sacar el pasaporte electrónico</b>")

    fake.push_callback("v1|cats|1", fake.bot_message(page2))
    back = await fake.wait_for("editMessageText", chat_id=USER)
    assert "Elige una categoría" in back.text

    fake.push_callback("v1|cat|pagos|1", fake.bot_message(back))
    pagos = await fake.wait_for("editMessageText", chat_id=USER)
    assert "<b>Pagos &lt;y&gt; tasas &amp; más — elige un servicio:</b>" in pagos.text
    assert _check_html(pagos.text) is None


async def test_out_of_range_page_is_clamped(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/servicios")
    menu = await fake.wait_for("sendMessage", chat_id=USER)
    fake.push_callback("v1|cat|identidad|9", fake.bot_message(menu))
    page = await fake.wait_for("editMessageText", chat_id=USER)
    assert "v1|a|dni-renovacion" in page.callback_data()


async def test_servicios_in_english(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/servicios", language_code="en")
    menu = await fake.wait_for("sendMessage", chat_id=USER)
    assert "Choose a category" in menu.text
    assert menu.flat_buttons()[0]["text"] == "Identity and documents (3)"


async def test_eventos_lists_upcoming_only_and_past_ones_stay_answerable(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/eventos")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    text = call.text
    assert text.index("Semana del Gobierno Digital") < text.index("Hackatón de datos abiertos")
    assert "Próximo: 10 mar 2099 – 12 mar 2099" in text
    assert "Fecha por anunciar" in text
    assert "CADE Digital 2022" not in text  # past events are never listed as upcoming
    assert call.callback_data() == ["v1|a|semana-gobierno-digital", "v1|a|hackathon-datos"]

    fake.push_callback("v1|a|semana-gobierno-digital", fake.bot_message(call))
    event = await fake.wait_for("sendMessage", chat_id=USER)
    assert event.text.startswith("<b>Semana del Gobierno Digital</b>\n🗓 Próximo: 10 mar 2099")
    assert "Híbrido · Lima" in event.text

    fake.push_text("cuando fue el cade digital")
    past = await fake.wait_for("sendMessage", chat_id=USER, where=lambda c: "CADE Digital 2022" in c.text)
    assert "Se realizó: 25 oct 2022" in past.text
