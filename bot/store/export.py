"""The review queue as a spreadsheet for staff who work in Excel or LibreOffice."""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

from .clock import PERU
from .review import Group

HEADER = (
    "id",
    "status",
    "count",
    "question",
    "first_seen",
    "last_seen",
    "entry_id",
    "answerable_entry_id",
    "changed_by",
    "changed_at",
    "examples",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Text as a cell; a leading =,+,-,@ is neutralised so a citizen's text never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def lima_time(stamp: str | None) -> str:
    """A stored UTC instant as Lima's local time to the minute ("2026-06-15 10:00"), as staff read it."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone(PERU).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def write_groups_csv(groups: list[Group], path: Path) -> int:
    """Write UTF-8 with BOM (Excel then shows accents right) and CRLF rows, readable by the owner
    only (0600); returns data rows written. Times are Lima's local time, like everything staff read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)  # a leftover could have looser permissions
    # Owner-only, like the database: the questions are citizens' words (masked, but still theirs).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with open(fd, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, dialect="excel")
        writer.writerow(HEADER)
        for g in groups:
            writer.writerow(
                [
                    g.id,
                    g.status,
                    g.count,
                    _cell(g.text),
                    lima_time(g.first_seen),
                    lima_time(g.last_seen),
                    g.entry_id or "",
                    g.answerable_entry_id or "",
                    _cell(g.changed_by),
                    lima_time(g.changed_at),
                    _cell(" | ".join(g.examples)),
                ]
            )
    tmp.replace(path)
    return len(groups)
