"""Durable inbox and outbox: nothing a citizen sent or is owed is lost to a crash or an outage.

Inbox: each raw update is stored (by `update_id`, so a redelivered update is recognised) before
the channel confirms it to Telegram; it is marked answered once handled, and on start the channel
replays what was stored but never answered, oldest first. Outbox: a reply that could not be
delivered is kept and handed back for retry with exponential backoff, for minutes rather than a
few tries; marking an update answered and keeping its reply happen in one transaction, so a crash
between the two cannot lose the reply or answer the update twice.

Privacy: the raw update holds the citizen's unmasked text, so it is kept only until it is
answered (the column is cleared, and secure_delete overwrites it); unanswered ones go when they
are older than the retention period. Answered rows stay a day, ids only, to recognise duplicates.

The steps are plain synchronous functions on a `sqlite3.Connection`: the store runs a whole batch of
them, inside one transaction, in one call to its database thread (see `Store._durable`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

REPLY_FIRST_RETRY = 2.0  # seconds before the second attempt; doubles each time
REPLY_MAX_RETRY = 60.0  # never wait longer than this between attempts
ERROR_CHARS = 200  # of the delivery error kept for staff (a type name, never the reply text)


@dataclass(frozen=True)
class PendingUpdate:
    """A stored update nobody answered yet: replay it (or apologise for the delay if it is old)."""

    update_id: int
    payload: str
    received_at: datetime
    age: timedelta


@dataclass(frozen=True)
class PendingReply:
    """A reply waiting for (another) delivery attempt; `payload` is what the channel stored."""

    id: int
    update_id: int | None
    payload: str
    attempts: int
    created_at: datetime


def retry_delay(attempts: int) -> float:
    """Seconds to wait after `attempts` failed deliveries: 2, 4, 8, ... up to REPLY_MAX_RETRY."""
    return float(min(REPLY_MAX_RETRY, REPLY_FIRST_RETRY * 2.0 ** max(attempts - 1, 0)))


def save_updates(db: sqlite3.Connection, updates: Sequence[tuple[int, str]], at: str) -> list[int]:
    """Insert the updates not seen before; returns their ids, in the order given."""
    if not updates:
        return []
    ids = [update_id for update_id, _ in updates]
    marks = ",".join("?" * len(ids))
    known = {int(row[0]) for row in db.execute(f"SELECT update_id FROM inbox WHERE update_id IN ({marks})", ids)}
    new: dict[int, str] = {}
    for update_id, payload in updates:
        if update_id not in known and update_id not in new:
            new[update_id] = payload
    db.executemany(
        "INSERT INTO inbox (update_id, received_at, payload) VALUES (?, ?, ?)",
        [(update_id, at, payload) for update_id, payload in new.items()],
    )
    return list(new)


def mark_answered(db: sqlite3.Connection, update_id: int, at: str) -> bool:
    """Mark the update answered and forget its text; False if it was answered already.

    An update that was never stored (the log was down when it came) gets an answered row too,
    so a redelivery is still recognised.
    """
    cur = db.execute(
        "INSERT INTO inbox (update_id, received_at, payload, answered_at) VALUES (?, ?, NULL, ?) "
        "ON CONFLICT (update_id) DO UPDATE SET answered_at = excluded.answered_at, payload = NULL "
        "WHERE inbox.answered_at IS NULL",
        (update_id, at, at),
    )
    return cur.rowcount == 1


def unanswered(db: sqlite3.Connection, now: datetime, limit: int | None) -> list[PendingUpdate]:
    rows = db.execute(
        "SELECT update_id, payload, received_at FROM inbox WHERE answered_at IS NULL AND payload IS NOT NULL "
        "ORDER BY update_id LIMIT ?",
        (-1 if limit is None else limit,),
    ).fetchall()
    found = []
    for update_id, payload, received in rows:
        received_at = datetime.fromisoformat(received)
        found.append(PendingUpdate(int(update_id), str(payload), received_at, max(now - received_at, timedelta(0))))
    return found


def keep_reply(db: sqlite3.Connection, payload: str, update_id: int | None, at: str, due: str) -> int:
    cur = db.execute(
        "INSERT INTO outbox (created_at, update_id, payload, next_attempt_at) VALUES (?, ?, ?, ?)",
        (at, update_id, payload, due),
    )
    return int(cur.lastrowid or 0)


def due_replies(db: sqlite3.Connection, now: str, limit: int) -> list[PendingReply]:
    rows = db.execute(
        "SELECT id, update_id, payload, attempts, created_at FROM outbox WHERE next_attempt_at <= ? "
        "ORDER BY next_attempt_at, id LIMIT ?",
        (now, limit),
    ).fetchall()
    return [
        PendingReply(int(r[0]), None if r[1] is None else int(r[1]), str(r[2]), int(r[3]), datetime.fromisoformat(r[4]))
        for r in rows
    ]


def reply_sent(db: sqlite3.Connection, reply_id: int) -> None:
    db.execute("DELETE FROM outbox WHERE id = ?", (reply_id,))


def reply_failed(db: sqlite3.Connection, reply_id: int, error: str, now: datetime, give_up: timedelta) -> float | None:
    """Count a failed attempt; returns the seconds until the next one, or None when it is given up
    (too old, or unknown) and so deleted."""
    row = db.execute("SELECT attempts, created_at FROM outbox WHERE id = ?", (reply_id,)).fetchone()
    if row is None:
        return None
    attempts = int(row[0]) + 1
    if now - datetime.fromisoformat(row[1]) >= give_up:
        db.execute("DELETE FROM outbox WHERE id = ?", (reply_id,))
        return None
    delay = retry_delay(attempts)
    db.execute(
        "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
        (attempts, (now + timedelta(seconds=delay)).isoformat(timespec="microseconds"), error[:ERROR_CHARS], reply_id),
    )
    return delay


def prune(db: sqlite3.Connection, answered_before: str, received_before: str) -> None:
    """Forget answered updates after a while, and unanswered ones (raw text) older than retention."""
    db.execute("DELETE FROM inbox WHERE answered_at IS NOT NULL AND answered_at < ?", (answered_before,))
    db.execute("DELETE FROM inbox WHERE answered_at IS NULL AND received_at < ?", (received_before,))
