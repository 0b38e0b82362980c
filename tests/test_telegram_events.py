"""Events, regions and the citizen's own data, end to end: the real PTB Application against the fake
Bot API, on the events test knowledge base (telegram_kb + departamentos + events_extra) or the
shipped one, with the reminders' clock faked and restarts done by building a new Application on the
same database."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from bot.channels.telegram import build_application
from bot.channels.telegram import events as telegram_events
from bot.core.dates import LIMA
from bot.core.pipeline import Pipeline
from bot.settings import Settings
from bot.store import Store
from tests.events_kb import make_events_kb
from tests.fake_bot_api import FakeBotAPI
from tests.helpers import ADMIN_ID

USER = 1001
SHIPPED = Path(__file__).resolve().parents[1] / "knowledge"
TALLER_START = datetime(2099, 5, 20, 9, 0, tzinfo=LIMA)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Running:
    fake: FakeBotAPI
    app: Any
    store: Store
    pipeline: Pipeline
    settings: Settings


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    return make_events_kb(tmp_path / "knowledge")


def make_settings(fake: FakeBotAPI, tmp_path: Path, knowledge: Path) -> Settings:
    return Settings(
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        admin_user_ids=frozenset({ADMIN_ID}),
        database_path=tmp_path / "bot.sqlite3",
        knowledge_dir=knowledge,
        user_hash_secret="test-secret",
    )


@contextlib.asynccontextmanager
async def running(fake: FakeBotAPI, settings: Settings, clock: Clock) -> AsyncIterator[Running]:
    """One run of the bot (a restart is a second `running` on the same settings)."""
    pipeline = Pipeline.from_settings(settings)
    store = await Store.open(settings, clock=clock, retention_every=None)
    app = build_application(settings, pipeline, store, retry_delays=(0.01, 0.02, 0.04), clock=clock)
    async with app:
        await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield Running(fake, app, store, pipeline, settings)
        finally:
            await app.updater.stop()
            await app.stop()
    await store.close()


def pressed(call: Any, prefix: str) -> str:
    """The callback data of the button of `call` whose text starts with `prefix`."""
    found = [b["callback_data"] for b in call.flat_buttons() if b["text"].startswith(prefix)]
    assert found, f"no button starting with {prefix!r} in {[b['text'] for b in call.flat_buttons()]}"
    return str(found[0])


async def open_event(fake: FakeBotAPI, event_id: str) -> Any:
    fake.push_text("/eventos")
    listing = await fake.wait_for("sendMessage", chat_id=USER)
    fake.push_callback(f"v1|a|{event_id}", fake.bot_message(listing))
    return await fake.wait_for("sendMessage", chat_id=USER)


async def test_commands_are_registered(fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path) -> None:
    async with running(fake_bot_api, make_settings(fake_bot_api, tmp_path, knowledge), Clock(datetime.now(LIMA))):
        names = [c["command"] for c in fake_bot_api.commands[("default", "")]]
    for command in ("eventos", "region", "recordatorios", "misdatos", "olvidame", "privacidad"):
        assert command in names


async def test_eventos_lists_future_and_tba_never_past_with_pages(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_bot_api
    monkeypatch.setattr(telegram_events, "EVENTS_PER_PAGE", 3)
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(datetime(2099, 1, 20, tzinfo=LIMA))):
        fake.push_text("/eventos")
        first = await fake.wait_for("sendMessage", chat_id=USER)
        text = first.text
        order = ["Webinar de firma digital", "Semana del Gobierno Digital", "Taller de trámites digitales en Puno"]
        assert [text.index(t) for t in order] == sorted(text.index(t) for t in order)
        assert "CADE Digital 2022" not in text and "Hackatón" not in text  # page 1 of 2
        assert "Próximo: 1 feb 2099, 15:00" in text and "Virtual · Nacional" in text
        assert "Presencial · Municipalidad de Puno · Puno" in text and "SGTD-PCM" in text
        assert "https://www.gob.pe/taller-puno" in text and "Página 1 de 2" in text
        fake.push_callback(pressed(first, "Siguiente"), fake.bot_message(first))
        second = await fake.wait_for("editMessageText", chat_id=USER)
        assert "Hackatón de datos abiertos" in second.text and "Fecha por anunciar" in second.text
        assert "CADE Digital 2022" not in second.text

        fake.push_text("cuando fue el cade digital")
        past = await fake.wait_for("sendMessage", chat_id=USER)
        assert "Se realizó: 25 oct 2022" in past.text
        assert not [b for b in past.flat_buttons() if b["text"][0] in "📅⏰🔔"]


async def test_free_text_event_queries_filter(fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(datetime(2099, 1, 20, tzinfo=LIMA))):
        fake.push_text("eventos virtuales")
        virtual = await fake.wait_for("sendMessage", chat_id=USER)
        assert "Webinar de firma digital" in virtual.text and "Taller de trámites" not in virtual.text
        fake.push_text("what events are coming up", language_code="en")
        english = await fake.wait_for("sendMessage", chat_id=USER)
        assert english.text.startswith("Upcoming events") and "Digital Government Week" in english.text
        assert "v1|a|taller-puno" in english.callback_data()


async def test_calendar_button_sends_an_ics_that_icalendar_reads(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path
) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(datetime(2099, 1, 20, tzinfo=LIMA))):
        answer = await open_event(fake, "taller-puno")
        fake.push_callback(pressed(answer, "📅"), fake.bot_message(answer))
        sent = await fake.wait_for("sendDocument", chat_id=USER)
    name, content = sent.files["document"]
    assert name == "taller-puno.ics"
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Taller de trámites digitales en Puno"
    assert event.decoded("dtstart") == TALLER_START and event["dtstart"].params["TZID"] == "America/Lima"


async def test_reminder_survives_a_restart_and_fires_at_its_time_never_late(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path
) -> None:
    fake = fake_bot_api
    settings = make_settings(fake, tmp_path, knowledge)
    clock = Clock(TALLER_START - timedelta(days=3))
    async with running(fake, settings, clock):
        answer = await open_event(fake, "taller-puno")
        fake.push_callback(pressed(answer, "⏰"), fake.bot_message(answer))
        done = await fake.wait_for("sendMessage", chat_id=USER)
        assert "1 día y 1 hora" in done.text
        fake.push_text("/recordatorios")
        listed = await fake.wait_for("sendMessage", chat_id=USER)
        assert "Taller de trámites digitales en Puno" in listed.text
        assert "19 may 2099, 09:00" in listed.text and "20 may 2099, 08:00" in listed.text

    # Down through the 1-day reminder's time; back 0.3 s before the 1-hour one.
    clock.now = TALLER_START - timedelta(hours=1, seconds=0.3)
    async with running(fake, settings, clock) as bot:
        reminder = await fake.wait_for("sendMessage", chat_id=USER, timeout=5)
        assert reminder.text.startswith("⏰ Recordatorio: «Taller de trámites digitales en Puno» empieza en 1 hora")
        assert pressed(reminder, "📅") == "v1|ics|taller-puno"
        await fake.assert_no_call("sendMessage", within=0.5, chat_id=USER)  # the missed one is never sent
        assert await bot.store.citizen.reminders() == []


async def test_recordatorios_cancels(fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(TALLER_START - timedelta(days=3))) as bot:
        answer = await open_event(fake, "taller-puno")
        fake.push_callback(pressed(answer, "⏰"), fake.bot_message(answer))
        await fake.wait_for("sendMessage", chat_id=USER)
        fake.push_text("/recordatorios")
        listed = await fake.wait_for("sendMessage", chat_id=USER)
        fake.push_callback(pressed(listed, "❌"), fake.bot_message(listed))
        edited = await fake.wait_for("editMessageText", chat_id=USER)
        assert "cancelados" in edited.text and "No tienes recordatorios" in edited.text
        assert await bot.store.citizen.reminders() == []
        assert not [job for job in bot.app.job_queue.jobs() if job.name.startswith("reminder-")]


async def test_date_watch_is_notified_once_after_a_reload_adds_the_date(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path
) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(datetime(2099, 1, 20, tzinfo=LIMA))):
        answer = await open_event(fake, "hackathon-datos")
        assert not [b for b in answer.flat_buttons() if b["text"].startswith(("📅", "⏰"))]
        fake.push_callback(pressed(answer, "🔔 Avísame cuando haya fecha"), fake.bot_message(answer))
        subscribed = await fake.wait_for("sendMessage", chat_id=USER)
        assert "una sola vez" in subscribed.text

        path = knowledge / "events" / "hackathon-datos.yaml"
        source = path.read_text(encoding="utf-8")
        path.write_text(
            source.replace("starts: por anunciar", 'starts: "2099-06-05 10:00"').replace(
                "ends: por anunciar", 'ends: "2099-06-05 18:00"'
            ),
            encoding="utf-8",
        )
        fake.push_text("/recargar", user_id=ADMIN_ID)
        await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
        notice = await fake.wait_for("sendMessage", chat_id=USER)
        assert notice.text.startswith("🔔 Ya hay fecha para «Hackatón de datos abiertos»: Próximo: 5 jun 2099, 10:00")
        assert pressed(notice, "📅") == "v1|ics|hackathon-datos"

        fake.push_text("/recargar", user_id=ADMIN_ID)
        await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
        await fake.assert_no_call("sendMessage", within=0.5, chat_id=USER)  # one message, not one per reload


async def test_region_changes_the_answer_and_survives_a_restart(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    fake = fake_bot_api
    settings = make_settings(fake, tmp_path, SHIPPED)
    clock = Clock(datetime.now(LIMA))
    async with running(fake, settings, clock):
        fake.push_text("/region")
        menu = await fake.wait_for("sendMessage", chat_id=USER)
        assert len(menu.flat_buttons()) == 26
        assert {"Callao (Provincia Constitucional)", "Lima Metropolitana", "Puno"} <= {
            b["text"] for b in menu.flat_buttons()
        }
        fake.push_callback("v1|reg|arequipa", fake.bot_message(menu))
        await fake.wait_for("editMessageText", chat_id=USER)
        fake.push_text("¿dónde hay un centro MAC?")
        arequipa = await fake.wait_for("sendMessage", chat_id=USER)
        assert "📍 Centro MAC Arequipa: Mall Aventura Porongoche" in arequipa.text
        fake.push_text("/region lima")
        await fake.wait_for("sendMessage", chat_id=USER)
        fake.push_text("/idioma en")
        await fake.wait_for("sendMessage", chat_id=USER)

    async with running(fake, settings, clock):
        fake.push_text("¿dónde hay un centro MAC?")
        lima = await fake.wait_for("sendMessage", chat_id=USER)
        assert "📍 MAC Lima Norte: C.C. Plaza Norte" in lima.text and "Porongoche" not in lima.text
        assert "Was this helpful?" in lima.text  # the language chosen before the restart


async def test_region_named_in_a_question_is_used_and_offered(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, SHIPPED), Clock(datetime.now(LIMA))) as bot:
        fake.push_text("soy de tacna, ¿hay centro mac?")
        answer = await fake.wait_for("sendMessage", chat_id=USER)
        assert "En Tacna no hay Centro MAC registrado" in answer.text
        assert (await bot.store.citizen.preferences(USER)).region is None  # stored only when chosen
        fake.push_callback(pressed(answer, "📍 Usar Tacna"), fake.bot_message(answer))
        done = await fake.wait_for("sendMessage", chat_id=USER)
        assert "tu región es Tacna" in done.text
        kept = await fake.wait_for("editMessageReplyMarkup", chat_id=USER)  # the answer stays, without that button
        assert not [b for b in kept.flat_buttons() if b["text"].startswith("📍")]
        assert (await bot.store.citizen.preferences(USER)).region == "tacna"


async def test_saying_only_where_one_lives_offers_to_keep_it(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, SHIPPED), Clock(datetime.now(LIMA))):
        fake.push_text("vivo en Huamanga")
        offer = await fake.wait_for("sendMessage", chat_id=USER)
        assert offer.text.startswith("¿Eres de Ayacucho?")
        assert pressed(offer, "📍 Usar Ayacucho como mi región") == "v1|reg|ayacucho"


async def test_misdatos_then_olvidame_leaves_no_row_for_the_user(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path
) -> None:
    fake = fake_bot_api
    settings = make_settings(fake, tmp_path, knowledge)
    async with running(fake, settings, Clock(TALLER_START - timedelta(days=3))) as bot:
        fake.push_text("/region puno")
        await fake.wait_for("sendMessage", chat_id=USER)
        fake.push_text("como renuevo mi dni")
        await fake.wait_for("sendMessage", chat_id=USER)
        answer = await open_event(fake, "taller-puno")
        fake.push_callback(pressed(answer, "⏰"), fake.bot_message(answer))
        await fake.wait_for("sendMessage", chat_id=USER)
        watch = await open_event(fake, "hackathon-datos")
        fake.push_callback(pressed(watch, "🔔"), fake.bot_message(watch))
        await fake.wait_for("sendMessage", chat_id=USER)

        fake.push_text("/misdatos")
        mine = await fake.wait_for("sendMessage", chat_id=USER)
        for shown in ("Región: Puno", "Recordatorios: 2", "Avisos de fecha: 1", "Preguntas registradas: 1"):
            assert shown in mine.text
        user_hash = bot.store.citizen.user_hash(USER)

        fake.push_text("/olvidame")
        confirm = await fake.wait_for("sendMessage", chat_id=USER)
        fake.push_callback(pressed(confirm, "🗑"), fake.bot_message(confirm))
        done = await fake.wait_for("editMessageText", chat_id=USER)
        assert done.text.startswith("Listo: borré todo")
        fake.push_text("/misdatos")
        after = await fake.wait_for("sendMessage", chat_id=USER)
        assert "Región: no elegida" in after.text and "Recordatorios: 0" in after.text

    raw = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*") if p.is_file())
    assert user_hash.encode() not in raw and str(USER).encode() not in raw
    with sqlite3.connect(settings.database_path) as db:
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            columns = {c[1] for c in db.execute(f'PRAGMA table_info("{table}")')}
            for column, value in (("user_hash", user_hash), ("chat_id", USER)):
                if column in columns:
                    query = f'SELECT count(*) FROM "{table}" WHERE {column} = ?'
                    assert db.execute(query, (value,)).fetchone() == (0,)


async def test_privacidad_says_what_is_kept(fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path) -> None:
    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(datetime.now(LIMA))):
        fake.push_text("/privacidad")
        notice = await fake.wait_for("sendMessage", chat_id=USER)
    assert "Ley 29733" in notice.text and "/olvidame" in notice.text and "/misdatos" in notice.text


async def test_a_store_fault_is_told_politely_and_nothing_is_scheduled(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.store import StoreError

    fake = fake_bot_api
    async with running(fake, make_settings(fake, tmp_path, knowledge), Clock(TALLER_START - timedelta(days=3))) as bot:

        async def broken(*args: object, **kwargs: object) -> None:
            raise StoreError("database error: disk I/O error")

        monkeypatch.setattr(bot.store.citizen, "add_reminders", broken)
        answer = await open_event(fake, "taller-puno")
        fake.push_callback(pressed(answer, "⏰"), fake.bot_message(answer))
        alert = await fake.wait_for("answerCallbackQuery", where=lambda c: "text" in c.params)
        assert alert.params["text"].startswith("No puedo guardar eso ahora") and alert.params["show_alert"]
        assert not [job for job in bot.app.job_queue.jobs() if job.name.startswith("reminder-")]


async def test_reminders_follow_an_event_moved_by_a_reload(
    fake_bot_api: FakeBotAPI, tmp_path: Path, knowledge: Path
) -> None:
    fake = fake_bot_api
    clock = Clock(TALLER_START - timedelta(days=3))
    async with running(fake, make_settings(fake, tmp_path, knowledge), clock) as bot:
        answer = await open_event(fake, "taller-puno")
        fake.push_callback(pressed(answer, "⏰"), fake.bot_message(answer))
        await fake.wait_for("sendMessage", chat_id=USER)
        path = knowledge / "events" / "taller-puno.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("2099-05-20 09:00", "2099-05-21 10:00").replace(
                "2099-05-20 12:00", "2099-05-21 13:00"
            ),
            encoding="utf-8",
        )
        fake.push_text("/recargar", user_id=ADMIN_ID)
        await fake.wait_for("sendMessage", chat_id=ADMIN_ID)
        moved = datetime(2099, 5, 21, 10, 0, tzinfo=LIMA)
        expected = [moved - timedelta(days=1), moved - timedelta(hours=1)]
        for _ in range(50):  # the resync runs right after the admin's reply
            times = sorted(r.fire_at for r in await bot.store.citizen.reminders())
            if times == expected:
                break
            await asyncio.sleep(0.05)
        assert times == expected
        jobs = sorted(j.next_t for j in bot.app.job_queue.jobs() if j.name.startswith("reminder-"))
        assert len(jobs) == 2
