"""The two obvious ways to build this bot, measured on the same data as the pipeline.

- `WRatioScan`: rapidfuzz `process.extractOne` with WRatio over every phrasing (title, questions,
  keywords) of every entry, answering the best one above a cutoff.
- `BM25`: bm25s over one document per entry (all its phrasings and keywords), Spanish stop words and
  Snowball stems, answering the best entry above a cutoff.

Both see the question folded like the pipeline does (no accents, lowercase), and both answer or
abstain (no "did you mean"). Their cutoffs are chosen by `best_cutoff` on the evaluation sets
themselves, which favours the baselines: the pipeline's thresholds are fixed in configuration.
"""

from __future__ import annotations

from collections.abc import Sequence

import snowballstemmer
from rapidfuzz import fuzz, process, utils

from bot.core.evaluation import Case, judge
from bot.core.knowledge import KnowledgeBase
from bot.core.models import Outcome, Reply
from bot.core.normalize import fold

from .common import utility


def entry_texts(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Every phrasing and keyword of every entry, both languages."""
    found: dict[str, list[str]] = {}
    for entry in kb.entries.values():
        texts = [entry.title.es, *entry.questions.es, *entry.keywords.es]
        if entry.title.en:
            texts.append(entry.title.en)
        texts += [*entry.questions.en, *entry.keywords.en]
        found[entry.id] = [fold(t) for t in texts if t]
    return found


class WRatioScan:
    name = "rapidfuzz WRatio scan"

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.choices: list[str] = []
        self.owners: list[str] = []
        for entry_id, texts in entry_texts(kb).items():
            for text in texts:
                self.choices.append(utils.default_process(text))
                self.owners.append(entry_id)

    def best(self, question: str) -> tuple[str | None, float]:
        found = process.extractOne(utils.default_process(fold(question)), self.choices, scorer=fuzz.WRatio,
                                   processor=None)
        if found is None:
            return None, 0.0
        return self.owners[found[2]], float(found[1])


class BM25:
    name = "bm25s"

    def __init__(self, kb: KnowledgeBase) -> None:
        import bm25s  # type: ignore[import-untyped]

        self.kb = kb
        self._bm25s = bm25s
        self.stemmer = snowballstemmer.stemmer("spanish")
        texts = entry_texts(kb)
        self.ids = list(texts)
        corpus = [" ".join(texts[i]) for i in self.ids]
        tokens = bm25s.tokenize(corpus, stopwords="es", stemmer=self.stemmer, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)

    def best(self, question: str) -> tuple[str | None, float]:
        query = self._bm25s.tokenize(fold(question), stopwords="es", stemmer=self.stemmer, return_ids=False,
                                     show_progress=False)
        known = [[t for t in query[0] if t in self.retriever.vocab_dict]]
        if not known[0]:
            return None, 0.0
        documents, scores = self.retriever.retrieve(known, k=1, show_progress=False, n_threads=1)
        score = float(scores[0][0])
        return (self.ids[int(documents[0][0])], score) if score > 0 else (None, 0.0)


def reply(kb: KnowledgeBase, case: Case, best: tuple[str | None, float], cutoff: float) -> Reply:
    """What the baseline would have said with this cutoff, as a pipeline Reply (judged the same way)."""
    entry_id, score = best
    if entry_id is None or score < cutoff:
        return Reply(Outcome.NONE, case.lang, case.question, score=score)
    return Reply(Outcome.ANSWER, case.lang, case.question, entry=kb.entries[entry_id], score=score)


def counts(kb: KnowledgeBase, cases: Sequence[Case], bests: Sequence[tuple[str | None, float]],
           cutoff: float) -> dict[str, int]:
    found: dict[str, int] = {}
    for case, best in zip(cases, bests, strict=True):
        kind = judge(case, reply(kb, case, best, cutoff))
        found[kind] = found.get(kind, 0) + 1
    return found


def best_cutoff(kb: KnowledgeBase, sets: dict[str, list[Case]], bests: dict[str, list[tuple[str | None, float]]],
                candidates: Sequence[float]) -> float:
    """The cutoff with the best mean utility over the sets (an oracle choice, generous to the baseline)."""

    def mean_utility(cutoff: float) -> float:
        values = [float(utility(counts(kb, sets[n], bests[n], cutoff))["utility"] or 0.0) for n in sets]
        return sum(values) / len(values)

    return max(candidates, key=mean_utility)


