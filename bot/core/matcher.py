"""Scores knowledge-base entries against a question.

An entry's score mixes three signals, each 0..1, computed on analysed stems weighted by how rare a
stem is across entries (IDF):
- coverage: how much of the question's information the entry knows. Title, questions, situations
  and keywords count fully; the answer, steps, requirements and cost count as a weaker field, so a
  requirement's name or "por internet" still finds its entry. A word the knowledge base has never
  seen counts against every entry by how informative it is in general language: "Netflix" fully,
  "mi hermana" or "escuché" hardly at all.
- fit: how completely the question asks one of the entry's own phrasings (title, questions, situations).
- phrase: share of the question's adjacent word pairs (at most four counted) that also stand together
  in the entry.
Plain fuzzy ratios (WRatio, partial_ratio) are avoided on purpose: they give short, unrelated
questions scores of 85-100.
"""

from __future__ import annotations

import heapq
import math
import pickle
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import chain, pairwise
from operator import itemgetter
from typing import TypeVar

import numpy as np

from bot.core.analyzer import Analysis, Analyzer, acronym_stem, written_acronyms
from bot.core.knowledge import KnowledgeBase
from bot.core.lexicon import zipf
from bot.core.models import Entry
from bot.core.normalize import fold, stem, words

COVERAGE_WEIGHT = 0.55
FIT_WEIGHT = 0.30
PHRASE_WEIGHT = 0.15
BODY_SHARE = 0.5  # a word found only in an entry's answer, steps or requirements counts this much
# Word pairs a phrase match is judged on: a long message is not penalised for the pairs its context
# words form ("mi tía de Huánuco"), only for missing the few that name the service.
PHRASE_PAIRS = 4
SITUATION_FIT = 0.9  # a situation staff wrote is a looser phrasing than a question
MAIN_INFORMATION_FLOOR = 0.3
# Entries fully scored per question: those sharing the most asked weight. Keeps a question's cost flat
# however many entries share a common word ("dni", "certificado") as the base grows.
MAX_SCORED = 16
ARRAY_POSTINGS_FROM = 1000  # entries
SCORE_SLACK = 1e-9  # rounding of the score ceilings' arithmetic, far below a score's 4 decimals
REMEMBERED_FITS = 64  # per entry: the fits of this many sets of matched stems
RECENT_RANKINGS = 8  # texts whose ranking is kept: a question ranks up to three texts per language
RECENT_ANALYSES = 8  # texts whose analysis is kept: a question's own text is analysed for ranking and gates
_LOWER_WORD = re.compile(r"\b[a-záéíóúñ]+\b")
ACRONYM_WORD_ZIPF = 4.0  # an acronym this common as a word ("sol", "pide") is matched on its written form


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    score: float
    coverage: float
    fit: float
    phrase: float
    specificity: float  # 1.0 when a matched word belongs to this entry alone, lower for words many entries share
    evidence: float = 0.0  # matched weight in absolute terms, in units of an unknown word's full weight


@dataclass(slots=True)
class _EntryProfile:
    entry: Entry
    stems: set[str] = field(default_factory=set)  # title, questions, situations, keywords
    body: set[str] = field(default_factory=set)  # answer, steps, requirements, cost; not in `stems`
    phrasings: list[tuple[tuple[str, ...], float]] = field(default_factory=list)  # (stems, field weight)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    totals: list[float] = field(default_factory=list)  # per phrasing: the weight of its distinct stems
    fields: list[float] = field(default_factory=list)  # per phrasing: its field's weight
    in_shapes: dict[str, list[int]] | None = None  # stem -> the phrasings holding it (see _shapes)
    fits: dict[str, float] | None = None  # matched stems, joined in set order -> fit (see _fit)
    # What fit can be at most: the best field weight, and the best field weight per unit of phrasing weight
    # (a phrasing's share of its weight times its field's weight is at most both times the matched weight).
    fit_ceiling: tuple[float, float] = (0.0, 0.0)
    # The stems of the Spanish title as `Analyzer.analyze(title, correct=False)` gives them, when the build's
    # analysis of it is that one (no acronym word in it); None: not known here (see `Pipeline._title_stems`).
    title_stems: tuple[str, ...] | None = None


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
    frequency: Counter[_Key] = Counter()
    for items in sets:
        frequency.update(items)  # counted in C: an index counts millions of (entry, stem) pairs
    return frequency


def _kth_largest(values: np.ndarray, k: int) -> float:
    return float(np.partition(values, len(values) - k)[len(values) - k])


def _service_nouns(kb: KnowledgeBase, lang: str, entries: Iterable[str]) -> frozenset[str]:
    """The stems of the entries' titles, the base's own nouns for its services, and the first word of a
    synonym phrase standing for one ("partida" in "partida de nacimiento" for "acta de nacimiento")."""
    found = {
        stem(w, lang) for entry_id in entries
        for w in words(kb.entries[entry_id].title.es if lang == "es" else kb.entries[entry_id].title.en or "")
    }
    for synonym in kb.synonyms:
        head = words(synonym.term)[:1]
        if synonym.lang != lang or not head or stem(head[0], lang) not in found:
            continue
        found.update(stem(v[0], lang) for v in map(words, synonym.variants) if len(v) > 1 and v[0] != head[0])
    return frozenset(found)


def entry_texts(entry: Entry, lang: str) -> _Texts:
    """An entry's texts in `lang` (no phrasings: not matched in it)."""
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


def index_inputs(kb: KnowledgeBase, lang: str, places: frozenset[str] = frozenset()) -> bytes:
    """Everything of `kb` a `LanguageIndex(kb, lang, places)` is built from, serialised: its synonyms,
    the places, and per entry (in order) its id, the texts its acronyms are read on and its texts by field.
    Two bases with the same inputs build the same index (what `bot.core.indexcache` is keyed on).

    A pickle of tuples and lists of strings: unambiguous (it writes every string whole) and made in C,
    three times faster than their repr at 10,000 entries. Equal inputs give equal bytes whenever their
    strings are shared alike (one object or two equal ones), which the same loading code ensures; were
    they not, the cost is a rebuild, never another base's index."""
    synonyms = [(s.term, s.variants) for s in kb.synonyms if s.lang == lang]
    entries = [
        (e.id, e.title.es, e.summary.es, tuple(t.phrasings), tuple(t.situations), tuple(t.keywords), tuple(t.body))
        for e in kb.entries.values()
        for t in (entry_texts(e, lang),)
    ]
    return pickle.dumps((lang, synonyms, sorted(places), entries), protocol=5)


class LanguageIndex:
    """Everything precomputed for one language, so a question costs well under a millisecond.

    It scales to a ministry's catalogue: each distinct knowledge-base text is analysed once, postings
    are arrays of entry numbers, so the entries to score fully come from a few vector additions,
    and only MAX_SCORED of them are scored, however many share a common word.
    """

    def __init__(self, kb: KnowledgeBase, lang: str, places: frozenset[str] = frozenset()) -> None:
        self.lang = lang
        self.analyzer = Analyzer(lang, ((s.term, s.variants) for s in kb.synonyms if s.lang == lang), places)
        texts = {e.id: t for e in kb.entries.values() if (t := entry_texts(e, lang)).phrasings}
        self.service_nouns = _service_nouns(kb, lang, texts)
        owned = {e.id: self._ambiguous_acronyms(e) for e in kb.entries.values()}
        self.analyzer.acronyms = {a: frozenset() for acronyms in owned.values() for a in acronyms}
        # Analysing a knowledge-base text needs no vocabulary (only questions are corrected), so each
        # distinct text is folded and analysed once, and its words are learned from that analysis.
        self._analysed: dict[frozenset[str], dict[str, tuple[list[str], tuple[str, ...]]]] = {}
        self._chosen: set[str] = set()  # stems of titles, questions and keywords (not only of situations)
        self.profiles = {
            entry_id: self._profile(kb.entries[entry_id], t, owned[entry_id]) for entry_id, t in texts.items()
        }
        self.analyzer.learn_words(
            chain.from_iterable(folded for analysed in self._analysed.values() for folded, _ in analysed.values())
        )
        del self._analysed
        # Words only situations use are the story a citizen tells ("me acaban de ofrecer"), not words
        # staff chose to name a service: they weigh by their general information alone, like unknown ones.
        self.story_stems = frozenset(chain.from_iterable(p.stems for p in self.profiles.values())) - self._chosen
        del self._chosen
        self.analyzer.freeze()
        context: dict[str, set[str]] = {}  # acronym -> words standing next to it in its entry
        for entry_id, acronyms in owned.items():
            pairs = self.profiles[entry_id].pairs if entry_id in self.profiles else set()
            for acronym in acronyms:
                marker = acronym_stem(acronym)
                around = context.setdefault(acronym, set())
                around.update(b for a, b in pairs if a == marker)
                around.update(a for a, b in pairs if b == marker)
        self.analyzer.acronyms = {a: frozenset(stems) for a, stems in context.items()}
        self._build_weights()
        self._recent: dict[tuple[str, tuple[str, frozenset[str]]], tuple[Analysis, list[Candidate]]] = {}
        self._analyses: dict[tuple[str, tuple[str, frozenset[str]]], Analysis] = {}

    def __getstate__(self) -> dict[str, object]:
        """The index as built, for `bot.core.indexcache`: without the rankings and analyses remembered since."""
        return {**self.__dict__, "_recent": {}, "_analyses": {}}

    def _ambiguous_acronyms(self, entry: Entry) -> frozenset[str]:
        """Short acronyms an entry always writes in capitals that are also common words (SOL, PIDE, MAC)."""
        texts = [entry.title.es, entry.summary.es]
        capitals = {a for text in texts for a in written_acronyms(text) if 3 <= len(a) <= 4}
        if not capitals:
            return frozenset()
        lowercase = {fold(w) for text in texts for w in _LOWER_WORD.findall(text)}
        return frozenset(
            a for a in capitals if a not in lowercase and zipf(a, self.lang) >= ACRONYM_WORD_ZIPF
        )

    def _profile(self, entry: Entry, texts: _Texts, acronyms: frozenset[str]) -> _EntryProfile:
        """The stems, phrasings and word pairs one entry is matched on."""
        profile = _EntryProfile(entry=entry)
        # Analyses are remembered per set of owned acronyms (nearly always none), keyed by text alone.
        analysed = self._analysed.get(acronyms)
        if analysed is None:
            analysed = self._analysed[acronyms] = {}
        remembered, text_stems = analysed.get, self.analyzer.text_stems

        def stems_of(text: str) -> tuple[str, ...]:
            found = remembered(text)
            if found is None:
                found = analysed[text] = text_stems(text, acronyms)
            return found[1]

        phrasings = profile.phrasings
        for texts_of_field, weight in ((texts.phrasings, 1.0), (texts.situations, SITUATION_FIT)):
            phrasings += [(s, weight) for t in texts_of_field if (s := stems_of(t))]
        main, pairs = profile.stems, profile.pairs
        keywords = [stems_of(t) for t in texts.keywords]
        for stems in chain([s for s, _ in phrasings], keywords):
            # keywords widen coverage but are not phrasings to fit
            main.update(stems)
            pairs.update(pairwise(stems))
        self._chosen.update(*(s for s, weight in phrasings if weight == 1.0), *keywords)
        body = profile.body
        for stems in map(stems_of, texts.body):
            body.update(stems)
        body -= main
        if self.lang == "es":
            # The build's analysis of the title skips only what questions need, and reads the acronyms
            # with this entry's own: the same stems as a later `analyze(title, correct=False)` exactly when
            # no word of it (synonyms applied) is an ambiguous acronym. (The title is the first phrasing.)
            folded, stems = analysed[texts.phrasings[0]]
            if not self.analyzer.acronyms or self.analyzer.acronyms.keys().isdisjoint(
                self.analyzer.apply_synonyms(list(folded))
            ):
                profile.title_stems = stems
        return profile

    def _build_weights(self) -> None:
        """IDF weights of stems and word pairs, postings, and each phrasing's total weight."""
        count = max(len(self.profiles), 1)
        self.weights = _idf(_document_frequency(p.stems for p in self.profiles.values()), count)
        body_frequency = _document_frequency(p.body for p in self.profiles.values())
        self.body_weights = {s: w for s, w in _idf(body_frequency, count).items() if s not in self.weights}
        self.unknown_weight = math.log(1 + count)
        # Candidates come from main-field words only: an entry that shares nothing but answer words
        # with a question has no phrasing fit and cannot reach the suggestion threshold.
        self._order = list(self.profiles.values())  # entry numbers: positions in this list
        # A few numpy calls cost more than summing a small base entry by entry: arrays pay off beyond
        # ARRAY_POSTINGS_FROM entries (both ways pick the same candidates).
        self._lists: dict[str, list[int]] = {}
        self._arrays: dict[str, np.ndarray] = {}
        if len(self._order) < ARRAY_POSTINGS_FROM:
            for number, profile in enumerate(self._order):
                for s in profile.stems:
                    if s in self._lists:  # (setdefault would make a list for every call)
                        self._lists[s].append(number)
                    else:
                        self._lists[s] = [number]
        else:
            self._arrays = self._posting_arrays()
        weight_of = self.weights.__getitem__
        for profile in self.profiles.values():
            # Summed in set order, as the weights of a phrasing's distinct stems always were.
            profile.totals = [sum(map(weight_of, set(p))) for p, _ in profile.phrasings]  # > 0: it has a stem
            profile.fields = [w for _, w in profile.phrasings]
            profile.fit_ceiling = (
                max(profile.fields, default=0.0),
                max((f / t for f, t in zip(profile.fields, profile.totals, strict=True)), default=0.0),
            )
        self.pair_weights = _idf(_document_frequency(p.pairs for p in self.profiles.values()), count)
        # Made for every entry now, not the first time one is fitted: 0.05 s at 10,000 entries, while a
        # question's first sight of a few entries' shapes was a fifth of its time on such a base.
        for profile in self._order:
            self._shapes(profile)

    def _posting_arrays(self) -> dict[str, np.ndarray]:
        """Each main-field stem's entry numbers, ascending, as slices of one array.

        Built by one stable sort of every (stem, entry) pair instead of an append per pair: a
        ministry's catalogue has millions of them.
        """
        ids = {s: i for i, s in enumerate(self.weights)}
        lengths = [len(p.stems) for p in self._order]
        pairs = sum(lengths)
        codes = np.fromiter(map(ids.__getitem__, chain.from_iterable(p.stems for p in self._order)), np.int32, pairs)
        numbers = np.repeat(np.arange(len(self._order), dtype=np.int32), lengths)[np.argsort(codes, kind="stable")]
        ends = np.cumsum(np.bincount(codes, minlength=len(ids))).tolist()
        return {s: numbers[start:end] for s, start, end in zip(ids, [0, *ends], ends, strict=False)}

    def _shapes(self, profile: _EntryProfile) -> dict[str, list[int]]:
        """stem -> the positions of the entry's phrasings holding it (built for all in `_build_weights`)."""
        in_shapes = profile.in_shapes
        if in_shapes is None:
            in_shapes = profile.in_shapes = {}
            for position, (stems, _) in enumerate(profile.phrasings):  # a phrasing's stems are distinct
                for s in stems:
                    if s in in_shapes:
                        in_shapes[s].append(position)
                    else:
                        in_shapes[s] = [position]
        return in_shapes

    def word_weights(self, analysis: Analysis) -> dict[str, float]:
        """Each asked stem's weight in this question, its word's general information (0..1) tempering it.

        Rarity across entries (IDF) says how well a word tells entries apart; general information
        says whether the asker meant it as the point of the question. A word only answers and steps
        use, or one the base never uses, weighs by information alone; so does one only situations use
        (the story staff retold, "me acaban de ofrecer"); a word of a title, question or keyword keeps at
        least MAIN_INFORMATION_FLOOR of its IDF, since staff chose it to name that entry. (One loop, no
        call per stem: the hot path.)
        """
        main_of, body_of, unknown = self.weights.get, self.body_weights.get, self.unknown_weight
        story = self.story_stems
        known_information = analysis.information
        weights = {}
        for i, s in enumerate(analysis.stems):
            information = known_information[i] if i < len(known_information) else 1.0
            main = main_of(s)
            if main is not None:
                floor = 0.0 if s in story else MAIN_INFORMATION_FLOOR
                weights[s] = main * (floor + (1 - floor) * information)
            else:
                body = body_of(s)
                weights[s] = (body if body is not None else unknown) * information
        return weights

    def field_of(self, entry_id: str, stem: str) -> str:
        """Where an entry knows a stem: "main" (title, questions, keywords), "body" or "" (nowhere)."""
        profile = self.profiles[entry_id]
        return "main" if stem in profile.stems else "body" if stem in profile.body else ""

    def analyze(self, question: str) -> Analysis:
        return self.analysis(question)

    def analysis(self, text: str, foreign: tuple[str, frozenset[str]] = ("", frozenset())) -> Analysis:
        """`Analyzer.analyze(text, foreign=foreign)`, remembered for the last few texts: a question's text
        is analysed for its ranking and again by the pipeline's gates (the umbrella check), and analysis,
        typo correction included, is a third of a long question's time. The analyzer's results depend
        on the text alone (its tables are frozen once built), so a remembered one is the one it would give."""
        key = (text, foreign)
        found = self._analyses.get(key)
        if found is None:
            found = self.analyzer.analyze(text, foreign=foreign)
            if len(self._analyses) >= RECENT_ANALYSES:
                del self._analyses[next(iter(self._analyses))]  # the oldest
            self._analyses[key] = found
        return found

    def ranked(self, text: str, foreign: tuple[str, frozenset[str]] = ("", frozenset())) -> tuple[
        Analysis, list[Candidate]
    ]:
        """`analyze` (with `foreign` words, see Analyzer.analyze) and `rank`, remembered for the last few
        texts: one question ranks the same text again (its answer, then the region check)."""
        key = (text, foreign)
        found = self._recent.get(key)
        if found is None:
            analysis = self.analysis(text, foreign)
            found = (analysis, self.rank(analysis))
            if len(self._recent) >= RECENT_RANKINGS:
                del self._recent[next(iter(self._recent))]  # the oldest
            self._recent[key] = found
        return found[0], list(found[1])

    def _fit(self, profile: _EntryProfile, matched: frozenset[str]) -> float:
        """The share of its weight the best-asked phrasing gets (times its field's weight).

        Remembered per entry for the last REMEMBERED_FITS sets of matched stems: questions about one
        service match the same few of its words ("dni", "duplicado") again and again. Keyed by the stems
        in the order they are summed (equal sets may iterate in another order, and give a fit a rounding
        apart), joined into one string: a dict of strings and floats is no work for the garbage collector."""
        key = "\x1f".join(matched)
        fits = profile.fits
        if fits is None:
            fits = profile.fits = {}
        else:
            known = fits.get(key)
            if known is not None:
                return known
        # Per phrasing, the weight of the asked stems it holds, added in the order of `key` (from 0: 0 + w
        # is w); a list indexed by phrasing, not a dict, since this loop runs for every (stem, phrasing).
        got: list[float] | None = None
        idf, in_shapes = self.weights, self._shapes(profile)
        totals, fields = profile.totals, profile.fields
        for s in matched:  # in the order of `key`
            positions = in_shapes.get(s)
            if not positions:  # a keyword's stem is in no phrasing
                continue
            w = idf[s]
            if got is None:
                got = [0.0] * len(totals)
            for position in positions:
                got[position] += w
        # A phrasing holding no asked stem gets 0, and every share is >= 0.
        fit = 0.0 if got is None else max([w / t * f for w, t, f in zip(got, totals, fields, strict=True)])
        if len(fits) >= REMEMBERED_FITS:
            fits.clear()
        fits[key] = fit
        return fit

    def _candidates(self, stems: tuple[str, ...], weights: dict[str, float]) -> list[int]:
        """The MAX_SCORED entries sharing the most asked weight in their main fields (entry numbers).

        Ties go to the entry met first, asked word by asked word in entry order. On a large base the
        sums run over the postings as vector additions, so a word thousands of entries share costs
        one addition, not thousands of lookups.
        """
        if not self._arrays:
            shared: dict[int, float] = {}
            for s in stems:
                w = weights[s]
                for number in self._lists.get(s, ()):
                    shared[number] = shared.get(number, 0.0) + w
            if len(shared) > MAX_SCORED:
                return heapq.nlargest(MAX_SCORED, shared, key=shared.__getitem__)
            return list(shared)
        size, asked = len(self._order), len(stems)
        everywhere = asked  # the first asked word that every entry holds ("trámite" in a ministry's catalogue)
        base = 0.0  # the total of an entry holding no other asked word
        some: list[np.ndarray] = []  # the postings of the words some entries lack, and their weights
        some_weights: list[float] = []
        some_stems: list[tuple[int, str]] = []  # (position asked, stem) of those words, in the order asked
        for position, s in enumerate(stems):
            numbers = self._arrays.get(s)
            if numbers is None:
                continue
            if len(numbers) == size:  # one addition for all, and it sets no entry apart
                base += weights[s]
                everywhere = min(everywhere, position)
            else:
                some.append(numbers)
                some_weights.append(weights[s])
                some_stems.append((position, s))
        # One weighted count over all postings instead of a read-add-write per word (the words in the
        # order asked); a word every entry holds is added to all at the end.
        total: np.ndarray = (
            np.bincount(
                np.concatenate(some), np.repeat(some_weights, [len(n) for n in some]), minlength=size
            )
            if some
            else np.zeros(size)
        )
        # The entries some word sets apart: their totals are sums of weights > 0, the others' are 0.
        hit = np.flatnonzero(total > 0.0)
        if base:
            total += base
        # Entries above the MAX_SCORED-th largest total are in whatever their tie-break; of those tied at it,
        # only as many as slots remain are, and only for those is the tie-break worked out.
        if everywhere < asked:  # every entry is hit; the best are those above `base` when enough are
            values = total[hit]
            boundary = _kth_largest(values, MAX_SCORED) if len(hit) >= MAX_SCORED else base
            if boundary <= base:
                # The others all total `base` and tie on their first word: the lowest numbers of them
                # come next, so only MAX_SCORED of them can be among the best (not all 10,000 sorted).
                rest = np.setdiff1d(np.arange(min(size, len(hit) + MAX_SCORED)), hit, assume_unique=True)
                hit = np.concatenate((hit, rest[:MAX_SCORED]))
                values = total[hit]
                boundary = _kth_largest(values, MAX_SCORED)
            # (else the boundary is the one just found: the totals of `hit` are not read twice)
        elif len(hit) <= MAX_SCORED:
            return [int(n) for n in hit]
        else:
            values = total[hit]
            boundary = _kth_largest(values, MAX_SCORED)
        above, tied = hit[values > boundary].tolist(), sorted(hit[values == boundary].tolist())
        words = [s for position, s in some_stems if position < everywhere]  # a later one ties with none
        return self._best_first(above, total[above].tolist(), words) + self._first_met(
            tied, MAX_SCORED - len(above), words
        )

    def _first_held(self, number: int, words: list[str]) -> int:
        """The place in `words` of the first one entry `number` holds in its main stems, len(words) if none
        (an entry's posting holds it exactly when its main stems hold the word)."""
        held = self._order[number].stems
        for place, s in enumerate(words):  # (a loop, not next() of a generator: this runs per entry)
            if s in held:
                return place
        return len(words)

    def _best_first(self, numbers: list[int], totals: list[float], words: list[str]) -> list[int]:
        """`numbers` by highest total, ties to the entry holding an earlier asked word of `words`, then to
        the lower entry number: the order `heapq.nlargest` gives when entries are met asked word by asked
        word in entry order. For the few entries above the boundary total (fewer than MAX_SCORED)."""
        keyed = sorted(
            (-shared, self._first_held(number, words), number) for number, shared in zip(numbers, totals, strict=True)
        )
        return [number for _, _, number in keyed]

    def _first_met(self, numbers: list[int], slots: int, words: list[str]) -> list[int]:
        """The first `slots` of `numbers` (ascending, all with one total) in tie-break order: those holding
        the earliest asked word of `words`, then the next word's, ..., then those holding none; each group
        in number order.

        Word by word with an early stop rather than every entry's first word: the tied entries nearly all
        hold the first word, so about `slots` of the few dozen are looked at (each a cache miss on a large
        base), not all of them."""
        chosen: list[int] = []
        order = self._order
        for s in words:
            left = []
            for number in numbers:
                if s in order[number].stems:
                    chosen.append(number)
                    if len(chosen) == slots:
                        return chosen
                else:
                    left.append(number)
            numbers = left
        return chosen + numbers[: slots - len(chosen)]

    def postings(self, stem: str) -> list[int]:
        """The entry numbers whose main fields hold `stem`."""
        if self._arrays:
            found = self._arrays.get(stem)
            return [] if found is None else [int(n) for n in found]
        return self._lists.get(stem, [])

    def rank(self, analysis: Analysis, limit: int = 5) -> list[Candidate]:
        stems = analysis.stems
        if not stems:
            return []
        weights = self.word_weights(analysis)
        weight_of = weights.__getitem__
        asked = frozenset(stems)
        total = sum(weights.values()) or 1.0
        pairs = _pairs(stems)
        counted_pairs = min(len(pairs), PHRASE_PAIRS)
        known_pairs = {p for p in pairs if p in self.pair_weights}  # the only ones an entry can share
        pair_idf, unknown = self.pair_weights.__getitem__, self.unknown_weight
        # Everything but fit first, with the score each candidate could reach at most; fit (the costly
        # part) then only for those that can still be among the best `limit`, best first.
        bounded: list[tuple[float, _EntryProfile, frozenset[str], float, float | None, float]] = []
        order, idf_of = self._order, self.weights
        for number in self._candidates(stems, weights):
            profile = order[number]
            main = asked & profile.stems
            # One pass over the matched stems for what `sum` and `max` of them gave: the same additions,
            # in the same order, from the same start (0 + w is w); IDF weights are > 0.
            known = rarity = rarest = 0.0
            for s in main:
                known += weights[s]
                r = idf_of[s]
                rarity += r
                if r > rarest:
                    rarest = r
            known += BODY_SHARE * sum(map(weight_of, asked & profile.body))
            shared_pairs = known_pairs & profile.pairs if known_pairs else known_pairs
            phrase = min(1.0, len(shared_pairs) / counted_pairs) if pairs else None
            best_field, per_weight = profile.fit_ceiling
            ceiling = min(best_field, rarity * per_weight)
            at_most = COVERAGE_WEIGHT * (known / total) + FIT_WEIGHT * ceiling + PHRASE_WEIGHT * (
                ceiling if phrase is None else phrase
            )
            # Two common words can still name one thing together ("trabaja peru"): pairs count too.
            if shared_pairs:
                rarest = max(rarest, max(map(pair_idf, shared_pairs)))
            bounded.append((at_most, profile, main, known, phrase, rarest))
        bounded.sort(key=itemgetter(0), reverse=True)
        scored: list[tuple[float, float, str, _EntryProfile, float, float, float]] = []
        for at_most, profile, main, known, phrase, rarest in bounded:
            if len(scored) >= limit and round(at_most + SCORE_SLACK, 4) < -scored[limit - 1][0]:
                break  # it and every one after it score below the best `limit` found
            fit = self._fit(profile, main)
            phrase = fit if phrase is None else phrase
            score = COVERAGE_WEIGHT * (known / total) + FIT_WEIGHT * fit + PHRASE_WEIGHT * phrase
            scored.append((-round(score, 4), -fit, profile.entry.id, profile, known, phrase, rarest))
            scored.sort()  # best score, then best fit, then entry id (unique: no further ties)
        return [
            Candidate(profile.entry, -score, known / total, -fit, phrase, rarest / unknown, known / unknown)
            for score, fit, _, profile, known, phrase, rarest in scored[:limit]
        ]
