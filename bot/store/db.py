"""Opening the SQLite file with the pragmas the bot relies on."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

BUSY_TIMEOUT_MS = 5000
T = TypeVar("T")

# WAL lets the review CLI read while the bot writes; the busy timeout makes the two processes wait
# for each other instead of failing; synchronous FULL makes every commit durable at once (the
# inbox promises Telegram an update is stored before confirming it; writes are batched, so the
# cost is one fsync per batch); secure_delete overwrites deleted question texts so retention
# really removes them from the file.
PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",
)


class StoreError(Exception):
    """The database could not be opened or read; the message is one line for people."""


def prepare_path(path: Path) -> None:
    """Create the parent folders, and the file itself owner-only (it holds citizens' questions).

    SQLite gives the -wal and -shm files the same permissions as the database.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)


def connect_sync(path: Path) -> sqlite3.Connection:
    """A plain connection in autocommit mode (transactions are explicit), for migrations."""
    prepare_path(path)
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
    except BaseException:
        conn.close()
        raise
    return conn


def check_file(path: Path) -> None:
    """Raise sqlite3.DatabaseError unless the file passes a quick integrity check and takes a write
    lock, so a damaged or read-only database is found at opening, not by each write."""
    conn = connect_sync(path)
    try:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()
        if result is None or result[0] != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({result[0] if result else 'no answer'})")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
    finally:
        conn.close()


async def connect(path: Path) -> aiosqlite.Connection:
    """The store's connection, in autocommit mode: transactions are explicit BEGIN/COMMIT."""
    prepare_path(path)
    db = await aiosqlite.connect(path, isolation_level=None)
    try:
        for pragma in PRAGMAS:
            await db.execute(pragma)
    except BaseException:
        await db.close()
        raise
    return db


@contextlib.asynccontextmanager
async def transaction(db: aiosqlite.Connection) -> AsyncIterator[None]:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error (the connection is in autocommit mode).

    IMMEDIATE takes the write lock up front, so a concurrent writer (the review CLI) makes us wait
    for the busy timeout instead of failing half-way through.
    """
    await db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:
            await db.execute("ROLLBACK")
        raise
    await db.execute("COMMIT")


async def run_sync(db: aiosqlite.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run `work` on the connection's own thread, in one call.

    aiosqlite makes every statement a round trip between the event loop and its thread, and under
    load those round trips cost the bot more than SQLite itself: a batch of small statements (the
    durable inbox's) goes in one call instead. aiosqlite has no public API for it; `_execute` is how
    all of its own methods run (present through the versions pyproject allows).
    """
    runner: Callable[..., Any] = db._execute
    result: T = await runner(work, db._conn)
    return result


def run_in_transaction(conn: sqlite3.Connection, steps: list[Callable[[sqlite3.Connection], Any]]) -> list[Any]:
    """BEGIN IMMEDIATE, every step, COMMIT (ROLLBACK on any error), on a plain connection in
    autocommit mode; returns each step's result."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        results = [step(conn) for step in steps]
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return results
