"""Turns a text into the informative word stems the matcher compares.

Steps: fold, correct typos against the knowledge base's own vocabulary, apply staff synonyms,
drop stop words, stem. Typos are only corrected towards words the knowledge base knows, so an
unrelated word ("alarma") is kept as it is and counts against a match instead of being bent into one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.normalize import STOP_WORDS, sound_key, stem, words

MIN_CORRECTABLE_LENGTH = 4


def allowed_edits(word: str) -> int:
    """Edits tolerated for a typo: none for short words, where one edit changes the meaning."""
    if len(word) < 6:
        return 0
    return 1 if len(word) < 9 else 2


@dataclass(frozen=True)
class Analysis:
    folded: str  # the question folded (lowercase, no accents or punctuation)
    corrected: str  # after typo correction and synonyms, before stop words
    stems: tuple[str, ...]  # informative stems, in order, without repeats
    key: str  # informative words (corrected, unstemmed): "lisencia de pesca?" -> "licencia pesca"


class Analyzer:
    """Per-language analysis built once from the knowledge base's vocabulary and synonyms."""

    def __init__(self, lang: str, synonyms: Iterable[tuple[str, tuple[str, ...]]] = ()) -> None:
        self.lang = lang
        self.stop_words = STOP_WORDS.get(lang, STOP_WORDS["es"])
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for term, variants in synonyms:
            target = tuple(term.split())
            for variant in variants:
                self._phrases[tuple(variant.split())] = target
        self._longest_phrase = max((len(p) for p in self._phrases), default=1)
        self._vocabulary: set[str] = set(self.stop_words)
        for phrase, target in self._phrases.items():
            self._vocabulary.update(phrase)
            self._vocabulary.update(target)
        self._stems: set[str] = set()
        self._by_sound: dict[str, str] = {}
        self._by_length: dict[int, list[str]] = {}
        self._corrections: dict[str, str] = {}

    def learn(self, text: str) -> None:
        """Add a knowledge-base text's words to the vocabulary typos are corrected towards."""
        self._vocabulary.update(words(text))

    def freeze(self) -> None:
        """Precompute lookup tables once all texts are learned."""
        for word in sorted(self._vocabulary):
            self._by_sound.setdefault(sound_key(word), word)
            self._stems.add(stem(word, self.lang))
        self._by_length.clear()
        for word in sorted(self._vocabulary):
            if len(word) >= MIN_CORRECTABLE_LENGTH and not word.isdigit():
                self._by_length.setdefault(len(word), []).append(word)
        self._corrections.clear()

    def correct(self, word: str) -> str:
        """The vocabulary word a typo most likely meant, or the word itself."""
        if word in self._vocabulary or word.isdigit() or len(word) < MIN_CORRECTABLE_LENGTH:
            return word
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        result = word
        if stem(word, self.lang) not in self._stems:
            same_sound = self._by_sound.get(sound_key(word))
            if same_sound is not None:
                result = same_sound
            elif (limit := allowed_edits(word)) > 0:
                # Only words within `limit` of this length can be within `limit` edits.
                lengths = range(len(word) - limit, len(word) + limit + 1)
                choices = [w for n in lengths for w in self._by_length.get(n, ())]
                found = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
                if found is not None:
                    result = str(found[0])
        if len(self._corrections) < 20_000:
            self._corrections[word] = result
        return result

    def apply_synonyms(self, tokens: list[str]) -> list[str]:
        """Replace every synonym phrase (longest first) by its canonical term."""
        if not self._phrases:
            return tokens
        result: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest_phrase, len(tokens) - i), 0, -1):
                target = self._phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    result.extend(target)
                    i += size
                    break
            else:
                result.append(tokens[i])
                i += 1
        return result

    def analyze(self, text: str, *, correct: bool = True) -> Analysis:
        tokens = words(text)
        folded = " ".join(tokens)
        if correct:
            tokens = [self.correct(t) for t in tokens]
        tokens = self.apply_synonyms(tokens)
        stems: list[str] = []
        informative: list[str] = []
        for token in tokens:
            if token in self.stop_words:
                continue
            stemmed = stem(token, self.lang)
            if stemmed not in stems:
                stems.append(stemmed)
                informative.append(token)
        return Analysis(folded=folded, corrected=" ".join(tokens), stems=tuple(stems), key=" ".join(informative))
