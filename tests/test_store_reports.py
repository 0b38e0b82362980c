"""What staff read out of the store: stats, CSV export, the chart, and retention keeping counts."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from replies import reply

from bot.core.models import Outcome
from bot.settings import Settings
from bot.store import Stats, Store


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 15, 15, 0, tzinfo=UTC)  # 10:00 in Lima

    def __call__(self) -> datetime:
        return self.now




async def open_store(tmp_path: Path, clock: Clock, retention_days: int = 180) -> Store:
    settings = Settings(database_path=tmp_path / "bot.sqlite3", retention_days=retention_days)
    return await Store.open(settings, clock=clock)


async def test_stats_count_outcomes_per_day_top_entries_and_feedback(tmp_path: Path) -> None:
    clock = Clock()
    store = await open_store(tmp_path, clock)
    clock.now -= timedelta(days=1)
    store.record_question(user_id=1, channel="t", reply=reply("dni", Outcome.ANSWER, "dni-renovacion"))
    store.record_question(user_id=1, channel="t", reply=reply("pesca", Outcome.NONE))
    await store.flush()
    clock.now += timedelta(days=1)
    for _ in range(2):
        store.record_question(user_id=2, channel="t", reply=reply("pasaporte", Outcome.ANSWER, "pasaporte"))
    store.record_question(user_id=2, channel="t", reply=reply("dni", Outcome.ANSWER, "dni-renovacion"))
    store.record_question(user_id=2, channel="t", reply=reply("pasaporte precio", Outcome.SUGGEST, "pasaporte"))
    store.record_question(user_id=3, channel="t", reply=reply("hola", Outcome.SMALLTALK))
    store.record_feedback(user_id=2, channel="t", entry_id="pasaporte", helpful=True)
    store.record_feedback(user_id=2, channel="t", entry_id="pasaporte", helpful=True)
    store.record_feedback(user_id=1, channel="t", entry_id="dni-renovacion", helpful=False)
    await store.flush()

    stats = await store.stats(days=7)
    await store.close()
    assert (stats.questions, stats.answered, stats.suggested, stats.unanswered, stats.smalltalk) == (6, 4, 1, 1, 1)
    assert stats.answered_share == pytest.approx(4 / 6, abs=1e-3)
    assert len(stats.per_day) == 7
    assert stats.per_day[-2:] == [
        {"day": "2026-06-14", "questions": 2, "answered": 1},
        {"day": "2026-06-15", "questions": 4, "answered": 3},
    ]
    assert stats.top_entries == [("dni-renovacion", 2), ("pasaporte", 2)]
    assert (stats.feedback_helpful, stats.feedback_not_helpful) == (2, 1)
    assert stats.feedback_share == pytest.approx(2 / 3, abs=1e-3)
    assert json.loads(json.dumps(stats.to_dict()))["top_entries"][0] == ["dni-renovacion", 2]


async def test_days_are_counted_in_peru_time(tmp_path: Path) -> None:
    clock = Clock()
    clock.now = datetime(2026, 6, 16, 3, 0, tzinfo=UTC)  # 22:00 on the 15th in Lima
    store = await open_store(tmp_path, clock)
    store.record_question(user_id=1, channel="t", reply=reply("dni", Outcome.ANSWER, "dni"))
    await store.flush()
    stats = await store.stats(days=1)
    await store.close()
    assert stats.per_day == [{"day": "2026-06-15", "questions": 1, "answered": 1}]


async def test_empty_database_has_zero_shares(tmp_path: Path) -> None:
    store = await open_store(tmp_path, Clock())
    stats = await store.stats()
    await store.close()
    assert (stats.questions, stats.answered_share, stats.feedback_share) == (0, 0.0, 0.0)
    assert len(stats.per_day) == 30


async def test_retention_deletes_old_texts_but_keeps_the_counts(tmp_path: Path) -> None:
    clock = Clock()
    store = await open_store(tmp_path, clock, retention_days=180)
    clock.now -= timedelta(days=200)
    store.record_question(user_id=1, channel="t", reply=reply("como saco mi licencia de pesca", Outcome.NONE))
    store.record_feedback(
        user_id=1, channel="t", entry_id="x", helpful=False, question="como saco la licencia de pesca"
    )
    await store.flush()
    clock.now += timedelta(days=200)
    store.record_question(user_id=1, channel="t", reply=reply("como saco mi lisencia de pesca", Outcome.NONE))
    await store.flush()

    assert await store.apply_retention() == 2
    assert await store.apply_retention() == 0
    stats = await store.stats(days=365)
    [group] = await store.list_groups()
    await store.close()

    assert stats.unanswered == 2 and stats.feedback_not_helpful == 1
    assert group.count == 3
    assert group.examples == ["como saco mi lisencia de pesca"]
    data = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*"))
    assert b"como saco la licencia de pesca" not in data
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        texts = [r[0] for r in db.execute("SELECT text FROM questions ORDER BY id")]
    assert texts == [None, "como saco mi lisencia de pesca"]


async def test_retention_reaches_the_review_groups_too(tmp_path: Path) -> None:
    clock = Clock()
    store = await open_store(tmp_path, clock, retention_days=30)
    clock.now -= timedelta(days=60)
    store.record_question(user_id=1, channel="t", reply=reply("como saco mi licencia de pesca", Outcome.NONE))
    store.record_question(user_id=1, channel="t", reply=reply("dónde pago mi multa de tránsito", Outcome.NONE))
    clock.now += timedelta(days=60)
    store.record_question(user_id=1, channel="t", reply=reply("como saco mi lisencia de pesca", Outcome.NONE))

    assert await store.apply_retention() == 2  # no flush needed: queued records are written first
    pesca, multa = await store.list_groups()
    await store.close()

    assert (pesca.text, pesca.count, pesca.examples) == (
        "como saco mi lisencia de pesca",
        2,
        ["como saco mi lisencia de pesca"],
    )
    assert (multa.count, multa.examples) == (1, [])
    assert "multa" not in multa.text
    data = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*"))
    assert "multa de tránsito".encode() not in data and b"mi licencia de pesca" not in data


async def test_retention_also_runs_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.store import store as store_module

    monkeypatch.setattr(store_module, "RETENTION_FIRST_DELAY", 0.0)
    clock = Clock()
    clock.now -= timedelta(days=200)
    settings = Settings(database_path=tmp_path / "bot.sqlite3")
    store = await Store.open(settings, clock=clock, retention_every=timedelta(seconds=0.01))
    store.record_question(user_id=1, channel="t", reply=reply("como saco mi licencia de pesca", Outcome.NONE))
    await store.flush()
    clock.now += timedelta(days=200)
    await asyncio.sleep(0.1)
    [group] = await store.list_groups()
    await store.close()
    assert group.count == 1 and group.examples == []


async def test_csv_export_opens_in_spreadsheets_with_accents_intact(tmp_path: Path) -> None:
    store = await open_store(tmp_path, Clock())
    for q in ["¿Cómo saco mi licencia de pesca?", "¿Como saco mi lisencia de pesca?", '=HYPERLINK("x")']:
        store.record_question(user_id=1, channel="t", reply=reply(q, Outcome.NONE))
    await store.flush()
    [pesca, _] = await store.list_groups()
    await store.resolve_group(pesca.id, "licencia-pesca", by="cli:ñandú")
    out = tmp_path / "export" / "pendientes.csv"
    assert await store.export_csv(out) == 2
    await store.close()

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 2
    assert rows[0]["question"] == "¿Cómo saco mi licencia de pesca?"
    assert rows[0]["count"] == "2"
    assert (rows[0]["status"], rows[0]["entry_id"], rows[0]["changed_by"]) == (
        "resolved",
        "licencia-pesca",
        "cli:ñandú",
    )
    assert "¿Como saco mi lisencia de pesca?" in rows[0]["examples"]
    assert rows[0]["first_seen"] == rows[0]["changed_at"] == "2026-06-15 10:00"  # 15:00 UTC, in Lima time
    assert rows[1]["question"] == '\'=HYPERLINK("x")'  # never run as a formula


async def test_chart_is_a_png(tmp_path: Path) -> None:
    from bot.store.chart import render_stats_png

    clock = Clock()
    store = await open_store(tmp_path, clock)
    store.record_question(user_id=1, channel="t", reply=reply("dni", Outcome.ANSWER, "dni-renovacion"))
    store.record_question(user_id=1, channel="t", reply=reply("pesca", Outcome.NONE))
    await store.flush()
    stats = await store.stats(days=14)
    await store.close()

    buffer = io.BytesIO()
    render_stats_png(stats, buffer)
    assert buffer.getvalue().startswith(b"\x89PNG")
    render_stats_png(Stats(days=7, since="2026-06-09"), tmp_path / "empty.png")  # nothing asked yet
    assert (tmp_path / "empty.png").read_bytes().startswith(b"\x89PNG")


async def test_stats_and_chart_show_the_most_asked_unanswered_groups_and_entry_titles(tmp_path: Path) -> None:
    from bot.store.chart import entry_rows, render_stats_png, unanswered_rows

    clock = Clock()
    store = await open_store(tmp_path, clock)
    clock.now -= timedelta(days=20)  # outside a 7-day period
    store.record_question(user_id=1, channel="t", reply=reply("receta de cebiche", Outcome.NONE))
    await store.flush()
    clock.now += timedelta(days=20)
    for text in ("licencia de pesca", "licencia de pesca", "licencia de pesca", "carnet de biblioteca"):
        store.record_question(user_id=1, channel="t", reply=reply(text, Outcome.NONE))
    store.record_question(user_id=1, channel="t", reply=reply("dni", Outcome.ANSWER, "dni-renovacion"))
    await store.flush()
    stats = await store.stats(days=7)
    await store.close()

    assert [(text, count) for _, text, count in stats.top_unanswered] == [
        ("licencia de pesca", 3),
        ("carnet de biblioteca", 1),
    ]
    labels = [label for label, _ in unanswered_rows(stats)]
    assert [label.split(" ", 1)[1] for label in labels] == ["licencia de pesca", "carnet de biblioteca"]
    assert all(label.startswith("#") for label in labels)
    titles = {"dni-renovacion": "Renovar el DNI electrónico"}
    assert entry_rows(stats, titles) == [("Renovar el DNI electrónico", 1)]
    assert entry_rows(stats) == [("dni-renovacion", 1)]  # no title known: the id
    assert json.loads(json.dumps(stats.to_dict()))["top_unanswered"][0]["count"] == 3
    png = tmp_path / "chart.png"
    render_stats_png(stats, png, titles)
    assert png.read_bytes().startswith(b"\x89PNG")
