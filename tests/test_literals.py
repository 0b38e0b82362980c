"""The literal needs read off a pattern never rule out a text the pattern matches (bot.core.literals)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from benchmarks.common import eval_sets
from benchmarks.synthetic import generate
from bot.core import aspects
from bot.core.knowledge import KnowledgeBase, load_knowledge_or_raise
from bot.core.literals import lacks, required_literals

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge_or_raise(KNOWLEDGE)


def test_needs_are_the_literals_every_match_goes_through() -> None:
    assert required_literals(re.compile(r"\b(?:cuanto (?:cuesta|sale)|precio)\b")) == ("precio", "cuanto ")
    assert required_literals(re.compile(r"(?:\w+ )?vale")) == ("vale",)
    assert required_literals(re.compile(r"ab(c|d)efg")) == ("efg",)  # the longest run of literals
    assert required_literals(re.compile(r"a(b)cd")) == ("abcd",)  # a group's literals stand in their place
    assert required_literals(re.compile(r"x+y")) == ("x",)  # a repeat that is there at least once
    assert required_literals(re.compile(r"(?:a|\d)")) is None  # an alternative that needs no literal
    assert required_literals(re.compile(r"\d+ ?h")) == ("h",)
    assert required_literals(re.compile("hola", re.IGNORECASE)) is None  # "HOLA" matches too
    assert required_literals(re.compile("(?i:hola)")) is None
    assert required_literals(re.compile(r"(?!)")) is None
    assert not lacks("cuanto sale", ("precio", "cuanto ")) and lacks("el costo", ("precio", "cuanto "))
    assert not lacks("", None)


def test_a_text_lacking_an_aspects_needs_is_never_one_it_asks(shipped: KnowledgeBase) -> None:
    """On every question of the evaluation sets and of a generated catalogue, every knowledge-base text and
    words of them shuffled into random texts: the needs rule out only texts the cue pattern does not match."""
    texts = [c.question for cases in eval_sets(set(shipped.entries)).values() for c in cases]
    texts += [q for q, _ in generate(300, shipped, held_out=150, out_of_scope=20).questions]
    for entry in shipped.entries.values():
        texts += [entry.title.es, entry.summary.es, *entry.questions.es, *entry.situations.es, *entry.steps.es]
    folded = [aspects._folded(t) for t in texts]
    vocabulary = sorted({w for t in folded for w in t.split()})
    rng = random.Random(7)
    folded += [" ".join(rng.choices(vocabulary, k=rng.randint(2, 12))) for _ in range(2000)]
    ruled_out = 0
    for aspect in aspects.ASPECTS:
        assert aspect.needs is not None, aspect.name  # every cue pattern has literals to check first
        for text in folded:
            if lacks(text, aspect.needs):
                ruled_out += 1
                assert aspect.asked.search(text) is None, (aspect.name, text)
            assert aspect.is_asked(text) == (aspect.asked.search(text) is not None)
    assert ruled_out > 0.8 * len(folded) * len(aspects.ASPECTS)  # most searches are spared
