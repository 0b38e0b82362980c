"""Admin commands: /pendientes, /estadisticas, /recargar, /exportar; and what non-admins get instead."""

from __future__ import annotations

import pytest

from tests.fake_bot_api import _check_html
from tests.helpers import ADMIN_ID, TelegramBot, stub_suggestion

USER = 1001
NEW_SERVICE = """\
id: ruc
title: {es: Sacar el RUC, en: Get a RUC}
answer: {es: El RUC se saca en línea en SUNAT con tu DNI., en: Get your RUC online at SUNAT with your DNI.}
questions:
  es: [como saco mi ruc, sacar ruc, inscribirme en el ruc, ruc por internet, quiero mi ruc, ruc sunat,
       tramitar ruc, obtener ruc]
keywords: {es: [ruc, sunat]}
url: https://www.sunat.gob.pe
steps: {es: [Entra a SUNAT Operaciones en Línea., Registra tus datos.]}
requirements: {es: [DNI vigente.]}
cost: {es: Gratis}
channels:
  - type: online
    value: https://www.sunat.gob.pe
institution: SUNAT
category: pagos
sources: [https://www.sunat.gob.pe]
reviewed: 2026-06-01
"""


async def ask(bot: TelegramBot, text: str, user_id: int = USER) -> str:
    bot.fake.push_text(text, user_id=user_id)
    return (await bot.fake.wait_for("sendMessage", chat_id=user_id)).text


@pytest.mark.parametrize("command", ["/pendientes", "/estadisticas", "/recargar", "/exportar"])
async def test_non_admins_get_not_available_and_no_data(telegram_bot: TelegramBot, command: str) -> None:
    fake = telegram_bot.fake
    await ask(telegram_bot, "precio de la gasolina en marte")
    fake.push_text(command)
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert call.text == "Este comando no está disponible."
    await fake.assert_no_call("sendDocument", within=0.2)
    assert not fake.calls_of("sendPhoto")


async def test_admin_commands_only_in_private_chats(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/pendientes", user_id=ADMIN_ID, chat_id=-100555, chat_type="supergroup")
    call = await fake.wait_for("sendMessage", chat_id=-100555)
    assert "chat privado" in call.text


async def test_admin_menu_is_registered_for_admins(telegram_bot: TelegramBot) -> None:
    commands = {c["command"] for c in telegram_bot.fake.commands[("chat", "")]}
    assert {"pendientes", "estadisticas", "recargar", "exportar", "servicios"} <= commands


async def test_pendientes_sends_each_group_with_add_and_ignore_buttons(
    telegram_bot: TelegramBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = telegram_bot.fake
    stub_suggestion(telegram_bot, monkeypatch, "dni", ["dni-renovacion", "dni-duplicado"])
    await ask(telegram_bot, "precio de la gasolina en marte")
    await ask(telegram_bot, "precio de la gasolina en marte", user_id=1002)
    await ask(telegram_bot, "dni")
    await telegram_bot.store.flush()

    fake.push_text("/pendientes", user_id=ADMIN_ID)
    first = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    second = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "Preguntas sin respuesta (pendientes: 2)" in first.text
    assert "«precio de la gasolina en marte» — 2 veces" in first.text
    assert "«dni» — 1 vez" in second.text and "➕" in second.text  # the hint goes under the last group
    assert _check_html(first.text) is None and _check_html(second.text) is None
    groups = {g.text: g.id for g in await telegram_bot.store.list_groups("pending")}
    dni, gasolina = groups["dni"], groups["precio de la gasolina en marte"]
    labels = {b["text"]: b["callback_data"] for b in second.flat_buttons()}
    assert labels["➕ Añadir a: Renovar el DNI electrónico <rápido> & fácil"] == f"v1|ga|{dni}|dni-renovacion"
    assert labels["🚫 Ignorar"] == f"v1|gi|{dni}"
    assert not any(d.startswith("v1|gr|") for d in second.callback_data())  # suggested, not answered
    assert first.callback_data() == [f"v1|gi|{gasolina}"]  # no entry comes close
    assert "review new" in first.text

    # A citizen pressing an admin button gets nothing done.
    query = fake.push_callback(f"v1|gi|{dni}", fake.bot_message(second))
    assert (await fake.wait_for("answerCallbackQuery", callback_query_id=query)).params["text"] == (
        "Este comando no está disponible."
    )

    fake.push_callback(f"v1|gi|{gasolina}", fake.bot_message(first), user_id=ADMIN_ID)
    assert "ignorado" in (await fake.wait_for("answerCallbackQuery")).params["text"]
    edited = await fake.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert edited.params["message_id"] == fake.bot_message(first)["message_id"]
    assert f"Grupo #{gasolina} ignorado" in edited.text and edited.buttons == []
    assert [g.id for g in await telegram_bot.store.list_groups("pending")] == [dni]

    fake.push_callback(f"v1|gi|{dni}", fake.bot_message(second), user_id=ADMIN_ID)
    assert "ignorado" in (await fake.wait_for("answerCallbackQuery")).params["text"]
    fake.push_text("/pendientes", user_id=ADMIN_ID)
    assert "No hay preguntas pendientes" in (await fake.wait_for("sendMessage", chat_id=ADMIN_ID)).text


async def test_estadisticas_text_and_chart(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    await ask(telegram_bot, "como renuevo mi dni")
    await ask(telegram_bot, "precio de la gasolina en marte")
    await telegram_bot.store.flush()
    fake.push_text("/estadisticas", user_id=ADMIN_ID)
    call = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "Preguntas: 2" in call.text
    assert "Respondidas: 1 (50%)" in call.text
    assert "1. Renovar el DNI electrónico &lt;rápido&gt; &amp; fácil (dni-renovacion) — 1" in call.text
    photo = await fake.wait_for("sendPhoto", chat_id=ADMIN_ID, timeout=15)  # matplotlib's first import is slow
    assert photo.files["photo"][1].startswith(b"\x89PNG")


async def test_recargar_with_a_broken_base_keeps_the_old_one(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    broken = telegram_bot.knowledge_dir / "services" / "pasaporte.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("url: https://", "url: ftp://"), encoding="utf-8")
    (telegram_bot.knowledge_dir / "services" / "roto.yaml").write_text("id: roto\ntitle: [sin cerrar\n")

    fake.push_text("/recargar", user_id=ADMIN_ID)
    call = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "No se recargó" in call.text
    assert "pasaporte.yaml:" in call.text and "roto.yaml:" in call.text
    assert _check_html(call.text) is None

    assert (await ask(telegram_bot, "como saco mi pasaporte")).startswith("<b>Sacar el pasaporte electrónico</b>")


async def test_recargar_success_counts_and_marks_answerable(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    assert "Aló MAC" in await ask(telegram_bot, "como saco mi ruc")
    await telegram_bot.store.flush()
    (telegram_bot.knowledge_dir / "services" / "ruc.yaml").write_text(NEW_SERVICE, encoding="utf-8")

    fake.push_text("/recargar", user_id=ADMIN_ID)
    call = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert "recargada: 5 servicios, 3 eventos" in call.text
    assert "ahora tienen respuesta: 1" in call.text
    assert (await ask(telegram_bot, "como saco mi ruc")).startswith("<b>Sacar el RUC</b>")

    fake.push_text("/pendientes", user_id=ADMIN_ID)
    listing = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    group = (await telegram_bot.store.list_groups("pending"))[0]
    assert group.answerable_entry_id == "ruc"
    assert f"v1|gr|{group.id}|ruc" in listing.callback_data()
    assert {"text": "✅ Resuelta por: Sacar el RUC", "callback_data": f"v1|gr|{group.id}|ruc"} in listing.flat_buttons()

    fake.push_callback(f"v1|gr|{group.id}|ruc", fake.bot_message(listing), user_id=ADMIN_ID)
    assert "resuelto" in (await fake.wait_for("answerCallbackQuery")).params["text"]
    edited = await fake.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert f"Grupo #{group.id} resuelto con Sacar el RUC (ruc)" in edited.text
    [resolved] = await telegram_bot.store.list_groups("resolved")
    assert (resolved.id, resolved.entry_id) == (group.id, "ruc")


async def test_exportar_sends_the_csv(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    await ask(telegram_bot, "precio de la gasolina en marte")
    await telegram_bot.store.flush()
    fake.push_text("/exportar", user_id=ADMIN_ID)
    call = await fake.wait_for("sendDocument", chat_id=ADMIN_ID)
    name, content = call.files["document"]
    assert name.startswith("preguntas-sin-respuesta-") and name.endswith(".csv")
    assert "precio de la gasolina en marte" in content.decode("utf-8-sig")
    assert "1 filas" in call.params["caption"]


async def test_exportar_with_nothing_to_export_says_so(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/exportar", user_id=ADMIN_ID)
    call = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
    assert call.text == "No hay preguntas sin respuesta para exportar."
    await fake.assert_no_call("sendDocument", within=0.2)
