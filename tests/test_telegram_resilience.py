"""Flood limits, Bot API failures and logging: the answer still arrives, nothing crashes, nothing leaks."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest

from bot.channels.telegram.app import RedactToken, file_base_url
from tests.helpers import TelegramBot

USER = 1001


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own RetryAfter
async def test_429_on_send_message_is_retried_and_the_answer_arrives(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.fail_next("sendMessage", status=429, retry_after=1)
    fake.push_text("como renuevo mi dni")
    answer = await fake.wait_for("sendMessage", chat_id=USER, timeout=8)
    assert answer.text.startswith("<b>Renovar el DNI")
    assert [c.params["_failed"] for c in fake.calls if "_failed" in c.params] == [429]


async def test_502_on_send_message_is_retried_and_the_answer_arrives(telegram_bot: TelegramBot) -> None:
    fake = telegram_bot.fake
    fake.fail_next("sendMessage", status=502, times=2)
    fake.push_text("como renuevo mi dni")
    answer = await fake.wait_for("sendMessage", chat_id=USER)
    assert answer.text.startswith("<b>Renovar el DNI")
    assert [c.params["_failed"] for c in fake.calls if "_failed" in c.params] == [502, 502]


async def test_an_undeliverable_answer_is_kept_and_delivered_later_not_dropped(
    telegram_bot: TelegramBot, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import contextlib

    from bot.channels.telegram.durable import Outbox

    fake = telegram_bot.fake
    fake.fail_next("sendMessage", status=502, times=4)  # every quick retry of the answer fails
    with caplog.at_level(logging.INFO):
        fake.push_text("como renuevo mi dni")
        await fake.idle(USER)
        deferred = [r for r in caplog.records if r.getMessage().startswith("reply_deferred")]
        assert len(deferred) == 1 and "NetworkError" in deferred[0].getMessage()
    assert [c for c in fake.calls if c.method == "sendMessage" and "_failed" not in c.params] == []  # no apology
    outbox = asyncio.ensure_future(Outbox(telegram_bot.app, every=0.2).run())
    try:
        answer = await fake.wait_for("sendMessage", chat_id=USER, timeout=8)  # the outbox's next try, ~2 s later
    finally:
        outbox.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await outbox
    assert answer.text.startswith("<b>Renovar el DNI")
    assert await telegram_bot.store.due_replies() == []
    fake.push_text("como renuevo mi dni")
    assert (await fake.wait_for("sendMessage", chat_id=USER)).text.startswith("<b>Renovar el DNI")


async def test_handler_bug_apologises_and_logs_without_user_text(
    telegram_bot: TelegramBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = telegram_bot.fake

    def broken(question: str, lang: str = "es") -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(telegram_bot.pipeline, "ask", broken)
    with caplog.at_level(logging.INFO):
        fake.push_text("mi secreto personal 12345678")
        apology = await fake.wait_for("sendMessage", chat_id=USER)
    assert "tuve un problema" in apology.text
    assert len([r for r in caplog.records if r.getMessage().startswith("handler_error")]) == 1
    assert not any("12345678" in r.getMessage() for r in caplog.records)


async def test_question_log_line_is_structured_and_has_no_personal_data(
    telegram_bot: TelegramBot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = telegram_bot.fake
    with caplog.at_level(logging.INFO):
        fake.push_text("como renuevo mi dni 12345678")
        await fake.wait_for("sendMessage", chat_id=USER)
        for _ in range(100):  # the line is logged right after the reply is on its way
            lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("question ")]
            if lines:
                break
            await asyncio.sleep(0.02)
    assert len(lines) == 1
    assert re.fullmatch(r"question outcome=(answer|suggest|none) entry=\S+ candidates=\d score=[01]\.\d\d lang=es "
                        r"latency_ms=[\d.]+ "
                        r"chat=private truncated=false", lines[0]), lines[0]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "12345678" not in everything and str(USER) not in everything
    assert fake.token not in everything


def test_token_is_redacted_from_log_lines_and_tracebacks() -> None:
    token = "123456:SECRET-token"
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "GET https://api/bot%s/getMe", (token,), None)
    try:
        raise ValueError(f"url https://api/bot{token}/x")
    except ValueError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    RedactToken(token).filter(record)
    assert token not in record.getMessage() and "<token>" in record.getMessage()
    assert record.exc_text is not None and token not in record.exc_text


def test_file_base_url_follows_the_api_base_url() -> None:
    assert file_base_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_base_url("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
    assert file_base_url("http://localhost:8081") == "http://localhost:8081/file/bot"
