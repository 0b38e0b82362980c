"""Replies to questions asked again word for word, kept so the pipeline matches each one once.

Citizens ask the same few hundred things ("como renuevo mi dni") in the same words, and matching is
the largest piece of the bot's own work per answer. A reply depends only on the question's text,
the language asked in, the citizen's region, the knowledge base and, through events, the date and
time; so a reply is reused for the same (text, language, region) on the same Lima day while the
same knowledge base is loaded (a /recargar starts afresh), and replies that list or answer events,
whose status moves with the clock, are never kept. `REPLY_CACHE=off` turns it off, so the
benchmark can show the bot with and without it.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.dates import lima_now
from bot.core.models import Reply
from bot.core.pipeline import Pipeline
from bot.core.regional import EVENTS_INTENT

MAX_KEPT = 5000  # questions remembered; beyond, the oldest is forgotten
wall_clock = time.time  # Unix time; tests move it to the next day


class ReplyCache:
    """`ask` is `pipeline.ask` with memory; `hits` and `misses` count how often it helped."""

    def __init__(self, pipeline: Pipeline, enabled: bool = True, max_kept: int = MAX_KEPT) -> None:
        self.pipeline = pipeline
        self.enabled = enabled
        self.max_kept = max_kept
        self.hits = self.misses = 0
        self._kept: dict[tuple[str, str, str | None], Reply] = {}
        self._kb = pipeline.kb
        self._until = _next_lima_midnight()

    def ask(self, question: str, lang: str, region: str | None) -> Reply:
        if not self.enabled:
            return self.pipeline.ask(question, lang, region=region)
        started = time.perf_counter()
        self._expire()
        key = (question, lang, region)
        kept = self._kept.get(key)
        if kept is not None:
            self.hits += 1
            return replace(kept, latency_ms=(time.perf_counter() - started) * 1000)
        self.misses += 1
        reply = self.pipeline.ask(question, lang, region=region)
        if _keepable(reply):
            if len(self._kept) >= self.max_kept:
                del self._kept[next(iter(self._kept))]
            self._kept[key] = reply
        return reply

    def _expire(self) -> None:
        """Forget everything after a reload of the knowledge base or when the Lima day changes."""
        if self.pipeline.kb is not self._kb or wall_clock() >= self._until:
            self._kept.clear()
            self._kb, self._until = self.pipeline.kb, _next_lima_midnight()

    def describe(self) -> str:
        asked = self.hits + self.misses
        if not self.enabled:
            return "reply cache off"
        rate = f"{self.hits / asked:.1%}" if asked else "-"
        return f"reply cache hits={self.hits} misses={self.misses} hit_rate={rate}"


def _next_lima_midnight() -> float:
    """When the current Lima day ends, as a Unix time (a comparison per question, not a date)."""
    now = lima_now()
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo).timestamp()


def _keepable(reply: Reply) -> bool:
    """Replies whose content does not move with the clock: no event listing, answer or choice of events."""
    if reply.intent == EVENTS_INTENT or reply.events:
        return False
    entries = (reply.entry, *reply.candidates) if reply.entry is not None else reply.candidates
    return not any(entry.is_event for entry in entries)
