"""The citizen's own data in the store: preferences across restarts, reminders, date watches,
the /misdatos summary, and an erase that leaves nothing of the user in the files."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replies import reply

from bot.core.models import Outcome
from bot.settings import Settings
from bot.store import Store

USER, OTHER = 987123456, 555000111
CHAT = 7700112233  # a group chat id: not the user id, so the test tells the two apart
NOW = datetime(2099, 1, 10, 12, 0, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_path=tmp_path / "bot.sqlite3", user_hash_secret="s3cret")


async def open_store(settings: Settings, now: datetime = NOW) -> Store:
    return await Store.open(settings, clock=lambda: now, retention_every=None)


async def test_language_and_region_survive_a_restart(settings: Settings) -> None:
    store = await open_store(settings)
    await store.citizen.set_language(USER, "en")
    await store.citizen.set_region(USER, "puno")
    await store.citizen.set_region(USER, "cusco")
    await store.close()
    store = await open_store(settings)
    prefs = await store.citizen.preferences(USER)
    other = await store.citizen.preferences(OTHER)
    await store.close()
    assert (prefs.lang, prefs.region) == ("en", "cusco")
    assert (other.lang, other.region) == (None, None)


async def test_reminders_are_listed_cancelled_and_missed_ones_dropped(settings: Settings) -> None:
    store = await open_store(settings)
    start = NOW + timedelta(days=3)
    added = await store.citizen.add_reminders(USER, CHAT, "taller", start, [DAY, HOUR, timedelta(days=4)], "es")
    assert [r.before for r in added] == [DAY, HOUR]  # a time already past is never stored
    again = await store.citizen.add_reminders(USER, CHAT, "taller", start, [DAY], "es")
    assert again == []
    await store.citizen.add_reminders(USER, CHAT, "webinar", NOW + timedelta(hours=3), [HOUR], "es")
    assert [r.event_id for r in await store.citizen.reminders(USER)] == ["webinar", "taller", "taller"]
    assert await store.citizen.cancel_reminders(USER, "taller") == 2
    assert [r.event_id for r in await store.citizen.reminders(USER)] == ["webinar"]
    await store.close()

    later = await open_store(settings, NOW + timedelta(hours=3))  # the bot was down when it was due
    assert await later.citizen.drop_missed() == 1
    assert await later.citizen.reminders() == []
    await later.close()


async def test_reminders_follow_their_event_to_a_new_date(settings: Settings) -> None:
    store = await open_store(settings)
    await store.citizen.add_reminders(USER, CHAT, "taller", NOW + timedelta(days=3), [DAY, HOUR], "es")
    await store.citizen.add_reminders(OTHER, 42, "webinar", NOW + timedelta(days=3), [DAY], "es")
    assert await store.citizen.move_reminders("taller", NOW + timedelta(hours=5)) == 2
    moved = [(r.event_id, r.fire_at, r.before) for r in await store.citizen.reminders()]
    assert ("taller", NOW + timedelta(hours=4), HOUR) in moved  # the 1-day one is past now: gone
    assert not [m for m in moved if m[0] == "taller" and m[2] == DAY]
    await store.citizen.move_reminders("webinar", None)  # no date any more
    assert [r.event_id for r in await store.citizen.reminders()] == ["taller"]
    await store.close()


async def test_take_reminder_sends_once(settings: Settings) -> None:
    store = await open_store(settings)
    [reminder] = await store.citizen.add_reminders(USER, CHAT, "taller", NOW + timedelta(hours=2), [HOUR], "es")
    assert await store.citizen.take_reminder(reminder.id)
    assert not await store.citizen.take_reminder(reminder.id)
    await store.close()


async def test_date_watch_once_per_user_and_event(settings: Settings) -> None:
    store = await open_store(settings)
    assert await store.citizen.watch(USER, CHAT, "hackathon", "es")
    assert not await store.citizen.watch(USER, CHAT, "hackathon", "es")
    await store.citizen.watch(OTHER, 42, "hackathon", "en")
    watches = await store.citizen.watches(["hackathon", "otro"])
    assert [(w.chat_id, w.lang) for w in watches] == [(CHAT, "es"), (42, "en")]
    assert await store.citizen.take_watch(watches[0].id)
    assert not await store.citizen.take_watch(watches[0].id)
    await store.close()


async def test_summary_shows_everything_kept(settings: Settings) -> None:
    store = await open_store(settings)
    await store.citizen.set_region(USER, "arequipa")
    store.record_question(user_id=USER, channel="telegram", reply=reply("donde hay un mac", Outcome.NONE))
    store.record_question(user_id=USER, channel="telegram", reply=reply("pasaporte", Outcome.ANSWER, "pasaporte"))
    store.record_question(user_id=OTHER, channel="telegram", reply=reply("hola", Outcome.SMALLTALK))
    await store.citizen.add_reminders(USER, CHAT, "taller", NOW + timedelta(days=2), [DAY], "es")
    await store.citizen.watch(USER, CHAT, "hackathon", "es")
    data = await store.citizen.summary(USER)
    await store.close()
    assert data.preferences.region == "arequipa" and data.preferences.lang is None
    assert data.questions == 2 and data.first_question == NOW
    assert [r.event_id for r in data.reminders] == ["taller"] and data.watches == ("hackathon",)


def _file_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


async def test_erase_leaves_no_row_and_no_trace_in_the_files(settings: Settings) -> None:
    store = await open_store(settings)
    await store.citizen.set_language(USER, "en")
    await store.citizen.set_region(USER, "puno")
    store.record_question(user_id=USER, channel="telegram", reply=reply("mi consulta rara sobre tramites xyz"))
    store.record_question(user_id=OTHER, channel="telegram", reply=reply("mi consulta rara sobre tramites"))
    store.record_feedback(user_id=USER, channel="telegram", entry_id="pasaporte", helpful=False, question="nada xyz")
    await store.citizen.add_reminders(USER, CHAT, "taller", NOW + timedelta(days=2), [DAY], "en")
    await store.citizen.watch(USER, CHAT, "hackathon", "en")
    await store.save_updates([(1, f'{{"message": {{"from": {{"id": {USER}}}, "text": "xyz"}}}}'), (2, '{"id": 1}')])
    await store.keep_reply(f'{{"chat_id": {CHAT}, "text": "xyz"}}')
    user_hash = store.citizen.user_hash(USER)
    await store.flush()
    assert user_hash.encode() in _file_bytes(settings.database_path)

    assert await store.citizen.erase(USER, CHAT) >= 7
    await store.close()

    with sqlite3.connect(settings.database_path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [c[1] for c in db.execute(f'PRAGMA table_info("{table}")')]
            for column in {"user_hash", "chat_id"} & set(columns):
                value = user_hash if column == "user_hash" else CHAT
                assert db.execute(f'SELECT count(*) FROM "{table}" WHERE {column} = ?', (value,)).fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] == 1  # the other citizen's stays
        assert [r[0] for r in db.execute("SELECT update_id FROM inbox")] == [2]
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
        texts = [r[0] for r in db.execute("SELECT text FROM review_groups")]
    assert texts and not any("xyz" in t for t in texts)
    raw = _file_bytes(settings.database_path)
    assert user_hash.encode() not in raw
    assert str(CHAT).encode() not in raw and CHAT.to_bytes(8, "big") not in raw and str(USER).encode() not in raw
    assert b"xyz" not in raw
