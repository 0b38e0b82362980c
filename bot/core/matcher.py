"""Scores knowledge-base entries against a question.

An entry's score mixes three signals, each 0..1, computed on analysed stems weighted by how rare a
stem is across entries (IDF):
- coverage: how much of the question's information the entry knows. Title, questions, situations
  and keywords count fully; the answer, steps, requirements and cost count as a weaker field, so a
  requirement's name or "por internet" still finds its entry. A word the knowledge base has never
  seen counts against every entry by how informative it is in general language: "Netflix" fully,
  "mi hermana" or "escuché" hardly at all.
- fit: how completely the question asks one of the entry's own phrasings (title, questions, situations).
- phrase: share of the question's adjacent word pairs that also stand together in the entry.
Plain fuzzy ratios (WRatio, partial_ratio) are avoided on purpose: they give short, unrelated
questions scores of 85-100.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeVar

from bot.core.analyzer import Analysis, Analyzer
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Entry

COVERAGE_WEIGHT = 0.55
FIT_WEIGHT = 0.30
PHRASE_WEIGHT = 0.15
BODY_SHARE = 0.5  # a word found only in an entry's answer, steps or requirements counts this much
SITUATION_FIT = 0.9  # a situation staff wrote is a looser phrasing than a question
# Entries reached only through a body word, when few entries share it: keeps candidate generation
# proportional to what is specific, however many entries the base holds.
MAX_BODY_POSTINGS = 50
MAIN_INFORMATION_FLOOR = 0.3


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
    stems: set[str] = field(default_factory=set)  # title, questions, situations, keywords
    body: set[str] = field(default_factory=set)  # answer, steps, requirements, cost; not in `stems`
    phrasings: list[tuple[tuple[str, ...], float]] = field(default_factory=list)  # (stems, field weight)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    shapes: list[tuple[frozenset[str], float, float]] = field(default_factory=list)  # (stems, weight, field)


@dataclass(frozen=True)
class _Texts:
    """An entry's texts in one language, by field."""

    phrasings: list[str]
    situations: list[str]
    keywords: list[str]
    body: list[str]

    def all(self) -> list[str]:
        return [*self.phrasings, *self.situations, *self.keywords, *self.body]


def _pairs(stems: tuple[str, ...]) -> set[tuple[str, str]]:
    return set(pairwise(stems))


_Key = TypeVar("_Key", bound=Hashable)


def _idf(frequency: dict[_Key, int], count: int) -> dict[_Key, float]:
    return {s: math.log(1 + count / df) for s, df in frequency.items()}


def _document_frequency(sets: Iterable[Iterable[_Key]]) -> dict[_Key, int]:
    frequency: dict[_Key, int] = {}
    for items in sets:
        for item in items:
            frequency[item] = frequency.get(item, 0) + 1
    return frequency


class LanguageIndex:
    """Everything precomputed for one language, so a question costs well under a millisecond."""

    def __init__(self, kb: KnowledgeBase, lang: str) -> None:
        self.lang = lang
        self.analyzer = Analyzer(lang, ((s.term, s.variants) for s in kb.synonyms if s.lang == lang))
        texts = {e.id: t for e in kb.entries.values() if (t := self._texts(e)).phrasings}
        for entry_texts in texts.values():
            for text in entry_texts.all():
                self.analyzer.learn(text)
        self.analyzer.freeze()
        self.profiles = {entry_id: self._profile(kb.entries[entry_id], t) for entry_id, t in texts.items()}
        self._build_weights()

    def _profile(self, entry: Entry, texts: _Texts) -> _EntryProfile:
        """The stems, phrasings and word pairs one entry is matched on."""
        profile = _EntryProfile(entry=entry)

        def stems_of(text: str) -> tuple[str, ...]:
            return self.analyzer.analyze(text, correct=False).stems

        for texts_of_field, weight in ((texts.phrasings, 1.0), (texts.situations, SITUATION_FIT)):
            profile.phrasings += [(s, weight) for t in texts_of_field if (s := stems_of(t))]
        for stems, _ in profile.phrasings:
            profile.stems.update(stems)
            profile.pairs |= _pairs(stems)
        for keyword in texts.keywords:  # keywords widen coverage but are not phrasings to fit
            stems = stems_of(keyword)
            profile.stems.update(stems)
            profile.pairs |= _pairs(stems)
        for text in texts.body:
            profile.body.update(stems_of(text))
        profile.body -= profile.stems
        return profile

    def _build_weights(self) -> None:
        """IDF weights of stems and word pairs, postings, and each phrasing's total weight."""
        count = max(len(self.profiles), 1)
        self.weights = _idf(_document_frequency(p.stems for p in self.profiles.values()), count)
        body_frequency = _document_frequency(p.body for p in self.profiles.values())
        self.body_weights = {s: w for s, w in _idf(body_frequency, count).items() if s not in self.weights}
        self.unknown_weight = math.log(1 + count)
        self.postings: dict[str, list[str]] = {}
        self.body_postings: dict[str, list[str]] = {}
        for entry_id, profile in self.profiles.items():
            for s in profile.stems:
                self.postings.setdefault(s, []).append(entry_id)
            for s in profile.body:
                self.body_postings.setdefault(s, []).append(entry_id)
        for profile in self.profiles.values():
            profile.shapes = [
                (frozenset(p), sum(self.weight(s) for s in set(p)), weight) for p, weight in profile.phrasings
            ]
        self.pair_weights = _idf(_document_frequency(p.pairs for p in self.profiles.values()), count)

    def _texts(self, entry: Entry) -> _Texts:
        """An entry's texts in this index's language (no phrasings: not matched in it)."""
        lang = self.lang
        if lang == "en" and not entry.questions.en and not entry.title.en:
            return _Texts([], [], [], [])
        title = entry.title.es if lang == "es" else entry.title.en or ""
        questions = entry.questions.es if lang == "es" else entry.questions.en
        situations = entry.situations.es if lang == "es" else entry.situations.en
        keywords = [*entry.keywords.get(lang)] if lang == "en" else [*entry.keywords.es]
        if lang == "es" and entry.institution:
            keywords.append(entry.institution)
        body = [entry.summary.get(lang), *entry.steps.get(lang), *entry.requirements.get(lang)]
        if entry.cost is not None:
            body.append(entry.cost.get(lang))
        body += [c.label.get(lang) for c in entry.channels if c.label is not None]
        return _Texts([title, *questions], [*situations], keywords, body)

    def weight(self, stem: str, information: float = 1.0) -> float:
        """A stem's weight in a question, its word's general `information` (0..1) tempering it.

        Rarity across entries (IDF) says how well a word tells entries apart; general information
        says whether the asker meant it as the point of the question. A word only answers and steps
        use, or one the base never uses, weighs by information alone; a main-field word keeps at
        least a third of its IDF, since staff chose it for that entry.
        """
        main = self.weights.get(stem)
        if main is not None:
            return main * (MAIN_INFORMATION_FLOOR + (1 - MAIN_INFORMATION_FLOOR) * information)
        body = self.body_weights.get(stem)
        return (body if body is not None else self.unknown_weight) * information

    def word_weights(self, analysis: Analysis) -> dict[str, float]:
        """Each asked stem's weight in this question."""
        return {s: self.weight(s, analysis.info(i)) for i, s in enumerate(analysis.stems)}

    def field_of(self, entry_id: str, stem: str) -> str:
        """Where an entry knows a stem: "main" (title, questions, keywords), "body" or "" (nowhere)."""
        profile = self.profiles[entry_id]
        return "main" if stem in profile.stems else "body" if stem in profile.body else ""

    def analyze(self, question: str) -> Analysis:
        return self.analyzer.analyze(question)

    def rank(self, analysis: Analysis, limit: int = 5) -> list[Candidate]:
        stems = analysis.stems
        if not stems:
            return []
        weights = self.word_weights(analysis)
        asked = weights.keys()
        total = sum(weights.values()) or 1.0
        pairs = _pairs(stems)
        candidates: set[str] = set()
        for s in stems:
            candidates.update(self.postings.get(s, ()))
            body = self.body_postings.get(s, ())
            if len(body) <= MAX_BODY_POSTINGS:
                candidates.update(body)
        ranked: list[Candidate] = []
        for entry_id in candidates:
            profile = self.profiles[entry_id]
            main = sum(w for s, w in weights.items() if s in profile.stems)
            body_known = sum(w for s, w in weights.items() if s in profile.body)
            coverage = (main + BODY_SHARE * body_known) / total
            fit = max(
                (sum(self.weight(s) for s in shape & asked) / shape_total * share if shape_total else 0.0)
                for shape, shape_total, share in profile.shapes
            )
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
