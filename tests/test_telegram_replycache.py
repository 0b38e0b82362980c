"""REPLY_CACHE: a question asked again word for word is matched once, and only while nothing that
shapes its reply (language, region, knowledge base, day, the clock for events) has changed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from replies import entry, reply

from bot.channels.telegram import replycache
from bot.channels.telegram.replycache import ReplyCache
from bot.core.models import Outcome, Reply
from bot.core.regional import EVENTS_INTENT
from bot.settings import ConfigError, load_settings


class CountingPipeline:
    """Answers every question with `answer` and remembers what it was asked."""

    def __init__(self, answer: Reply | None = None) -> None:
        self.kb = object()
        self.asked: list[tuple[str, str, str | None]] = []
        self.answer = answer

    def ask(self, question: str, lang: str = "es", region: str | None = None) -> Reply:
        self.asked.append((question, lang, region))
        return self.answer or reply(question, Outcome.ANSWER, "dni-renovacion")


def _cache(pipeline: CountingPipeline, enabled: bool = True) -> ReplyCache:
    return ReplyCache(pipeline, enabled=enabled)  # type: ignore[arg-type]


def test_the_same_question_is_matched_once_and_gets_the_same_reply() -> None:
    pipeline = CountingPipeline()
    cache = _cache(pipeline)
    first = cache.ask("como renuevo mi dni", "es", None)
    again = cache.ask("como renuevo mi dni", "es", None)
    assert pipeline.asked == [("como renuevo mi dni", "es", None)]
    assert replace(again, latency_ms=0) == replace(first, latency_ms=0)
    assert (cache.hits, cache.misses) == (1, 1)
    assert cache.describe() == "reply cache hits=1 misses=1 hit_rate=50.0%"


def test_another_wording_language_or_region_is_matched_afresh() -> None:
    pipeline = CountingPipeline()
    cache = _cache(pipeline)
    for question, lang, region in [("como renuevo mi dni", "es", None), ("Como renuevo mi DNI", "es", None),
                                   ("como renuevo mi dni", "en", None), ("como renuevo mi dni", "es", "puno")]:
        cache.ask(question, lang, region)
    assert len(pipeline.asked) == 4 and cache.hits == 0


def test_a_reload_of_the_knowledge_base_or_a_new_day_forgets_every_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    pipeline = CountingPipeline()
    cache = _cache(pipeline)
    cache.ask("como renuevo mi dni", "es", None)
    pipeline.kb = object()  # what Pipeline.reload does
    cache.ask("como renuevo mi dni", "es", None)
    assert len(pipeline.asked) == 2
    now = replycache.wall_clock()
    monkeypatch.setattr(replycache, "wall_clock", lambda: now + 86_400)
    cache.ask("como renuevo mi dni", "es", None)
    assert len(pipeline.asked) == 3


@pytest.mark.parametrize(
    "answer",
    [
        Reply(Outcome.ANSWER, "es", "eventos en cusco", intent=EVENTS_INTENT),
        Reply(Outcome.ANSWER, "es", "la feria", entry=replace(entry("feria-mac"), kind="event")),
        Reply(Outcome.SUGGEST, "es", "feria o dni", candidates=(entry("dni"), replace(entry("feria"), kind="event"))),
    ],
)
def test_replies_about_events_are_never_kept(answer: Reply) -> None:
    # An event's status (upcoming, ongoing, past) moves with the clock, not with the day.
    pipeline = CountingPipeline(answer)
    cache = _cache(pipeline)
    cache.ask(answer.question, "es", None)
    cache.ask(answer.question, "es", None)
    assert len(pipeline.asked) == 2


def test_switched_off_every_question_is_matched() -> None:
    pipeline = CountingPipeline()
    cache = _cache(pipeline, enabled=False)
    cache.ask("como renuevo mi dni", "es", None)
    cache.ask("como renuevo mi dni", "es", None)
    assert len(pipeline.asked) == 2 and cache.describe() == "reply cache off"


def test_the_oldest_question_is_forgotten_beyond_the_limit() -> None:
    pipeline = CountingPipeline()
    cache = ReplyCache(pipeline, max_kept=2)  # type: ignore[arg-type]
    for question in ("uno", "dos", "tres", "tres", "uno"):
        cache.ask(question, "es", None)
    assert [q for q, _, _ in pipeline.asked] == ["uno", "dos", "tres", "uno"]


def test_reply_cache_setting_is_on_unless_switched_off() -> None:
    env: dict[str, Any] = {}
    assert load_settings(env, dotenv_path=None).reply_cache is True
    assert load_settings({"REPLY_CACHE": "OFF"}, dotenv_path=None).reply_cache is False
    with pytest.raises(ConfigError, match="REPLY_CACHE must be on or off, got 'no'"):
        load_settings({"REPLY_CACHE": "no"}, dotenv_path=None)
