"""What the bot hands to the store, made safe to keep: masked, hashed, time-stamped.

The store builds each record (masking, keyed hash) as it is queued, once the reply is on its way:
that work is never between a citizen and the answer, and nothing unmasked is ever queued or written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.models import Outcome, Reply
from bot.core.normalize import fold
from bot.core.privacy import mask_personal_data, personal_tokens

from .clock import iso, peru_day
from .identity import hash_user

REVIEW_OUTCOMES = frozenset({Outcome.NONE.value, Outcome.SUGGEST.value})


@dataclass(frozen=True)
class QuestionRecord:
    at: str
    day: str
    channel: str
    user_hash: str | None
    outcome: str
    entry_id: str | None
    score: float
    lang: str
    normalized: str
    text: str
    suggested: str = ""  # comma-separated ids of the entries offered as choices (outcome 'suggest')

    @property
    def needs_review(self) -> bool:
        return self.outcome in REVIEW_OUTCOMES


@dataclass(frozen=True)
class FeedbackRecord:
    at: str
    day: str
    channel: str
    user_hash: str | None
    entry_id: str
    helpful: bool
    text: str | None
    normalized: str | None


Record = QuestionRecord | FeedbackRecord


def scrub_normalized(normalized: str, raw: str) -> str:
    """Mask the normalised copy too: pieces of personal values found in the raw text become placeholders."""
    tokens = personal_tokens(raw)
    words: list[str] = []
    for word in normalized.split():
        kind = tokens.get(word.lower())
        if kind is None:
            words.append(word)
        elif not words or words[-1] != f"[{kind}]":
            words.append(f"[{kind}]")
    return mask_personal_data(" ".join(words))


def _day_and_time(at: datetime) -> tuple[str, str]:
    return iso(at), peru_day(at).isoformat()


def question_record(reply: Reply, *, channel: str, user_id: int | None, secret: bytes, at: datetime) -> QuestionRecord:
    """The loggable form of one question and what the bot did with it."""
    stamp, day = _day_and_time(at)
    return QuestionRecord(
        at=stamp,
        day=day,
        channel=channel,
        user_hash=hash_user(secret, user_id),
        outcome=Outcome(reply.outcome).value,
        entry_id=reply.entry_id,
        score=float(reply.score),
        lang=reply.lang,
        normalized=scrub_normalized(reply.normalized or fold(reply.question), reply.question),
        text=mask_personal_data(reply.question),
        suggested=",".join(e.id for e in reply.candidates),
    )


def feedback_record(
    *,
    channel: str,
    user_id: int | None,
    entry_id: str,
    helpful: bool,
    question: str | None,
    secret: bytes,
    at: datetime,
) -> FeedbackRecord:
    """The loggable form of a 👍/👎 on an entry, with the (masked) question it was about."""
    stamp, day = _day_and_time(at)
    return FeedbackRecord(
        at=stamp,
        day=day,
        channel=channel,
        user_hash=hash_user(secret, user_id),
        entry_id=entry_id,
        helpful=helpful,
        text=mask_personal_data(question) if question else None,
        normalized=scrub_normalized(fold(question), question) if question else None,
    )
