"""`python -m bot run` with a token: long polling or webhook against the fake Bot API, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sys
from pathlib import Path

import httpx

from bot.settings import Settings
from bot.store import Store
from tests.fake_bot_api import FakeBotAPI
from tests.helpers import TELEGRAM_KB

USER = 1001


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(fake: FakeBotAPI, tmp_path: Path, **extra: str) -> dict[str, str]:
    knowledge = tmp_path / "knowledge"
    if not knowledge.exists():
        shutil.copytree(TELEGRAM_KB, knowledge)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url,
        DATABASE_PATH=str(tmp_path / "bot.sqlite3"),
        KNOWLEDGE_DIR=str(knowledge),
        USER_HASH_SECRET="test-secret",
        LOG_LEVEL="INFO",
        **extra,
    )
    return env


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def stop_bot(process: asyncio.subprocess.Process) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        _out, err = await asyncio.wait_for(process.communicate(), 15)
    except TimeoutError:
        process.kill()
        raise
    assert process.returncode is not None
    return process.returncode, err.decode("utf-8", "replace")


async def questions_logged(tmp_path: Path) -> int:
    store = await Store.open(Settings(database_path=tmp_path / "bot.sqlite3", user_hash_secret="test-secret"))
    try:
        return (await store.stats()).questions
    finally:
        await store.close()


async def test_polling_answers_and_sigterm_stops_cleanly_keeping_the_log(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    fake = fake_bot_api
    process = await start_bot(bot_env(fake, tmp_path), tmp_path)
    try:
        await fake.wait_for("setMyCommands", timeout=20)
        fake.push_text("precio de la gasolina en marte")
        answer = await fake.wait_for("sendMessage", chat_id=USER, timeout=10)
        assert "Aló MAC" in answer.text
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    assert fake.token not in stderr and "gasolina" not in stderr
    assert "question outcome=none" in stderr
    assert await questions_logged(tmp_path) == 1


async def test_a_damaged_database_leaves_the_bot_answering(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    fake = fake_bot_api
    (tmp_path / "bot.sqlite3").write_bytes(b"this is not a database" * 100)
    process = await start_bot(bot_env(fake, tmp_path), tmp_path)
    try:
        await fake.wait_for("setMyCommands", timeout=20)
        fake.push_text("como renuevo mi dni")
        answer = await fake.wait_for("sendMessage", chat_id=USER, timeout=10)
        assert answer.text.startswith("<b>Renovar el DNI")
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert (tmp_path / "bot.sqlite3").read_bytes().startswith(b"this is not a database")  # never moved or wiped


async def test_webhook_mode_checks_the_secret_and_answers(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    fake = fake_bot_api
    port = free_port()
    public = "https://bot.example.pe/tg/hook"  # Telegram calls https; the proxy forwards to the listener
    url = f"http://127.0.0.1:{port}/tg/hook"
    env = bot_env(fake, tmp_path, WEBHOOK_URL=public, WEBHOOK_SECRET="s3cret", WEBHOOK_LISTEN="127.0.0.1",
                  WEBHOOK_PORT=str(port))
    process = await start_bot(env, tmp_path)
    try:
        set_webhook = await fake.wait_for("setWebhook", timeout=20)
        assert set_webhook.params["url"] == public and set_webhook.params["secret_token"] == "s3cret"
        update = {"update_id": 1, "message": fake.make_message(text="como renuevo mi dni")}
        async with httpx.AsyncClient() as client:
            for _ in range(50):  # the webhook server starts right after setWebhook
                try:
                    forged = await client.post(url, content=json.dumps(update),
                                               headers={"Content-Type": "application/json",
                                                        "X-Telegram-Bot-Api-Secret-Token": "wrong"})
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            assert forged.status_code == 403
            ok = await client.post(url, content=json.dumps(update),
                                   headers={"Content-Type": "application/json",
                                            "X-Telegram-Bot-Api-Secret-Token": "s3cret"})
            assert ok.status_code == 200
        answer = await fake.wait_for("sendMessage", chat_id=USER, timeout=10)
        assert answer.text.startswith("<b>Renovar el DNI")
        await fake.assert_no_call("sendMessage", within=0.3)  # the forged update was not processed
    finally:
        code, stderr = await stop_bot(process)
    assert code == 0, stderr
    assert fake.token not in stderr


async def test_a_rejected_token_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    fake = await FakeBotAPI.start(token="111:other")
    try:
        env = bot_env(fake, tmp_path)
        env["TELEGRAM_BOT_TOKEN"] = "222:not-the-one-telegram-knows"
        process = await start_bot(env, tmp_path)
        _out, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        await fake.stop()
    stderr = err.decode("utf-8", "replace")
    assert process.returncode == 1
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in stderr
    assert "Traceback" not in stderr and "not-the-one-telegram-knows" not in stderr
