"""What the core needs to be configured: the matcher's thresholds, and the shape of the settings a
pipeline is built from. The full settings of a running bot (token, webhook, database) live in
`bot/settings.py`, outside the core, which knows nothing of Telegram or SQLite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class MatchThresholds:
    """Decision thresholds of the matcher (scores are 0..1)."""

    answer: float = 0.55
    suggest: float = 0.45
    margin: float = 0.05
    min_coverage: float = 0.67
    min_specificity: float = 0.6
    min_fit: float = 0.4
    min_coverage_full_phrasing: float = 0.5


class PipelineSettings(Protocol):
    """The settings `Pipeline.from_settings` reads (bot.settings.Settings has them)."""

    @property
    def knowledge_dir(self) -> Path: ...

    @property
    def reviewed_max_age_days(self) -> int: ...

    @property
    def thresholds(self) -> MatchThresholds: ...

    @property
    def index_cache_dir(self) -> Path | None: ...  # None: the indexes are built at every start
