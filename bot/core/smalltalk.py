"""Recognises greetings, thanks, goodbyes and "what can you do?" so they are never matched to a service."""

from __future__ import annotations

import re

from bot.core.knowledge import INTENTS, KnowledgeBase
from bot.core.normalize import STOP_WORDS, fold

PRIORITY = ("help", "thanks", "goodbye", "greeting")  # when one message holds several


class SmallTalk:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._exact: dict[str, str] = {}
        patterns: list[tuple[str, re.Pattern[str]]] = []
        for name in INTENTS:
            intent = kb.intents.get(name)
            if intent is None:
                continue
            phrases = sorted({fold(p) for p in (*intent.phrases.es, *intent.phrases.en) if fold(p)}, key=len)
            for phrase in phrases:
                self._exact.setdefault(phrase, name)
            if phrases:
                alternatives = "|".join(re.escape(p) for p in reversed(phrases))
                patterns.append((name, re.compile(rf"\b(?:{alternatives})\b")))
        self._patterns = patterns
        self._filler = STOP_WORDS["es"] | STOP_WORDS["en"]

    def intent(self, question: str) -> str | None:
        """The small-talk intent when the message is nothing but small talk (and filler words)."""
        folded = fold(question)
        if not folded:
            return None
        exact = self._exact.get(folded)
        if exact is not None:
            return exact
        found: set[str] = set()
        rest = folded
        for name, pattern in self._patterns:
            rest, hits = pattern.subn(" ", rest)
            if hits:
                found.add(name)
        if not found or any(word not in self._filler for word in rest.split()):
            return None
        return next(name for name in PRIORITY if name in found)
