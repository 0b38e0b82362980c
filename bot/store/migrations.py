"""Numbered schema migrations, recorded in the database itself.

`MIGRATIONS` is the registry: (version, name, step) where step is an SQL script or a function
taking a `sqlite3.Connection` (for data changes). Each migration runs once, in order, inside its
own transaction together with its row in `schema_migrations`, so a crash half-way leaves the
previous version intact. Never edit a released migration; append the next number.

Migrations run on a plain sqlite3 connection (in a worker thread at start-up), so an old database
can also be built or upgraded from a test or a shell without an event loop.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from .clock import iso, utc_now
from .db import connect_sync
from .grouping import GroupIndex

log = logging.getLogger(__name__)

Step = str | Callable[[sqlite3.Connection], None]


class Migration(NamedTuple):
    version: int
    name: str
    step: Step  # SQL script, or a function for data changes


def _group_existing_questions(db: sqlite3.Connection) -> None:
    """Questions logged before review existed go into review groups too (uses the v2 columns only)."""
    index = GroupIndex()
    rows = db.execute(
        "SELECT id, asked_at, normalized, text FROM questions "
        "WHERE outcome IN ('none', 'suggest') AND group_id IS NULL AND normalized IS NOT NULL ORDER BY id"
    ).fetchall()
    for qid, at, normalized, text in rows:
        group_id = index.find(normalized)
        if group_id is None:
            cur = db.execute(
                "INSERT INTO review_groups (text, normalized, count, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)",
                (text or normalized, normalized, at, at),
            )
            group_id = int(cur.lastrowid or 0)
            index.add(group_id, normalized)
        else:
            db.execute(
                "UPDATE review_groups SET count = count + 1, "
                "first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?",
                (at, at, group_id),
            )
        db.execute("UPDATE questions SET group_id = ? WHERE id = ?", (group_id, qid))


MIGRATIONS: list[Migration] = [
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
    Migration(
        5,
        "forget Telegram admins' raw user ids in the review audit",
        # Until now a Telegram resolve/ignore stored "telegram:<user id>"; from now on the store
        # keeps a keyed hash instead. The migration has no secret to hash the old ids with, so it
        # keeps only the channel.
        """
        UPDATE review_groups SET changed_by = 'telegram'
        WHERE changed_by GLOB 'telegram:[0-9]*' AND substr(changed_by, 10) NOT GLOB '*[^0-9]*';
        """,
    ),
    Migration(
        6,
        "durable inbox and outbox",
        # See inbox.py. Times are UTC ISO instants, like every other column.
        """
        CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,   -- Telegram's update id: a redelivery is the same row
            received_at TEXT NOT NULL,
            payload TEXT,                    -- the raw update until it is answered, then NULL
            answered_at TEXT
        );
        CREATE INDEX inbox_unanswered ON inbox (update_id) WHERE answered_at IS NULL;
        CREATE INDEX inbox_answered_at ON inbox (answered_at) WHERE answered_at IS NOT NULL;
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            update_id INTEGER,               -- the update it answers, if any
            payload TEXT NOT NULL,           -- what to send, as the channel serialised it
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error TEXT                  -- the last delivery error's type, for staff
        );
        CREATE INDEX outbox_due ON outbox (next_attempt_at);
        """,
    ),
    Migration(
        7,
        "what the bot offered for each question",
        # `review show` says what each citizen saw: the answer (entry_id), the suggestion ids
        # (comma-separated, outcome 'suggest') or the fallback. Older rows keep NULL: not recorded.
        """
        ALTER TABLE questions ADD COLUMN suggested TEXT;
        """,
    ),
    Migration(
        8,
        "citizens' preferences, event reminders and date watches",
        # Keyed by the user hash (never the Telegram id). A reminder or a watch keeps the chat id it
        # is delivered to, and nothing else does: deleting the subscription deletes the chat id.
        """
        CREATE TABLE preferences (
            user_hash TEXT PRIMARY KEY,
            lang TEXT CHECK (lang IN ('es', 'en')),
            region TEXT,                     -- department id chosen with /region
            updated_at TEXT NOT NULL
        );
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            user_hash TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            event_id TEXT NOT NULL,
            fire_at TEXT NOT NULL,           -- UTC ISO instant; the row goes once sent or missed
            before_s INTEGER NOT NULL,       -- seconds before the event's start (a new date moves fire_at)
            lang TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (user_hash, event_id, before_s)
        );
        CREATE INDEX reminders_fire_at ON reminders (fire_at);
        CREATE TABLE date_watches (
            id INTEGER PRIMARY KEY,
            user_hash TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            event_id TEXT NOT NULL,
            lang TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (user_hash, event_id)
        );
        """,
    ),
]


class SchemaTooNew(Exception):
    """The database was written by a newer version of the bot."""


def latest() -> int:
    return max(m.version for m in MIGRATIONS)


def current_version(db: sqlite3.Connection) -> int:
    """The highest applied migration, 0 for a new file."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '', "
        "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
    )
    row = db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def migrate(db: sqlite3.Connection, target: int | None = None) -> list[int]:
    """Apply the missing migrations up to `target` (default: all) on an autocommit connection.

    Returns the versions applied; raises SchemaTooNew for a database from a newer bot.
    """
    newest = latest()
    target = newest if target is None else target
    version = current_version(db)
    if version > newest:
        raise SchemaTooNew(
            f"database schema version {version} is newer than this program knows ({newest}); upgrade the bot"
        )
    applied: list[int] = []
    for migration in sorted(MIGRATIONS, key=lambda m: m.version):
        if migration.version <= version or migration.version > target:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            if isinstance(migration.step, str):
                for statement in _statements(migration.step):
                    db.execute(statement)
            else:
                migration.step(db)
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, iso(utc_now())),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        log.info("database migrated to version %d (%s)", migration.version, migration.name)
        applied.append(migration.version)
    return applied


def upgrade_file(path: Path, target: int | None = None) -> list[int]:
    """Create (with parent folders) or upgrade the database file at `path`."""
    db = connect_sync(path)
    try:
        return migrate(db, target)
    finally:
        db.close()


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (our scripts have no ';' inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
