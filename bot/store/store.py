"""The store: question log, feedback and review queue in one SQLite file.

Writes (`record_question`, `record_feedback`) are synchronous and never wait for the disk: the
record is masked and hashed right away (nothing unmasked is ever queued, even in memory), queued, and
written in batches by a background task while the bot is not busy answering (see `writer.py`).
Staff-facing reads and status changes are ordinary coroutines.

Degraded mode: losing a log line is better than failing a citizen. Opened with `degrade=True`, a
database that cannot be opened, is damaged or fails under the bot does not raise: the store goes
"down" (one error in the log, `status` says since when and why), records are counted as lost,
staff reads raise a StoreError saying the log is down, the durable inbox/outbox calls return
their "not stored" value, and opening is retried every `reopen_every` seconds. The file itself is
never moved or deleted: that is for a person to decide.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Generic, TypeVar

import aiosqlite

from bot.core.models import Reply
from bot.settings import Settings

from . import inbox, review
from .citizen import CitizenData
from .clock import Clock, iso, peru_day, utc_now
from .db import StoreError, check_file, connect, run_in_transaction, run_sync, transaction
from .export import write_groups_csv
from .health import StoreStatus, is_outage
from .identity import hash_user, load_or_create_secret
from .inbox import PendingReply, PendingUpdate
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
REOPEN_EVERY = 30.0  # seconds between attempts to reopen a database that is down
INBOX_KEEP = timedelta(days=1)  # answered update ids kept to recognise a redelivery
REPLY_GIVE_UP = timedelta(minutes=15)  # an undeliverable reply is retried this long
CLOSE_TIMEOUT = 5.0  # seconds to wait for a broken connection to close


def _reason(exc: BaseException) -> str:
    """An OS or SQLite error in a few words, with the path it is about."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)


def _prepare_file(path: Path) -> None:
    """Create or upgrade the file, then check it can be read and written (runs in a worker thread)."""
    upgrade_file(path)
    check_file(path)


async def _close_quietly(db: aiosqlite.Connection) -> None:
    try:
        await asyncio.wait_for(db.close(), CLOSE_TIMEOUT)
    except Exception as exc:
        log.debug("closing a broken connection failed: %s", type(exc).__name__)


class Store:
    """Use `await Store.open(settings)`; call `close()` on shutdown so queued writes are kept."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        queue_size: int,
        reopen_every: float = REOPEN_EVERY,
        reply_give_up: timedelta = REPLY_GIVE_UP,
    ) -> None:
        self.settings = settings
        self._db: aiosqlite.Connection | None = None  # None while the log is down
        self._secret: bytes | None = None
        self._clock = clock
        self._lock = asyncio.Lock()  # one transaction at a time on the shared connection
        self._writer: BatchWriter[Record] = BatchWriter(self._write, maxsize=queue_size)
        self._closed = False
        self._retention_task: asyncio.Task[None] | None = None
        self._reopen_task: asyncio.Task[None] | None = None
        self._reopen_every = reopen_every
        self._reply_give_up = reply_give_up
        self._down_since: datetime | None = None
        self._down_reason: str | None = None
        self._lost = 0
        self._steps: list[_Step[Any]] = []  # durable steps waiting for the next group commit
        self._committing = False
        self._committer: asyncio.Task[None] | None = None
        # Preferences, reminders, date watches, /misdatos and /olvidame (see citizen.py).
        self.citizen = CitizenData(self._lock, lambda: self._secret, clock, self._read, self._peek)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        queue_size: int = 10_000,
        retention_every: timedelta | None = RETENTION_EVERY,
        degrade: bool = False,
        reopen_every: float = REOPEN_EVERY,
        reply_give_up: timedelta = REPLY_GIVE_UP,
    ) -> Store:
        """Create or upgrade the database, then start the background writer.

        Unless `retention_every` is None, `apply_retention()` also runs in the background, a minute
        after start and then at that interval, so old texts go even if nobody schedules it.
        If the file cannot be created, read, written or migrated, raises StoreError with a one-line
        reason, or with `degrade=True` (what the bot wants) returns a store that is down and keeps
        retrying (see the module docstring).
        """
        store = cls(settings, clock, queue_size, reopen_every, reply_give_up)
        try:
            await store._connect()
        except StoreError as exc:
            if not degrade:
                raise
            store._go_down(str(exc))
        store._writer.start(on_stop=store._abandon)
        if retention_every is not None:
            store._retention_task = asyncio.get_running_loop().create_task(
                store._retention_loop(retention_every), name="store-retention"
            )
        return store

    async def _connect(self) -> None:
        path = Path(self.settings.database_path)
        try:
            await asyncio.to_thread(_prepare_file, path)
            secret = load_or_create_secret(self.settings.user_hash_secret, path)
            db = await connect(path)
        except (SchemaTooNew, ValueError) as exc:
            raise StoreError(str(exc)) from exc
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {path}: {_reason(exc)}") from exc
        self._db, self._secret = db, secret

    # -- degraded mode ----------------------------------------------------------------------------

    @property
    def status(self) -> StoreStatus:
        """Healthy, or down since when and why; and how many records were lost so far."""
        down = self._down_since is not None
        return StoreStatus(not down, self._down_since, self._down_reason, self._lost)

    @property
    def healthy(self) -> bool:
        return self._down_since is None

    def _go_down(self, reason: str) -> None:
        """Stop using the connection, say so once, and start retrying in the background."""
        if self._down_since is not None:
            return
        self._down_since, self._down_reason = self._clock(), reason
        broken, self._db = self._db, None
        log.error(
            "the question log is down: %s; the bot keeps answering without recording; retrying every %g s",
            reason,
            self._reopen_every,
        )
        if not self._closed:
            self._reopen_task = asyncio.get_running_loop().create_task(self._reopen_loop(broken), name="store-reopen")

    async def _reopen_loop(self, broken: aiosqlite.Connection | None) -> None:
        if broken is not None:
            await _close_quietly(broken)
        while not self._closed:  # (3.11's wait_for can swallow a cancel: check, do not rely on it)
            await asyncio.sleep(self._reopen_every)
            if self._closed:
                return
            try:
                await self._connect()
            except StoreError as exc:
                log.debug("the question log is still down: %s", exc)
                continue
            log.warning(
                "the question log is back (down since %s); %d record(s) could not be written so far",
                iso(self._down_since or self._clock()),
                self._lost,
            )
            self._down_since = self._down_reason = None
            return

    async def _retention_loop(self, every: timedelta) -> None:
        await asyncio.sleep(RETENTION_FIRST_DELAY)
        while True:
            if self.healthy:
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
        if self._db is not None:
            threading.Thread(target=self._db.stop, name="store-stop", daemon=True).start()

    async def close(self) -> None:
        """Write what is queued, stop the writer and close the file (errors are logged, not raised)."""
        if self._closed:
            return
        self._closed = True
        for task in (self._retention_task, self._reopen_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._committer is not None and not self._committer.done():
            await self._committer  # durable steps already queued are committed, not dropped
        await self._writer.close()
        if self._db is None:
            return
        try:
            await self._db.close()
        except Exception as exc:
            log.error("closing the database failed: %s: %s", type(exc).__name__, exc)

    async def flush(self) -> None:
        """Wait until everything queued so far is written (or its failure logged)."""
        await self._writer.flush()

    # -- writes from the bot: never raise, never wait ------------------------------------------------

    def record_question(self, *, user_id: int | None, channel: str, reply: Reply) -> None:
        """Queue the outcome of one question (masked, user id hashed); drops and logs if the queue is full.

        Called once the reply is on its way, so masking is never between a citizen and the answer."""
        if self._secret is None:  # the log is down
            self._lost += 1
            return
        self._queue(partial(question_record, reply, channel=channel, user_id=user_id, at=self._clock()))

    def busy_while(self, busy: Callable[[], bool]) -> None:
        """Let the background writer hold off while `busy()` (the bot answering a burst)."""
        self._writer.busy = busy

    def _queue(self, make: Callable[..., Record]) -> None:
        """Build the record now (masking, keyed hash) and queue it: nothing unmasked waits in memory."""
        secret = self._secret
        if secret is None:
            self._lost += 1
            return
        try:
            record = make(secret=secret)
        except Exception as exc:
            log.error("could not prepare a record: %s", type(exc).__name__)
            return
        if not self._writer.put(record):
            self._lost += 1

    def record_feedback(
        self, *, user_id: int | None, channel: str, entry_id: str, helpful: bool, question: str | None = None
    ) -> None:
        """Queue a 👍/👎 on an entry; a 👎 also puts the question into review."""
        if self._secret is None:  # the log is down
            self._lost += 1
            return
        self._queue(
            partial(
                feedback_record,
                channel=channel,
                user_id=user_id,
                entry_id=entry_id,
                helpful=helpful,
                question=question,
                at=self._clock(),
            )
        )

    async def _write(self, batch: list[Record]) -> None:
        """Write the queued records (already masked and hashed) in one transaction; if that fails,
        record by record, so one bad record (or a lock that outlasted the busy timeout) does not
        take the whole batch with it. A fault of the database itself takes the store down instead.
        Never raises."""
        if self._secret is None:
            self._lost += len(batch)
            return
        async with self._lock:
            db = self._db
            if db is None:
                self._lost += len(batch)
                return
            try:
                await write_batch(db, batch)
                return
            except Exception as exc:
                if is_outage(exc):
                    self._lost += len(batch)
                    self._go_down(_reason(exc))
                    return
            failed: Exception | None = None
            lost = 0
            for done, record in enumerate(batch):
                try:
                    await write_batch(db, [record])
                except Exception as exc:
                    if is_outage(exc):
                        self._lost += len(batch) - done
                        self._go_down(_reason(exc))
                        return
                    failed, lost = exc, lost + 1
            if failed is not None:
                self._lost += lost
                log.error(
                    "%d of %d record(s) could not be written: %s: %s", lost, len(batch), type(failed).__name__, failed
                )

    # -- review queue -----------------------------------------------------------------------------

    async def list_groups(self, status: str | None = "pending", limit: int = 50) -> list[Group]:
        """Review groups, most asked first; status None (or "all") lists every status."""
        review.check_status(status)
        return await self._read(lambda db: review.list_groups(db, status, limit))

    async def get_group(self, group_id: int) -> Group | None:
        return await self._read(lambda db: review.get_group(db, group_id))

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
        if self._secret is None:
            raise StoreError(self.status.describe())
        return f"{channel}:{(hash_user(self._secret, user_id) or '')[:STAFF_HASH_CHARS]}"

    def _who(self, by: str | None, by_user_id: int | None) -> str:
        if by is not None and by_user_id is None:
            return by
        if by is None and by_user_id is not None:
            return self.staff_label(by_user_id)
        raise ValueError("say who changed the group: either by or by_user_id")

    async def _change(self, group_id: int, status: str, entry_id: str | None, by: str) -> bool:
        async def change(db: aiosqlite.Connection) -> bool:
            async with self._lock, transaction(db):
                return await review.set_status(db, group_id, status, entry_id, by, iso(self._clock()))

        return await self._read(change)

    async def mark_answerable(self, answer: Callable[[str], Reply]) -> int:
        """After a knowledge reload: flag pending groups the new content answers; returns how many.

        `answer` is the pipeline (text -> Reply). Flags that no longer hold are cleared.
        """
        groups = await self._read(review.pending_texts)
        found: dict[int, str | None] = {}
        for start in range(0, len(groups), ANSWER_CHUNK):
            found.update(review.answerable_entries(groups[start : start + ANSWER_CHUNK], answer))
            await asyncio.sleep(0)  # the pipeline is synchronous: let citizens' messages through

        async def save(db: aiosqlite.Connection) -> None:
            async with self._lock, transaction(db):
                await db.executemany(
                    "UPDATE review_groups SET answerable_entry_id = ? WHERE id = ? AND status = 'pending'",
                    [(entry_id, group_id) for group_id, entry_id in found.items()],
                )

        await self._read(save)
        return sum(1 for entry_id in found.values() if entry_id)

    # -- staff reports --------------------------------------------------------------------------

    async def stats(self, days: int = 30) -> Stats:
        """Figures for the last `days` days, today included."""
        return await self._read(lambda db: compute_stats(db, days, peru_day(self._clock())))

    async def export_csv(self, path: Path) -> int:
        """Every review group as CSV (UTF-8 with BOM, opens cleanly in Excel/LibreOffice); returns rows."""
        groups = await self._read(lambda db: review.list_groups(db, None, None))
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
        now = self._clock()
        cutoff = iso(now - timedelta(days=self.settings.retention_days))

        async def run(db: aiosqlite.Connection) -> int:
            async with self._lock:
                async with transaction(db):
                    q = await db.execute(
                        "UPDATE questions SET text = NULL, normalized = NULL "
                        "WHERE asked_at < ? AND (text IS NOT NULL OR normalized IS NOT NULL)",
                        (cutoff,),
                    )
                    f = await db.execute(
                        "UPDATE feedback SET text = NULL WHERE given_at < ? AND text IS NOT NULL", (cutoff,)
                    )
                    await review.refresh_old_representatives(db, cutoff)
                    await run_sync(db, lambda conn: inbox.prune(conn, iso(now - INBOX_KEEP), cutoff))
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return max(q.rowcount, 0) + max(f.rowcount, 0)

        removed = await self._read(run)
        log.info("retention: removed %d question text(s) older than %d days", removed, self.settings.retention_days)
        return removed

    async def _read(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run a staff-facing query or change after the queued records are written (so it sees
        them); database faults, and a log that is down, become a one-line StoreError."""
        await self._writer.flush()
        return await self._peek(work)

    async def _peek(self, work: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """`_read` without waiting for the queued records: for what the question log does not hold."""
        db = self._db
        if db is None:
            raise StoreError(self.status.describe())
        try:
            return await work(db)
        except _DB_ERRORS as exc:
            if is_outage(exc):
                self._go_down(_reason(exc))
            raise StoreError(f"database error: {exc}") from exc

    # -- durable inbox and outbox (see inbox.py) ----------------------------------------------------

    async def save_updates(self, updates: Sequence[tuple[int, str]]) -> list[int] | None:
        """Store raw updates, (update_id, JSON text), in one transaction: call before confirming
        them to Telegram. Returns the ids not seen before, in order (handle those; the others are
        redeliveries), or None when the log is down (nothing is durable: handle them all)."""
        at = iso(self._clock())
        return await self._durable(lambda db: inbox.save_updates(db, updates, at), None)

    async def mark_answered(self, update_id: int, reply: str | None = None) -> int | None:
        """Mark an update handled and forget its raw text. With `reply` (the serialised message to
        send), keep it in the outbox in the same transaction and return its id: send it, then call
        `reply_sent` or `reply_failed`. None if there was no reply, the update was answered already
        (do not send it twice) or the log is down."""
        at = iso(self._clock())

        def step(db: sqlite3.Connection) -> int | None:
            if not inbox.mark_answered(db, update_id, at) or reply is None:
                return None
            return inbox.keep_reply(db, reply, update_id, at, at)

        return await self._durable(step, None)

    async def unanswered(self, limit: int | None = None) -> list[PendingUpdate]:
        """Stored updates never answered, oldest first, with their age: replay them on start, once
        each (mark_answered); [] when the log is down."""
        now = self._clock()
        return await self._durable(lambda db: inbox.unanswered(db, now, limit), [])

    async def keep_reply(self, payload: str, *, update_id: int | None = None, retry_in: float = 0.0) -> int | None:
        """Keep a reply that could not be delivered (or is about to be sent) for `due_replies`;
        returns its id, or None when the log is down."""
        now = self._clock()
        at, due = iso(now), iso(now + timedelta(seconds=retry_in))
        return await self._durable(lambda db: inbox.keep_reply(db, payload, update_id, at, due), None)

    async def due_replies(self, limit: int = 50) -> list[PendingReply]:
        """Kept replies whose next attempt is due, oldest due first; [] when the log is down."""
        now = iso(self._clock())
        return await self._durable(lambda db: inbox.due_replies(db, now, limit), [])

    async def reply_sent(self, reply_id: int) -> None:
        """The reply was delivered: forget it."""
        await self._durable(lambda db: inbox.reply_sent(db, reply_id), None)

    async def reply_failed(self, reply_id: int, error: str) -> float | None:
        """A delivery attempt failed (`error`: a short reason such as the exception's type, never the
        text). Returns the seconds until it is due again (2, 4, 8 ... 60), or None when it was given
        up, after `reply_give_up` (15 minutes by default), and deleted; None too when the log is down."""
        now = self._clock()
        delay = await self._durable(lambda db: inbox.reply_failed(db, reply_id, error, now, self._reply_give_up), None)
        if delay is None and self.healthy:
            log.error("a reply was given up (undelivered for %s, or no longer kept): %s", self._reply_give_up, error)
        return delay

    async def _durable(self, step: Callable[[sqlite3.Connection], T], default: T) -> T:
        """Run one step, committed before returning; never raises: a fault returns `default` (and a
        fault of the database takes the store down).

        Steps that arrive while a commit is under way share the next transaction (group commit):
        each commit costs an fsync, and one per step capped the bot at a few hundred updates/s. The
        batch runs in one call to the database thread. Every caller still returns only after its
        step is committed."""
        if self._db is None:
            return default
        done: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._steps.append(_Step(step, default, done))
        if not self._committing:
            self._committing = True
            self._committer = asyncio.get_running_loop().create_task(self._commit_steps(), name="store-commit")
        return await done

    async def _commit_steps(self) -> None:
        """Commit what is queued, batch after batch, until nothing is left (one transaction each)."""
        try:
            async with self._lock:
                while self._steps:
                    batch, self._steps = self._steps, []
                    await self._commit(batch)
        finally:
            self._committing = False
            for left in self._steps:  # only when the loop itself is going away
                left.settle(left.default)
            self._steps = []

    async def _commit(self, batch: list[_Step[Any]]) -> None:
        """One transaction for `batch`; if it fails without the database being down, each step is
        tried alone, so one bad step does not cost the others their durability."""
        db = self._db
        if db is None:
            for item in batch:
                item.settle(item.default)
            return
        steps = [item.step for item in batch]
        try:
            results = await run_sync(db, lambda conn: run_in_transaction(conn, steps))
        except Exception as exc:
            if is_outage(exc):
                self._go_down(_reason(exc))
            elif len(batch) > 1:
                for item in batch:
                    await self._commit([item])
                return
            else:
                log.error("a durable inbox/outbox step failed: %s: %s", type(exc).__name__, exc)
            for item in batch:
                item.settle(item.default)
            return
        for item, result in zip(batch, results, strict=True):
            item.settle(result)


@dataclass
class _Step(Generic[T]):
    """A durable step waiting for the next group commit, and the future its caller awaits."""

    step: Callable[[sqlite3.Connection], T]
    default: T
    done: asyncio.Future[T]

    def settle(self, value: T) -> None:
        if not self.done.done():  # a caller cancelled meanwhile: its step was committed anyway
            self.done.set_result(value)
