"""What the bot keeps for one citizen by their own choice: language, region, reminders, date watches.

Everything is keyed by the user's keyed hash. The chat id a reminder is delivered to lives only in
that reminder's (or watch's) row and goes with it. `summary` is what /misdatos shows; `erase`
(/olvidame, Ley 29733) removes every row of the user in every table, then overwrites the freed space
and checkpoints the WAL so nothing of it stays in the files.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiosqlite

from .clock import Clock, iso
from .db import StoreError, transaction
from .identity import hash_user

T = TypeVar("T")
Work = Callable[[aiosqlite.Connection], Awaitable[T]]
ERASED_TEXT = "[texto eliminado a pedido del ciudadano]"  # a review group whose only kept text was erased
_WHOLE_NUMBER = r"(?<![0-9]){}(?![0-9])"


@dataclass(frozen=True)
class Preferences:
    lang: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class Reminder:
    """One message to send at `fire_at` (UTC), `before` the start of `event_id`."""

    id: int
    user_hash: str
    chat_id: int
    event_id: str
    fire_at: datetime
    before: timedelta
    lang: str


@dataclass(frozen=True)
class Watch:
    """"Avísame cuando haya fecha": tell `chat_id` once `event_id` gets a date."""

    id: int
    chat_id: int
    event_id: str
    lang: str


@dataclass(frozen=True)
class MyData:
    """Everything kept about one user, for /misdatos."""

    preferences: Preferences
    reminders: tuple[Reminder, ...]
    watches: tuple[str, ...]  # event ids
    questions: int
    first_question: datetime | None
    feedback: int


class CitizenData:
    """The per-user tables; obtained as `store.citizen`. `run` is the store's guarded runner: it writes
    the queued question log first, and a fault (or a store that is down) becomes StoreError."""

    def __init__(
        self,
        lock: asyncio.Lock,
        secret: Callable[[], bytes | None],
        clock: Clock,
        run: Callable[[Work[Any]], Awaitable[Any]],
        peek: Callable[[Work[Any]], Awaitable[Any]] | None = None,
    ) -> None:
        self._lock = lock
        self._secret = secret
        self._clock = clock
        self._run = run
        self._peek = peek or run  # for reads that need not wait for the question log's queue

    def user_hash(self, user_id: int) -> str:
        secret = self._secret()
        if secret is None:
            raise StoreError("the store is down")
        found = hash_user(secret, user_id)
        assert found is not None
        return found

    async def _go(self, work: Work[T]) -> T:
        result: T = await self._run(work)
        return result

    async def _write(self, sql: str, args: Iterable[object]) -> int:
        async def write(db: aiosqlite.Connection) -> int:
            async with self._lock, transaction(db):
                cursor = await db.execute(sql, tuple(args))
                return max(cursor.rowcount, 0)

        return await self._go(write)

    async def _rows(self, sql: str, args: Iterable[object], *, peek: bool = False) -> list[sqlite3.Row]:
        async def read(db: aiosqlite.Connection) -> list[sqlite3.Row]:
            async with db.execute(sql, tuple(args)) as cursor:
                return list(await cursor.fetchall())

        if peek:
            rows: list[sqlite3.Row] = await self._peek(read)
            return rows
        return await self._go(read)

    # -- preferences ------------------------------------------------------------------------------

    async def preferences(self, user_id: int) -> Preferences:
        # Read before a chat's first answer: it must not wait for the question log to catch up (the log
        # holds no preferences).
        rows = await self._rows(
            "SELECT lang, region FROM preferences WHERE user_hash = ?", (self.user_hash(user_id),), peek=True
        )
        return Preferences(rows[0][0], rows[0][1]) if rows else Preferences()

    async def set_language(self, user_id: int, lang: str) -> None:
        await self._set(user_id, "lang", lang)

    async def set_region(self, user_id: int, region: str) -> None:
        await self._set(user_id, "region", region)

    async def _set(self, user_id: int, column: str, value: str) -> None:
        assert column in ("lang", "region")
        await self._write(
            f"INSERT INTO preferences (user_hash, {column}, updated_at) VALUES (?, ?, ?) "
            f"ON CONFLICT (user_hash) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at",
            (self.user_hash(user_id), value, iso(self._clock())),
        )

    # -- reminders --------------------------------------------------------------------------------

    async def add_reminders(
        self, user_id: int, chat_id: int, event_id: str, start: datetime, befores: Iterable[timedelta], lang: str
    ) -> list[Reminder]:
        """Store one reminder per `before` the event's `start` that is still ahead (past ones are
        skipped; one already stored is not repeated); returns the new ones."""
        now = self._clock()
        user = self.user_hash(user_id)
        future = sorted((b for b in set(befores) if start - b > now), reverse=True)

        async def add(db: aiosqlite.Connection) -> list[Reminder]:
            added: list[Reminder] = []
            async with self._lock, transaction(db):
                for before in future:
                    moment = start - before
                    cursor = await db.execute(
                        "INSERT OR IGNORE INTO reminders (user_hash, chat_id, event_id, fire_at, before_s, lang, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (user, chat_id, event_id, iso(moment), int(before.total_seconds()), lang, iso(now)),
                    )
                    if cursor.rowcount > 0 and cursor.lastrowid is not None:
                        added.append(Reminder(cursor.lastrowid, user, chat_id, event_id, moment, before, lang))
            return added

        return await self._go(add)

    async def move_reminders(self, event_id: str, start: datetime | None) -> int:
        """The event got a new start (a reload): its reminders follow it, keeping how long before they
        are; those now past, or all of them when the event has no date or is gone (None), are deleted.
        Returns how many rows changed."""
        if start is None:
            return await self._write("DELETE FROM reminders WHERE event_id = ?", (event_id,))
        rows = await self._rows("SELECT id, before_s FROM reminders WHERE event_id = ?", (event_id,))
        now = self._clock()
        moves = [(int(r[0]), start - timedelta(seconds=int(r[1]))) for r in rows]

        async def move(db: aiosqlite.Connection) -> int:
            async with self._lock, transaction(db):
                for reminder_id, moment in moves:
                    if moment <= now:
                        await db.execute("DELETE FROM reminders WHERE id = ?", (reminder_id,))
                    else:
                        await db.execute("UPDATE reminders SET fire_at = ? WHERE id = ?", (iso(moment), reminder_id))
            return len(moves)

        return await self._go(move)

    async def reminders(self, user_id: int | None = None) -> list[Reminder]:
        """One user's reminders (or everyone's, to schedule them at start-up), soonest first."""
        where, args = ("WHERE user_hash = ?", (self.user_hash(user_id),)) if user_id is not None else ("", ())
        rows = await self._rows(
            f"SELECT id, user_hash, chat_id, event_id, fire_at, before_s, lang FROM reminders {where} "
            "ORDER BY fire_at, id",
            args,
        )
        return [
            Reminder(r[0], r[1], r[2], r[3], datetime.fromisoformat(r[4]), timedelta(seconds=r[5]), r[6]) for r in rows
        ]

    async def cancel_reminders(self, user_id: int, event_id: str) -> int:
        return await self._write(
            "DELETE FROM reminders WHERE user_hash = ? AND event_id = ?", (self.user_hash(user_id), event_id)
        )

    async def take_reminder(self, reminder_id: int) -> bool:
        """Delete a reminder that is being sent; False if it was cancelled meanwhile (then do not send)."""
        return await self._write("DELETE FROM reminders WHERE id = ?", (reminder_id,)) > 0

    async def drop_missed(self) -> int:
        """Delete reminders whose time passed (the bot was down then): they are never sent late."""
        return await self._write("DELETE FROM reminders WHERE fire_at <= ?", (iso(self._clock()),))

    # -- date watches -----------------------------------------------------------------------------

    async def watch(self, user_id: int, chat_id: int, event_id: str, lang: str) -> bool:
        """Subscribe to the date of a to-be-announced event; False if already subscribed."""
        return (
            await self._write(
                "INSERT OR IGNORE INTO date_watches (user_hash, chat_id, event_id, lang, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (self.user_hash(user_id), chat_id, event_id, lang, iso(self._clock())),
            )
            > 0
        )

    async def watches(self, event_ids: Iterable[str]) -> list[Watch]:
        ids = sorted(set(event_ids))
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        rows = await self._rows(
            f"SELECT id, chat_id, event_id, lang FROM date_watches WHERE event_id IN ({marks}) ORDER BY id", ids
        )
        return [Watch(r[0], r[1], r[2], r[3]) for r in rows]

    async def take_watch(self, watch_id: int) -> bool:
        """Delete a watch being notified; False if it is already gone (notify once only)."""
        return await self._write("DELETE FROM date_watches WHERE id = ?", (watch_id,)) > 0

    # -- the citizen's rights ---------------------------------------------------------------------

    async def summary(self, user_id: int) -> MyData:
        user = self.user_hash(user_id)
        preferences = await self.preferences(user_id)
        reminders = await self.reminders(user_id)
        watches = await self._rows("SELECT event_id FROM date_watches WHERE user_hash = ? ORDER BY id", (user,))
        asked = await self._rows("SELECT count(*), min(asked_at) FROM questions WHERE user_hash = ?", (user,))
        votes = await self._rows("SELECT count(*) FROM feedback WHERE user_hash = ?", (user,))
        first = datetime.fromisoformat(asked[0][1]) if asked[0][1] else None
        return MyData(preferences, tuple(reminders), tuple(r[0] for r in watches), asked[0][0], first, votes[0][0])

    async def erase(self, user_id: int, chat_id: int | None = None) -> int:
        """Delete every row of the user in every table: rows with their `user_hash`, and rows of a
        table with a raw `payload` (inbox, outbox) that name the user id or `chat_id`. Review groups
        their questions were in are recounted; then the freed space is overwritten and the WAL
        checkpointed. Returns the rows deleted."""
        user = self.user_hash(user_id)
        numbers = [str(n) for n in {user_id, chat_id} if n is not None]

        async def erase(db: aiosqlite.Connection) -> int:
            deleted = 0
            async with self._lock:
                async with transaction(db):
                    groups = await _group_ids(db, user)
                    for table in await _tables_with(db, "user_hash"):
                        cursor = await db.execute(f'DELETE FROM "{table}" WHERE user_hash = ?', (user,))
                        deleted += max(cursor.rowcount, 0)
                    for table in await _tables_with(db, "payload"):
                        deleted += await _delete_payloads(db, table, numbers)
                    await _refresh_groups(db, groups)
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return deleted

        return await self._go(erase)


async def _tables_with(db: aiosqlite.Connection, column: str) -> list[str]:
    async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
        tables = [str(r[0]) for r in await cursor.fetchall()]
    found = []
    for table in tables:
        async with db.execute(f'PRAGMA table_info("{table}")') as cursor:
            if any(r[1] == column for r in await cursor.fetchall()):
                found.append(table)
    return found


async def _delete_payloads(db: aiosqlite.Connection, table: str, numbers: list[str]) -> int:
    """Raw updates and queued replies carry the user and chat ids: those naming this user go."""
    deleted = 0
    for number in numbers:
        async with db.execute(
            f'SELECT rowid, payload FROM "{table}" WHERE payload LIKE ?', (f"%{number}%",)
        ) as cursor:
            rows = [(r[0], str(r[1])) for r in await cursor.fetchall()]
        pattern = re.compile(_WHOLE_NUMBER.format(number))
        for rowid, payload in rows:
            if pattern.search(payload):
                await db.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
                deleted += 1
    return deleted


async def _group_ids(db: aiosqlite.Connection, user: str) -> set[int]:
    async with db.execute(
        "SELECT group_id FROM questions WHERE user_hash = ? AND group_id IS NOT NULL "
        "UNION SELECT group_id FROM feedback WHERE user_hash = ? AND group_id IS NOT NULL",
        (user, user),
    ) as cursor:
        return {int(r[0]) for r in await cursor.fetchall()}


async def _refresh_groups(db: aiosqlite.Connection, groups: set[int]) -> None:
    """A review group counts and shows only what is still kept: a group left empty goes."""
    for group_id in groups:
        async with db.execute(
            "SELECT count(*), min(at), max(at) FROM (SELECT asked_at AS at FROM questions WHERE group_id = ? "
            "UNION ALL SELECT given_at FROM feedback WHERE group_id = ?)",
            (group_id, group_id),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None or not row[0]:
            await db.execute("DELETE FROM review_groups WHERE id = ?", (group_id,))
            continue
        async with db.execute(
            "SELECT text, normalized FROM questions WHERE group_id = ? AND text IS NOT NULL "
            "AND normalized IS NOT NULL ORDER BY asked_at LIMIT 1",
            (group_id,),
        ) as cursor:
            kept = await cursor.fetchone()
        text, normalized = (str(kept[0]), str(kept[1])) if kept else (ERASED_TEXT, "")
        await db.execute(
            "UPDATE review_groups SET count = ?, first_seen = ?, last_seen = ?, text = ?, normalized = ? "
            "WHERE id = ?",
            (row[0], row[1], row[2], text, normalized, group_id),
        )
