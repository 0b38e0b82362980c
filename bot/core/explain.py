"""Why the pipeline decided what it did, for staff tuning matches (`ask --explain`).

Shows each word's weight (and whether the knowledge base knows it), the aspect asked, and for each
candidate its scores, where it knows each word, whether it says what is asked and the first gate
that held it back from being the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core import aspects
from bot.core.analyzer import Analysis
from bot.core.matcher import Candidate, LanguageIndex
from bot.core.models import Entry


@dataclass(frozen=True)
class Word:
    word: str
    stem: str
    weight: float
    known: bool  # the knowledge base uses this stem somewhere


@dataclass(frozen=True)
class CandidateView:
    candidate: Candidate
    held_back: str | None  # the first failed gate; None: it is the answer
    fields: dict[str, str]  # stem -> "main" / "body" / "" for this entry
    uncovered: tuple[str, ...]  # aspects asked that this entry does not say


@dataclass(frozen=True)
class Explanation:
    lang: str
    words: tuple[Word, ...]
    asked: tuple[str, ...]
    candidates: tuple[CandidateView, ...]


Gate = Callable[[Candidate, list[Candidate]], "str | None"]


def explain(
    index: LanguageIndex,
    analysis: Analysis,
    text: str,
    gate: Gate,
    uncovered: Callable[[Entry, str], list[str]],
    arrange: Callable[[list[Candidate]], list[Candidate]] = list,
) -> Explanation:
    """Explain ranking `text` (read as `analysis`) on `index`; `gate(candidate, the candidates after it)` names the
    failed gate, `uncovered(entry, text)` what the entry does not say (Pipeline.held_back, Pipeline._uncovered)
    and `arrange` orders the ranking as the decision does."""
    weights = index.word_weights(analysis)
    ranked = arrange(index.rank(analysis))
    words = tuple(
        Word(w, s, weights[s], s in index.weights or s in index.body_weights)
        for w, s in zip(analysis.words, analysis.stems, strict=True)
    )
    views: list[CandidateView] = []
    for position, candidate in enumerate(ranked):
        held = gate(candidate, ranked[position + 1 :])
        if position > 0:
            held = held or "not first"
        missing = tuple(uncovered(candidate.entry, text))
        if held is None and missing:
            held = "aspect not covered"
        fields = {s: index.field_of(candidate.entry.id, s) for s in analysis.stems}
        views.append(CandidateView(candidate, held, fields, missing))
    asked = [*([aspects.EXISTENCE] if aspects.thing_asked(text) else []), *aspects.asked(text)]  # as `_uncovered`
    return Explanation(index.lang, words, tuple(asked), tuple(views))


def format_explanation(explanation: Explanation) -> str:
    """Plain-text report for the terminal."""
    lines = [f"-- words ({explanation.lang}; weight, * = unknown to the knowledge base) --"]
    lines.append("  " + "  ".join(f"{w.word}{'' if w.known else '*'}={w.weight:.2f}" for w in explanation.words))
    lines.append(f"-- aspect asked: {', '.join(explanation.asked) or 'none recognised'} --")
    lines.append("-- candidates: score = coverage/fit/phrase, specificity; held back by --")
    for view in explanation.candidates:
        c = view.candidate
        parts = f"{c.coverage:.2f}/{c.fit:.2f}/{c.phrase:.2f}, {c.specificity:.2f}"
        covers = "covers the aspect" if explanation.asked and not view.uncovered else ""
        if view.uncovered:
            covers = f"does not say: {', '.join(view.uncovered)}"
        lines.append(f"{c.score:.3f}  {c.entry.id:28} {parts}  held back: {view.held_back or '-'}  {covers}".rstrip())
        found = [f"{stem}:{where}" for stem, where in view.fields.items() if where]
        lines.append(f"       knows: {' '.join(found) or '-'}")
    return "\n".join(lines)
