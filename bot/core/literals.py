"""The literal texts a regular expression cannot match without, read from the pattern itself.

A question is searched for dozens of cue patterns (bot.core.aspects), each an alternation of phrases
behind a word boundary. Python's regex engine finds no literal to skip ahead to in such a pattern, so
it tries every phrase at every word of the question: a few microseconds per pattern, most of them
spent on questions that hold none of its words. A substring test for the words a match needs costs
far less and rules those questions out with the same result, whatever the pattern says: the words are
worked out from the pattern's parse (the standard library's own parser), never written by hand.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

from bot.core.normalize import longest_first

# The standard library's regex parser and its opcodes: private modules, the same parse `re.compile` uses.
# Should a later Python move them, every pattern is simply always searched (correct, only slower).
try:
    _parser: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
    _ZERO_WIDTH = frozenset({_c.AT, _c.ASSERT, _c.ASSERT_NOT})  # consume nothing: literals around them touch
    _REPEATS = frozenset({_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT})
except (ImportError, AttributeError):  # pragma: no cover - depends on the Python version
    _parser = None

Needs = tuple[str, ...]  # one of these texts is in every text the pattern matches


def required_literals(pattern: re.Pattern[str]) -> Needs | None:
    """Texts of which every match of `pattern` contains at least one (as few and as long as found), or
    None when no such text can be read off the pattern (then it must always be searched).

    A case-insensitive pattern has no literal needs: its literals match other cases too."""
    if _parser is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        if parsed.state.flags & re.IGNORECASE:
            return None
        needs = _needs(list(parsed.data))
    except Exception:  # a parse of another Python version's shape: fall back to searching always
        return None
    return None if needs is None else _shortest_cover(needs)


def lacks(text: str, needs: Needs | None) -> bool:
    """Whether `text` holds none of the texts a pattern needs, so that the pattern cannot match it."""
    return needs is not None and not any(map(text.__contains__, needs))


class HeldTexts:
    """Which of many texts (the needs of many patterns) a text holds, found in one scan of it instead of a
    substring test per need (hundreds of them for the aspects' cues, most questions holding few).

    The scan finds at each position the longest of the texts starting there; the texts starting there
    are exactly that one and those of the texts that are prefixes of it, so each found text stands for
    its prefixes among the texts too."""

    def __init__(self, texts: Iterable[str]) -> None:
        known = sorted(set(texts))
        self._pattern = re.compile(f"(?=({longest_first(known)}))") if known else None
        self._with_prefixes = {t: frozenset(p for p in known if t.startswith(p)) for t in known}

    def held(self, text: str) -> frozenset[str]:
        """The texts given at construction that `text` contains."""
        if self._pattern is None:
            return frozenset()
        prefixes = self._with_prefixes
        return frozenset().union(*[prefixes[m.group(1)] for m in self._pattern.finditer(text)])


def _needs(items: list[tuple[Any, Any]]) -> Needs | None:
    """The most telling need of a sequence of parsed items: its longest run of literal characters, or
    one of the alternatives of a branch (or repeated part) it must go through."""
    candidates: list[Needs] = []
    run: list[str] = []
    for op, av in _flat(items):
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH:
            continue  # the characters on both sides are adjacent in the text
        if op is _c.BRANCH:
            alternatives = [_needs(list(alternative.data)) for alternative in av[1]]
            inner = None if any(a is None for a in alternatives) else tuple(
                dict.fromkeys(text for a in alternatives if a is not None for text in a)
            )
        elif op in _REPEATS and av[0] >= 1:
            inner = _needs(list(av[2].data))
        else:
            inner = None  # a class of characters, a repeat that may be absent, a group changing flags...
        if run:
            candidates.append(("".join(run),))
        run = []
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append(("".join(run),))
    # The rarest need: the one whose shortest text is longest (spaces aside: " en " is a common word, not
    # a long text), then the one with fewer texts.
    return max(candidates, key=lambda c: (min(len(t.strip()) for t in c), -len(c)), default=None)


def _flat(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The items with each group's own items in its place (a group matches them there, one after another);
    a group changing flags stays whole."""
    flat: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is _c.SUBPATTERN and not av[1] and not av[2]:
            flat += _flat(list(av[3].data))
        else:
            flat.append((op, av))
    return flat


def _shortest_cover(needs: Needs) -> Needs:
    """`needs` without the texts that hold another of them: that other one is in the text whenever they are."""
    kept = sorted(set(needs), key=len)
    return tuple(t for i, t in enumerate(kept) if not any(shorter in t for shorter in kept[:i]))
