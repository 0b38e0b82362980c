"""The store: question log, feedback and review queue in one SQLite file.

Writes (`record_question`, `record_feedback`) are synchronous and never wait for the disk: the
record is masked and hashed right away, queued, and written in batches by a background task.
Staff-facing reads and status changes are ordinary coroutines.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import aiosqlite

from bot.core.config import Settings
from bot.core.models import Reply

from . import review
from .citizen import CitizenData
from .clock import Clock, iso, peru_day, utc_now
from .db import StoreError, connect, transaction
from .export import write_groups_csv
from .identity import hash_user, load_or_create_secret
from .ingest import write_batch
from .migrations import SchemaTooNew, upgrade_file
from .records import Record, feedback_record, question_record
from .review import Group
from .stats import Stats, compute_stats
from .writer import BatchWriter

log = logging.getLogger(__name__)

_DB_ERRORS = (sqlite3.Error, OSError, ValueError)  # aiosqlite raises ValueError once closed
T = TypeVar("T")
RETENTION_EVERY = timedelta(days=1)
ANSWER_CHUNK = 50  # pending groups answered between two yields to the event loop
RETENTION_FIRST_DELAY = 60.0  # seconds: let the bot start answering first
STAFF_HASH_CHARS = 12  # hex digits of an admin's keyed hash kept in review_groups.changed_by


def _reason(exc: BaseException) -> str:
    """An OS or SQLite error in a few words, with the path it is about."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)


class Store:
    """Use `await Store.open(settings)`; call `close()` on shutdown so queued writes are kept."""

    def __init__(
        self, settings: Settings, db: aiosqlite.Connection, secret: bytes, clock: Clock, queue_size: int
    ) -> None:
        self.settings = settings
        self._db = db
        self._secret = secret
        self._clock = clock
        self._lock = asyncio.Lock()  # one transaction at a time on the shared connection
        self._writer: BatchWriter[Record] = BatchWriter(self._write, maxsize=queue_size)
        self._closed = False
        self._retention_task: asyncio.Task[None] | None = None
        # Preferences, reminders, date watches, /misdatos and /olvidame (see citizen.py).
        self.citizen = CitizenData(db, self._lock, secret, clock, self._read)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        queue_size: int = 10_000,
        retention_every: timedelta | None = RETENTION_EVERY,
    ) -> Store:
        """Create or upgrade the database, then start the background writer.

        Unless `retention_every` is None, `apply_retention()` also runs in the background, a minute
        after start and then at that interval, so old texts go even if nobody schedules it.
        Raises StoreError with a one-line reason if the file cannot be created, read or migrated.
        """
        path = Path(settings.database_path)
        try:
            await asyncio.to_thread(upgrade_file, path)
            secret = load_or_create_secret(settings.user_hash_secret, path)
            db = await connect(path)
        except (SchemaTooNew, ValueError) as exc:
            raise StoreError(str(exc)) from exc
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {path}: {_reason(exc)}") from exc
        store = cls(settings, db, secret, clock, queue_size)
        store._writer.start(on_stop=store._abandon)
        if retention_every is not None:
            store._retention_task = asyncio.get_running_loop().create_task(
                store._retention_loop(retention_every), name="store-retention"
            )
        return store

    async def _retention_loop(self, every: timedelta) -> None:
        await asyncio.sleep(RETENTION_FIRST_DELAY)
        while True:
            try:
                await self.apply_retention()
            except Exception as exc:
                log.error("retention failed: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(every.total_seconds())

    def _abandon(self) -> None:
        """The event loop ended without close(): stop the connection thread so the process can exit."""
        self._closed = True
        log.warning("the store was not closed; records still queued were not written")
        # aiosqlite's worker thread is not a daemon and would keep the process alive. stop() called
        # from a thread without an event loop skips the completion callback into the (closing) loop.
        threading.Thread(target=self._db.stop, name="store-stop", daemon=True).start()

    async def close(self) -> None:
        """Write what is queued, stop the writer and close the file (errors are logged, not raised)."""
        if self._closed:
            return
        self._closed = True
        if self._retention_task is not None:
            self._retention_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retention_task
        await self._writer.close()
        try:
            await self._db.close()
        except Exception as exc:
            log.error("closing the database failed: %s: %s", type(exc).__name__, exc)

    async def flush(self) -> None:
        """Wait until everything queued so far is written (or its failure logged)."""
        await self._writer.flush()

    # -- writes from the bot: never raise, never wait ------------------------------------------------

    def record_question(self, *, user_id: int | None, channel: str, reply: Reply) -> None:
        """Queue the outcome of one question (masked, user id hashed); drops and logs if the queue is full."""
        try:
            record = question_record(reply, channel=channel, user_id=user_id, secret=self._secret, at=self._clock())
        except Exception as exc:
            log.error("could not prepare a question record: %s", type(exc).__name__)
            return
        self._writer.put(record)

    def record_feedback(
        self, *, user_id: int | None, channel: str, entry_id: str, helpful: bool, question: str | None = None
    ) -> None:
        """Queue a 👍/👎 on an entry; a 👎 also puts the question into review."""
        try:
            record = feedback_record(
                channel=channel,
                user_id=user_id,
                entry_id=entry_id,
                helpful=helpful,
                question=question,
                secret=self._secret,
                at=self._clock(),
            )
        except Exception as exc:
            log.error("could not prepare a feedback record: %s", type(exc).__name__)
            return
        self._writer.put(record)

    async def _write(self, batch: list[Record]) -> None:
        """Write a batch in one transaction; if that fails, record by record, so one bad record
        (or a lock that outlasted the busy timeout) does not take the whole batch with it."""
        async with self._lock:
            try:
                await write_batch(self._db, batch)
                return
            except Exception:
                if len(batch) == 1:
                    raise
            failed: Exception | None = None
            lost = 0
            for record in batch:
                try:
                    await write_batch(self._db, [record])
                except Exception as exc:
                    failed, lost = exc, lost + 1
            if failed is not None and lost == len(batch):
                raise failed
            if failed is not None:
                self._writer.dropped += lost
                log.error(
                    "%d of %d record(s) could not be written: %s: %s", lost, len(batch), type(failed).__name__, failed
                )

    # -- review queue -----------------------------------------------------------------------------

    async def list_groups(self, status: str | None = "pending", limit: int = 50) -> list[Group]:
        """Review groups, most asked first; status None (or "all") lists every status."""
        review.check_status(status)
        return await self._read(review.list_groups(self._db, status, limit))

    async def get_group(self, group_id: int) -> Group | None:
        return await self._read(review.get_group(self._db, group_id))

    async def resolve_group(
        self, group_id: int, entry_id: str, by: str | None = None, *, by_user_id: int | None = None
    ) -> bool:
        """Mark a group answered by `entry_id`; False if there is no such group.

        Who did it is `by` (a label such as "cli:ana") or, for a chat admin, `by_user_id`: the
        store keeps only its keyed hash, never the id itself (see `staff_label`).
        """
        return await self._change(group_id, "resolved", entry_id, self._who(by, by_user_id))

    async def ignore_group(self, group_id: int, by: str | None = None, *, by_user_id: int | None = None) -> bool:
        """Mark a group as not worth an entry (spam, out of scope); False if there is no such group.

        `by` / `by_user_id` as in `resolve_group`.
        """
        return await self._change(group_id, "ignored", None, self._who(by, by_user_id))

    def staff_label(self, user_id: int, channel: str = "telegram") -> str:
        """How a chat admin appears in the audit columns: "telegram:" and the start of the same
        keyed hash citizens get, so their actions can be told apart but the id is not stored."""
        return f"{channel}:{(hash_user(self._secret, user_id) or '')[:STAFF_HASH_CHARS]}"

    def _who(self, by: str | None, by_user_id: int | None) -> str:
        if by is not None and by_user_id is None:
            return by
        if by is None and by_user_id is not None:
            return self.staff_label(by_user_id)
        raise ValueError("say who changed the group: either by or by_user_id")

    async def _change(self, group_id: int, status: str, entry_id: str | None, by: str) -> bool:
        async def change() -> bool:
            async with self._lock, transaction(self._db):
                return await review.set_status(self._db, group_id, status, entry_id, by, iso(self._clock()))

        return await self._read(change())

    async def mark_answerable(self, answer: Callable[[str], Reply]) -> int:
        """After a knowledge reload: flag pending groups the new content answers; returns how many.

        `answer` is the pipeline (text -> Reply). Flags that no longer hold are cleared.
        """
        groups = await self._read(review.pending_texts(self._db))
        found: dict[int, str | None] = {}
        for start in range(0, len(groups), ANSWER_CHUNK):
            found.update(review.answerable_entries(groups[start : start + ANSWER_CHUNK], answer))
            await asyncio.sleep(0)  # the pipeline is synchronous: let citizens' messages through

        async def save() -> None:
            async with self._lock, transaction(self._db):
                await self._db.executemany(
                    "UPDATE review_groups SET answerable_entry_id = ? WHERE id = ? AND status = 'pending'",
                    [(entry_id, group_id) for group_id, entry_id in found.items()],
                )

        await self._read(save())
        return sum(1 for entry_id in found.values() if entry_id)

    # -- staff reports --------------------------------------------------------------------------

    async def stats(self, days: int = 30) -> Stats:
        """Figures for the last `days` days, today included."""
        return await self._read(compute_stats(self._db, days, peru_day(self._clock())))

    async def export_csv(self, path: Path) -> int:
        """Every review group as CSV (UTF-8 with BOM, opens cleanly in Excel/LibreOffice); returns rows."""
        groups = await self._read(review.list_groups(self._db, None, None))
        try:
            return await asyncio.to_thread(write_groups_csv, groups, Path(path))
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc

    async def apply_retention(self) -> int:
        """Delete question texts older than `retention_days`; the rows (and so the counts) stay.

        Review groups whose text came from such a question take a newer one from the group, or a
        placeholder when none is left (their counts stay too). Returns how many rows lost their
        text. Freed space is overwritten (secure_delete) and the WAL is checkpointed, so the texts
        are really gone from the files.
        """
        cutoff = iso(self._clock() - timedelta(days=self.settings.retention_days))

        async def run() -> int:
            async with self._lock:
                async with transaction(self._db):
                    q = await self._db.execute(
                        "UPDATE questions SET text = NULL, normalized = NULL "
                        "WHERE asked_at < ? AND (text IS NOT NULL OR normalized IS NOT NULL)",
                        (cutoff,),
                    )
                    f = await self._db.execute(
                        "UPDATE feedback SET text = NULL WHERE given_at < ? AND text IS NOT NULL", (cutoff,)
                    )
                    await review.refresh_old_representatives(self._db, cutoff)
                await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return max(q.rowcount, 0) + max(f.rowcount, 0)

        removed = await self._read(run())
        log.info("retention: removed %d question text(s) older than %d days", removed, self.settings.retention_days)
        return removed

    async def _read(self, work: Awaitable[T]) -> T:
        """Run a staff-facing query or change after the queued records are written (so it sees
        them); database faults become a one-line StoreError."""
        try:
            await self._writer.flush()
            return await work
        except _DB_ERRORS as exc:
            raise StoreError(f"database error: {exc}") from exc
