"""Which update a handler is answering, so its replies can be tied to it in the durable outbox.

The update processor sets `current` around each handler; `send_html` reads it. The first reply of an
update marks the update answered in the same transaction that keeps the reply (see
`bot/store/inbox.py`), so a crash can neither lose that reply nor answer the update twice.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Ticket:
    """One update being handled: `claimed` once it is marked answered, `duplicate` when the store
    says it had been answered already (its replies are then not sent again)."""

    update_id: int
    claimed: bool = False
    duplicate: bool = False


current: ContextVar[Ticket | None] = ContextVar("telegram_update_ticket", default=None)
