"""Degraded mode and the durable inbox/outbox: a broken log never stops answering, and nothing a
citizen sent or is owed is lost or answered twice."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replies import reply

from bot.core.models import Outcome
from bot.settings import Settings
from bot.store import Store, StoreError

FAST_REOPEN = 0.05  # seconds


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_path=tmp_path / "data" / "bot.sqlite3")


def _corrupt(settings: Settings) -> bytes:
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    garbage = b"this is not sqlite" * 500
    settings.database_path.write_bytes(garbage)
    return garbage


async def _until_healthy(store: Store) -> None:
    for _ in range(200):
        if store.healthy:
            return
        await asyncio.sleep(FAST_REOPEN)
    raise AssertionError(f"the store did not come back: {store.status}")


def _count(settings: Settings, table: str = "questions") -> int:
    with sqlite3.connect(settings.database_path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# -- degraded mode -----------------------------------------------------------------------------------


async def test_a_corrupt_database_degrades_instead_of_failing(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = _corrupt(settings)
    with caplog.at_level(logging.ERROR):
        store = await Store.open(settings, degrade=True, reopen_every=FAST_REOPEN)
        for i in range(5):
            store.record_question(user_id=i, channel="telegram", reply=reply("como renuevo mi dni"))
        await store.flush()
        await asyncio.sleep(FAST_REOPEN * 4)  # several reopen attempts fail meanwhile
    status = store.status
    assert not status.healthy and status.lost == 5
    assert "el registro está caído desde" in status.describe()
    assert "cannot open database" in (status.reason or "")
    with pytest.raises(StoreError, match="caído"):
        await store.stats()
    assert await store.save_updates([(1, "{}")]) is None  # not durable now: the channel handles it anyway
    assert await store.unanswered() == []
    await store.close()
    assert caplog.text.count("question log is down") == 1  # one clear error, not one per retry
    assert settings.database_path.read_bytes() == garbage  # nothing moved or deleted behind the admin's back


async def test_the_store_comes_back_by_itself_once_the_file_is_fixed(settings: Settings) -> None:
    _corrupt(settings)
    store = await Store.open(settings, degrade=True, reopen_every=FAST_REOPEN)
    assert not store.healthy
    settings.database_path.unlink()  # what an admin does (after keeping a copy)
    await _until_healthy(store)
    store.record_question(user_id=1, channel="telegram", reply=reply("hola", Outcome.SMALLTALK))
    assert await store.save_updates([(7, '{"update_id": 7}')]) == [7]
    stats = await store.stats()
    await store.close()
    assert stats.smalltalk == 1
    assert store.status.describe().startswith("el registro funciona")


async def test_a_connection_that_dies_mid_run_is_reopened(settings: Settings) -> None:
    store = await Store.open(settings, reopen_every=FAST_REOPEN)
    store.record_question(user_id=1, channel="telegram", reply=reply("uno", Outcome.SMALLTALK))
    await store.flush()
    assert store._db is not None
    await store._db.close()  # the connection dies under the store
    store.record_question(user_id=1, channel="telegram", reply=reply("perdido", Outcome.SMALLTALK))
    await store.flush()
    assert not store.healthy
    await _until_healthy(store)
    store.record_question(user_id=1, channel="telegram", reply=reply("tres", Outcome.SMALLTALK))
    await store.close()
    assert _count(settings) == 2
    assert store.status.lost == 1


async def test_without_degrade_a_corrupt_database_is_still_a_clear_error(settings: Settings) -> None:
    _corrupt(settings)
    with pytest.raises(StoreError, match="cannot open database"):
        await Store.open(settings)  # the review CLI: staff must see it, not a silent empty log


# -- durable inbox ---------------------------------------------------------------------------------


async def test_updates_are_stored_once_and_replayed_oldest_first_with_their_age(settings: Settings) -> None:
    clock = Clock()
    store = await Store.open(settings, clock=clock)
    assert await store.save_updates([(10, '{"u": 10}'), (11, '{"u": 11}')]) == [10, 11]
    clock.advance(minutes=5)
    assert await store.save_updates([(11, '{"u": 11}'), (12, '{"u": 12}'), (12, '{"u": 12}')]) == [12]
    assert await store.mark_answered(10) is None  # answered, no reply kept
    await store.close()

    clock.advance(minutes=1)
    store = await Store.open(settings, clock=clock)  # a restart
    pending = await store.unanswered()
    await store.close()
    assert [(p.update_id, p.payload) for p in pending] == [(11, '{"u": 11}'), (12, '{"u": 12}')]
    assert [p.age for p in pending] == [timedelta(minutes=6), timedelta(minutes=1)]


async def test_an_answered_update_forgets_its_text_and_is_never_answered_twice(settings: Settings) -> None:
    store = await Store.open(settings)
    await store.save_updates([(5, '{"text": "mi dni es 45678912"}')])
    first = await store.mark_answered(5, reply='{"chat_id": 1, "text": "respuesta"}')
    again = await store.mark_answered(5, reply='{"chat_id": 1, "text": "respuesta"}')
    redelivered = await store.save_updates([(5, '{"text": "mi dni es 45678912"}')])
    due = await store.due_replies()
    await store.close()
    assert first is not None and again is None and redelivered == []
    assert [r.id for r in due] == [first]  # one reply, not two
    with sqlite3.connect(settings.database_path) as db:
        assert db.execute("SELECT payload FROM inbox WHERE update_id = 5").fetchone()[0] is None
    data = b"".join(p.read_bytes() for p in settings.database_path.parent.glob("bot.sqlite3*"))
    assert b"45678912" not in data  # secure_delete overwrote it


async def test_an_update_answered_while_the_log_was_down_is_still_recognised(settings: Settings) -> None:
    store = await Store.open(settings)
    await store.mark_answered(99)  # never stored: the store was down when it came
    assert await store.save_updates([(99, "{}")]) == []
    await store.close()


async def test_concurrent_handlers_share_commits_and_each_returns_once_its_step_is_on_disk(
    settings: Settings,
) -> None:
    store = await Store.open(settings)
    await store.save_updates([(i, "{}") for i in range(1, 41)])
    frames_before = _wal_frames(settings)

    async def answer(update_id: int) -> tuple[int, int | None, int]:
        reply_id = await store.mark_answered(update_id, reply=f'{{"chat_id": {update_id}, "text": "ok"}}')
        with sqlite3.connect(settings.database_path) as db:  # another connection: committed, not pending
            seen = db.execute("SELECT count(*) FROM outbox WHERE update_id = ?", (update_id,)).fetchone()[0]
        return update_id, reply_id, seen

    answered = await asyncio.gather(*(answer(i) for i in range(1, 41)))
    frames = _wal_frames(settings) - frames_before
    await store.close()
    assert all(reply_id is not None and seen == 1 for _, reply_id, seen in answered)
    assert len({reply_id for _, reply_id, _ in answered}) == 40  # each got its own reply id
    # Every commit appends at least one page to the write-ahead log: fewer pages than handlers means
    # that handlers which came while a commit ran joined the next one.
    assert frames < 40


async def test_a_failing_step_in_a_shared_commit_costs_only_itself(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store = await Store.open(settings)
    await store.save_updates([(1, "{}"), (2, "{}")])

    def broken(db: sqlite3.Connection) -> int:
        db.execute("INSERT INTO inbox (update_id, received_at) VALUES (1, 'again')")  # a duplicate id
        return 1

    with caplog.at_level(logging.ERROR):
        results = await asyncio.gather(
            store.mark_answered(1, reply='{"chat_id": 1, "text": "uno"}'),
            store._durable(broken, -1),
            store.mark_answered(2, reply='{"chat_id": 2, "text": "dos"}'),
        )
    await store.close()
    assert results[0] is not None and results[1] == -1 and results[2] is not None
    assert store.healthy  # a bad step is not a broken database
    assert "a durable inbox/outbox step failed" in caplog.text
    with sqlite3.connect(settings.database_path) as db:
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 2


def _wal_frames(settings: Settings) -> int:
    """Pages in the write-ahead log (32-byte header, then a 24-byte header and a page per frame)."""
    wal = settings.database_path.with_name(settings.database_path.name + "-wal")
    with sqlite3.connect(settings.database_path) as db:
        page = int(db.execute("PRAGMA page_size").fetchone()[0])
    return max(wal.stat().st_size - 32, 0) // (page + 24) if wal.exists() else 0


# -- durable outbox -----------------------------------------------------------------------------------


async def test_an_undelivered_reply_is_retried_with_backoff_for_minutes_then_given_up(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    store = await Store.open(settings, clock=clock, reply_give_up=timedelta(minutes=15))
    reply_id = await store.keep_reply('{"chat_id": 1}', update_id=3)
    assert reply_id is not None
    delays = []
    for _ in range(8):
        due = await store.due_replies()
        assert [r.id for r in due] == [reply_id]
        delay = await store.reply_failed(reply_id, "NetworkError")
        assert delay is not None
        delays.append(delay)
        clock.advance(seconds=delay - 0.5)
        assert await store.due_replies() == []  # not before its time
        clock.advance(seconds=0.5)
    assert delays == [2, 4, 8, 16, 32, 60, 60, 60]
    assert (await store.due_replies())[0].attempts == 8
    clock.advance(minutes=15)
    with caplog.at_level(logging.ERROR):
        assert await store.reply_failed(reply_id, "NetworkError") is None
    assert await store.due_replies() == []
    await store.close()
    assert "given up" in caplog.text


async def test_a_delivered_reply_is_forgotten(settings: Settings) -> None:
    store = await Store.open(settings)
    await store.save_updates([(1, "{}")])
    reply_id = await store.mark_answered(1, reply='{"chat_id": 1}')
    assert reply_id is not None
    await store.reply_sent(reply_id)
    assert await store.due_replies() == []
    await store.close()
    assert _count(settings, "outbox") == 0


async def test_retention_forgets_old_inbox_rows(settings: Settings) -> None:
    clock = Clock()
    store = await Store.open(settings, clock=clock, retention_every=None)
    await store.save_updates([(1, '{"old": "unanswered"}'), (2, "{}")])
    await store.mark_answered(2)
    clock.advance(days=2)
    await store.save_updates([(3, "{}")])
    await store.mark_answered(3)
    clock.advance(days=settings.retention_days)
    await store.apply_retention()
    await store.close()
    with sqlite3.connect(settings.database_path) as db:
        assert [r[0] for r in db.execute("SELECT update_id FROM inbox")] == []


# -- export --------------------------------------------------------------------------------------------


async def test_csv_export_is_readable_by_the_owner_only(settings: Settings, tmp_path: Path) -> None:
    store = await Store.open(settings)
    store.record_question(user_id=1, channel="telegram", reply=reply("como saco mi licencia de pesca"))
    out = tmp_path / "pendientes.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    assert await store.export_csv(out) == 1
    await store.close()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
