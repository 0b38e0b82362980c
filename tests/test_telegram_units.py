"""Unit tests of the Telegram channel's pure parts: callback data, HTML formatting, splitting, retries."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram import callbacks as cb
from bot.channels.telegram.formatting import answer_html, split_message, utf16_len
from bot.channels.telegram.sending import send_with_retry
from bot.core.render import AnswerView, Item, Section
from tests.fake_bot_api import _check_html


@pytest.mark.parametrize(
    "action",
    [
        cb.OpenAnswer("dni-renovacion"),
        cb.Feedback("dni-renovacion", True),
        cb.Feedback("dni-renovacion", False),
        cb.Details("dni-renovacion", "en"),
        cb.Categories(3),
        cb.Category("identidad", 2),
        cb.SetLanguage("en"),
        cb.ResolveGroup(42, "pagalo-pe"),
        cb.AddPhrasing(42, "pagalo-pe"),
        cb.IgnoreGroup(7),
        cb.EventsPage(2),
        cb.AddToCalendar("semana-gobierno-digital"),
        cb.RemindMe("semana-gobierno-digital"),
        cb.CancelReminders("semana-gobierno-digital"),
        cb.WatchDate("hackathon-datos"),
        cb.SetRegion("lima-metropolitana"),
        cb.ForgetMe(True),
        cb.ForgetMe(False),
    ],
)
def test_callback_round_trip(action: cb.Action) -> None:
    data = cb.encode(action)
    assert data is not None and data.startswith("v1|") and len(data.encode()) <= 64
    assert cb.decode(data) == action


def test_callback_examples_from_the_contract() -> None:
    assert cb.encode(cb.OpenAnswer("dni-renovacion")) == "v1|a|dni-renovacion"
    assert cb.encode(cb.Feedback("dni-renovacion", True)) == "v1|fb|1|dni-renovacion"
    assert cb.encode(cb.Category("identidad", 2)) == "v1|cat|identidad|2"


def test_callback_too_long_id_is_not_encoded() -> None:
    assert cb.encode(cb.OpenAnswer("x" * 70)) is None


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "garbage",
        "v0|a|dni-renovacion",
        "v2|a|dni-renovacion",
        "v1|a",
        "v1|a|DNI",
        "v1|a|dni renovacion",
        "v1|a|dni\n",
        "v1|a|x|y",
        "v1|fb|2|dni-renovacion",
        "v1|cat|identidad|0",
        "v1|cat|identidad|-1",
        "v1|cat|identidad|²",
        "v1|cats|99999",
        "v1|lang|fr",
        "v1|d|fr|dni-renovacion",
        "v1|gr|x|dni",
        "v1|zz|1",
        "v1|a|" + "a" * 80,
        "v1|a|<script>",
        "v1|forget|yes",
        "v1|evp|0",
        "v1|reg|Puno",
        "v1|ics|",
    ],
)
def test_forged_callback_data_decodes_to_none(data: object) -> None:
    assert cb.decode(data) is None


def make_view() -> AnswerView:
    return AnswerView(
        entry_id="x",
        lang="es",
        title="Renovar <DNI> & más",
        notice="",
        when="",
        place="",
        summary="Paga S/ 41 <b>ya</b>",
        facts=(Item("S/ 41", "Costo", "cost"), Item('https://www.gob.pe/x?a=1&b="2"', "Enlace oficial", "url")),
        reviewed="Información revisada el 1 dic 2026",
        details=(
            Section("Pasos", (Item("Paso <1>"), Item("Paso & 2")), numbered=True),
            Section("Canales", (Item("https://www.pagalo.pe/?a=1&b=2", "Pago"), Item("App <x>"))),
        ),
    )


def test_answer_html_escapes_everything_and_is_valid() -> None:
    text = answer_html(make_view(), with_details=True)
    assert "<b>Renovar &lt;DNI&gt; &amp; más</b>" in text
    assert "Paga S/ 41 &lt;b&gt;ya&lt;/b&gt;" in text
    assert "1. Paso &lt;1&gt;" in text
    assert '<a href="https://www.gob.pe/x?a=1&amp;b=&quot;2&quot;">' in text
    assert '• Pago: <a href="https://www.pagalo.pe/?a=1&amp;b=2">' in text
    assert "App &lt;x&gt;" in text
    assert _check_html(text) is None


def test_answer_html_keeps_the_details_for_the_button() -> None:
    essentials = answer_html(make_view())
    assert "Información revisada el 1 dic 2026" in essentials and "💰 <b>Costo:</b> S/ 41" in essentials
    assert "Paso" not in essentials and "Pago" not in essentials


def test_split_message_keeps_short_text_whole() -> None:
    assert split_message("hola") == ["hola"]


def test_split_message_cuts_at_paragraphs_and_lines_and_keeps_html_valid() -> None:
    paragraphs = [f"<b>Sección {n}</b>\n" + "\n".join(f"• línea {n}.{i} &amp; más" for i in range(40))
                  for n in range(12)]
    text = "\n\n".join(paragraphs)
    chunks = split_message(text)
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_len(chunk) <= 4096
        assert _check_html(chunk) is None
        assert not chunk.startswith("\n") and not chunk.endswith("\n")
    # Nothing lost: all lines are still there, in order.
    assert [line for c in chunks for line in c.split("\n") if line] == [line for line in text.split("\n") if line]


def test_split_message_cuts_a_huge_line_between_words_without_breaking_entities() -> None:
    text = "<b>" + " ".join(["palabra&amp;"] * 1200) + "</b>"
    chunks = split_message(text, limit=1000)
    assert len(chunks) > 1
    for chunk in chunks:
        assert utf16_len(chunk) <= 1000
        assert _check_html(chunk) is None
    assert html.unescape(" ".join(chunks)).count("palabra&") == 1200


async def test_send_with_retry_retries_network_errors_then_succeeds() -> None:
    waits: list[float] = []
    attempts = 0

    async def send() -> str:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise (NetworkError("Bad Gateway") if attempts == 1 else TimedOut())
        return "ok"

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    assert await send_with_retry(send, delays=(0.5, 1, 2), sleep=sleep) == "ok"
    assert waits == [0.5, 1]


async def test_send_with_retry_gives_up_after_the_last_delay() -> None:
    async def send() -> str:
        raise NetworkError("Bad Gateway")

    async def sleep(seconds: float) -> None:
        return None

    with pytest.raises(NetworkError):
        await send_with_retry(send, delays=(0, 0, 0), sleep=sleep)


async def test_send_with_retry_never_retries_bad_requests() -> None:
    calls = 0

    async def send() -> str:
        nonlocal calls
        calls += 1
        raise BadRequest("can't parse entities")

    with pytest.raises(BadRequest):
        await send_with_retry(send, delays=(0, 0))
    assert calls == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own RetryAfter
async def test_send_with_retry_leaves_flood_control_to_the_rate_limiter() -> None:
    calls = 0

    async def send() -> str:
        nonlocal calls
        calls += 1
        raise RetryAfter(3)

    with pytest.raises(RetryAfter):  # AIORateLimiter(max_retries=...) already waited and retried
        await send_with_retry(send, delays=(0.5,))
    assert calls == 1


def test_webhook_options_take_the_path_from_the_url_and_always_have_a_secret() -> None:
    from bot.channels.telegram.app import webhook_options
    from bot.settings import Settings

    settings = Settings(webhook_url="https://bot.example.pe/tg/hook", webhook_secret="s3cret", webhook_port=8443)
    options = webhook_options(settings)
    assert options["url_path"] == "tg/hook" and options["secret_token"] == "s3cret"
    assert options["listen"] == "0.0.0.0" and options["port"] == 8443
    generated = webhook_options(Settings(webhook_url="https://bot.example.pe/"))["secret_token"]
    assert len(generated) >= 32


async def test_updates_of_one_chat_are_processed_in_order() -> None:
    import asyncio

    from telegram import Chat, Message, Update

    from bot.channels.telegram.fairness import FairUpdateProcessor

    processor = FairUpdateProcessor(8)
    seen: list[str] = []

    def update(update_id: int, chat_id: int) -> Update:
        chat = Chat(chat_id, "private")
        return Update(update_id, message=Message(update_id, datetime.now(), chat))

    async def work(name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        seen.append(name)

    await asyncio.gather(
        processor.process_update(update(1, 1), work("a1", 0.05)),
        processor.process_update(update(2, 1), work("a2", 0)),
        processor.process_update(update(3, 2), work("b1", 0)),
    )
    assert seen.index("a1") < seen.index("a2")
    assert seen[0] == "b1"  # another chat is not held up


def test_chat_memory_forgets_the_oldest_vote_first() -> None:
    from bot.channels.telegram.context import MAX_VOTES, ChatMemory

    memory = ChatMemory()
    assert all(memory.vote(7, n) for n in range(MAX_VOTES + 1))  # one over the limit: message 0 is forgotten
    assert not memory.vote(7, MAX_VOTES) and not memory.vote(7, 1)  # recent votes are still known
    assert memory.vote(7, 0)  # the oldest was evicted, not an arbitrary one
    assert memory.vote(8, 1)  # one vote per user: another user may vote on the same answer


def test_only_an_answer_the_bot_sent_can_be_voted_on() -> None:
    from bot.channels.telegram.context import ChatMemory

    memory = ChatMemory()
    memory.sent_answer(10, "dni-renovacion")
    assert memory.can_vote(10, "dni-renovacion")
    assert not memory.can_vote(11, "dni-renovacion")  # a message id the bot never sent
    assert not memory.can_vote(10, "pagalo-pe")  # the answer was about another entry


def test_chat_memory_keeps_the_question_behind_recent_answers() -> None:
    from bot.channels.telegram.context import MAX_REMEMBERED, ChatMemory

    memory = ChatMemory()
    for n in range(MAX_REMEMBERED + 1):
        memory.remember(n, f"pregunta {n}", "dni-renovacion")
    assert memory.question_for(0) is None and memory.question_for(1) == "pregunta 1"
    assert memory.question_for(999, "dni-renovacion") == f"pregunta {MAX_REMEMBERED}"  # the last one led there
    assert memory.question_for(999, "pasaporte") is None


def test_kept_buttons_are_what_telegram_would_get_from_the_library() -> None:
    # The outbox keeps keyboards written out by hand (markup_dict); they must be exactly PTB's own.
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.channels.telegram.keyboards import button, keyboard
    from bot.channels.telegram.sending import markup_dict

    ours = keyboard([[button("📋 Pasos y requisitos", cb.Details("dni-renovacion", "es"))],
                     [button("👍", cb.Feedback("dni-renovacion", True)),
                      button("👎", cb.Feedback("dni-renovacion", False))],
                     [button("Un trámite de nombre muy largo que no cabe entero en un botón", cb.OpenAnswer("dni"))]])
    assert ours is not None
    assert markup_dict(ours) == ours.to_dict()
    other = InlineKeyboardMarkup([[InlineKeyboardButton("gob.pe", url="https://www.gob.pe")]])
    assert markup_dict(other) == other.to_dict() == {"inline_keyboard": [[{"text": "gob.pe", "url": "https://www.gob.pe"}]]}
