"""Upgrading: a database from any earlier version opens with its data intact and complete."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pytest

from bot.core.models import Outcome, Reply
from bot.settings import Settings
from bot.store import Store, StoreError
from bot.store.migrations import MIGRATIONS, latest, upgrade_file

LATEST = latest()
VERSIONS = sorted(m.version for m in MIGRATIONS)  # numbers may have gaps (reserved by parallel work)


def up_to(version: int) -> list[int]:
    return [v for v in VERSIONS if v <= version]


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT version FROM schema_migrations ORDER BY version")]


def build_old_database(path: Path, version: int) -> None:
    """A database as an older bot left it: only the first `version` migrations applied."""
    assert upgrade_file(path, target=version) == up_to(version)


async def test_empty_file_gets_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await Store.open(Settings(database_path=path))
    await store.close()
    assert versions(path) == [m.version for m in MIGRATIONS]
    assert len(set(VERSIONS)) == len(VERSIONS) and VERSIONS[0] == 1 and VERSIONS[-1] == LATEST
    for _version, name, step in MIGRATIONS:  # the registry: (version, name, SQL or function)
        assert name and (isinstance(step, str) or callable(step))


@pytest.mark.parametrize("old", VERSIONS[:-1])
async def test_upgrade_from_each_earlier_version(tmp_path: Path, old: int) -> None:
    path = tmp_path / "bot.sqlite3"
    build_old_database(path, old)
    assert versions(path) == up_to(old)
    with sqlite3.connect(path) as db:  # an unanswered question logged by that older bot
        db.execute(
            "INSERT INTO questions (asked_at, day, channel, outcome, score, lang, normalized, text) "
            "VALUES ('2026-05-01T10:00:00.000000+00:00', '2026-05-01', 'telegram', 'none', 0.1, 'es', "
            "'como saco mi licencia de pesca', '¿Cómo saco mi licencia de pesca?')"
        )

    store = await Store.open(Settings(database_path=path))
    try:
        assert versions(path) == VERSIONS
        groups = await store.list_groups()
        if old < 3:  # logged before review groups existed: the upgrade grouped it
            assert [(g.text, g.count) for g in groups] == [("¿Cómo saco mi licencia de pesca?", 1)]
        # new questions still join the old one's group
        q = "como saco mi lisencia de pesca"
        store.record_question(user_id=1, channel="telegram", reply=Reply(Outcome.NONE, "es", q, q))
        await store.flush()
        groups = await store.list_groups()
        assert groups[0].count == (2 if old < 3 else 1)
        stats = await store.stats(days=3650)
        assert stats.unanswered == 2
    finally:
        await store.close()


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    for _ in range(3):
        store = await Store.open(Settings(database_path=path))
        await store.close()
    assert versions(path) == VERSIONS


async def test_database_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    build_old_database(path, LATEST)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', 'x')", (LATEST + 1,))
    with pytest.raises(StoreError, match="newer"):
        await Store.open(Settings(database_path=path))


def test_failed_migration_leaves_the_previous_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.store import migrations

    path = tmp_path / "bot.sqlite3"
    build_old_database(path, 1)
    broken = [*MIGRATIONS[:1], migrations.Migration(2, "broken", "CREATE TABLE review_groups (id); SELEC oops")]
    monkeypatch.setattr(migrations, "MIGRATIONS", broken)
    with pytest.raises(sqlite3.Error):
        upgrade_file(path)
    assert versions(path) == [1]
    with sqlite3.connect(path) as db2:
        tables = {r[0] for r in db2.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "review_groups" not in tables


async def test_upgrade_forgets_telegram_admin_ids_in_the_review_audit(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    build_old_database(path, 4)  # version 4 wrote "telegram:<user id>" for a Telegram admin
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        for by in ("telegram:4242987", "cli:ana", "telegram:ab12cd34ef56"):
            db.execute(
                "INSERT INTO review_groups (text, normalized, count, first_seen, last_seen, status, changed_by) "
                "VALUES ('x', 'x', 1, '2026-05-01', '2026-05-01', 'ignored', ?)",
                (by,),
            )
    store = await Store.open(Settings(database_path=path))
    try:
        groups = await store.list_groups("ignored")
    finally:
        await store.close()
    assert sorted(str(g.changed_by) for g in groups) == ["cli:ana", "telegram", "telegram:ab12cd34ef56"]
    data = b"".join(p.read_bytes() for p in tmp_path.glob("bot.sqlite3*") if "secret" not in p.name)
    assert b"4242987" not in data
