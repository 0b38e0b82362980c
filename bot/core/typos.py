"""The vocabulary words a typo may be corrected to, narrowed before the edit distance is computed.

Typo correction compares a word the knowledge base lacks with every vocabulary word of a similar
length (about a thousand): that scan was most of a first-seen typo's cost. An edit (insertion,
deletion, substitution, transposition) takes at most one character from each side out of the
characters the two words share, counted with repeats, so words sharing fewer than
max(lengths) - `limit` of them are more than `limit` edits apart. The shared counts of a whole window
of words take a few vector operations and leave the few words worth the edit distance, in order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_OTHER = len(_ALPHABET)  # every other character: one column (which can only raise the shared count)
_COLUMN = np.full(256, _OTHER, dtype=np.intp)
_COLUMN[np.frombuffer(_ALPHABET.encode(), dtype=np.uint8)] = np.arange(_OTHER)
_COLUMN_OF = {letter: column for column, letter in enumerate(_ALPHABET)}  # the same columns, for one word

# words, counts (a column per word), and the shared count each word needs: a window serves the words of
# one length and one limit, so max(lengths) - `limit` is known when it is built.
_Window = tuple[list[str], np.ndarray, np.ndarray]


def _counts(word: str) -> np.ndarray:
    """How many times each character occurs in `word`."""
    codes = word.encode() if word.isascii() else bytes(min(ord(c), 255) for c in word)
    return np.bincount(_COLUMN[np.frombuffer(codes, dtype=np.uint8)], minlength=_OTHER + 1)


class NearWords:
    """Vocabulary words by length, with their character counts, for `candidates`."""

    def __init__(self, by_length: dict[int, list[str]], limit_of: Callable[[int], int]) -> None:
        """`limit_of(n)`: the edits allowed for a word of length n; those windows are built now."""
        self._by_length = by_length
        self._windows: dict[tuple[int, int], _Window] = {}
        groups = {n: _count_rows(group) for n, group in by_length.items()}  # each word counted once
        longest = max(by_length, default=0)
        for length in range(1, longest + 1 + limit_of(longest + 1)):  # longer words: empty windows
            if limit := limit_of(length):
                self._window(length, limit, groups)

    def candidates(self, word: str, limit: int) -> list[str]:
        """The words within `limit` of `word`'s length (by length, then in vocabulary order) that may
        be within `limit` edits of it: every one that is, and few that are not."""
        words, counts, needed = self._window(len(word), limit)
        if not words:
            return []
        # The word's own counts in Python (a dozen letters): a window holds a few hundred words, so
        # each numpy call costs more than its arithmetic, and this leaves three of them.
        asked: dict[int, int] = {}
        for letter in word:
            column = _COLUMN_OF.get(letter, _OTHER)
            asked[column] = asked.get(column, 0) + 1
        shared = np.minimum(counts[list(asked)], np.array(list(asked.values()), dtype=np.int16)[:, None]).sum(axis=0)
        return [words[i] for i in np.flatnonzero(shared >= needed)]

    def _window(self, length: int, limit: int, groups: dict[int, np.ndarray] | None = None) -> _Window:
        found = self._windows.get((length, limit))
        if found is None:
            sizes = [n for n in range(length - limit, length + limit + 1) if n in self._by_length]
            rows = [groups[n] if groups is not None else _count_rows(self._by_length[n]) for n in sizes]
            found = self._windows[length, limit] = (
                [w for n in sizes for w in self._by_length[n]],
                np.concatenate(rows).T.copy() if rows else np.zeros((_OTHER + 1, 0), dtype=np.int16),
                np.array([max(n, length) - limit for n in sizes for _ in self._by_length[n]], dtype=np.int16),
            )
        return found


def _count_rows(words: list[str]) -> np.ndarray:
    return np.array([_counts(w) for w in words], dtype=np.int16).reshape(len(words), _OTHER + 1)
