"""The loop end to end on the Telegram channel: citizens ask something the bot cannot answer, an
admin adds it as a phrasing with the same function the /pendientes buttons call, and the next
citizen who asks gets the answer."""

from __future__ import annotations

import difflib

from bot.core.models import Outcome
from bot.store.loop import add_group_phrasing
from tests.helpers import ADMIN_ID, TelegramBot

QUESTION = "mi librito de viaje para ir afuera ya no sirve"


async def ask(bot: TelegramBot, text: str, user_id: int) -> str:
    bot.fake.push_text(text, user_id=user_id)
    return (await bot.fake.wait_for("sendMessage", chat_id=user_id)).text


async def test_an_unanswered_question_becomes_a_phrasing_and_is_answered_next_time(telegram_bot: TelegramBot) -> None:
    assert telegram_bot.pipeline.ask(QUESTION).outcome is not Outcome.ANSWER
    await ask(telegram_bot, QUESTION, user_id=501)
    await ask(telegram_bot, QUESTION + "!!", user_id=502)
    await telegram_bot.store.flush()
    [group] = await telegram_bot.store.list_groups()
    assert group.count == 2

    target = telegram_bot.knowledge_dir / "services" / "pasaporte.yaml"
    before = target.read_text(encoding="utf-8")
    addition = await add_group_phrasing(
        telegram_bot.store, group, "pasaporte", telegram_bot.knowledge_dir, by_user_id=ADMIN_ID
    )
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), target.read_text(encoding="utf-8").splitlines())
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert changed == [f"+    - {QUESTION}"]  # exactly one line more; comments and layout untouched
    assert f"+    - {QUESTION}" in addition.diff
    assert telegram_bot.pipeline.reload() == []  # what /recargar does after the button

    answer = await ask(telegram_bot, QUESTION, user_id=503)
    assert "SACAR EL PASAPORTE ELECTRÓNICO" in answer.upper()
    [resolved] = await telegram_bot.store.list_groups("resolved")
    assert (resolved.id, resolved.entry_id) == (group.id, "pasaporte")
    assert resolved.changed_by and str(ADMIN_ID) not in resolved.changed_by
