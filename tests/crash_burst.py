"""A bot-shaped burst against the store, run as a subprocess that test_store_crash kills with SIGKILL.

    python tests/crash_burst.py DATABASE FIRST_UPDATE TOTAL

Like the bot: deliver replies kept from before a crash, replay stored updates nobody answered,
then take updates in batches of 10 from FIRST_UPDATE ("getUpdates"), store each batch before
confirming it, and answer each new update once: log the question, mark it answered with its reply
in one transaction, "send" the reply, forget it. Every step the parent must be able to check is
printed after it is committed: `confirmed ID`, `answered ID`, `sent ID`, `logged ID,ID,...`.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.core.models import Outcome, Reply
from bot.settings import Settings
from bot.store import Store

BATCH = 10
FLUSH_EVERY = 7  # answers between two waits for the question log to be written


def emit(event: str, value: object) -> None:
    print(event, value, flush=True)


class Bot:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.unflushed: list[int] = []

    async def send(self, reply_id: int, update_id: int) -> None:
        emit("sent", update_id)  # the message left: a kill from here to reply_sent resends it
        await self.store.reply_sent(reply_id)

    async def answer(self, update_id: int) -> None:
        text = f"pregunta numero {update_id}"
        self.store.record_question(
            user_id=update_id, channel="crash", reply=Reply(Outcome.NONE, "es", text, text)
        )
        self.unflushed.append(update_id)
        reply_id = await self.store.mark_answered(update_id, reply=json.dumps({"update_id": update_id}))
        assert reply_id is not None, f"update {update_id} answered twice"
        emit("answered", update_id)
        await self.send(reply_id, update_id)
        if len(self.unflushed) >= FLUSH_EVERY:
            await self.flush()

    async def flush(self) -> None:
        await self.store.flush()
        if self.unflushed:
            emit("logged", ",".join(map(str, self.unflushed)))
        self.unflushed = []


async def main(database: Path, first: int, total: int) -> None:
    store = await Store.open(Settings(database_path=database), retention_every=None)
    bot = Bot(store)
    for kept in await store.due_replies(limit=total):
        await bot.send(kept.id, json.loads(kept.payload)["update_id"])
    for pending in await store.unanswered():
        await bot.answer(pending.update_id)
    for offset in range(first, total, BATCH):
        batch = [(u, json.dumps({"update_id": u})) for u in range(offset, min(offset + BATCH, total))]
        new = await store.save_updates(batch)
        assert new is not None
        emit("confirmed", batch[-1][0])
        for update_id in new:
            await bot.answer(update_id)
    await bot.flush()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
