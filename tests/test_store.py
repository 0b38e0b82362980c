"""The store as the bot uses it: recording never fails or blocks, nothing personal is kept."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
from pathlib import Path

import pytest
from replies import reply

from bot.core.models import Outcome, Reply
from bot.core.normalize import fold
from bot.settings import Settings
from bot.store import Store, StoreError
from bot.store.identity import secret_path

USER_ID = 987123456




@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_path=tmp_path / "data" / "bot.sqlite3")


async def test_first_start_creates_folder_database_and_private_secret(settings: Settings) -> None:
    store = await Store.open(settings)
    await store.close()
    assert settings.database_path.is_file()
    secret = secret_path(settings.database_path)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    with sqlite3.connect(settings.database_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_user_hash_is_stable_across_restarts(settings: Settings) -> None:
    hashes = []
    for _ in range(2):
        store = await Store.open(settings)
        store.record_question(user_id=USER_ID, channel="telegram", reply=reply("hola", Outcome.SMALLTALK))
        await store.close()
    with sqlite3.connect(settings.database_path) as db:
        hashes = [row[0] for row in db.execute("SELECT user_hash FROM questions")]
    assert len(hashes) == 2 and hashes[0] == hashes[1]
    assert len(hashes[0]) == 64


async def test_configured_secret_changes_the_hash(tmp_path: Path) -> None:
    results = []
    for secret in ("uno", "dos"):
        settings = Settings(database_path=tmp_path / f"{secret}.sqlite3", user_hash_secret=secret)
        store = await Store.open(settings)
        store.record_question(user_id=USER_ID, channel="telegram", reply=reply("hola", Outcome.SMALLTALK))
        await store.close()
        with sqlite3.connect(settings.database_path) as db:
            results.append(db.execute("SELECT user_hash FROM questions").fetchone()[0])
        assert not secret_path(settings.database_path).exists()
    assert results[0] != results[1]


async def test_records_outcome_entry_score_language_and_channel(settings: Settings) -> None:
    store = await Store.open(settings)
    store.record_question(
        user_id=USER_ID, channel="telegram", reply=reply("como renuevo mi dni", Outcome.ANSWER, "dni-renovacion")
    )
    await store.close()
    with sqlite3.connect(settings.database_path) as db:
        row = db.execute("SELECT outcome, entry_id, score, lang, channel, asked_at FROM questions").fetchone()
    assert row[:5] == ("answer", "dni-renovacion", 0.8, "es", "telegram")
    assert row[5].startswith("20")


async def test_many_concurrent_writers_lose_nothing(settings: Settings) -> None:
    store = await Store.open(settings)

    async def user(n: int) -> None:
        for i in range(20):
            store.record_question(
                user_id=n, channel="telegram", reply=reply(f"pregunta {n} {i}", Outcome.ANSWER, "dni-renovacion")
            )
            await asyncio.sleep(0)

    await asyncio.gather(*(user(n) for n in range(50)))
    await store.flush()
    stats = await store.stats()
    await store.close()
    assert stats.questions == 1000
    assert stats.answered == 1000


async def test_the_log_waits_while_the_bot_is_busy_but_never_keeps_a_reader_waiting(settings: Settings) -> None:
    store = await Store.open(settings)
    busy = True
    store.busy_while(lambda: busy)
    store.record_question(user_id=USER_ID, channel="telegram", reply=reply("como renuevo mi dni"))
    await asyncio.sleep(0.3)
    assert await _count(settings) == 0  # held off while updates are being answered
    assert (await store.stats()).questions == 1  # a staff read does not wait for the bot to be idle
    store.record_question(user_id=USER_ID, channel="telegram", reply=reply("otra pregunta"))
    busy = False
    for _ in range(100):
        if await _count(settings) == 2:
            break
        await asyncio.sleep(0.02)
    await store.close()
    assert await _count(settings) == 2  # written as soon as the bot is idle


async def test_database_never_holds_user_id_or_masked_values(settings: Settings) -> None:
    store = await Store.open(settings)
    secrets = ["45678912", "987654321", "juan.perez@gmail.com", "4111 1111 1111 1111", "20123456789"]
    store.record_question(
        user_id=USER_ID,
        channel="telegram",
        reply=Reply(
            outcome=Outcome.NONE,
            lang="es",
            question="soy juan.perez@gmail.com, dni 45678912, cel 987654321, ruc 20123456789",
            normalized="soy juan perez gmail com dni 45678912 cel 987654321 ruc 20123456789",
        ),
    )
    store.record_feedback(
        user_id=USER_ID, channel="telegram", entry_id="x", helpful=False, question="tarjeta 4111 1111 1111 1111"
    )
    await store.flush()
    groups = await store.list_groups()
    await store.close()
    assert "[DNI]" in groups[-1].text or "[DNI]" in groups[0].text
    data = b"".join(
        p.read_bytes() for p in settings.database_path.parent.glob("bot.sqlite3*") if "secret" not in p.name
    )
    for value in [str(USER_ID), *secrets, "perez"]:
        assert value.encode() not in data, value


async def test_numbers_written_with_separators_never_reach_the_database(settings: Settings) -> None:
    store = await Store.open(settings)
    question = "mi dni es 45.678.912 y mi ruc 20 123 456 789, el de mi hijo 4567 8912"
    store.record_question(
        user_id=USER_ID,
        channel="telegram",
        # the pipeline's normalised text splits the numbers into separate tokens
        reply=Reply(outcome=Outcome.NONE, lang="es", question=question, normalized=fold(question)),
    )
    store.record_feedback(user_id=USER_ID, channel="telegram", entry_id="x", helpful=False, question="dni 45-678-912")
    await store.flush()
    groups = await store.list_groups()
    await store.close()  # the -wal is checkpointed into the file (and checked below if left)
    assert any("[DNI]" in g.text and "[RUC]" in g.text for g in groups)
    with sqlite3.connect(settings.database_path) as db:
        normalized = [row[0] for row in db.execute("SELECT normalized FROM questions")]
        normalized += [row[0] for row in db.execute("SELECT normalized FROM review_groups")]
    assert normalized and all(not any(c.isdigit() for c in n) for n in normalized), normalized
    data = b"".join(
        p.read_bytes() for p in settings.database_path.parent.glob("bot.sqlite3*") if "secret" not in p.name
    )
    for value in ["45.678.912", "45678912", "45 678 912", "45-678-912", "20 123 456 789", "20123456789", "4567 8912"]:
        assert value.encode() not in data, value


async def test_full_queue_drops_and_logs_instead_of_blocking(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(settings, queue_size=5)
    with caplog.at_level(logging.WARNING):
        for i in range(50):  # no await in between: the writer cannot drain
            store.record_question(user_id=i, channel="telegram", reply=reply("hola", Outcome.SMALLTALK))
    await store.close()
    assert "queue is full" in caplog.text
    assert (await _count(settings)) == 5
    assert store.status.lost == 45  # counted where admins can see it


async def _count(settings: Settings) -> int:
    with sqlite3.connect(settings.database_path) as db:
        return int(db.execute("SELECT count(*) FROM questions").fetchone()[0])


async def test_database_fault_is_logged_and_never_raised(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    store = await Store.open(settings)
    await store._db.close()  # the connection dies under the store
    with caplog.at_level(logging.ERROR):
        store.record_question(user_id=USER_ID, channel="telegram", reply=reply("mi dni es 45678912"))
        store.record_feedback(user_id=USER_ID, channel="telegram", entry_id="x", helpful=True)
        await store.flush()
        assert not store.status.healthy
        assert store.status.lost == 2
        await store.close()
    assert caplog.text.count("question log is down") == 1
    assert "45678912" not in caplog.text


async def test_read_only_database_is_logged_and_never_raised(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(settings)
    await store._db.execute("PRAGMA query_only = ON")  # the file turned read-only
    with caplog.at_level(logging.ERROR):
        store.record_question(user_id=USER_ID, channel="telegram", reply=reply("como saco mi pasaporte"))
        await store.flush()
    assert "readonly" in (store.status.reason or "")
    await store.close()
    assert "question log is down" in caplog.text
    assert "pasaporte" not in caplog.text


async def test_recording_after_close_is_ignored(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    store = await Store.open(settings)
    await store.close()
    with caplog.at_level(logging.WARNING):
        store.record_question(user_id=USER_ID, channel="telegram", reply=reply("hola", Outcome.SMALLTALK))
        await store.flush()  # returns at once: nothing is waiting
    assert "not running; a record was dropped" in caplog.text
    assert store.status.lost == 1
    assert await _count(settings) == 0


async def test_uncreatable_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot open database"):
        await Store.open(Settings(database_path=blocker / "bot.sqlite3"))


async def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        await Store.open(Settings(database_path=path))


async def test_one_bad_record_does_not_take_its_batch_with_it(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(settings)
    bad = Reply(Outcome.ANSWER, None, "pregunta", "pregunta")  # type: ignore[arg-type]  # no language
    with caplog.at_level(logging.ERROR):
        store.record_question(user_id=1, channel="telegram", reply=reply("uno", Outcome.SMALLTALK))
        store.record_question(user_id=1, channel="telegram", reply=bad)
        store.record_question(user_id=1, channel="telegram", reply=reply("dos", Outcome.SMALLTALK))
        await store.flush()
    stats = await store.stats()
    await store.close()
    assert stats.smalltalk == 2
    assert "1 of 3 record(s) could not be written" in caplog.text


async def test_a_lone_surrogate_is_stored_replaced_not_dropped(settings: Settings) -> None:
    store = await Store.open(settings)
    broken = "como renuevo mi dni \ud83d por favor"  # half an emoji, as a broken client sends it
    store.record_question(user_id=USER_ID, channel="telegram", reply=reply(broken))
    store.record_feedback(user_id=USER_ID, channel="telegram", entry_id="x", helpful=False, question=broken)
    await store.flush()
    await store.close()
    with sqlite3.connect(settings.database_path) as db:
        assert db.execute("SELECT text FROM questions").fetchone()[0] == "como renuevo mi dni \ufffd por favor"
        assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 1


async def test_the_formats_of_issue_11_never_reach_the_database(settings: Settings) -> None:
    store = await Store.open(settings)
    question = (
        "me llamo Ana Torres, dni 4 5 6 7 8 9 1 9, cel 987/654/331, tarjeta 4111.1111.1111.1137, "
        "correo ana.torres @ gmail.com o luis arroba gmail punto com, nací el 12/03/1985, "
        "vivo en jr. ayacucho 123 o av. arequipa 1234"
    )
    store.record_question(
        user_id=USER_ID,
        channel="telegram",
        reply=Reply(outcome=Outcome.NONE, lang="es", question=question, normalized=fold(question)),
    )
    await store.flush()
    await store.close()
    data = b"".join(
        p.read_bytes() for p in settings.database_path.parent.glob("bot.sqlite3*") if "secret" not in p.name
    )
    raw = ["4 5 6 7 8 9 1 9", "987/654/331", "4111.1111.1111.1137", "ana.torres", "luis", "12/03/1985"]
    for value in [*raw, "torres", "ayacucho 123", "arequipa 1234", "1985"]:
        assert value.encode() not in data, value


async def test_what_waits_for_the_writer_is_already_masked_and_hashed(settings: Settings) -> None:
    store = await Store.open(settings)
    store.busy_while(lambda: True)  # the bot is answering a burst: the writer holds off
    store.record_question(
        user_id=USER_ID,
        channel="telegram",
        reply=Reply(outcome=Outcome.NONE, lang="es", question="mi dni es 45678912 y mi cel 987654321"),
    )
    waiting = list(store._writer._queue._queue)  # type: ignore[attr-defined]  # the records in memory
    assert len(waiting) == 1
    kept = repr(waiting[0])
    assert "45678912" not in kept and "987654321" not in kept and str(USER_ID) not in kept
    store.busy_while(lambda: False)
    await store.close()
    assert await _count(settings) == 1
