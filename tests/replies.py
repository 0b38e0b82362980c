"""Small builders for the pipeline's replies, so store tests can log outcomes without a knowledge base."""

from __future__ import annotations

from datetime import date

from bot.core.models import Entry, Outcome, Reply, Text, TextList


def entry(entry_id: str) -> Entry:
    return Entry(
        id=entry_id,
        kind="service",
        title=Text(entry_id),
        summary=Text("..."),
        questions=TextList(),
        keywords=TextList(),
        url="https://www.gob.pe",
        sources=(),
        reviewed=date(2026, 1, 1),
    )


def reply(question: str, outcome: Outcome = Outcome.NONE, entry_id: str | None = None) -> Reply:
    """What the pipeline would say: `entry_id` is the answer (or the entry a suggestion led to)."""
    return Reply(
        outcome=outcome,
        lang="es",
        question=question,
        normalized=question.lower(),
        entry=entry(entry_id) if entry_id else None,
        score=0.8 if entry_id else 0.1,
    )
