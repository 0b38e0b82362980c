"""The events-and-regions test knowledge base: telegram_kb + the shipped departamentos + events_extra."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TELEGRAM_KB = ROOT / "tests" / "fixtures" / "telegram_kb"
EXTRA = ROOT / "tests" / "fixtures" / "events_extra"


def make_events_kb(directory: Path) -> Path:
    """Build the knowledge folder in `directory` (created) and return it."""
    shutil.copytree(TELEGRAM_KB, directory)
    shutil.copy(ROOT / "knowledge" / "departamentos.yaml", directory / "departamentos.yaml")
    for sub in ("events", "services"):
        for path in (EXTRA / sub).glob("*.yaml"):
            shutil.copy(path, directory / sub / path.name)
    return directory
