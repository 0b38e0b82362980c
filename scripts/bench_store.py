"""How long `record_question` keeps a message handler busy, and how fast the writer drains.

    .venv/bin/python scripts/bench_store.py [--records N]

Uses a throw-away database in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.core.models import Outcome, Reply
from bot.settings import Settings
from bot.store import Store

QUESTIONS = [
    "como saco mi licencia de pesca",
    "mi dni 45678912 esta vencido que hago",
    "llamame al 987 654 321 por favor",
    "cuanto cuesta el pasaporte",
    "donde pago mi multa de transito",
]


async def bench(records: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Settings(database_path=Path(folder) / "bench.sqlite3"), queue_size=records)
        enqueue: list[float] = []
        started = time.perf_counter()
        for i in range(records):
            q = f"{QUESTIONS[i % len(QUESTIONS)]} {i % 97}"
            outcome = Outcome.NONE if i % 3 == 0 else Outcome.ANSWER
            reply = Reply(outcome, "es", q, q)
            t0 = time.perf_counter()
            store.record_question(user_id=i % 500, channel="bench", reply=reply)
            enqueue.append((time.perf_counter() - t0) * 1000)
            if i % 100 == 0:
                await asyncio.sleep(0)  # let the writer run, as a real bot's event loop would
        await store.flush()
        total = time.perf_counter() - started
        groups = len(await store.list_groups(None, limit=100_000))
        await store.close()
    enqueue.sort()
    print(f"records: {records}, written in {total:.2f} s ({records / total:,.0f}/s), review groups: {groups}")
    print(
        f"record_question: median {statistics.median(enqueue):.3f} ms, "
        f"p99 {enqueue[int(len(enqueue) * 0.99)]:.3f} ms, max {enqueue[-1]:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    asyncio.run(bench(parser.parse_args().records))


if __name__ == "__main__":
    main()
