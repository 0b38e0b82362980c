"""The pipeline's two region-aware steps: listing events on request, and the regional note of an answer.

Kept out of `pipeline.py` so the matching pipeline stays one screen: `Pipeline.ask` calls
`event_list_reply` before matching and `with_region` on whatever it decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.core.events import EventQuery, find_events, listing_text, parse_event_query
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry, Outcome, Reply
from bot.core.normalize import fold
from bot.core.regions import region_note

EVENTS_INTENT = "events"  # Reply.intent of an event listing (logged as small talk: no single entry answers it)
REGIONAL_SPREAD = 0.15  # a regional entry this close to the answer replaces it for a citizen whose region we know
# "Where" in a question: the regional variant is about where (sites, offices), not what or how.
WHERE = re.compile(
    r"\b(?:donde|adonde|ubicacion|ubicado|ubicada|direccion|sede|sedes|local|locales|queda|quedan|cerca|"
    r"cercano|cercana|where|address|nearest|near)\b"
)


class Ranked(Protocol):
    @property
    def entry(self) -> Entry: ...
    @property
    def score(self) -> float: ...


def event_list_reply(
    kb: KnowledgeBase, text: str, question: str, lang: str, region: str | None, now: datetime | None = None
) -> Reply | None:
    """A listing for "eventos en Cusco", "what events are coming up"…; None for any other message.

    Without a region in the text, the citizen's own region (if set) filters the list.
    """
    query = parse_event_query(text, kb)
    if query is None:
        return None
    if query.region is None and region in kb.regions.departments:
        query = EventQuery(region, query.modality, query.period)
    listing = find_events(kb, query, now)
    return Reply(
        Outcome.SMALLTALK,
        lang,
        question,
        intent=EVENTS_INTENT,
        text=listing_text(listing, query, kb, lang, now),
        region=query.region or "",
        events=listing.upcoming + listing.past,
    )


def with_region(
    kb: KnowledgeBase,
    reply: Reply,
    text: str,
    region: str | None,
    rank: Callable[[], Sequence[Ranked]],
    min_score: float,
) -> Reply:
    """Add the region the question names (else the citizen's) and, for an answer, what the entry says
    for it: its regional variant, that the region has none, or (if named) that the service is national.

    When the region is known and the question asks where (or names the region), an entry with
    regional variants that ranks close to the answered one (`rank()`, at least `min_score`) answers
    instead: "¿dónde hay un centro MAC?" from Arequipa wants the Arequipa site, not the national
    overview. Suggestions and the fallback are left as the pipeline decided.
    """
    if reply.intent == EVENTS_INTENT:
        return reply
    named = kb.regions.find(text)
    chosen = named or (region if region in kb.regions.departments else None)
    if chosen is None:
        return reply
    answered = reply.entry if reply.outcome is Outcome.ANSWER else None
    # An event is one occasion the question named: a regional service is never its variant.
    if answered is not None and not answered.regions and not answered.is_event and (named or WHERE.search(fold(text))):
        ranked = rank()
        top = max((c.score for c in ranked if c.entry.id == answered.id), default=0.0)
        regional = next((c for c in ranked if c.entry.regions and not c.entry.is_event), None)
        if regional is not None and regional.score >= max(min_score, top - REGIONAL_SPREAD):
            reply = replace(reply, entry=regional.entry)
    note = ""
    if reply.outcome is Outcome.ANSWER and reply.entry is not None and not reply.entry.is_event:
        scope = kb.regions.find(reply.entry.title.es)
        note = region_note(
            reply.entry, kb.regions.departments[chosen], reply.lang, named is not None,
            kb.regions.departments.get(scope) if scope else None,
        )
    return replace(reply, region=chosen, region_named=named is not None, region_note=note)
