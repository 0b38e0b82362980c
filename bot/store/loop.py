"""Closing the content loop from the review queue: a group's question becomes an entry's phrasing.

These are the steps the review CLI and the Telegram admin buttons share, so both do exactly the
same: add the (masked) representative question to the entry's YAML file, validate, and mark the
group resolved with that entry. They use the store's connection under its own lock and flush, like
the store's own staff-facing methods.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.core.phrasing import Addition, PhrasingRefused, add_question

from .review import REMOVED_TEXT, Group
from .store import Store


@dataclass(frozen=True)
class Asked:
    """One time a citizen asked in the group, and what the bot did (UTC ISO time).

    `outcome` is answer / suggest / none for a question, not_helpful for a 👎 on `entry_id`.
    `suggested` is None for questions logged before the bot recorded its suggestions.
    """

    at: str
    outcome: str
    entry_id: str | None
    suggested: tuple[str, ...] | None
    text: str | None
    lang: str


async def _asked(db: aiosqlite.Connection, group_id: int, limit: int) -> list[Asked]:
    async with db.execute(
        "SELECT at, outcome, entry_id, suggested, text, lang FROM ("
        "SELECT asked_at AS at, outcome, entry_id, suggested, text, lang FROM questions WHERE group_id = ? "
        "UNION ALL SELECT given_at, 'not_helpful', entry_id, NULL, text, '' FROM feedback WHERE group_id = ?"
        ") ORDER BY at DESC LIMIT ?",
        (group_id, group_id, limit),
    ) as cur:
        rows = await cur.fetchall()
    result: list[Asked] = []
    for at, outcome, entry_id, suggested, text, lang in rows:
        offered = tuple(s for s in str(suggested).split(",") if s) if suggested is not None else None
        if outcome != "suggest" and offered is not None:
            offered = ()
        result.append(Asked(str(at), str(outcome), entry_id, offered, text, str(lang or "")))
    return result


async def group_history(store: Store, group_id: int, limit: int = 20) -> list[Asked]:
    """The latest `limit` times the group's question was asked (or rejected with 👎), newest first."""
    return await store._read(lambda db: _asked(db, group_id, limit))


def group_language(history: list[Asked]) -> str:
    """The language most of the group's questions were answered in (Spanish when unknown)."""
    langs = Counter(a.lang for a in history if a.lang in ("es", "en"))
    return langs.most_common(1)[0][0] if langs else "es"


async def add_group_phrasing(
    store: Store,
    group: Group,
    entry_id: str,
    knowledge_dir: Path,
    *,
    by: str | None = None,
    by_user_id: int | None = None,
    lang: str | None = None,
    max_age_days: int = 365,
) -> Addition:
    """Add `group`'s question to `entry_id`'s phrasings and resolve the group with that entry.

    `lang` defaults to the language the group was asked in. Raises PhrasingRefused (a Spanish
    message for staff) when the group is not pending or the phrasing cannot be added; the group
    then stays as it was. The caller reloads its pipeline to serve the new phrasing.
    """
    if group.status != "pending":
        raise PhrasingRefused(f"el grupo {group.id} ya no está pendiente (estado: {group.status})")
    if group.text == REMOVED_TEXT:
        raise PhrasingRefused(f"el texto del grupo {group.id} se borró por antigüedad: no hay pregunta que agregar")
    if lang is None:
        lang = group_language(await group_history(store, group.id))
    addition = await asyncio.to_thread(
        add_question, knowledge_dir, entry_id, group.text, lang=lang, max_age_days=max_age_days
    )
    await store.resolve_group(group.id, entry_id, by, by_user_id=by_user_id)
    return addition
