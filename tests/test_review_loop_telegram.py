"""The loop end to end on the Telegram channel: citizens ask something the bot cannot answer, an
admin presses "➕ Añadir a: <title>" under the group in /pendientes, and the next citizen who asks
gets that answer. Refusals (a phrasing another entry has, a file that cannot be edited without
reformatting it) and presses by non-admins leave the files and the group as they were."""

from __future__ import annotations

import difflib
import html
from pathlib import Path

from bot.cli import main as cli_main
from bot.core.phrasing import add_question
from tests.fake_bot_api import Call, _check_html
from tests.helpers import ADMIN_ID, TelegramBot

QUESTION = "hacer tramite para viajar"  # the fixture base has no answer; pasaporte comes closest
PASSPORT_TITLE = "Sacar el pasaporte electrónico"
ADD_PASSPORT = f"➕ Añadir a: {PASSPORT_TITLE}"
COMMENTED = "# Revisado por el equipo de contenidos.\n"


async def ask(bot: TelegramBot, text: str, user_id: int) -> str:
    bot.fake.push_text(text, user_id=user_id)
    return (await bot.fake.wait_for("sendMessage", chat_id=user_id)).text


async def pending_listing(bot: TelegramBot) -> Call:
    """Citizens ask QUESTION twice; the admin opens /pendientes (one group, so one message)."""
    assert "Aló MAC" in await ask(bot, QUESTION, user_id=501)  # the honest fallback
    await ask(bot, QUESTION.capitalize() + "!!", user_id=502)
    await bot.store.flush()
    bot.fake.push_text("/pendientes", user_id=ADMIN_ID)
    return await bot.fake.wait_for("sendMessage", chat_id=ADMIN_ID)


def data_of(call: Call, label: str) -> str:
    [data] = [b["callback_data"] for b in call.flat_buttons() if b["text"] == label]
    return str(data)


def passport_file(bot: TelegramBot) -> Path:
    """The passport entry, with staff comments (a heading and an inline one) that must survive."""
    path = bot.knowledge_dir / "services" / "pasaporte.yaml"
    text = path.read_text(encoding="utf-8").replace("    - renovar pasaporte\n", "    - renovar pasaporte  # ojo\n")
    path.write_text(COMMENTED + text, encoding="utf-8")
    assert bot.pipeline.reload() == []
    return path


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]


async def test_add_button_makes_the_question_a_phrasing_and_the_next_citizen_gets_the_answer(
    telegram_bot: TelegramBot, capsys: object
) -> None:
    fake = telegram_bot.fake
    target = passport_file(telegram_bot)
    before = target.read_text(encoding="utf-8")
    listing = await pending_listing(telegram_bot)
    [group] = await telegram_bot.store.list_groups()
    assert group.count == 2
    labels = [b["text"] for b in listing.flat_buttons()]
    assert ADD_PASSPORT in labels
    assert 2 <= sum(label.startswith("➕ Añadir a: ") for label in labels) <= 3
    data = data_of(listing, ADD_PASSPORT)
    assert data == f"v1|ga|{group.id}|pasaporte" and len(data.encode()) <= 64

    fake.push_callback(data, fake.bot_message(listing), user_id=ADMIN_ID)
    toast = await fake.wait_for("answerCallbackQuery")
    assert toast.params["text"] == f"Agregada a {PASSPORT_TITLE}."
    edited = await fake.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert edited.params["message_id"] == fake.bot_message(listing)["message_id"]
    assert f"«{QUESTION}» es ahora una pregunta de {PASSPORT_TITLE} (pasaporte)" in edited.text
    assert f"services/pasaporte.yaml: + {QUESTION}" in edited.text
    assert "recargada" in edited.text and edited.buttons == []
    assert _check_html(edited.text) is None

    after = target.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [f"+    - {QUESTION}"]  # exactly one line; comments untouched
    assert after.startswith(COMMENTED) and "renovar pasaporte  # ojo" in after
    assert cli_main(["validate", str(telegram_bot.knowledge_dir)]) == 0

    answer = await ask(telegram_bot, QUESTION, user_id=503)
    assert answer.startswith(f"<b>{PASSPORT_TITLE}</b>")
    [resolved] = await telegram_bot.store.list_groups("resolved")
    assert (resolved.id, resolved.entry_id) == (group.id, "pasaporte")
    assert resolved.changed_by and str(ADMIN_ID) not in resolved.changed_by

    # The same button pressed again (an old message) changes nothing more.
    fake.push_callback(data, fake.bot_message(listing), user_id=ADMIN_ID)
    assert (await fake.wait_for("answerCallbackQuery")).params["text"] == "Ese grupo ya fue revisado."
    await fake.assert_no_call("editMessageText", within=0.3)
    assert target.read_text(encoding="utf-8") == after


async def test_a_press_by_someone_who_is_not_an_admin_changes_nothing(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    target = telegram_bot.knowledge_dir / "services" / "pasaporte.yaml"
    before = target.read_text(encoding="utf-8")
    listing = await pending_listing(telegram_bot)
    data = data_of(listing, ADD_PASSPORT)

    query = fake.push_callback(data, fake.bot_message(listing), user_id=501)  # a citizen, forged or forwarded
    toast = await fake.wait_for("answerCallbackQuery", callback_query_id=query)
    assert toast.params["text"] == "Este comando no está disponible."
    await fake.assert_no_call("editMessageText", within=0.3)
    assert target.read_text(encoding="utf-8") == before
    [group] = await telegram_bot.store.list_groups("pending")
    assert group.entry_id is None
    assert "Aló MAC" in await ask(telegram_bot, QUESTION, user_id=503)


async def test_a_phrasing_another_entry_already_has_is_refused_and_the_group_stays_pending(
    telegram_bot: TelegramBot,
) -> None:
    fake = telegram_bot.fake
    listing = await pending_listing(telegram_bot)
    add_question(telegram_bot.knowledge_dir, "pagalo-pe", QUESTION)  # staff edited the file meanwhile
    target = telegram_bot.knowledge_dir / "services" / "pasaporte.yaml"
    before = target.read_text(encoding="utf-8")

    fake.push_callback(data_of(listing, ADD_PASSPORT), fake.bot_message(listing), user_id=ADMIN_ID)
    assert "No se agregó" in (await fake.wait_for("answerCallbackQuery")).params["text"]
    edited = await fake.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert f"⚠️ No se agregó: la pregunta '{QUESTION}' ya es de la entrada 'pagalo-pe' (services/pagalo-pe.yaml)" in (
        html.unescape(edited.text)
    )
    assert ADD_PASSPORT in [b["text"] for b in edited.flat_buttons()]  # another entry can still be chosen
    assert target.read_text(encoding="utf-8") == before
    assert [g.text for g in await telegram_bot.store.list_groups("pending")] == [QUESTION]


async def test_a_file_that_cannot_be_edited_in_its_own_layout_is_refused(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    target = telegram_bot.knowledge_dir / "services" / "pasaporte.yaml"
    odd = target.read_text(encoding="utf-8").replace("    - cita para pasaporte", "    -   cita para pasaporte")
    target.write_text(odd, encoding="utf-8")
    assert telegram_bot.pipeline.reload() == []
    listing = await pending_listing(telegram_bot)

    fake.push_callback(data_of(listing, ADD_PASSPORT), fake.bot_message(listing), user_id=ADMIN_ID)
    edited = await fake.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert "sin cambiar su formato" in edited.text and "a mano" in edited.text
    assert target.read_text(encoding="utf-8") == odd
    assert len(await telegram_bot.store.list_groups("pending")) == 1


async def test_the_admin_is_told_when_the_new_phrasing_still_does_not_get_the_answer(
    telegram_bot: TelegramBot,
) -> None:
    fake = telegram_bot.fake
    question = "tramite de viaje para extranjeros"  # asks about foreigners, which the passport entry does not cover
    await ask(telegram_bot, question, user_id=501)
    await telegram_bot.store.flush()
    fake.push_text("/pendientes", user_id=ADMIN_ID)
    listing = await fake.wait_for("sendMessage", chat_id=ADMIN_ID)

    fake.push_callback(data_of(listing, ADD_PASSPORT), fake.bot_message(listing), user_id=ADMIN_ID)
    edited = await fake.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert "es ahora una pregunta de" in edited.text
    warning = "aún no recibe esta respuesta directa (ofrezco opciones): revisa por qué con "
    warning += f'python -m bot ask "{question}" --explain'
    assert warning in html.unescape(edited.text)


async def test_a_long_title_is_shortened_to_fit_the_button(telegram_bot: TelegramBot) -> None:
    path = telegram_bot.knowledge_dir / "services" / "pasaporte.yaml"
    long_title = "Sacar el pasaporte electrónico por primera vez o renovarlo cuando ya venció en Migraciones"
    path.write_text(path.read_text(encoding="utf-8").replace(PASSPORT_TITLE, long_title, 1), encoding="utf-8")
    assert telegram_bot.pipeline.reload() == []
    listing = await pending_listing(telegram_bot)
    [label] = [b["text"] for b in listing.flat_buttons() if b["callback_data"].endswith("|pasaporte")]
    assert label.startswith("➕ Añadir a: Sacar el pasaporte electrónico") and label.endswith("…")
    assert len(label) <= 60
    assert long_title in html.unescape(listing.text)  # the message itself names the entry in full
