"""One chat floods the bot while other citizens ask: how long do the others wait?

    .venv/bin/python benchmarks/flood.py [--flood 200] [--seconds 10] [--others 50]

Runs the real bot (`python -m bot run`, a subprocess) against the fake Bot API of the tests on
127.0.0.1, with a throw-away database and the test knowledge base. One chat sends `--flood`
messages spread over `--seconds`; `--others` other users each ask one question at random moments
of the same window. Prints the other users' reply latency (from the moment the fake Bot API hands
the question out to the moment the bot's answer reaches it), and what the flooder got.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import FakeBotAPI  # noqa: E402
from tests.helpers import TELEGRAM_KB  # noqa: E402

FLOODER = 7777
FIRST_OTHER = 5000
QUESTION = "como renuevo mi dni"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def bench(flood: int, seconds: float, others: int, seed: int) -> None:
    fake = await FakeBotAPI.start()
    folder = Path(tempfile.mkdtemp(prefix="flood-"))
    shutil.copytree(TELEGRAM_KB, folder / "knowledge")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url, LOG_LEVEL="WARNING",
               DATABASE_PATH=str(folder / "bot.sqlite3"), KNOWLEDGE_DIR=str(folder / "knowledge"),
               USER_HASH_SECRET="bench", PYTHONPATH=str(ROOT))
    with (folder / "bot.log").open("wb") as err:
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=folder, env=env,
                                                   stdout=asyncio.subprocess.DEVNULL, stderr=err)
    try:
        await fake.wait_for("setMyCommands", timeout=30)
        rng = random.Random(seed)
        events = [(i * seconds / flood, FLOODER) for i in range(flood)]
        events += [(rng.uniform(0, seconds), FIRST_OTHER + n) for n in range(others)]
        events.sort()
        asked: dict[int, float] = {}
        start = time.monotonic()
        for at, user in events:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            fake.push_text(QUESTION, user_id=user)
            if user != FLOODER:
                asked[user] = time.monotonic()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            got = {int(c.params["chat_id"]) for c in fake.calls_of("sendMessage") if "_failed" not in c.params}
            if set(asked) <= got:
                break
            await asyncio.sleep(0.05)
        await fake.idle(FLOODER, settle=1.0)
    finally:
        bot.send_signal(signal.SIGTERM)
        await bot.wait()
        await fake.stop()
    first_answer: dict[int, float] = {}
    for call in fake.calls_of("sendMessage"):
        chat = int(call.params["chat_id"])
        if "_failed" not in call.params and chat not in first_answer:
            first_answer[chat] = call.at
    latencies = [first_answer[u] - asked[u] for u in asked if u in first_answer]
    to_flooder = [c.text for c in fake.calls_of("sendMessage", chat_id=FLOODER) if "_failed" not in c.params]
    print(f"flood: {flood} messages from one chat in {seconds:g} s; {others} other users, one question each")
    print(f"other users answered: {len(latencies)}/{others}")
    if latencies:
        print(f"other users' reply latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    slow = sum("más despacio" in text for text in to_flooder)
    print(f"flooder got: {len(to_flooder) - slow} answers, {slow} 'más despacio' notice(s)")
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--others", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(bench(args.flood, args.seconds, args.others, args.seed))


if __name__ == "__main__":
    main()
