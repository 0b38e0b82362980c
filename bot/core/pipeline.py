"""The one question-answering pipeline behind every channel and the evaluation."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

from bot.core.config import MatchThresholds, PipelineSettings
from bot.core.knowledge import KnowledgeBase, load_knowledge, load_knowledge_or_raise
from bot.core.language import detect_language
from bot.core.matcher import Candidate, LanguageIndex
from bot.core.models import LANGS, Outcome, Reply
from bot.core.privacy import mask_personal_data
from bot.core.problems import Problem
from bot.core.regional import event_list_reply, with_region
from bot.core.smalltalk import SmallTalk

MAX_QUESTION_CHARS = 1000  # longer messages are matched on their beginning
SUGGEST_SPREAD = 0.15  # suggestions must score within this of the best one
MIN_SUGGESTIONS, MAX_SUGGESTIONS = 2, 3
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_MARKUP = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")  # HTML tags pasted or typed around a question
FULL_PHRASING_FIT = 0.9  # fit at which the question contains an entry phrasing (nearly) whole


class Pipeline:
    """Knowledge base + indexes + decision rules; cheap to query, rebuilt on reload."""

    def __init__(
        self, kb: KnowledgeBase, thresholds: MatchThresholds | None = None, max_age_days: int = 365
    ) -> None:
        self.thresholds = thresholds or MatchThresholds()
        self.max_age_days = max_age_days
        self._install(kb)

    def _install(self, kb: KnowledgeBase) -> None:
        indexes = {lang: LanguageIndex(kb, lang) for lang in LANGS}
        smalltalk = SmallTalk(kb)
        self.kb, self._indexes, self._smalltalk = kb, indexes, smalltalk

    @classmethod
    def from_settings(cls, settings: PipelineSettings) -> Pipeline:
        """Load and validate `settings.knowledge_dir`; raises KnowledgeBaseError when invalid."""
        kb = load_knowledge_or_raise(settings.knowledge_dir, max_age_days=settings.reviewed_max_age_days)
        return cls(kb, settings.thresholds, settings.reviewed_max_age_days)


    def reload(self, directory: Path | None = None) -> list[Problem]:
        """Re-read the knowledge base; on any error keep serving the current one and return the problems."""
        kb, problems = load_knowledge(directory or self.kb.directory, max_age_days=self.max_age_days)
        if kb is None:  # load_knowledge returns no base exactly when there are errors
            return [p for p in problems if p.is_error]
        self._install(kb)
        return []

    def ask(self, question: str, lang: str = "es", region: str | None = None) -> Reply:
        """Answer one question; `region` is the citizen's department id, if they chose one."""
        started = time.perf_counter()
        lang = lang if lang in LANGS else "es"
        text = _prepare(question)
        lang = detect_language(text) or lang
        intent = self._smalltalk.intent(text)
        listing = None if intent is not None else event_list_reply(self.kb, text, question, lang, region)
        if intent is not None:
            reply = Reply(Outcome.SMALLTALK, lang, question, intent=intent, text=self.kb.message(intent, lang))
        elif listing is not None:
            reply = listing
        else:
            reply = self._match(text, lang, question)
            if reply.outcome is Outcome.NONE:
                other = "en" if lang == "es" else "es"
                alternative = self._match(text, other, question)
                if alternative.outcome is not Outcome.NONE:
                    # Matching English phrasings means an English question; a Spanish match for an
                    # English user keeps English labels (entry texts fall back to Spanish by themselves).
                    lang = "en" if other == "en" else lang
                    reply = replace(alternative, lang=lang, normalized=reply.normalized)
        stripped = self.kb.regions.strip(text) if reply.outcome in (Outcome.NONE, Outcome.SUGGEST) else text
        if stripped != text and (alternative := self._match(stripped, lang, question)).outcome is Outcome.ANSWER:
            reply = alternative  # "soy de puno, ...": where the citizen lives is not what they ask
        if reply.outcome is Outcome.NONE:
            reply = replace(reply, text=self.kb.message("fallback", lang))
        elif reply.outcome is Outcome.SUGGEST:
            reply = replace(reply, text=self.kb.message("suggest_intro", lang))
        rank = lambda: self.explain(text, reply.lang)  # noqa: E731  (ranked only when a region is known)
        reply = with_region(self.kb, reply, text, region, rank, self.thresholds.suggest)
        return replace(reply, latency_ms=(time.perf_counter() - started) * 1000)

    def _match(self, text: str, lang: str, question: str) -> Reply:
        index = self._indexes[lang]
        analysis = index.analyze(text)
        ranked = index.rank(analysis)
        outcome, chosen = self._decide(ranked)
        top = ranked[0].score if ranked else 0.0
        return Reply(
            outcome,
            lang,
            question,
            normalized=analysis.key or analysis.folded,
            entry=chosen[0].entry if outcome is Outcome.ANSWER else None,
            candidates=tuple(c.entry for c in chosen) if outcome is Outcome.SUGGEST else (),
            score=top,
        )

    def _decide(self, ranked: list[Candidate]) -> tuple[Outcome, list[Candidate]]:
        limits = self.thresholds
        if not ranked or ranked[0].score < limits.suggest:
            return Outcome.NONE, []
        top = ranked[0]
        runner_up = ranked[1].score if len(ranked) > 1 else 0.0
        # A question holding one of the entry's phrasings whole ("horario del centro mac") may carry
        # more words the knowledge base does not know than one that only touches it.
        needed_coverage = limits.min_coverage if top.fit < FULL_PHRASING_FIT else limits.min_coverage_full_phrasing
        confident = (
            top.score >= limits.answer
            and top.coverage >= needed_coverage
            and top.fit >= limits.min_fit
            and top.specificity >= limits.min_specificity
        )
        if confident and top.score - runner_up >= limits.margin:
            return Outcome.ANSWER, [top]
        close = [c for c in ranked if c.score >= limits.suggest and c.score >= top.score - SUGGEST_SPREAD]
        if len(close) < MIN_SUGGESTIONS:  # a choice needs options: add the next best, if any is plausible
            close += [c for c in ranked[len(close) :] if c.score >= limits.suggest / 2][: MIN_SUGGESTIONS - len(close)]
        return Outcome.SUGGEST, close[:MAX_SUGGESTIONS]

    def explain(self, question: str, lang: str = "es") -> list[Candidate]:
        """The ranked candidates behind an answer, for staff debugging matches (`ask --explain`)."""
        index = self._indexes[lang if lang in LANGS else "es"]
        return index.rank(index.analyze(_prepare(question)))


def _prepare(question: str) -> str:
    """What matching sees: the beginning of the message, without markup or personal data.

    A DNI or phone number in the question is no clue to the answer (and must not reach logs).
    """
    text = question.strip()[:MAX_QUESTION_CHARS]
    return _PLACEHOLDER.sub(" ", mask_personal_data(_MARKUP.sub(" ", text)))
