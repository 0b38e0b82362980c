"""The one question-answering pipeline behind every channel and the evaluation."""

from __future__ import annotations

import gc
import re
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from bot.core import aspects
from bot.core.analyzer import Analysis, acronym_stem, person_names, written_acronyms
from bot.core.asking import MIN_STORY_WORDS, asking_part, asking_pieces
from bot.core.config import MatchThresholds, PipelineSettings
from bot.core.explain import Explanation, explain
from bot.core.glossary import Glossary
from bot.core.indexcache import IndexCache
from bot.core.knowledge import KnowledgeBase, load_knowledge, load_knowledge_or_raise
from bot.core.language import detect_language
from bot.core.lexicon import information, is_valid_word
from bot.core.matcher import Candidate, LanguageIndex
from bot.core.models import LANGS, Entry, Outcome, Reply
from bot.core.normalize import fold, stem, words
from bot.core.privacy import mask_personal_data
from bot.core.problems import Problem
from bot.core.regional import event_list_reply, with_region
from bot.core.smalltalk import SmallTalk

ANOTHER_THING = "names another thing"  # of a service's own noun: nothing is answered or offered
# Aspects that put a question outside every citizen service unless an entry states them: nothing is
# offered then ("el DNI de mi perro" is no person's DNI, not even as the closest help).
OUTSIDE_EVERY_SERVICE = frozenset({"animal"})
SIBLING_TOO = "names a sibling service too"  # and an entry joining both: that one is offered first
ANOTHER_THING_BESIDE = "names another thing beside it"  # of an everyday noun: offered, never answered
MAX_QUESTION_CHARS = 1000  # longer messages are matched on their beginning
SUGGEST_SPREAD = 0.15  # suggestions must score within this of the best one
MIN_SUGGESTIONS, MAX_SUGGESTIONS = 2, 3
_PLACEHOLDER = re.compile(r"\[[A-Z]+\]")
_MARKUP = re.compile(r"</?[a-zA-Z][^<>]{0,40}>")  # HTML tags pasted or typed around a question
FULL_PHRASING_FIT = 0.9  # fit at which the question contains an entry phrasing (nearly) whole
# A long message that holds most of an entry's phrasing and many of its words ("mi tía ... quiere saber
# dónde le toca votar y si salió sorteada para la mesa") is about that entry however much context it
# carries: with this much matched weight (in rare-word units) a lower coverage and a slightly lower
# score suffice.
STRONG_EVIDENCE = 2.5
STRONG_EVIDENCE_FIT = 0.8  # most of one phrasing asked
STRONG_EVIDENCE_COVERAGE = 0.3
STRONG_EVIDENCE_SCORE_RELIEF = 0.05
# A question holding most of one of an entry's phrasings, far ahead of every other entry ("me quitan lo
# de juntos es cierto", "donde pongo mi queja formal"), is about that entry even when its other words,
# the asker's story, leave coverage low: it is answered with this much less coverage and score than
# the configured minimums (0.67 -> 0.45, 0.55 -> 0.50 by default)... Half of a phrasing and a lead of
# 0.17 suffice (was 0.6 and 0.2: on three outside dev sets and the shipped ones, 6 more right answers of
# 1,163 in scope and no more wrong or false ones; lower still, wrong answers appear).
CLEAR_LEAD = 0.17
CLEAR_LEAD_FIT = 0.5
CLEAR_LEAD_COVERAGE_RELIEF = 0.22
CLEAR_LEAD_SCORE_RELIEF = 0.05
# A situation told in many of one entry's words and nothing else ("cómo me protejo de que falsifiquen la
# venta de mi carro"), far ahead of every other entry, is about that entry even when it follows none of
# its phrasings closely: nearly all of the question known, this much matched weight and this lead.
WIDE_LEAD = 0.3
WIDE_LEAD_COVERAGE = 0.75
WIDE_LEAD_FIT = 0.25
# A situation told in its own words ("una tienda sigue mandándome publicidad con mis datos") shares solid,
# exclusive evidence with one entry and follows none of its phrasings closely: this much matched weight,
# a word that belongs to this entry alone, this lead and coverage, and a score this much under the minimum
# (0.55 -> 0.47 by default). Coverage 0.6 (was 0.4): on the dev sets the lane's right answers all had
# 0.65 or more, and its one wrong answer 0.52 (a toothache told by someone with no insurance at all, read
# as an EsSalud appointment).
TOLD_EVIDENCE = 2.0
TOLD_LEAD = 0.17
TOLD_COVERAGE = 0.6
TOLD_SCORE_RELIEF = 0.08
TOLD_SPECIFICITY = 1.0
# A long message (this many informative stems: a story, then the question) is known only in part to any
# entry, however right: coverage cannot reach the usual minimum. Its evidence is the lead: the best entry
# this far ahead of every other, with this score and most of one of its phrasings asked, is what it asks.
LONG_MESSAGE_STEMS = 10
# The lead is the usual margin (was 0.12): on 2,026 dev cases (dev-real-styles and four outside sets among
# them) 16 more right answers, all long context messages, and no wrong or false one from 0.12 down to 0.03.
LONG_LEAD = 0.05
LONG_SCORE = 0.42
LONG_FIT = 0.5
# ...with at least this much matched weight (in rare-word units): one short phrasing met by a look-alike
# word ("¿hay algo que *junte* todo?" -> the programme Juntos) is too little for a long message. 1.0 (was
# 1.5): on the dev sets 6 more right answers of 1,163 and no wrong or false one; the same from 0.5 to 1.0.
LONG_EVIDENCE = 1.0
# ...and covering at least this share of what the message says: one short phrasing met whole ("dni vencido"
# from "el suyo vence recién en el 2029") while three quarters of the message is about something else
# (its DNI "hecho papilla") is no answer. 0.3: on sets 40-44 (525 in scope) two wrong answers fewer and no
# right one lost, every dev set the same; 0.35 lost 2 right answers, 0.4 lost 7.
LONG_COVERAGE = 0.3
# ...unless the question names something the knowledge base does not know with a capital ("Bumeran",
# "Netflix"): then the phrasing it holds may be about that other product.
MIN_ACRONYM_LETTERS = 3  # "ICPNA", "BCP"; two capitals are as often an initial or a typo
_CAPITALISED = re.compile(r"(?<=[a-záéíóúñ,;:] )[A-ZÁÉÍÓÚÑ][a-záéíóúñ]{2,}\b")
# A short number or a lone letter names no service even when an entry's words fold into one ("A1" ->
# "a 1"): a question matched on nothing else ("1", "el 2") is never answered nor offered choices.
_TRIVIAL = re.compile(r"\d{1,3}|[a-z]")
# "la licencia de mi antivirus", "la partida de ajedrez": a knowledge-base word completed by "de" and a
# lowercase word the base does not know names another thing of that kind, not the service. A
# capitalised one is left alone: after "de" it is mostly a place ("emprendedora de Gamarra").
_NAME = re.compile(r"\b[A-ZÁÉÍÓÚÑ]\w+")
UMBRELLA_INFORMATION = 0.75  # the least information of a word naming one of two siblings
UMBRELLA_RANKS = 5  # how far down the ranking an entry joining two named siblings is looked for
SIBLING_HEAD_INFORMATION = 0.4  # the least information of a sibling institution's head word ("policía") named
_COMPLEMENT = frozenset({"de", "del"})
# "acabo de separarme", "dejé de pagar": "de" before a verb completes the verb, it names no other thing.
_INFINITIVE = re.compile(r"^\w{2,}(?:ar|er|ir)(?:me|te|se|lo|la|le|nos|los|las|les)*$")
# "mamá de mellizos", "el papá de mi nieta": whose relative, not another thing of the kind.
_PERSONS = frozenset(
    """mama mamas madre madres papa papas padre padres hijo hijos hija hijas abuelo abuelos abuela abuelas nieto
    nietos nieta nietas esposo esposa esposos tio tia tios tias primo prima primos hermano hermana hermanos
    hermanas sobrino sobrina suegro suegra cunado cunada vecino vecina vecinos amigo amiga amigos jefe jefa
    duena dueno senora senor pareja novio novia""".split()
)
_DETERMINERS = frozenset({"mi", "mis", "tu", "tus", "su", "sus", "la", "el", "los", "las", "un", "una", "este", "esta"})
# Object pronouns right after a noun phrase make it the one who acts on the asker ("una tienda de celulares
# *me* llama", "la empresa de seguridad *nos* pide"): a story's actor, not the thing asked about.
# An entry whose institution is every public entity, and an acronym after an indefinite article ("para una
# ONG", "en un GORE"): a kind of organisation, not the one institution whose thing is asked about.
_ANY_ENTITY = re.compile(r"\b(?:cada|cualquier|todas las|toda) entidad", re.IGNORECASE)
_KIND_OF = re.compile(r"\b(?:un|una|unos|unas|algun|alguna) ([A-Z]{2,})\b")
_ACTS_ON_ASKER = frozenset({"me", "nos", "te", "le", "les"})
_ASKERS_OWN = frozenset({"mi", "mis", "nuestro", "nuestra", "nuestros", "nuestras"})
# "hacer trabajos de carpintería", "una chamba de delivery": the kind of work the asker does, never a thing asked.
_WORK = frozenset({"trabajo", "trabajos", "chamba", "chambas", "chambita", "oficio", "labores"})
# Words asking a generic aspect ("¿cuánto me van a *cobrar*?", "¿qué *requisitos* piden?") keep this share
# of their information: whether the entry says that point is judged by aspects (cost, requirements...),
# so an entry that does not use the asker's word for it is not held back for that.
ASPECT_WORD_SHARE = 0.25
FOREIGN_INFORMATION = 0.75  # at least this informative in general language: a content word, not context


class Pipeline:
    """Knowledge base + indexes + decision rules; cheap to query, rebuilt on reload."""

    def __init__(
        self,
        kb: KnowledgeBase,
        thresholds: MatchThresholds | None = None,
        max_age_days: int = 365,
        index_cache: IndexCache | None = None,
    ) -> None:
        """`index_cache`: where the indexes are kept between starts (and reloads); None builds them always."""
        self.thresholds = thresholds or MatchThresholds()
        self.max_age_days = max_age_days
        self.index_cache = index_cache
        self._install(kb)

    def _install(self, kb: KnowledgeBase) -> None:
        places = aspects.Places.load(kb.directory / "departamentos.yaml")
        # An index is millions of small objects that all live on: the cyclic garbage collector would
        # traverse them again and again while they are made (half the build time at 10,000 entries),
        # and at every later full collection. Frozen, they are left out of collections (freed by
        # reference counting as usual when a reload replaces them).
        collecting = gc.isenabled()
        gc.disable()
        try:
            build = partial(_build_indexes, kb, places.words)
            indexes = build() if self.index_cache is None else self.index_cache.indexes(kb, places.words, build)
        finally:
            gc.freeze()
            if collecting:
                gc.enable()
        smalltalk = SmallTalk(kb)
        self.kb, self._indexes, self._smalltalk, self._places = kb, indexes, smalltalk, places
        self._titles: dict[str, frozenset[str]] = {}
        self._glossary = Glossary((g.term, g.variants) for g in kb.glossary)

    @classmethod
    def from_settings(cls, settings: PipelineSettings) -> Pipeline:
        """Load and validate `settings.knowledge_dir`; raises KnowledgeBaseError when invalid."""
        kb = load_knowledge_or_raise(settings.knowledge_dir, max_age_days=settings.reviewed_max_age_days)
        return cls(kb, settings.thresholds, settings.reviewed_max_age_days, IndexCache.at(settings.index_cache_dir))


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
        ranking: list[Candidate] = []
        first: Reply | None = None
        lang = lang if lang in LANGS else "es"
        text = _prepare(question)
        detected = detect_language(text)
        lang = detected or lang
        intent = self._smalltalk.intent(text)
        listing = None if intent is not None else event_list_reply(self.kb, text, question, lang, region)
        if intent is not None:
            reply = Reply(Outcome.SMALLTALK, lang, question, intent=intent, text=self.kb.message(intent, lang))
        elif listing is not None:
            reply = listing
        else:
            reply, ranking = self._match_ranked(text, lang, question)
            first = reply
            if lang == "en" and reply.outcome is not Outcome.ANSWER and self._glossary:
                reply = self._in_spanish(text, question, reply)
            other = "en" if lang == "es" else "es"
            # The other language's index, for keywords alone ("pasaporte", "clave sol"); a question whose
            # function words say its language is not read as the other one's.
            if reply.outcome is Outcome.NONE and detected is None and self._indexes[other].profiles:
                alternative = self._match_ranked(text, other, question)[0]
                if alternative.outcome is not Outcome.NONE:
                    # Matching English phrasings means an English question; a Spanish match for an
                    # English user keeps English labels (entry texts fall back to Spanish by themselves).
                    lang = "en" if other == "en" else lang
                    reply = replace(alternative, lang=lang, normalized=reply.normalized)
        stripped = self.kb.regions.strip(text) if reply.outcome in (Outcome.NONE, Outcome.SUGGEST) else text
        if stripped != text:  # "soy de puno, ...": where the citizen lives is not what they ask
            alternative = self._match_ranked(stripped, lang, question)[0]
            reply = alternative if alternative.outcome is Outcome.ANSWER else reply
        own_ranking = reply is first  # this text's ranking made this reply (not another language's or wording's)
        if reply.outcome is Outcome.NONE:
            reply = replace(reply, text=self.kb.message("fallback", lang))
        elif reply.outcome is Outcome.SUGGEST:
            key = "not_covered" if reply.uncovered and self.kb.message("not_covered", lang) else "suggest_intro"
            reply = replace(reply, text=self.kb.message(key, lang))
        # The regional step may look at the ranking again: the one already made, when it made this reply.
        rank = (lambda: ranking) if own_ranking else partial(self._ranking, text, reply.lang)
        reply = with_region(self.kb, reply, text, region, rank, self.thresholds.answer)
        return replace(reply, latency_ms=(time.perf_counter() - started) * 1000)

    def _in_spanish(self, text: str, question: str, english: Reply) -> Reply:
        """The English question matched on the Spanish index through the glossary, when that does better.

        The reply stays English (labels, messages); entry texts without English fall back to Spanish.
        """
        spanish, untranslated = self._glossary.to_spanish(text, self._indexes["es"].analyzer.knows)
        if not spanish:
            return english
        # Aspect cues are read on both wordings: "how much" and "cuánto cuesta" ask the same.
        found = self._match_ranked(spanish, "es", question, f"{text} {spanish}", ("en", untranslated))[0]
        offers = found.outcome is not Outcome.NONE
        better = found.outcome is Outcome.ANSWER or (english.outcome is Outcome.NONE and offers)
        return replace(found, lang="en", normalized=english.normalized) if better else english

    def _match_ranked(
        self,
        text: str,
        lang: str,
        question: str,
        cues: str | None = None,
        foreign: tuple[str, frozenset[str]] = ("", frozenset()),
    ) -> tuple[Reply, list[Candidate]]:
        """Rank and decide on one language's index, and the ranking decided on; `cues` (default `text`) is
        read for aspects and places; `foreign` words are another language's (see Analyzer.analyze)."""
        index = self._indexes[lang]
        cues = text if cues is None else cues
        analysis, ranked = _ranked(index, text, foreign, cues)
        asked = aspects.asked(cues)
        spanish = lang == "es" and not foreign[0]
        outcome, chosen = self._decide(
            ranked, self._names_unknown(text, lang), _refused(analysis, index, text), cues,
            long_message=_long_message(analysis, spanish), spanish=spanish,
        )
        outside = OUTSIDE_EVERY_SERVICE.intersection(asked)
        if outside and not any(all(aspects.covers(c.entry, a, cues) for a in outside) for c in chosen):
            # A pet's papers: no citizen's service is even the closest help, unless an entry speaks of it.
            outcome, chosen = Outcome.NONE, []
        missing = self._uncovered(chosen[0].entry, cues, lang) if chosen else []
        if outcome is Outcome.ANSWER and missing:
            # The right service, but it does not say what is asked: offer it as the closest help.
            outcome, chosen = Outcome.SUGGEST, self._close(ranked)
        return Reply(
            outcome,
            lang,
            question,
            normalized=analysis.key or analysis.folded,
            entry=chosen[0].entry if outcome is Outcome.ANSWER else None,
            candidates=tuple(c.entry for c in chosen) if outcome is Outcome.SUGGEST else (),
            score=ranked[0].score if ranked else 0.0,
            aspect=next(iter(missing or asked), None),
            uncovered=bool(missing) and outcome is Outcome.SUGGEST,
        ), ranked

    def _uncovered(self, entry: Entry, text: str, lang: str = "es") -> list[str]:
        """What the question asks that the entry does not say: an aspect, a place it does not serve, or a
        thing asked for ("¿hay algún curso...?") that it never names, in its own words or a synonym's."""
        missing = aspects.uncovered(entry, text)
        if aspects.place_uncovered(entry, text, self._places):
            missing.append(aspects.PLACE)
        thing = aspects.thing_asked(text)
        if thing is not None and (index := self._indexes[lang]).profiles.get(entry.id) is not None:
            stems = index.analyzer.analyze(thing).stems
            # The thing is read folded: an acronym that is also a word ("mac") is known by its capitals.
            known = index.field_of
            if stems and not any(known(entry.id, s) or known(entry.id, acronym_stem(s)) for s in stems):
                missing.insert(0, aspects.EXISTENCE)  # "¿hay algún curso para limpiar los puntos?" asks for the course
        return missing

    def _held_by_what_is_named(self, candidate: Candidate, ranking: list[Candidate], text: str) -> str | None:
        """The gate that the question's own words close on a candidate its scores let through: an entry for
        minors when no child is named (judged for the best of `ranking`), or another institution named."""
        if candidate.entry.id == ranking[0].entry.id and _for_children_unasked(ranking, text):
            return "for minors, no child named"
        if self._names_other_institution(candidate, text):
            return "names another institution"
        if self._umbrella(candidate, ranking, text) is not None or self._names_sibling(candidate, ranking, text):
            return SIBLING_TOO
        return None

    def _names_sibling(self, candidate: Candidate, ranking: list[Candidate], text: str) -> bool:
        """The question names this entry's own title or institution word and, beside it, a sibling's that
        this entry never mentions ("papeles de la policía, del poder judicial y del INPE" beside the INPE's
        certificate): it asks for more than this one entry, so it is offered among them, not answered.
        A sibling's title word must be rare, as for `_umbrella` (a story's "sin perder el día" does not ask
        for a lost licence); the head word of its institution may be common ("policía")."""
        siblings = _ranked_siblings(candidate, ranking)
        if not siblings:  # most questions: no sibling is ranked (checked before the words are read)
            return False
        index = self._indexes["es"]
        analysis = index.analyze(text)
        # A long message's story may be where the siblings are named ("me piden antecedentes policiales,
        # judiciales y penales. ¿Puedo obtenerlos juntos?"): a word weighs at least as in general language.
        said = analysis.words
        info = {
            s: max(analysis.info(i), information(said[i], "es") if i < len(said) else 0.0)
            for i, s in enumerate(analysis.stems)
        }
        entry_id = candidate.entry.id
        mine = self._own_stems(candidate.entry, index)
        if not any(info.get(s, 0.0) >= UMBRELLA_INFORMATION for s in mine):
            return False
        for other in siblings:
            theirs, head = self._own_stems(other.entry, index), _head_stem(other.entry)
            own = any(info.get(s, 0.0) >= UMBRELLA_INFORMATION for s in mine - theirs)
            named = [
                s for s in theirs - mine
                if info.get(s, 0.0) >= (SIBLING_HEAD_INFORMATION if s == head else UMBRELLA_INFORMATION)
                and not index.field_of(entry_id, s)
            ]
            if own and named:
                return True
        return False

    def _own_stems(self, entry: Entry, index: LanguageIndex) -> frozenset[str]:
        """The stems of an entry's title and its institution's head word ("Policía" of "Policía Nacional
        del Perú", which the analyzer folds into the acronym): the words that name it and not a sibling."""
        key = f"{entry.id}\x00own"
        if (found := self._titles.get(key)) is None:
            head = _head_stem(entry)
            found = self._titles[key] = self._title_stems(entry, index) | ({head} if head else set())
        return found

    def _umbrella(self, candidate: Candidate, ranking: list[Candidate], text: str) -> Candidate | None:
        """The entry that covers both `candidate` and a sibling the question names beside it, or None.

        The question names this entry's own title word and a sibling's ("antecedentes *penales*, judiciales
        y *policiales*") and a third entry of the ranking holds both (the CUL, which joins the
        certificates): it asks for what covers them all, so neither sibling alone is *the* answer."""
        siblings = _ranked_siblings(candidate, ranking)
        if not siblings:  # most questions: nothing to join (checked before the words are read)
            return None
        index = self._indexes["es"]
        analysis = index.analyze(text)
        # Only rare words name a sibling: "policiales" does, a story's "hijo" beside "DNI para menores" does not.
        asked = {s for i, s in enumerate(analysis.stems) if analysis.info(i) >= UMBRELLA_INFORMATION}
        mine = self._title_stems(candidate.entry, index)
        if asked.isdisjoint(mine):  # no title word of its own asked: no sibling's title is looked at
            return None
        for other in siblings:
            theirs = self._title_stems(other.entry, index)
            named = [s for s in theirs - mine if s in asked and not index.field_of(candidate.entry.id, s)]
            own = [s for s in mine - theirs if s in asked]
            if not named or not own:
                continue
            for third in ranking[:UMBRELLA_RANKS]:
                if third.entry.id in (candidate.entry.id, other.entry.id):
                    continue
                if all(index.field_of(third.entry.id, s) for s in named + own):
                    return third
        return None

    def _title_stems(self, entry: Entry, index: LanguageIndex) -> frozenset[str]:
        """The stems of an entry's title, once per entry and knowledge base."""
        key = entry.id
        if (found := self._titles.get(key)) is None:
            profile = index.profiles.get(key)
            stems = profile.title_stems if profile is not None else None  # analysed when the index was built
            if stems is None:
                stems = index.analyzer.analyze(entry.title.get("es"), correct=False).stems
            found = self._titles[key] = frozenset(stems)
        return found

    def _names_other_institution(self, candidate: Candidate, text: str) -> bool:
        """The question names in capitals an institution the base knows from other entries only ("la clave
        de mi app del BCP" beside Clave SOL, which is SUNAT's): it asks about that institution's thing.
        In a long message only the asking part is read, as in `_names_unknown`."""
        if _ANY_ENTITY.search(candidate.entry.institution):
            return False  # a service of every public entity (a complaint, a request): the one named is where
        index = self._indexes["es"]
        asking = asking_part(text, after_comma=False)
        kind_of = {fold(m.group(1)) for m in _KIND_OF.finditer(asking)}
        # A long message's story names where the asker works, not what is asked.
        for word in written_acronyms(asking):
            if (
                len(word) < MIN_ACRONYM_LETTERS or word in self._places.words or not index.analyzer.knows(word)
                or word in kind_of
            ):
                continue
            entry_id = candidate.entry.id
            # "MUNI Ejecutivo": the acronym may stand for a word the entry holds ("muni" -> municipalidad).
            meant = {stem(t) for t in index.analyzer.apply_synonyms([word])} | {stem(word), acronym_stem(word)}
            if not any(index.field_of(entry_id, s) for s in meant):
                return True
        return False

    def _names_unknown(self, text: str, lang: str) -> bool:
        """The question names with a capital, mid-sentence, something the knowledge base does not know.

        In a long message only the asking part is read: the story's capitals are mostly the asker's
        district, school or relatives ("compramos un terreno en Jesús Nazareno"), not another product.
        """
        analyzer = self._indexes[lang].analyzer
        asking = asking_part(text)
        capitalised = _CAPITALISED.findall(asking)
        names = person_names(text) if capitalised else set()  # introduced in the story, named in the question
        if any(
            not analyzer.knows(word) and word not in self._places.words and word not in names
            for word in (fold(w) for w in capitalised)
        ):
            return True
        # An acronym written in capitals that the base does not know ("¿qué beca da el ICPNA?") names another
        # institution or product, as a capitalised name does; a shouted real word ("URGENTE") does not.
        return any(
            len(word) >= MIN_ACRONYM_LETTERS and not analyzer.knows(word) and not is_valid_word(word, lang)
            and word not in self._places.words
            for word in written_acronyms(asking)
        )

    def held_back(
        self,
        candidate: Candidate,
        runner_up: float,
        names_unknown: bool = False,
        refused: str | None = None,
        decided: bool = False,
        long_message: bool = False,
        spanish: bool = False,
    ) -> str | None:
        """The first gate that keeps `candidate` from being the answer, or None when it passes them all.

        `refused` is why the question matches no entry at all whatever the scores (see `_refused`);
        `decided`: the question's own cue picks this entry over its close sibling (see `_cue_decides`),
        so the margin, which is for ambiguous questions, does not hold it back; `spanish`: a Spanish
        question read as written (not through the English glossary), which the TOLD_* lane is judged on.
        """
        if refused:
            return refused
        limits = self.thresholds
        if (
            long_message and not names_unknown and candidate.score - runner_up >= LONG_LEAD
            and candidate.score >= LONG_SCORE and candidate.fit >= LONG_FIT and candidate.evidence >= LONG_EVIDENCE
            and candidate.coverage >= LONG_COVERAGE
        ):
            return None if candidate.specificity >= limits.min_specificity else "specificity"
        clear = candidate.fit >= CLEAR_LEAD_FIT and candidate.score - runner_up >= CLEAR_LEAD and not names_unknown
        covered = candidate.coverage >= limits.min_coverage - CLEAR_LEAD_COVERAGE_RELIEF
        if clear and covered and candidate.score >= limits.answer - CLEAR_LEAD_SCORE_RELIEF:
            return None if candidate.specificity >= limits.min_specificity else "specificity"
        told = (
            candidate.score - runner_up >= WIDE_LEAD and candidate.coverage >= WIDE_LEAD_COVERAGE
            and candidate.evidence >= STRONG_EVIDENCE and candidate.fit >= WIDE_LEAD_FIT and not names_unknown
        )
        if told and candidate.score >= limits.answer - CLEAR_LEAD_SCORE_RELIEF:
            return None if candidate.specificity >= limits.min_specificity else "specificity"
        if (
            candidate.evidence >= TOLD_EVIDENCE and candidate.score - runner_up >= TOLD_LEAD
            and candidate.coverage >= TOLD_COVERAGE and candidate.score >= limits.answer - TOLD_SCORE_RELIEF
            and candidate.specificity >= TOLD_SPECIFICITY and not names_unknown and spanish
        ):
            return None
        # A question holding one of the entry's phrasings whole ("horario del centro mac") may carry
        # more words the knowledge base does not know than one that only touches it.
        full = candidate.fit >= FULL_PHRASING_FIT
        strong = candidate.fit >= STRONG_EVIDENCE_FIT and candidate.evidence >= STRONG_EVIDENCE
        needed_coverage = limits.min_coverage_full_phrasing if full and not names_unknown else limits.min_coverage
        if strong:
            needed_coverage = min(needed_coverage, STRONG_EVIDENCE_COVERAGE)
        gates = (
            ("score", candidate.score >= limits.answer - (STRONG_EVIDENCE_SCORE_RELIEF if strong else 0.0)),
            ("coverage", candidate.coverage >= needed_coverage),
            ("fit", candidate.fit >= limits.min_fit),
            ("specificity", candidate.specificity >= limits.min_specificity),
            ("margin", candidate.score - runner_up >= limits.margin or decided),
        )
        return next((name for name, passed in gates if not passed), None)

    def _decide(
        self,
        ranked: list[Candidate],
        names_unknown: bool = False,
        refused: str | None = None,
        cues: str = "",
        long_message: bool = False,
        spanish: bool = False,
    ) -> tuple[Outcome, list[Candidate]]:
        """`cues` is read for the sibling kinds the question names, only when two siblings are close."""
        floor = min(self.thresholds.suggest, LONG_SCORE) if long_message else self.thresholds.suggest
        if (refused and refused != ANOTHER_THING_BESIDE) or not ranked or ranked[0].score < floor:
            return Outcome.NONE, []
        margin = self.thresholds.margin
        decided = False
        if _close_siblings(ranked, margin):
            kinds = aspects.sibling_kinds(cues, (ranked[0].entry, ranked[1].entry))
            ranked = _cued_first(ranked, kinds, margin)
            decided = _cue_decides(kinds, ranked[0].entry, ranked[1].entry)
        runner_up = _rival_score(ranked[1:], self.thresholds.min_fit)
        held = self.held_back(
            ranked[0], runner_up, names_unknown, refused, decided=decided, long_message=long_message, spanish=spanish
        )
        if held is None:
            held = self._held_by_what_is_named(ranked[0], ranked, cues)
        if held is None:
            return Outcome.ANSWER, [ranked[0]]
        close = self._close(ranked)
        # Whatever held the best back, an entry joining it and a sibling the question names is offered first.
        if (umbrella := self._umbrella(ranked[0], ranked, cues)) is not None:
            close = [umbrella, *(c for c in close if c is not umbrella)][:MAX_SUGGESTIONS]  # what joins them first
        return Outcome.SUGGEST, close

    def _close(self, ranked: list[Candidate]) -> list[Candidate]:
        """The best candidate and those close to it, offered as choices."""
        limits = self.thresholds
        top = ranked[0]
        close = [c for c in ranked if c.score >= limits.suggest and c.score >= top.score - SUGGEST_SPREAD]
        if len(close) < MIN_SUGGESTIONS:  # a choice needs options: add the next best, if any is plausible
            close += [c for c in ranked[len(close) :] if c.score >= limits.suggest / 2][: MIN_SUGGESTIONS - len(close)]
        return close[:MAX_SUGGESTIONS]

    def explain(self, question: str, lang: str = "es") -> list[Candidate]:
        """The ranked candidates behind an answer (the review tools' likely homes for a question)."""
        return self._ranking(_prepare(question), lang)

    def _ranking(self, text: str, lang: str = "es") -> list[Candidate]:
        """The ranking of a question already prepared (masked once, in `ask`)."""
        return _ranked(self._indexes[lang if lang in LANGS else "es"], text)[1]

    def explanation(self, question: str, lang: str = "es") -> Explanation:
        """Words, weights, aspect and gates behind an answer, for staff debugging matches (`ask --explain`)."""
        index = self._indexes[lang if lang in LANGS else "es"]
        text = _prepare(question)
        analysis = _aspect_words_weighed(index.analyze(text), text)
        names_unknown = self._names_unknown(text, index.lang)
        refused = _refused(analysis, index, text)
        kinds = aspects.sibling_kinds(text, (c.entry for c in self._ranking(text, index.lang)))
        spanish = index.lang == "es"
        long_message = _long_message(analysis, spanish)

        ranking = self._ranking(text, index.lang)

        def gate(candidate: Candidate, following: list[Candidate]) -> str | None:
            return scores_gate(candidate, following) or self._held_by_what_is_named(candidate, ranking, text)

        def scores_gate(candidate: Candidate, following: list[Candidate]) -> str | None:
            rival = _rival_score(following, self.thresholds.min_fit)
            pair = [candidate, *following[:1]]
            decided = _close_siblings(pair, self.thresholds.margin) and _cue_decides(kinds, *(c.entry for c in pair))
            return self.held_back(candidate, rival, names_unknown, refused, decided, long_message, spanish)

        arrange = partial(_cued_first, kinds=kinds, margin=self.thresholds.margin)
        return explain(index, analysis, text, gate, partial(self._uncovered, lang=index.lang), arrange)


def _build_indexes(kb: KnowledgeBase, places: frozenset[str]) -> dict[str, LanguageIndex]:
    return {lang: LanguageIndex(kb, lang, places) for lang in LANGS}


def _long_message(analysis: Analysis, spanish: bool) -> bool:
    """A story, then the question, judged by the lead (LONG_*). The story/asking split is read on Spanish
    as written (`spanish`); an English message, read through the glossary or not, is too loose a wording
    for the lead alone."""
    return spanish and len(analysis.stems) >= LONG_MESSAGE_STEMS


def _rival_score(following: list[Candidate], min_fit: float) -> float:
    """The score the best candidate must lead by: the next one that fits the question as a phrasing at
    all (MIN_FIT). One that only shares scattered words with it ("un papel de la policía" in the police
    report's situations, asked for a police record) could never be the answer, so it is no rival."""
    return next((c.score for c in following if c.fit >= min_fit), 0.0)


def _close_siblings(ranked: list[Candidate], margin: float) -> bool:
    """The first two candidates are close and of one family (same first word of their ids: sis-*, dni-*)."""
    if len(ranked) < 2 or ranked[0].score - ranked[1].score >= margin:
        return False
    return _family(ranked[0].entry) == _family(ranked[1].entry)


def _for_children_unasked(ranked: list[Candidate], cues: str) -> bool:
    """The best entry is its family's one for minors (dni-menores beside dni-renovacion) and the question
    speaks of no child: "¿cuántos días demora el DNI renovado?" is not answered with the children's DNI."""
    top = ranked[0].entry
    family = _family(top)
    if not any(_family(c.entry) == family for c in ranked[1:]):
        return False
    return aspects.for_minors(top) and not aspects.names_a_child(cues)


def _ranked_siblings(candidate: Candidate, ranking: list[Candidate]) -> list[Candidate]:
    """The entries of `candidate`'s family among the first UMBRELLA_RANKS of the ranking, but itself."""
    family = _family(candidate.entry)
    return [
        other for other in ranking[:UMBRELLA_RANKS]
        if other.entry.id != candidate.entry.id and _family(other.entry) == family
    ]


def _head_stem(entry: Entry) -> str:
    """The stem of the first word of an entry's institution ("polici" of "Policía Nacional del Perú")."""
    found = words(entry.institution)
    return stem(found[0]) if found else ""


def _family(entry: Entry) -> str:
    """The first word of an entry's id, in the singular: laboratorio-gtd and laboratorios-regionales are one family."""
    return entry.id.split("-")[0].removesuffix("s")


def _cued_first(ranked: list[Candidate], kinds: frozenset[str], margin: float) -> list[Candidate]:
    """The ranking with a close runner-up first when it is the sibling the question's cue names
    ("¿qué planes de afiliación tiene el SIS?": joining, not checking)."""
    if _close_siblings(ranked, margin) and _cue_decides(kinds, ranked[1].entry, ranked[0].entry):
        return [ranked[1], ranked[0], *ranked[2:]]
    return ranked


def _cue_decides(kinds: frozenset[str], entry: Entry, sibling: Entry) -> bool:
    """Of two sibling entries, only `entry` is of a kind the question's cues name: joining or checking
    ("¿cómo me afilio?"), a lost or an expired document, a minor's, a first one (aspects.SIBLING_KINDS), or
    an institution's (the Poder Judicial's certificate, not the INPE's); an institution both share decides nothing."""
    if not kinds:
        return False
    own, other = aspects.entry_kinds(entry), aspects.entry_kinds(sibling)
    shared = own & other
    titles = {k for k in kinds if k.startswith(aspects.TITLE)} - shared
    cues = {
        k for k in kinds if not k.startswith(aspects.TITLE) and not (k.startswith(aspects.INSTITUTION) and k in shared)
    }
    if cues & (own | other):  # a cue speaks for one of them: it decides, or nothing does
        return bool(cues & own) and not cues & other
    return bool(titles & own) and not titles & other


def _ranked(
    index: LanguageIndex, text: str, foreign: tuple[str, frozenset[str]] = ("", frozenset()), cues: str | None = None
) -> tuple[Analysis, list[Candidate]]:
    """The question's analysis and ranking; with the words that ask a generic aspect weighed down
    (see `_aspect_words_weighed`), else the index's remembered ranking of `text`."""
    cues = text if cues is None else cues
    if not aspects.cue_words(cues):
        return index.ranked(text, foreign)
    analysis = _aspect_words_weighed(index.analysis(text, foreign), cues)
    return analysis, index.rank(analysis)


def _aspect_words_weighed(analysis: Analysis, cues: str) -> Analysis:
    """The words asking a generic aspect ("cobrar", "requisitos", "horario") keep ASPECT_WORD_SHARE
    of their information: whether the entry says that point is judged by aspects, not by its words."""
    spoken = aspects.cue_words(cues)
    if not spoken or spoken.isdisjoint(analysis.words):
        return analysis
    info = tuple(
        analysis.info(i) * (ASPECT_WORD_SHARE if word in spoken else 1.0) for i, word in enumerate(analysis.words)
    )
    return replace(analysis, information=info)


def _refused(analysis: Analysis, index: LanguageIndex, text: str) -> str | None:
    """Why no entry may answer or be offered, whatever the scores: None when matching may decide."""
    if _only_trivial(analysis, index):
        return "numbers only"
    # "la licencia de mi antivirus": a service's own noun completed by another thing, so no entry is even
    # offered. "una tienda de celulares me llama...": an everyday noun's complement may be the story's, so
    # the entries may be offered, never given as the answer.
    head, branded = _names_another_thing(analysis, index, text)
    if head is None:
        return None
    # "la bolsa de trabajo de Indeed": a capitalised name the base does not know may be a brand, or a person
    # the story names, so the entries are offered, never given as the answer.
    return ANOTHER_THING if not branded and _names_a_service(head, index) else ANOTHER_THING_BESIDE


def _names_another_thing(analysis: Analysis, index: LanguageIndex, text: str) -> tuple[str | None, bool]:
    """A knowledge-base word is completed by "de" and a rare lowercase word the base does not know
    ("licencia de mi antivirus", "partida de ajedrez"): the question is about that other thing. Returns
    the completed word and False, or, when only a capitalised word completes one ("la bolsa de trabajo de
    Indeed") and the message does not introduce it as a person's name ("soy Luis Quispe"), that word and
    True (a brand, or a name the story uses); (None, False) when nothing does.

    In a long message only the asking part is read: the story's "mamá de mellizos" or "taller de
    carpintería" tells who asks, not what is asked. A person word ("mamá de", "hijo de") is completed by
    whose relative it is, never by another thing.
    """
    tokens = analysis.folded.split()
    if len(tokens) >= MIN_STORY_WORDS and (pieces := asking_pieces(text)):
        tokens = words(" ".join(pieces))  # the folded words an analysis would read, without analysing them
    if not _COMPLEMENT.intersection(tokens):
        return None, False
    capitalised = {fold(w) for w in _NAME.findall(text)}
    persons: set[str] | None = None  # the names the message introduces, read only when a capital completes
    branded: str | None = None
    analyzer = index.analyzer
    tokens = analyzer.rejoined(tokens)  # "la app de sun at": voice typing's split "sunat"
    for i, token in enumerate(tokens[1:-1], 1):
        if token not in _COMPLEMENT or tokens[i - 1] in analyzer.stop_words or not analyzer.knows(tokens[i - 1]):
            continue
        if tokens[i - 1] in _PERSONS or _INFINITIVE.match(tokens[i - 1]):
            continue  # a relative's "de" says whose; a verb's "de" says from where ("manejar del bolsillo")
        at = next((j for j in range(i + 1, min(i + 3, len(tokens))) if tokens[j] not in _DETERMINERS), None)
        following = tokens[at] if at is not None else ""
        if at is not None and at + 1 < len(tokens) and tokens[at + 1] in _ACTS_ON_ASKER:
            continue
        if following and is_valid_word(following, index.lang) and (
            tokens[i - 1] in _WORK
            or (i >= 2 and tokens[i - 2] in _ASKERS_OWN and not _names_a_service(tokens[i - 1], index))
        ):
            continue  # "mi negocio de jugos": the asker's own, told as who they are ("mi app de rappi" is a brand's)
        if (
            following and not following.isdigit() and following not in analyzer.places
            and not _INFINITIVE.match(following)
            and not analyzer.knows(following) and analyzer.correct(following) == following
            and information(following, index.lang) >= FOREIGN_INFORMATION
        ):
            if following not in capitalised:
                return tokens[i - 1], False
            if persons is None:
                persons = person_names(text)
            if branded is None and following not in persons:
                branded = tokens[i - 1]
    return branded, branded is not None


def _names_a_service(word: str, index: LanguageIndex) -> bool:
    """The word, or the canonical term it is a synonym of, is one of the index's service nouns (a title word,
    or a synonym phrase's first word standing for one): "licencia", "partida", "clave", not an everyday noun
    ("tienda", "puesto", "mochila")."""
    return any(stem(t, index.lang) in index.service_nouns for t in index.analyzer.apply_synonyms([word]))


def _only_trivial(analysis: Analysis, index: LanguageIndex) -> bool:
    """The only words of the question the knowledge base knows are short numbers or single letters."""
    known = [s for s in analysis.stems if s in index.weights or s in index.body_weights]
    return bool(known) and all(_TRIVIAL.fullmatch(s) for s in known)


def _prepare(question: str) -> str:
    """What matching sees: the beginning of the message, without markup or personal data.

    A DNI or phone number in the question is no clue to the answer (and must not reach logs).
    """
    text = question.strip()[:MAX_QUESTION_CHARS]
    return _PLACEHOLDER.sub(" ", mask_personal_data(_MARKUP.sub(" ", text)))
