"""Which review group a question belongs to: near-duplicates and typos of each other share one.

token_sort_ratio compares the normalised texts with word order ignored, so "como saco mi licencia
de pesca", "como saco mi lisencia de pesca" and "licencia de pesca como saco" land together while
"como renuevo mi dni" does not. 85 was picked on such typo variants (see tests/test_store_review.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

SIMILARITY = 85.0


class GroupIndex:
    """The open groups' normalised texts, to find the closest one for a new question."""

    def __init__(self, groups: Iterable[tuple[int, str]] = ()) -> None:
        self._texts: dict[int, str] = {}
        for group_id, text in groups:
            self.add(group_id, text)

    def add(self, group_id: int, normalized: str) -> None:
        self._texts[group_id] = utils.default_process(normalized)

    def find(self, normalized: str) -> int | None:
        """The most similar group at or above the threshold, or None for a new kind of question."""
        query = utils.default_process(normalized)
        if not query or not self._texts:
            return None
        best = process.extractOne(
            query, self._texts, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=SIMILARITY
        )
        return None if best is None else int(best[2])
