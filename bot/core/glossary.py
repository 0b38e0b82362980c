"""English questions read in Spanish: most entries are written only in Spanish.

An English question first matches the English phrasings the bilingual entries have. Where that finds
no answer, staff's English -> Spanish glossary (`knowledge/glosario-en.yaml`) rewrites it into the
Spanish words the knowledge base uses ("lost my ID card" -> "perder dni"), so it can match every
entry. Words the glossary does not have stay, marked as English: they are
not typo-corrected towards Spanish and weigh by how informative they are in English, so "embassy" or
"Netflix" still pulls the question away from every entry while "new" or "someone" hardly counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.normalize import STOP_WORDS, words


class Glossary:
    """English phrases (folded) -> the Spanish term they stand for; longest phrase first."""

    def __init__(self, groups: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        self._phrases: dict[tuple[str, ...], str] = {}
        for term, variants in groups:
            for variant in variants:
                self._phrases[tuple(variant.split())] = term
        self._longest = max((len(p) for p in self._phrases), default=0)

    def __bool__(self) -> bool:
        return bool(self._phrases)

    def to_spanish(self, text: str, known: Callable[[str], bool]) -> tuple[str, frozenset[str]]:
        """The question in the knowledge base's Spanish words, and the English words left in it that
        the Spanish index does not know (`known(word)`: it knows them, as names like "EsSalud")."""
        tokens = words(text)
        result: list[str] = []
        english: set[str] = set()
        i = 0
        while i < len(tokens):
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                term = self._phrases.get(tuple(tokens[i : i + size]))
                if term is not None:
                    result.append(term)
                    i += size
                    break
            else:
                word = tokens[i]
                if word not in STOP_WORDS["en"]:
                    result.append(word)
                    if not known(word):
                        english.add(word)
                i += 1
        return " ".join(result), frozenset(english)
