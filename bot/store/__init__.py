"""Storage: the question log, feedback, review queue and usage stats in one SQLite file.

Imports only `bot.core`; nothing here knows about Telegram.
"""

from .db import StoreError
from .health import StoreStatus
from .inbox import PendingReply, PendingUpdate
from .review import Group
from .stats import Stats
from .store import Store

__all__ = ["Group", "PendingReply", "PendingUpdate", "Stats", "Store", "StoreError", "StoreStatus"]
