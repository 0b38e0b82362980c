"""Scores knowledge-base entries against a question.

An entry's score mixes three signals, each 0..1, computed on analysed stems weighted by how rare a
stem is across entries (IDF):
- coverage: how much of the question's information the entry knows. Words the knowledge base has
  never seen count fully against it, which is what keeps "alarma para mañana" out of every entry.
- fit: how completely the question asks one of the entry's own phrasings (title, questions).
- phrase: share of the question's adjacent word pairs that also stand together in the entry.
Plain fuzzy ratios (WRatio, partial_ratio) are avoided on purpose: they give short, unrelated
questions scores of 85-100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import pairwise

from bot.core.analyzer import Analysis, Analyzer
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry

COVERAGE_WEIGHT = 0.55
FIT_WEIGHT = 0.30
PHRASE_WEIGHT = 0.15


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float
    coverage: float
    fit: float
    phrase: float
    specificity: float  # 1.0 when a matched word belongs to this entry alone, lower for words many entries share


@dataclass
class _EntryProfile:
    entry: Entry
    stems: set[str]
    phrasings: list[tuple[str, ...]]
    pairs: set[tuple[str, str]]
    shapes: list[tuple[frozenset[str], float]] = field(default_factory=list)  # (stems, total weight) per phrasing


def _pairs(stems: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(pairwise(stems))


class LanguageIndex:
    """Everything precomputed for one language, so a question costs well under a millisecond."""

    def __init__(self, kb: KnowledgeBase, lang: str) -> None:
        self.lang = lang
        self.analyzer = Analyzer(lang, ((s.term, s.variants) for s in kb.synonyms if s.lang == lang))
        texts: dict[str, list[str]] = {}
        keywords: dict[str, list[str]] = {}
        for entry in kb.entries.values():
            entry_texts, entry_keywords = self._texts(entry)
            if entry_texts:
                texts[entry.id], keywords[entry.id] = entry_texts, entry_keywords
                for text in (*entry_texts, *entry_keywords):
                    self.analyzer.learn(text)
        self.analyzer.freeze()
        self.profiles: dict[str, _EntryProfile] = {}
        for entry_id, entry_texts in texts.items():
            entry = kb.entries[entry_id]
            phrasings = [self.analyzer.analyze(t, correct=False).stems for t in entry_texts]
            profile = _EntryProfile(entry=entry, stems=set(), phrasings=[p for p in phrasings if p], pairs=set())
            for stems in profile.phrasings:
                profile.stems.update(stems)
                profile.pairs |= _pairs(stems)
            for keyword in keywords[entry_id]:  # keywords widen coverage but are not phrasings to fit
                stems = self.analyzer.analyze(keyword, correct=False).stems
                profile.stems.update(stems)
                profile.pairs |= _pairs(stems)
            self.profiles[entry_id] = profile
        count = max(len(self.profiles), 1)
        frequency: dict[str, int] = {}
        for profile in self.profiles.values():
            for s in profile.stems:
                frequency[s] = frequency.get(s, 0) + 1
        self.postings: dict[str, list[str]] = {}
        for entry_id, profile in self.profiles.items():
            for s in profile.stems:
                self.postings.setdefault(s, []).append(entry_id)
        self.weights = {s: math.log(1 + count / df) for s, df in frequency.items()}
        self.unknown_weight = math.log(1 + count)
        for profile in self.profiles.values():
            profile.shapes = [(frozenset(p), sum(self.weight(s) for s in set(p))) for p in profile.phrasings]
        pair_frequency: dict[tuple[str, str], int] = {}
        for profile in self.profiles.values():
            for pair in profile.pairs:
                pair_frequency[pair] = pair_frequency.get(pair, 0) + 1
        self.pair_weights = {p: math.log(1 + count / df) for p, df in pair_frequency.items()}

    def _texts(self, entry: Entry) -> tuple[list[str], list[str]]:
        """(phrasings, keywords) of an entry in this index's language."""
        if self.lang == "es":
            keywords = [*entry.keywords.es, entry.institution] if entry.institution else [*entry.keywords.es]
            return [entry.title.es, *entry.questions.es], keywords
        if not entry.questions.en and not entry.title.en:
            return [], []
        return [entry.title.en or "", *entry.questions.en], [*entry.keywords.en]

    def weight(self, stem: str) -> float:
        return self.weights.get(stem, self.unknown_weight)

    def analyze(self, question: str) -> Analysis:
        return self.analyzer.analyze(question)

    def rank(self, analysis: Analysis, limit: int = 5) -> list[Candidate]:
        stems = analysis.stems
        if not stems:
            return []
        weights = {s: self.weight(s) for s in stems}
        asked = weights.keys()
        total = sum(weights.values())
        pairs = _pairs(stems)
        candidates: set[str] = set()
        for s in stems:
            candidates.update(self.postings.get(s, ()))
        ranked: list[Candidate] = []
        for entry_id in candidates:
            profile = self.profiles[entry_id]
            coverage = sum(w for s, w in weights.items() if s in profile.stems) / total
            fit = max(sum(self.weights[s] for s in stems & asked) / total for stems, total in profile.shapes)
            phrase = len(pairs & profile.pairs) / len(pairs) if pairs else fit
            score = COVERAGE_WEIGHT * coverage + FIT_WEIGHT * fit + PHRASE_WEIGHT * phrase
            # Two common words can still name one thing together ("trabaja peru"): pairs count too.
            rarest = max(
                max((w for s, w in weights.items() if s in profile.stems), default=0.0),
                max((self.pair_weights[p] for p in pairs & profile.pairs), default=0.0),
            )
            specificity = rarest / self.unknown_weight
            ranked.append(Candidate(profile.entry, round(score, 4), coverage, fit, phrase, specificity))
        ranked.sort(key=lambda c: (-c.score, -c.fit, c.entry.id))
        return ranked[:limit]
