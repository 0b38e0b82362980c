"""Writing one batch of queued records: the log rows plus their place in the review queue."""

from __future__ import annotations

from datetime import datetime, timedelta

import aiosqlite

from .db import transaction
from .grouping import GroupIndex
from .records import FeedbackRecord, QuestionRecord, Record

# A 👎 is linked to the same user's question about that entry asked within this time.
FEEDBACK_LINK_WINDOW = timedelta(hours=24)


async def write_batch(db: aiosqlite.Connection, records: list[Record]) -> None:
    """Insert `records` in one transaction (all or nothing)."""
    async with transaction(db):
        index: GroupIndex | None = None
        for record in records:
            if isinstance(record, QuestionRecord):
                group_id = None
                if record.needs_review and record.normalized:
                    if index is None:
                        index = await _open_groups(db)
                    group_id = await _add_to_group(db, index, record.normalized, record.text, record.at)
                await db.execute(
                    "INSERT INTO questions (asked_at, day, channel, user_hash, outcome, entry_id, score, lang, "
                    "normalized, text, group_id, suggested) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        record.at,
                        record.day,
                        record.channel,
                        record.user_hash,
                        record.outcome,
                        record.entry_id,
                        record.score,
                        record.lang,
                        record.normalized,
                        record.text,
                        group_id,
                        record.suggested or None,
                    ),
                )
            else:
                if index is None:
                    index = await _open_groups(db)
                await _write_feedback(db, index, record)


async def _open_groups(db: aiosqlite.Connection) -> GroupIndex:
    """Groups a new question may join: pending and ignored ones (a resolved group is closed).

    Read per batch rather than cached, so a resolve/ignore from the review CLI (another process)
    is seen at once.
    """
    async with db.execute("SELECT id, normalized FROM review_groups WHERE status != 'resolved'") as cur:
        return GroupIndex((int(r[0]), str(r[1])) for r in await cur.fetchall())


async def _add_to_group(db: aiosqlite.Connection, index: GroupIndex, normalized: str, text: str, at: str) -> int:
    group_id = index.find(normalized)
    if group_id is None:
        cur = await db.execute(
            "INSERT INTO review_groups (text, normalized, count, first_seen, last_seen) VALUES (?, ?, 1, ?, ?)",
            (text or normalized, normalized, at, at),
        )
        group_id = int(cur.lastrowid or 0)
        index.add(group_id, normalized)
    else:
        await db.execute(
            "UPDATE review_groups SET count = count + 1, first_seen = min(first_seen, ?), "
            "last_seen = max(last_seen, ?) WHERE id = ?",
            (at, at, group_id),
        )
    return group_id


async def _write_feedback(db: aiosqlite.Connection, index: GroupIndex, record: FeedbackRecord) -> None:
    """A "not helpful" puts the question into review (unless it is there already as a suggestion)."""
    group_id = None
    text, normalized = record.text, record.normalized
    if not record.helpful:
        already_in_review = False
        asked = await _recent_question(db, record)
        if asked is not None:
            asked_text, asked_normalized, asked_group = asked
            already_in_review = asked_group is not None
            text = text or asked_text
            normalized = asked_normalized or normalized
        if normalized and not already_in_review:
            group_id = await _add_to_group(db, index, normalized, text or normalized, record.at)
    await db.execute(
        "INSERT INTO feedback (given_at, day, channel, user_hash, entry_id, helpful, text, group_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (record.at, record.day, record.channel, record.user_hash, record.entry_id, int(record.helpful), text, group_id),
    )


async def _recent_question(
    db: aiosqlite.Connection, record: FeedbackRecord
) -> tuple[str | None, str | None, int | None] | None:
    """The same user's latest question that got this entry, if the feedback is about it."""
    if record.user_hash is None:
        return None
    since = (datetime.fromisoformat(record.at) - FEEDBACK_LINK_WINDOW).isoformat(timespec="microseconds")
    async with db.execute(
        "SELECT text, normalized, group_id FROM questions WHERE user_hash = ? AND entry_id = ? "
        "AND asked_at >= ? AND asked_at <= ? ORDER BY asked_at DESC, id DESC LIMIT 1",
        (record.user_hash, record.entry_id, since, record.at),
    ) as cur:
        row = await cur.fetchone()
    return None if row is None else (row[0], row[1], row[2])
