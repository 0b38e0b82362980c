"""The citizen side of the Telegram channel, end to end: real PTB Application against the fake Bot API."""

from __future__ import annotations

import pytest

from tests.fake_bot_api import _check_html
from tests.helpers import TelegramBot, pending_groups_once_logged, stub_suggestion, without_flood_limit

USER = 1001


async def test_start_greets_and_registers_command_menus(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    es = fake.commands[("default", "")]
    en = fake.commands[("default", "en")]
    assert {c["command"] for c in es} >= {"start", "servicios", "eventos", "idioma", "ayuda", "help"}
    assert "pendientes" not in {c["command"] for c in es}
    assert next(c for c in en if c["command"] == "servicios")["description"] == "Browse services by category"

    fake.push_text("/start")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert "¡Hola!" in call.text and "/servicios" in call.text
    assert call.params["parse_mode"] == "HTML"
    assert "v1|cats|1" in call.callback_data()


async def test_start_deep_link_opens_the_answer(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/start dni-renovacion")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert call.text.startswith("<b>Renovar el DNI electrónico &lt;rápido&gt; &amp; fácil</b>")
    assert "v1|fb|1|dni-renovacion" in call.callback_data()


async def test_start_unknown_deep_link_is_polite(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/start no-existe")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert "No encontré ese tema" in call.text


async def test_help_and_ayuda(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/help")
    assert "/servicios" in (await fake.wait_for("sendMessage", chat_id=USER)).text
    fake.push_text("/ayuda")
    assert "/eventos" in (await fake.wait_for("sendMessage", chat_id=USER)).text


async def test_english_users_get_english_and_idioma_switches(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/help", language_code="en-GB")
    assert "Ask me in your own words" in (await fake.wait_for("sendMessage", chat_id=USER)).text

    fake.push_text("/idioma", language_code="en")
    choose = await fake.wait_for("sendMessage", chat_id=USER)
    assert choose.callback_data() == ["v1|lang|es", "v1|lang|en"]
    fake.push_callback("v1|lang|es", fake.bot_message(choose), language_code="en")
    edited = await fake.wait_for("editMessageText", chat_id=USER)
    assert "español" in edited.text

    fake.push_text("como renuevo mi dni", language_code="en")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert "Información revisada el" in answer.text  # Spanish now, despite the English app

    fake.push_text("/idioma en")
    assert "English" in (await fake.wait_for("sendMessage", chat_id=USER)).text
    fake.push_text("como renuevo mi dni")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert "<b>Renew your electronic DNI</b>" in answer.text and "Information checked on 1 Jun 2026" in answer.text
    fake.push_callback("v1|d|en|dni-renovacion", fake.bot_message(answer))
    extended = await fake.wait_for("editMessageText", chat_id=USER)
    assert "<b>Steps</b>" in extended.text and "<b>Requirements</b>" in extended.text
    assert "Pasos" not in extended.text and "Costo" not in extended.text  # one language per answer


async def test_free_text_answer_shows_essentials_then_steps_on_demand(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("¿Cómo renuevo mi DNI?")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert fake.calls_of("sendChatAction") == []  # one call per answer: a millisecond's reply needs no "typing…"
    text = call.text
    assert text.startswith("<b>Renovar el DNI electrónico &lt;rápido&gt; &amp; fácil</b>")
    assert "Pagas S/ 41" in text
    assert "<b>Costo:</b> S/ 41 (código 00525)" in text
    assert "<b>Dónde:</b> En línea · App" in text
    assert '<a href="https://www.gob.pe/dni?a=1&amp;b=2">' in text
    assert "<i>Información revisada el 1 jun 2026</i>" in text
    assert "¿Te sirvió?" in text
    assert "código 00525 en Págalo.pe" not in text  # the steps wait for the button
    assert _check_html(text) is None
    assert call.params["parse_mode"] == "HTML"
    assert call.callback_data() == [
        "v1|fb|1|dni-renovacion",
        "v1|fb|0|dni-renovacion",
        "v1|d|es|dni-renovacion",
        "v1|a|dni-duplicado",
        "v1|a|pagalo-pe",
    ]
    assert [b["text"] for b in call.flat_buttons()][2] == "📋 Pasos y requisitos"

    fake.push_callback("v1|d|es|dni-renovacion", fake.bot_message(call))
    extended = await fake.wait_for("editMessageText", chat_id=USER)
    assert extended.text.startswith(text.removesuffix("\n\n<i>¿Te sirvió?</i>"))  # the same message, extended
    assert "1. Paga S/ 41 con el código 00525 en Págalo.pe." in extended.text
    assert "• Tener DNI electrónico." in extended.text
    assert '<a href="https://www.pagalo.pe">' in extended.text
    lines = [line for line in extended.text.split("\n") if line]
    assert len(lines) == len(set(lines))
    assert _check_html(extended.text) is None
    assert extended.callback_data() == [
        "v1|fb|1|dni-renovacion",
        "v1|fb|0|dni-renovacion",
        "v1|a|dni-duplicado",
        "v1|a|pagalo-pe",
    ]
    await telegram_bot.store.flush()
    stats = await telegram_bot.store.stats()
    assert stats.answered == 1


async def test_pressing_the_details_button_twice_extends_the_answer_once(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("como renuevo mi dni")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    stale = fake.bot_message(answer)  # the second press comes from the message as it was
    fake.push_callback("v1|d|es|dni-renovacion", stale)
    await fake.wait_for("editMessageText", chat_id=USER)
    fake.push_callback("v1|d|es|dni-renovacion", stale)
    await fake.wait_for("answerCallbackQuery")
    await fake.assert_no_call("sendMessage", chat_id=USER, within=0.3)


async def test_related_button_opens_that_answer(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("como renuevo mi dni")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    fake.push_callback("v1|a|pagalo-pe", fake.bot_message(answer))
    await fake.wait_for("answerCallbackQuery")
    related = await fake.wait_for("sendMessage", chat_id=USER)
    assert related.text.startswith("<b>Págalo.pe, pagar tasas del Estado por internet</b>")


async def test_suggest_shows_candidates_and_a_press_answers(
    telegram_bot: TelegramBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = telegram_bot.fake
    stub_suggestion(telegram_bot, monkeypatch, "dni", ["dni-renovacion", "dni-duplicado"])
    fake.push_text("dni")
    suggest = await fake.wait_for("sendMessage", chat_id=USER)
    assert suggest.text == "¿Te refieres a alguno de estos?"
    assert suggest.callback_data()[:2] == ["v1|a|dni-renovacion", "v1|a|dni-duplicado"]
    assert [b["text"] for b in suggest.flat_buttons()][:2] == [
        "Renovar el DNI electrónico <rápido> & fácil",
        "Duplicado del DNI por pérdida o robo",
    ]
    fake.push_callback("v1|a|dni-duplicado", fake.bot_message(suggest))
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.text.startswith("<b>Duplicado del DNI por pérdida o robo</b>")

    # A 👎 on that answer sends the original question ("dni") to review.
    fake.push_callback("v1|fb|0|dni-duplicado", fake.bot_message(answer))
    await fake.wait_for("sendMessage", chat_id=USER)
    await telegram_bot.store.flush()
    groups = await telegram_bot.store.list_groups("pending")
    assert any(g.text == "dni" for g in groups)


async def test_unknown_question_gets_fallback_and_is_logged(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("precio de la gasolina en marte")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert "Aló MAC al 1800" in call.text
    assert "v1|cats|1" in call.callback_data()
    groups = await pending_groups_once_logged(telegram_bot.store, "gasolina")
    assert [g.count for g in groups if "gasolina" in g.text] == [1]


async def test_small_talk(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("hola")
    assert (await fake.wait_for("sendMessage", chat_id=USER)).text == "¡Hola! Cuéntame qué trámite necesitas."


async def test_feedback_yes_is_stored_and_buttons_removed(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("como renuevo mi dni")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    query_id = fake.push_callback("v1|fb|1|dni-renovacion", fake.bot_message(answer))
    toast = await fake.wait_for("answerCallbackQuery", callback_query_id=query_id)
    assert toast.params["text"] == "¡Gracias por tu respuesta!"
    markup = await fake.wait_for("editMessageReplyMarkup", chat_id=USER)
    assert markup.callback_data() == ["v1|d|es|dni-renovacion", "v1|a|dni-duplicado", "v1|a|pagalo-pe"]
    # A second vote on the same message is not counted twice.
    fake.push_callback("v1|fb|1|dni-renovacion", fake.bot_message(answer))
    await fake.wait_for("answerCallbackQuery")
    await telegram_bot.store.flush()
    stats = await telegram_bot.store.stats()
    assert (stats.feedback_helpful, stats.feedback_not_helpful) == (1, 0)


async def test_votes_on_forged_message_ids_are_not_counted(telegram_bot: TelegramBot) -> None:
    without_flood_limit(telegram_bot)  # 40 quick presses: the flood limit is tested elsewhere
    fake = telegram_bot.fake
    fake.push_text("como renuevo mi dni")
    answer = fake.bot_message(await fake.wait_for("sendMessage", chat_id=USER))
    for forged_id in range(answer["message_id"] + 100, answer["message_id"] + 140):  # 40 presses, new ids
        query_id = fake.push_callback("v1|fb|1|dni-renovacion", {**answer, "message_id": forged_id})
        await fake.wait_for("answerCallbackQuery", callback_query_id=query_id)
    fake.push_callback("v1|fb|1|dni-renovacion", answer)  # the real answer still takes its one vote
    await fake.wait_for("editMessageReplyMarkup", chat_id=USER)
    await telegram_bot.store.flush()
    stats = await telegram_bot.store.stats()
    assert (stats.feedback_helpful, stats.feedback_not_helpful) == (1, 0)


async def test_feedback_no_sends_the_question_to_review(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("mi dni esta vencido que hago")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    fake.push_text("hola")  # a later message must not change which question the 👎 refers to
    await fake.wait_for("sendMessage", chat_id=USER)
    fake.push_callback("v1|fb|0|dni-renovacion", fake.bot_message(answer))
    sorry = await fake.wait_for("sendMessage", chat_id=USER)
    assert "Revisaremos" in sorry.text
    await telegram_bot.store.flush()
    stats = await telegram_bot.store.stats()
    assert stats.feedback_not_helpful == 1
    groups = await telegram_bot.store.list_groups("pending")
    assert any("vencido" in g.text for g in groups)


async def test_html_in_user_text_never_breaks_parse_mode(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("<b>hola</b> & <script>alert(1)</script> renovar dni")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert _check_html(call.text) is None
    assert "<script>" not in call.text
    assert not fake.calls_of("sendMessage", _failed=400)


async def test_huge_message_is_answered_from_its_beginning(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("como renuevo mi dni " + "bla " * 1100)
    notice = await fake.wait_for("sendMessage", chat_id=USER)
    assert "muy largo" in notice.text
    reply = await fake.wait_for("sendMessage", chat_id=USER)
    # Answered (or suggested) from the beginning of the message.
    assert reply.text.startswith("<b>Renovar el DNI") or "v1|a|dni-renovacion" in reply.callback_data()


async def test_steps_too_long_for_one_message_follow_it_split(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    steps = "\n".join(f"    - Paso número {n} <del trámite> & con bastante texto para ocupar espacio " + "x" * 80
                      for n in range(60))
    entry = (telegram_bot.knowledge_dir / "services" / "pasaporte.yaml").read_text(encoding="utf-8")
    entry = entry.replace("    - Paga la tasa en Págalo.pe.\n    - Saca tu cita en Migraciones.\n", steps + "\n")
    (telegram_bot.knowledge_dir / "services" / "pasaporte.yaml").write_text(entry, encoding="utf-8")
    assert telegram_bot.pipeline.reload() == []

    fake.push_text("/start pasaporte")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.text.startswith("<b>Sacar el pasaporte electrónico</b>") and "Paso número" not in answer.text
    fake.push_callback("v1|d|es|pasaporte", fake.bot_message(answer))
    parts = [await fake.wait_for("sendMessage", chat_id=USER)]
    while "Paso número 59" not in parts[-1].text:
        parts.append(await fake.wait_for("sendMessage", chat_id=USER))
    assert len(parts) > 1
    whole = "\n".join(part.text for part in parts)
    assert all(f"{n + 1}. Paso número {n} &lt;del trámite&gt; &amp; con" in whole for n in range(60))
    for part in parts:
        assert len(part.text) <= 4096 and _check_html(part.text) is None
    markup = await fake.wait_for("editMessageReplyMarkup", chat_id=USER)
    assert "v1|d|es|pasaporte" not in markup.callback_data() and "v1|fb|1|pasaporte" in markup.callback_data()


async def test_non_text_messages_get_a_polite_reply(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    contents = [
        {"sticker": {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 512, "height": 512,
                     "is_animated": False, "is_video": False}},
        {"photo": [{"file_id": "p", "file_unique_id": "pu", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3}},
        {"location": {"latitude": -12.05, "longitude": -77.04}},
        {"document": {"file_id": "d", "file_unique_id": "du", "file_name": "dni.pdf"}},
    ]
    for content in contents:
        fake.push_message(**content)
        call = await fake.wait_for("sendMessage", chat_id=USER)
        assert "solo leo mensajes de texto" in call.text


async def test_edited_message_is_explained(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_edited_text("como renuevo mi dni")
    call = await fake.wait_for("sendMessage", chat_id=USER)
    assert "editaste" in call.text


async def test_unknown_command_shows_help(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/foo")
    assert "/servicios" in (await fake.wait_for("sendMessage", chat_id=USER)).text


async def test_forged_and_stale_callbacks_get_a_polite_notice(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("/start")
    message = fake.bot_message(await fake.wait_for("sendMessage", chat_id=USER))
    for data in ["garbage", "v9|a|dni-renovacion", "v1|a|no-existe", "v1|fb|1|no-existe", "v1|cat|nada|1",
                 "v1|a|" + "x" * 100, "v1|gr|1|dni-renovacion"]:
        query_id = fake.push_callback(data, message)
        call = await fake.wait_for("answerCallbackQuery", callback_query_id=query_id)
        assert call.params.get("text"), data
    await fake.assert_no_call("sendMessage", chat_id=USER, within=0.3)


async def test_group_messages_are_ignored_unless_addressed(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    group = -100123
    fake.push_text("como renuevo mi dni", chat_id=group, chat_type="supergroup")
    await fake.assert_no_call("sendMessage", chat_id=group, within=0.6)

    fake.push_text("@gobpe_test_bot como renuevo mi dni", chat_id=group, chat_type="supergroup")
    call = await fake.wait_for("sendMessage", chat_id=group)
    assert call.text.startswith("<b>Renovar el DNI")

    fake.push_text("como renuevo mi dni", chat_id=group, chat_type="supergroup",
                   reply_to=fake.bot_message(call))
    assert (await fake.wait_for("sendMessage", chat_id=group)).text.startswith("<b>Renovar el DNI")

    fake.push_text("@gobpe_test_bot", chat_id=group, chat_type="supergroup")
    assert "vacío" in (await fake.wait_for("sendMessage", chat_id=group)).text

    fake.push_message(chat_id=group, chat_type="supergroup",
                      sticker={"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 1,
                               "height": 1, "is_animated": False, "is_video": False})
    fake.push_text("/servicios@gobpe_test_bot", chat_id=group, chat_type="supergroup")
    call = await fake.wait_for("sendMessage", chat_id=group)
    assert "Elige una categoría" in call.text  # the sticker before it got no reply


async def test_an_english_question_from_a_spanish_app_is_answered_in_english(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.push_text("how do I renew my DNI online", language_code="es")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert "<b>Cost:</b>" in answer.text and "Information checked on" in answer.text


async def test_a_photo_caption_is_read_as_the_question(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    photo = [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}]
    fake.push_message(photo=photo, caption="mi dni esta vencido que hago")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.text.startswith("<b>Renovar el DNI")
