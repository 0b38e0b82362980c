"""The review queue: questions the bot could not answer (or only guessed), grouped for staff.

Staff see one row per kind of question with how often it was asked, so the most wanted missing
content comes first; they resolve a group (with the entry that now answers it) or ignore it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

import aiosqlite

from bot.core.models import Outcome, Reply
from bot.core.normalize import fold

log = logging.getLogger(__name__)

STATUSES = ("pending", "resolved", "ignored")
EXAMPLES = 5
# A group's text once every question in it is older than the retention period.
REMOVED_TEXT = "[texto eliminado por antigüedad]"

_COLUMNS = "id, text, count, first_seen, last_seen, status, entry_id, answerable_entry_id, changed_by, changed_at"


@dataclass
class Group:
    """One kind of unanswered question. Times are UTC ISO strings."""

    id: int
    text: str
    count: int
    first_seen: str
    last_seen: str
    status: str
    examples: list[str] = field(default_factory=list)
    entry_id: str | None = None  # the entry it was resolved to
    answerable_entry_id: str | None = None  # the entry that answers it since the last reload
    changed_by: str | None = None
    changed_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_status(status: str | None) -> str | None:
    """None/"all" means every status; anything else must be a known one."""
    if status is None or status == "all":
        return None
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUSES)} or all")
    return status


async def _examples(db: aiosqlite.Connection, group_id: int) -> list[str]:
    """The latest distinct (masked) texts asked in the group; gone once retention removed them."""
    async with db.execute(
        "SELECT text FROM (SELECT text, asked_at AS at FROM questions WHERE group_id = ? AND text IS NOT NULL "
        "UNION ALL SELECT text, given_at AS at FROM feedback WHERE group_id = ? AND text IS NOT NULL) "
        "GROUP BY text ORDER BY max(at) DESC LIMIT ?",
        (group_id, group_id, EXAMPLES),
    ) as cur:
        return [str(row[0]) for row in await cur.fetchall()]


async def _group(db: aiosqlite.Connection, row: aiosqlite.Row | tuple[Any, ...]) -> Group:
    group = Group(
        id=int(row[0]),
        text=str(row[1]),
        count=int(row[2]),
        first_seen=str(row[3]),
        last_seen=str(row[4]),
        status=str(row[5]),
        entry_id=row[6],
        answerable_entry_id=row[7],
        changed_by=row[8],
        changed_at=row[9],
    )
    group.examples = await _examples(db, group.id)
    return group


async def list_groups(db: aiosqlite.Connection, status: str | None, limit: int | None) -> list[Group]:
    """Most asked first (then most recent); limit None = all."""
    status = check_status(status)
    where = "" if status is None else "WHERE status = ?"
    params: tuple[Any, ...] = () if status is None else (status,)
    async with db.execute(
        f"SELECT {_COLUMNS} FROM review_groups {where} ORDER BY count DESC, last_seen DESC, id LIMIT ?",
        (*params, -1 if limit is None else max(0, limit)),
    ) as cur:
        rows = list(await cur.fetchall())
    return [await _group(db, row) for row in rows]


async def get_group(db: aiosqlite.Connection, group_id: int) -> Group | None:
    async with db.execute(f"SELECT {_COLUMNS} FROM review_groups WHERE id = ?", (group_id,)) as cur:
        row = await cur.fetchone()
    return None if row is None else await _group(db, row)


async def set_status(
    db: aiosqlite.Connection, group_id: int, status: str, entry_id: str | None, by: str, at: str
) -> bool:
    """Change a group's status, remembering who did it and when; False if there is no such group."""
    cur = await db.execute(
        "UPDATE review_groups SET status = ?, entry_id = ?, changed_by = ?, changed_at = ? WHERE id = ?",
        (status, entry_id, by, at, group_id),
    )
    return cur.rowcount > 0


class PendingGroup(NamedTuple):
    """What `answerable_entries` needs of a pending group."""

    id: int
    text: str
    rejected: frozenset[str]  # entries a citizen marked "not helpful" for this question


async def pending_texts(db: aiosqlite.Connection) -> list[PendingGroup]:
    """Pending groups with a text to ask again, each with the entries citizens rejected for it.

    A 👎 on entry X is a rejection for the group it put into review (feedback.group_id) or, when its
    question was in review already, for that question's group (same user, same entry).
    """
    async with db.execute(
        "SELECT id, text FROM review_groups WHERE status = 'pending' AND normalized != '' ORDER BY id"
    ) as cur:
        rows = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
    rejected: dict[int, set[str]] = {}
    async with db.execute(
        "SELECT f.group_id, f.entry_id FROM feedback f JOIN review_groups g ON g.id = f.group_id "
        "WHERE f.helpful = 0 AND g.status = 'pending' "
        "UNION SELECT q.group_id, f.entry_id FROM feedback f "
        "JOIN questions q ON q.user_hash = f.user_hash AND q.entry_id = f.entry_id AND q.asked_at <= f.given_at "
        "JOIN review_groups g ON g.id = q.group_id "
        "WHERE f.helpful = 0 AND f.group_id IS NULL AND g.status = 'pending'"
    ) as cur:
        for group_id, entry_id in await cur.fetchall():
            rejected.setdefault(int(group_id), set()).add(str(entry_id))
    return [PendingGroup(group_id, text, frozenset(rejected.get(group_id, ()))) for group_id, text in rows]


def answerable_entries(groups: list[PendingGroup], answer: Callable[[str], Reply]) -> dict[int, str | None]:
    """For each pending group, the entry the (reloaded) knowledge base now answers it with, or None.

    An entry a citizen already rejected for the question does not count: the pipeline answering
    with it again is no news for the staff.
    """
    result: dict[int, str | None] = {}
    for group in groups:
        try:
            reply = answer(group.text)
        except Exception as exc:  # one odd text must not stop the whole check
            log.warning("answering review group %d failed: %s", group.id, type(exc).__name__)
            continue
        entry_id = reply.entry_id if reply.outcome == Outcome.ANSWER else None
        result[group.id] = entry_id if entry_id and entry_id not in group.rejected else None
    return result


async def refresh_old_representatives(db: aiosqlite.Connection, cutoff: str) -> int:
    """Retention for groups: a group's text came from its first question, which may now be too old.

    Such a group takes the text of its oldest question still kept; when none is left, its text is
    replaced by REMOVED_TEXT (count, dates and status stay). Returns how many groups changed.
    Runs inside the caller's transaction.
    """
    async with db.execute(
        "SELECT id, text FROM review_groups WHERE first_seen < ? AND normalized != ''", (cutoff,)
    ) as cur:
        groups = [(int(r[0]), str(r[1])) for r in await cur.fetchall()]
    changed = 0
    for group_id, current in groups:
        async with db.execute(
            "SELECT text, normalized FROM questions WHERE group_id = ? AND text IS NOT NULL "
            "AND normalized IS NOT NULL ORDER BY asked_at LIMIT 1",
            (group_id,),
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            text, normalized = str(row[0]), str(row[1])
        else:
            async with db.execute(
                "SELECT text FROM feedback WHERE group_id = ? AND text IS NOT NULL ORDER BY given_at LIMIT 1",
                (group_id,),
            ) as cur:
                kept = await cur.fetchone()
            text, normalized = (REMOVED_TEXT, "") if kept is None else (str(kept[0]), fold(str(kept[0])))
        if text != current:
            await db.execute(
                "UPDATE review_groups SET text = ?, normalized = ? WHERE id = ?", (text, normalized, group_id)
            )
            changed += 1
    return changed
