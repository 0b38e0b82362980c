"""Numbered schema migrations, recorded in the database itself.

Each migration runs once, in order, inside its own transaction together with the row that records
it in `schema_migrations`, so a crash half-way leaves the previous version intact. Never edit a
released migration; add the next number.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite

from .clock import iso, utc_now
from .grouping import GroupIndex

log = logging.getLogger(__name__)

Step = str | Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    step: Step  # SQL script, or an async function for data changes


async def _group_existing_questions(db: aiosqlite.Connection) -> None:
    """Questions logged before review existed go into review groups too (uses the v2 columns only)."""
    index = GroupIndex()
    async with db.execute(
        "SELECT id, asked_at, normalized, text FROM questions "
        "WHERE outcome IN ('none', 'suggest') AND group_id IS NULL AND normalized IS NOT NULL ORDER BY id"
    ) as cur:
        rows = list(await cur.fetchall())
    for qid, at, normalized, text in rows:
        group_id = index.find(normalized)
        if group_id is None:
            cur2 = await db.execute(
                "INSERT INTO review_groups (text, normalized, count, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)",
                (text or normalized, normalized, at, at),
            )
            group_id = int(cur2.lastrowid or 0)
            index.add(group_id, normalized)
        else:
            await db.execute(
                "UPDATE review_groups SET count = count + 1, "
                "first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?",
                (at, at, group_id),
            )
        await db.execute("UPDATE questions SET group_id = ? WHERE id = ?", (group_id, qid))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "questions and feedback",
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,          -- UTC ISO instant
            day TEXT NOT NULL,               -- calendar day in Peru, for per-day counts
            channel TEXT NOT NULL,
            user_hash TEXT,                  -- HMAC of the user id, never the id
            outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'suggest', 'none', 'smalltalk')),
            entry_id TEXT,
            score REAL NOT NULL DEFAULT 0,
            lang TEXT NOT NULL,
            normalized TEXT,                 -- masked; NULL once retention removed it
            text TEXT                        -- masked raw question; NULL once retention removed it
        );
        CREATE INDEX questions_day ON questions (day);
        CREATE INDEX questions_asked_at ON questions (asked_at);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            given_at TEXT NOT NULL,
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            user_hash TEXT,
            entry_id TEXT NOT NULL,
            helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
            text TEXT                        -- masked question, if the channel sent it
        );
        CREATE INDEX feedback_day ON feedback (day);
        """,
    ),
    Migration(
        2,
        "review groups",
        """
        CREATE TABLE review_groups (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL,              -- representative (masked) question
            normalized TEXT NOT NULL,        -- what new questions are compared with
            count INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'resolved', 'ignored')),
            entry_id TEXT                    -- the entry that answers it now (resolved)
        );
        CREATE INDEX review_groups_status ON review_groups (status, count DESC);
        ALTER TABLE questions ADD COLUMN group_id INTEGER REFERENCES review_groups (id);
        ALTER TABLE feedback ADD COLUMN group_id INTEGER REFERENCES review_groups (id);
        CREATE INDEX questions_group ON questions (group_id);
        CREATE INDEX feedback_group ON feedback (group_id);
        """,
    ),
    Migration(3, "group questions logged before review existed", _group_existing_questions),
    Migration(
        4,
        "review audit and answerable-now hint",
        """
        ALTER TABLE review_groups ADD COLUMN changed_by TEXT;
        ALTER TABLE review_groups ADD COLUMN changed_at TEXT;
        ALTER TABLE review_groups ADD COLUMN answerable_entry_id TEXT;
        """,
    ),
)

LATEST = MIGRATIONS[-1].version


class SchemaTooNew(Exception):
    """The database was written by a newer version of the bot."""


async def current_version(db: aiosqlite.Connection) -> int:
    """The highest applied migration, 0 for a new file."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection, target: int | None = None) -> list[int]:
    """Apply the missing migrations up to `target` (default: all); returns the versions applied."""
    target = LATEST if target is None else target
    version = await current_version(db)
    if version > LATEST:
        raise SchemaTooNew(
            f"database schema version {version} is newer than this program knows ({LATEST}); upgrade the bot"
        )
    applied: list[int] = []
    for migration in MIGRATIONS:
        if migration.version <= version or migration.version > target:
            continue
        await db.execute("BEGIN IMMEDIATE")
        try:
            if isinstance(migration.step, str):
                for statement in _statements(migration.step):
                    await db.execute(statement)
            else:
                await migration.step(db)
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, iso(utc_now())),
            )
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        log.info("database migrated to version %d (%s)", migration.version, migration.name)
        applied.append(migration.version)
    return applied


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (our scripts have no ';' inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
