"""Usage figures for staff: how much is asked, how much the bot answers, what people ask about.

Computed from the outcome rows, which retention keeps (only their texts go), so the figures stay
right after old questions have been anonymised.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import aiosqlite

from .clock import PERU, iso

TOP_ENTRIES = 10
TOP_UNANSWERED = 5  # most asked pending review groups shown beside the figures


@dataclass
class Stats:
    """Figures over the last `days` days (days are Peru's calendar days).

    `questions` counts real questions (answered + suggested + unanswered); greetings and other
    small talk are counted apart in `smalltalk`, so they do not inflate the answered share.
    """

    days: int
    since: str  # first day included, ISO date
    questions: int = 0
    answered: int = 0
    suggested: int = 0
    unanswered: int = 0
    smalltalk: int = 0
    answered_share: float = 0.0  # answered / questions (0 when there are none)
    per_day: list[dict[str, Any]] = field(default_factory=list)  # {"day", "questions", "answered"}
    top_entries: list[tuple[str, int]] = field(default_factory=list)  # answered entries, most first
    # Pending review groups asked in the period, most asked first: (group id, masked text, count).
    top_unanswered: list[tuple[int, str, int]] = field(default_factory=list)
    feedback_helpful: int = 0
    feedback_not_helpful: int = 0
    feedback_share: float = 0.0  # helpful / all feedback (0 when there is none)
    users: int = 0  # distinct (hashed) users

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["top_entries"] = [[entry_id, count] for entry_id, count in self.top_entries]
        data["top_unanswered"] = [
            {"group": group_id, "text": text, "count": count} for group_id, text, count in self.top_unanswered
        ]
        return data


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


async def compute_stats(db: aiosqlite.Connection, days: int, today: date) -> Stats:
    """Stats for the `days` days ending with `today` (inclusive)."""
    days = max(1, days)
    first = today - timedelta(days=days - 1)
    since = first.isoformat()
    stats = Stats(days=days, since=since)

    async with db.execute("SELECT outcome, count(*) FROM questions WHERE day >= ? GROUP BY outcome", (since,)) as cur:
        by_outcome = {str(r[0]): int(r[1]) for r in await cur.fetchall()}
    stats.answered = by_outcome.get("answer", 0)
    stats.suggested = by_outcome.get("suggest", 0)
    stats.unanswered = by_outcome.get("none", 0)
    stats.smalltalk = by_outcome.get("smalltalk", 0)
    stats.questions = stats.answered + stats.suggested + stats.unanswered
    stats.answered_share = _share(stats.answered, stats.questions)

    async with db.execute(
        "SELECT day, sum(outcome != 'smalltalk'), sum(outcome = 'answer') FROM questions WHERE day >= ? GROUP BY day",
        (since,),
    ) as cur:
        counted = {str(r[0]): (int(r[1]), int(r[2])) for r in await cur.fetchall()}
    for offset in range(days):
        day = (first + timedelta(days=offset)).isoformat()
        asked, answered = counted.get(day, (0, 0))
        stats.per_day.append({"day": day, "questions": asked, "answered": answered})

    async with db.execute(
        "SELECT entry_id, count(*) AS n FROM questions WHERE day >= ? AND outcome = 'answer' "
        "AND entry_id IS NOT NULL GROUP BY entry_id ORDER BY n DESC, entry_id LIMIT ?",
        (since, TOP_ENTRIES),
    ) as cur:
        stats.top_entries = [(str(r[0]), int(r[1])) for r in await cur.fetchall()]

    async with db.execute(
        "SELECT id, text, count FROM review_groups WHERE status = 'pending' AND last_seen >= ? "
        "ORDER BY count DESC, last_seen DESC, id LIMIT ?",
        (iso(datetime.combine(first, time(), PERU)), TOP_UNANSWERED),  # since Peru's midnight
    ) as cur:
        stats.top_unanswered = [(int(r[0]), str(r[1]), int(r[2])) for r in await cur.fetchall()]

    async with db.execute("SELECT sum(helpful = 1), sum(helpful = 0) FROM feedback WHERE day >= ?", (since,)) as cur:
        row = await cur.fetchone()
    stats.feedback_helpful = int(row[0] or 0) if row else 0
    stats.feedback_not_helpful = int(row[1] or 0) if row else 0
    stats.feedback_share = _share(stats.feedback_helpful, stats.feedback_helpful + stats.feedback_not_helpful)

    async with db.execute(
        "SELECT count(DISTINCT user_hash) FROM questions WHERE day >= ? AND user_hash IS NOT NULL", (since,)
    ) as cur:
        row = await cur.fetchone()
    stats.users = int(row[0]) if row else 0
    return stats
