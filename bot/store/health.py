"""Is the question log being written? The words the store uses to decide, and to tell admins."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from .clock import PERU


def is_outage(exc: BaseException) -> bool:
    """A fault of the database itself (gone, damaged, read-only, connection closed), as opposed to
    one bad record or a lock held a little too long by the review CLI."""
    if isinstance(exc, OSError | ValueError):  # aiosqlite raises ValueError once the connection is closed
        return True
    if isinstance(exc, sqlite3.OperationalError):
        message = str(exc).lower()
        return "locked" not in message and "busy" not in message
    if isinstance(exc, sqlite3.ProgrammingError):
        return "closed" in str(exc).lower()
    if isinstance(exc, sqlite3.IntegrityError | sqlite3.DataError | sqlite3.InterfaceError):
        return False
    return isinstance(exc, sqlite3.DatabaseError)  # "file is not a database", "disk image is malformed"


@dataclass(frozen=True)
class StoreStatus:
    """Whether the log is being written, for the admins' statistics and a health check."""

    healthy: bool
    down_since: datetime | None = None
    reason: str | None = None
    lost: int = 0  # records not written since start: queue full, failed writes, log down

    def describe(self) -> str:
        """One line in Spanish for admins, e.g. "el registro está caído desde 2026-12-01 18:04 ..."."""
        lost = f"; {self.lost} registro(s) sin guardar" if self.lost else ""
        if self.healthy or self.down_since is None:
            return f"el registro funciona{lost}"
        since = self.down_since.astimezone(PERU).strftime("%Y-%m-%d %H:%M")
        return f"el registro está caído desde {since} (hora de Lima): {self.reason}{lost}"
