"""Opening the SQLite file with the pragmas the bot relies on."""

from __future__ import annotations

from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000


class StoreError(Exception):
    """The database could not be opened or read; the message is one line for people."""


async def connect(path: Path) -> aiosqlite.Connection:
    """Open (creating parent folders) in autocommit mode; transactions are explicit BEGIN/COMMIT.

    WAL lets the review CLI read while the bot writes; the busy timeout makes the two processes
    wait for each other instead of failing; secure_delete overwrites deleted question texts so
    retention really removes them from the file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Owner-only from the start: the file holds (masked) citizens' questions. SQLite gives
        # the -wal and -shm files the same permissions.
        path.touch(mode=0o600)
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute("PRAGMA foreign_keys = ON")
        await db.execute("PRAGMA secure_delete = ON")
    except BaseException:
        await db.close()
        raise
    return db
