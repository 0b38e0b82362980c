"""Recognises greetings, thanks, goodbyes and "what can you do?" so they are never matched to a service.

Phrases are compared by sound ("grasias" = "gracias") and may be surrounded by filler words
("hola buenas tardes señorita"), but a message with anything more is a question, not small talk.
"""

from __future__ import annotations

import re

from bot.core.knowledge import INTENTS, KnowledgeBase
from bot.core.normalize import STOP_WORDS, sound_key, stem, words

PRIORITY = ("help", "thanks", "goodbye", "greeting")  # when one message holds several
# Words that only address the bot ("k hace este bot"): they do not turn small talk into a question.
ADDRESS = frozenset({"bot", "asistente", "robot", "chatbot", "assistant"})


def _key(word: str) -> str:
    """A word's sound-alike key ("grasias" = "gracias"); a word of one or two letters is its own key, as its
    sound would merge words that are not alike (without its h, the greeting "hi" sounds like the pronoun "I")."""
    return word if len(word) <= 2 else sound_key(stem(word))


def _sounds(text: str) -> str:
    """Sound-alike keys of the words' stems: "grasias" = "gracias", "que hace" = "que haces"."""
    return " ".join(_key(word) for word in words(text) if word not in ADDRESS)


class SmallTalk:
    def __init__(self, kb: KnowledgeBase) -> None:
        self._exact: dict[str, str] = {}
        patterns: list[tuple[str, re.Pattern[str]]] = []
        phrase_keys: set[str] = set()
        for name in INTENTS:
            intent = kb.intents.get(name)
            if intent is None:
                continue
            phrases = sorted({_sounds(p) for p in (*intent.phrases.es, *intent.phrases.en)} - {""}, key=len)
            for phrase in phrases:
                self._exact.setdefault(phrase, name)
                phrase_keys.update(phrase.split())
            if phrases:
                alternatives = "|".join(re.escape(p) for p in reversed(phrases))
                patterns.append((name, re.compile(rf"\b(?:{alternatives})\b")))
        self._patterns = patterns
        # Words addressing the bot are left out by their spelling: by sound, "vote" would be "bot".
        self._filler = {_key(w) for w in (*STOP_WORDS["es"], *STOP_WORDS["en"])}
        # A word whose key is in no phrase and no filler makes the message a question: reading stops
        # there, so a long message costs a few words, not all of them.
        self._known = self._filler | phrase_keys | {""}

    def intent(self, question: str) -> str | None:
        """The small-talk intent when the message is nothing but small talk (and filler words)."""
        keys = []
        for word in words(question):
            if word in ADDRESS:
                continue
            key = _key(word)
            if key not in self._known:
                return None
            keys.append(key)
        sounds = " ".join(keys)  # = _sounds(question)
        if not sounds:
            return None
        exact = self._exact.get(sounds)
        if exact is not None:
            return exact
        found: set[str] = set()
        rest = sounds
        for name, pattern in self._patterns:
            rest, hits = pattern.subn(" ", rest)
            if hits:
                found.add(name)
        if not found or any(word not in self._filler for word in rest.split()):
            return None
        return next(name for name in PRIORITY if name in found)
