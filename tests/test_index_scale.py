"""The fast paths that let the index scale give exactly what the plain versions they replace give.

Each fast path (per-word folding, per-word analysis, array postings, the synonym scan, the C stemmer,
sound-alike keys, typo candidates, fit only where it can matter, small talk's early stop) is checked
against a straightforward reference on the shipped knowledge base and on a generated catalogue where
thousands of texts share the same words.
"""

from __future__ import annotations

import heapq
import random
import re
import unicodedata
from itertools import pairwise
from pathlib import Path

import pytest
import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.spanish_stemmer import SpanishStemmer

from benchmarks.common import eval_sets
from benchmarks.synthetic import generate
from bot.core.analyzer import allowed_edits
from bot.core.knowledge import KnowledgeBase, load_knowledge_or_raise
from bot.core.lexicon import zipf_table
from bot.core.matcher import (
    ARRAY_POSTINGS_FROM,
    BODY_SHARE,
    COVERAGE_WEIGHT,
    FIT_WEIGHT,
    MAX_SCORED,
    PHRASE_PAIRS,
    PHRASE_WEIGHT,
    Candidate,
    LanguageIndex,
)
from bot.core.normalize import _GLUED_NUMBER, _NON_WORD, _STRETCHED, SLANG, fold, sound_key, words
from bot.core.smalltalk import PRIORITY, SmallTalk, _sounds

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
TRICKY = [
    "me voy de mochilero xd jajaja, jsjsjs y jej, no xdxd",
    "¿Cómo RENUEVO mi DNI???", "holaaaa 😀amigo", "beca18 y covid19", "ñandú pingüino", "ﬁrma ½ ℡",
    "no\u00a0break", "a\u0301cento suelto", "ΣΟΦΙΑ σοφός", "q hago pa sacar xq", "", "   ", "—¡!—", "Ⅻ ② ｆｕｌｌ",
]


def reference_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = _NON_WORD.sub(" ", plain)
    plain = _GLUED_NUMBER.sub(" ", plain)
    plain = _STRETCHED.sub(r"\1", plain)
    return " ".join("jaja" if _LAUGHTER_WORD.fullmatch(w) else w for w in plain.split())


# Laughter, one word at a time: "jajaja", "jejeje", "jsjsjs", "jaj", "xd", "xddd".
_LAUGHTER_WORD = re.compile(r"(?:j+[aeiou]+){2,}j?|(?:js){2,}j?|(?:ja|je)+j|x+d+")


def reference_words(text: str) -> list[str]:
    return " ".join(SLANG.get(token, token) for token in reference_fold(text).split()).split()


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge_or_raise(KNOWLEDGE)


@pytest.fixture(scope="module")
def catalogue(shipped: KnowledgeBase) -> tuple[KnowledgeBase, list[str]]:
    base = generate(ARRAY_POSTINGS_FROM + 100, shipped, held_out=150, out_of_scope=20)
    return base.kb, [q for q, _ in base.questions]


def kb_texts(kb: KnowledgeBase) -> list[str]:
    found = []
    for e in kb.entries.values():
        found += [e.title.es, e.title.en or "", e.summary.es, *e.questions.es, *e.questions.en, *e.keywords.es]
        found += [*e.steps.es, *e.requirements.es, *e.situations.es, e.institution]
    return found


def test_folding_word_by_word_is_folding_the_whole_text(shipped: KnowledgeBase) -> None:
    for text in [*TRICKY, *kb_texts(shipped)]:
        assert fold(text) == reference_fold(text), text
        assert words(text) == reference_words(text), text


def test_a_knowledge_base_text_gets_the_stems_a_full_analysis_gives(
    shipped: KnowledgeBase, catalogue: tuple[KnowledgeBase, list[str]]
) -> None:
    for kb in (shipped, catalogue[0]):
        analyzer = LanguageIndex(kb, "es").analyzer
        for text in kb_texts(kb):
            folded, stems = analyzer.text_stems(text)
            analysis = analyzer.analyze(text, correct=False)
            assert (" ".join(folded), stems) == (analysis.folded, analysis.stems), text


def test_synonym_phrases_are_replaced_as_a_plain_left_to_right_scan_would(shipped: KnowledgeBase) -> None:
    analyzer = LanguageIndex(shipped, "es").analyzer
    phrases = {tuple(v.split()): tuple(s.term.split()) for s in shipped.synonyms if s.lang == "es" for v in s.variants}
    longest = max(len(p) for p in phrases)

    def reference(tokens: list[str]) -> list[str]:
        result, i = [], 0
        while i < len(tokens):
            for size in range(min(longest, len(tokens) - i), 0, -1):
                if (target := phrases.get(tuple(tokens[i : i + size]))) is not None:
                    result.extend(target)
                    i += size
                    break
            else:
                result.append(tokens[i])
                i += 1
        return result

    samples = [["como", *variant, "y", *variant, "hoy"] for variant in phrases]
    samples += [words(text) for text in kb_texts(shipped)]
    for tokens in samples:
        assert analyzer.apply_synonyms(list(tokens)) == reference(list(tokens)), tokens


def test_candidates_are_the_entries_sharing_the_most_asked_weight(
    shipped: KnowledgeBase, catalogue: tuple[KnowledgeBase, list[str]]
) -> None:
    """Array postings (large bases) pick the same MAX_SCORED entries, ties included, as summing entry by entry,
    also when a question holds words every entry of the catalogue holds (alone, or beside a rare one)."""
    everywhere = ["qué requisitos y costo tiene el trámite por internet", "requisitos del trámite", "costo"]
    questions = [
        *(q for e in shipped.entries.values() for q in e.questions.es[:2]), *catalogue[1],
        *everywhere, *(f"{q} de bodega en Miraflores" for q in everywhere), "costo en Ica o en Lince",
    ]
    checked = 0
    for kb in (shipped, catalogue[0]):
        index = LanguageIndex(kb, "es")
        for question in questions:
            analysis = index.analyze(question)
            if not analysis.stems:
                continue
            weights = index.word_weights(analysis)
            shared: dict[str, float] = {}
            for s in analysis.stems:
                for number in index.postings(s):
                    entry_id = index._order[int(number)].entry.id
                    shared[entry_id] = shared.get(entry_id, 0.0) + weights[s]
            expected = heapq.nlargest(MAX_SCORED, shared, key=shared.__getitem__)
            got = [index._order[n].entry.id for n in index._candidates(analysis.stems, weights)]
            assert got == expected if len(shared) > MAX_SCORED else sorted(got) == sorted(expected), question
            checked += len(shared) > MAX_SCORED
    assert checked > 100  # the generated catalogue really has common words shared by many entries


def test_the_c_stemmer_gives_the_pure_python_stems(shipped: KnowledgeBase) -> None:
    """Questions are stemmed by snowballstemmer's C backend (PyStemmer) when it is installed: on every
    word of the general-language lists and of the knowledge base it must give the stems the pure-Python
    algorithm the matcher was tuned with gives."""
    assert not isinstance(snowballstemmer.stemmer("spanish"), SpanishStemmer)  # the backend is installed
    kb_words = {w for text in kb_texts(shipped) for w in words(text)}
    for lang, name, reference in (("es", "spanish", SpanishStemmer()), ("en", "english", EnglishStemmer())):
        fast = snowballstemmer.stemmer(name)
        for word in sorted(kb_words | set(zipf_table(lang))):
            assert fast.stemWord(word) == reference.stemWord(word), (lang, word)


def test_small_talk_read_word_by_word_finds_what_reading_the_whole_message_finds(shipped: KnowledgeBase) -> None:
    """Small talk stops reading at the first word no phrase or filler has; the full reading it shortcuts
    gives the same intent (or none) for every evaluation question and every intent phrase, alone or padded."""
    talk = SmallTalk(shipped)

    def reference(question: str) -> str | None:
        sounds = _sounds(question)
        if not sounds:
            return None
        if (exact := talk._exact.get(sounds)) is not None:
            return exact
        found, rest = set(), sounds
        for name, pattern in talk._patterns:
            rest, hits = pattern.subn(" ", rest)
            if hits:
                found.add(name)
        if not found or any(word not in talk._filler for word in rest.split()):
            return None
        return next(name for name in PRIORITY if name in found)

    phrases = [p for intent in shipped.intents.values() for p in (*intent.phrases.es, *intent.phrases.en)]
    questions = [c.question for cases in eval_sets(set(shipped.entries)).values() for c in cases]
    samples = [*questions, *phrases, *(f"hola {p} bot" for p in phrases), *(f"{p} y mi dni" for p in phrases)]
    intents = [talk.intent(q) for q in samples]
    assert intents == [reference(q) for q in samples]
    assert sum(i is not None for i in intents) > len(phrases)  # the samples do reach every branch


def test_sound_keys_are_the_keys_of_the_rules_applied_one_by_one(shipped: KnowledgeBase) -> None:
    """The sound-alike key, computed with lookaheads and one translation, is what applying each rule as
    its own regex gives, on every general-language and knowledge-base word and on random letter soup."""
    rules = [
        (r"qu([ei])", r"k\1"), (r"c([ei])", r"s\1"), (r"g([ei])", r"j\1"), (r"ch", "x"), (r"ll", "y"), (r"h", ""),
        (r"c|q", "k"), (r"z", "s"), (r"v", "b"), (r"w", "u"), (r"y", "i"), (r"([a-z])\1+", r"\1"),
    ]

    def reference(word: str) -> str:
        for pattern, replacement in rules:
            word = re.sub(pattern, replacement, word)
        return word

    rng = random.Random(7)
    soup = ["".join(rng.choice("aceghilquvwyz1\n") for _ in range(rng.randrange(1, 12))) for _ in range(20_000)]
    kb_words = {w for text in kb_texts(shipped) for w in words(text)}
    samples = sorted(kb_words | set(zipf_table("es")) | set(zipf_table("en"))) + soup
    assert [sound_key(w) for w in samples] == [reference(w) for w in samples]


def test_typo_candidates_keep_every_word_within_the_edits_allowed(shipped: KnowledgeBase) -> None:
    """Narrowing the vocabulary by letter counts drops only words more edits away than allowed, so the
    correction chosen among the rest is the one a scan of every word of a similar length chooses."""
    analyzer = LanguageIndex(shipped, "es").analyzer
    by_length = analyzer._by_length
    vocabulary = sorted(w for group in by_length.values() for w in group)
    rng = random.Random(3)

    def typo(word: str) -> str:
        for _ in range(rng.choice((1, 2))):
            i = rng.randrange(len(word))
            word = rng.choice((word[:i] + word[i + 1 :], word[:i] + rng.choice("aeiouslnrcñ") + word[i:],
                               word[:i] + rng.choice("aeiouslnrc") + word[i + 1 :], word[:i] + word[i + 1 : i + 2]
                               + word[i : i + 1] + word[i + 2 :]))
        return word

    samples = [typo(w) for w in rng.sample(vocabulary, 1500)]
    # And every word of the evaluation questions at hand (the project's own; the shared sets when beside it).
    samples += [w for cases in eval_sets(set(shipped.entries)).values() for c in cases for w in words(c.question)]
    narrowed = 0
    for word in samples:
        limit = allowed_edits(word) or 1
        window = [w for n in range(len(word) - limit, len(word) + limit + 1) for w in by_length.get(n, ())]
        kept = analyzer._near.candidates(word, limit)
        within = [w for w in window if OSA.distance(word, w) <= limit]
        assert [w for w in kept if OSA.distance(word, w) <= limit] == within, word
        chosen, scanned = (process.extractOne(word, c, scorer=OSA.distance, score_cutoff=limit) for c in (kept, window))
        assert (chosen and chosen[:2]) == (scanned and scanned[:2]), word  # (word, distance); [2] is its place
        narrowed += len(kept) < len(window) / 4
    assert narrowed > len(samples) / 2  # the narrowing really leaves out most of the scan


def test_ranking_fits_only_the_candidates_that_can_still_make_it_and_loses_none(
    shipped: KnowledgeBase, catalogue: tuple[KnowledgeBase, list[str]]
) -> None:
    """Fit is computed only for candidates whose score ceiling reaches the best five; the ranking is
    the one scoring every candidate in full gives, to the last digit of every figure."""
    questions = [*(q for e in shipped.entries.values() for q in (*e.questions.es[:2], *e.situations.es[:1])),
                 *catalogue[1]]
    for kb in (shipped, catalogue[0]):
        index = LanguageIndex(kb, "es")
        for question in questions:
            analysis = index.analyze(question)
            if not analysis.stems:
                continue
            weights = index.word_weights(analysis)
            asked, total = frozenset(analysis.stems), sum(weights.values()) or 1.0
            pairs = set(pairwise(analysis.stems))
            full = []
            for number in index._candidates(analysis.stems, weights):
                profile = index._order[number]
                main = asked & profile.stems
                known = sum(weights[s] for s in main) + BODY_SHARE * sum(weights[s] for s in asked & profile.body)
                fit = index._fit(profile, main)
                shared = pairs & profile.pairs
                phrase = min(1.0, len(shared) / min(len(pairs), PHRASE_PAIRS)) if pairs else fit
                score = COVERAGE_WEIGHT * (known / total) + FIT_WEIGHT * fit + PHRASE_WEIGHT * phrase
                rarest = max([index.weights[s] for s in main] + [index.pair_weights[p] for p in shared] + [0.0])
                full.append(Candidate(profile.entry, round(score, 4), known / total, fit, phrase,
                                      rarest / index.unknown_weight, known / index.unknown_weight))
            full.sort(key=lambda c: (-c.score, -c.fit, c.entry.id))
            assert index.rank(analysis) == full[:5], question
