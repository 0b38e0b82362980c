"""End-to-end benchmark: the real bot (`python -m bot run`, its own process) against the fake Bot API.

Side by side in one run, each bot in its own process against tests/fake_bot_api.py on 127.0.0.1:
1. the bare PTB echo bot (benchmarks/echo_bot.py) and the project with TELEGRAM_RATE_LIMIT=none
   (each started `--repeat` times, interleaved, each bot's best run shown: the machine is shared),
   with REPLY_CACHE=off (every question matched) and on (a question asked again word for word reuses
   its reply; the 2,000 questions repeat a few hundred texts, so the hit rate is printed):
   2,000 questions from 500 users pushed at once — updates/s and reply p50/p99 (from the push to the
   reply reaching the fake), then 200 questions one at a time (reply latency of an idle bot), asked
   by citizens in turn, a few each: one chat asking at machine speed would be a flood, which the bot's
   fair-use throttle answers with one "más despacio" and then silence;
2. the project with TELEGRAM_RATE_LIMIT=telegram while the fake enforces Telegram's flood limits
   (30 messages/s overall, 1/s per chat with bursts of 3, 20/min per group): a burst of 300
   questions from 100 users — drain time against the ideal (messages ÷ 30/s), 429s received, and
   whether every question got exactly one reply.

    python -m benchmarks.telegram [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fake_bot_api import Call, FakeBotAPI, Limits

from .common import KNOWLEDGE, ROOT, emit, eval_sets, machine, percentile, table

FIRST_USER = 500_000
IDLE_FIRST_USER = 400_000
IDLE_PER_USER = 5  # questions each idle-phase citizen asks in a row: well inside the fair-use burst
START_TIMEOUT = 60.0
DRAIN_TIMEOUT = 180.0
SETTLE = 0.5  # after the last expected reply, how long to keep counting (a duplicate would show here)


@dataclass
class Replies:
    """sendMessage calls the fake answered, per chat, as receive times."""

    at: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    chat_actions: int = 0
    count: int = 0

    def __call__(self, call: Call) -> None:
        if "_failed" in call.params:
            return
        if call.method == "sendChatAction":
            self.chat_actions += 1
        elif call.method == "sendMessage":
            self.at[int(call.params["chat_id"])].append(call.at)
            self.count += 1


def questions() -> list[str]:
    """Spanish in-scope questions from the evaluation sets, as citizens write them."""
    from bot.core.knowledge import load_knowledge_or_raise

    kb = load_knowledge_or_raise(KNOWLEDGE)
    found = [c.question for cases in eval_sets(set(kb.entries)).values() for c in cases if c.expect and c.lang == "es"]
    return sorted(set(found))


def idle_asker(index: int) -> int:
    """The citizen who asks the `index`-th question of the one-at-a-time phase."""
    return IDLE_FIRST_USER + index // IDLE_PER_USER


def log_path(workdir: Path, kind: str, rate_limit: str, cache: str) -> Path:
    return workdir / f"{kind}-{rate_limit}-cache-{cache}.log"


async def spawn(
    kind: str, fake: FakeBotAPI, workdir: Path, rate_limit: str, cache: str = "on"
) -> asyncio.subprocess.Process:
    """Start a bot process polling the fake: `echo` or `project` (`python -m bot run`)."""
    log = log_path(workdir, kind, rate_limit, cache).open("wb")
    if kind == "echo":
        command = [sys.executable, "-m", "benchmarks.echo_bot", fake.token, fake.base_url]
        env = dict(os.environ)
    else:
        command = [sys.executable, "-m", "bot", "run"]
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_RATE_LIMIT": rate_limit,
            "DATABASE_PATH": str(workdir / f"bot-{rate_limit}-{cache}.sqlite3"),
            "REPLY_CACHE": cache,
            "KNOWLEDGE_DIR": str(KNOWLEDGE),
            "USER_HASH_SECRET": "benchmark",
            "ADMIN_USER_IDS": "",
        }
    process = await asyncio.create_subprocess_exec(
        *command, cwd=workdir, env={**env, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log
    )
    log.close()
    return process


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


async def burst(fake: FakeBotAPI, texts: Sequence[str], users: int) -> dict[str, Any]:
    """Push every question at once (round-robin over `users` private chats); wait for every reply."""
    replies = Replies()
    fake.listeners.append(replies)
    asked: dict[int, list[float]] = defaultdict(list)
    started = time.monotonic()
    for i, text in enumerate(texts):
        user = FIRST_USER + i % users
        fake.push_text(text, user_id=user)
        asked[user].append(time.monotonic())
    deadline = started + DRAIN_TIMEOUT
    while replies.count < len(texts) and time.monotonic() < deadline:
        await asyncio.sleep(0.002)
    last = max((t for times in replies.at.values() for t in times), default=time.monotonic())
    await asyncio.sleep(SETTLE)
    fake.listeners.remove(replies)
    latencies = [  # a missing reply has no latency; `exactly_once` reports it
        (answered - pushed) * 1000
        for chat, times in asked.items()
        for pushed, answered in zip(times, replies.at[chat], strict=False)
    ]
    drain = last - started
    return {
        "questions": len(texts),
        "users": users,
        "replies": replies.count,
        "drain_s": round(drain, 3),
        "updates_per_s": round(len(texts) / drain, 1) if drain > 0 else None,
        "reply_p50_ms": round(percentile(latencies, 0.50), 1),
        "reply_p99_ms": round(percentile(latencies, 0.99), 1),
        "chat_actions": replies.chat_actions,
        "exactly_once": all(len(replies.at[chat]) == len(times) for chat, times in asked.items())
        and replies.count == len(texts),
    }


async def one_at_a_time(fake: FakeBotAPI, texts: Sequence[str], asker: Callable[[int], int]) -> dict[str, Any]:
    """Ask, wait for the reply, ask the next: the latency a citizen sees from an idle bot."""
    replies = Replies()
    fake.listeners.append(replies)
    latencies = []
    for index, text in enumerate(texts):
        user = asker(index)
        before = replies.count
        pushed = time.monotonic()
        fake.push_text(text, user_id=user)
        deadline = pushed + 10
        while replies.count == before and time.monotonic() < deadline:
            await asyncio.sleep(0.0005)
        latencies.append((replies.at[user][-1] - pushed) * 1000 if replies.count > before else 10_000.0)
    fake.listeners.remove(replies)
    return {"questions": len(texts), "p50_ms": round(percentile(latencies, 0.5), 2),
            "p99_ms": round(percentile(latencies, 0.99), 2),
            "unanswered_in_10_s": sum(1 for ms in latencies if ms >= 10_000.0)}


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, every thread) a process has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cache_line(log: Path) -> dict[str, Any] | None:
    """The reply cache's counts from the bot's last log line about it (written when it stops)."""
    found = re.findall(r"reply cache hits=(\d+) misses=(\d+)", log.read_text(errors="replace"))
    if not found:
        return None
    hits, misses = (int(n) for n in found[-1])
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / (hits + misses), 3) if hits + misses else None}


async def scenario(kind: str, texts: Sequence[str], users: int, rate_limit: str, limits: Limits | None,
                   workdir: Path, idle_questions: int, cache: str = "on") -> dict[str, Any]:
    fake = await FakeBotAPI.start()
    process = await spawn(kind, fake, workdir, rate_limit, cache)
    try:
        await asyncio.wait_for(fake.polling.wait(), START_TIMEOUT)
        await one_at_a_time(fake, texts[:5], lambda _: FIRST_USER - 1)  # warm up: connections opened
        fake.enforce_limits(limits)
        before = cpu_seconds(process.pid)
        result = await burst(fake, texts, users)
        after = cpu_seconds(process.pid)
        result["cpu_ms_per_update"] = (  # the bot's own CPU, whatever else runs on the machine
            round((after - before) * 1000 / len(texts), 3) if before is not None and after is not None else None
        )
        result["too_many_requests"] = fake.too_many_requests
        if idle_questions:
            fake.enforce_limits(None)
            result["one_at_a_time"] = await one_at_a_time(fake, texts[:idle_questions], idle_asker)
    finally:
        await stop(process)
        await fake.stop()
    outcome: dict[str, Any] = {"bot": kind, "rate_limit": rate_limit, "fake_limits": limits is not None, **result}
    if kind == "project":
        outcome["reply_cache"] = cache
        outcome["cache"] = cache_line(log_path(workdir, kind, rate_limit, cache))
    return outcome


async def run_all(total: int, users: int, burst_total: int, burst_users: int, repeat: int) -> dict[str, Any]:
    pool = questions()
    texts = [pool[i % len(pool)] for i in range(total)]
    burst_texts = [pool[(i * 7) % len(pool)] for i in range(burst_total)]
    limits = Limits()
    runs: dict[str, list[dict[str, Any]]] = {"echo": [], "project_cache_off": [], "project_cache_on": []}
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        bots = [("echo", "echo", "on"), ("project_cache_off", "project", "off"), ("project_cache_on", "project", "on")]
        for round_ in range(repeat):  # interleaved, each round in another order: a busy moment of the
            workdir = Path(tmp) / f"round-{round_}"  # machine hits every bot alike; fresh databases,
            workdir.mkdir()  # since the fake's update ids start again
            for name, kind, cache in bots[round_ % 3:] + bots[: round_ % 3]:
                runs[name].append(await scenario(kind, texts, users, "none", None, workdir, 200, cache=cache))
        limited = await scenario("project", burst_texts, burst_users, "telegram", limits, Path(tmp), 0)
    ideal = burst_total / limits.overall_per_second
    limited["ideal_s"] = round(ideal, 3)
    limited["drain_vs_ideal"] = round(limited["drain_s"] / ideal, 3)
    best = {name: max(done, key=lambda r: r["updates_per_s"] or 0) for name, done in runs.items()}

    def ratio(project: dict[str, Any]) -> float:
        return round((project["updates_per_s"] or 0) / (best["echo"]["updates_per_s"] or 1), 3)

    return {
        "benchmark": "telegram",
        "machine": machine(),
        "distinct_questions": len(set(texts)),
        "repeat": repeat,
        "throughput": {**best, "cache_off_vs_echo": ratio(best["project_cache_off"]),
                       "cache_on_vs_echo": ratio(best["project_cache_on"]),
                       "every_run_updates_per_s": {name: [r["updates_per_s"] for r in done]
                                                   for name, done in runs.items()},
                       "every_run_cpu_ms_per_update": {name: [r["cpu_ms_per_update"] for r in done]
                                                       for name, done in runs.items()},
                       "every_run_exactly_once": all(r["exactly_once"] for done in runs.values() for r in done)},
        "limited_burst": limited,
    }


def render(report: dict[str, Any]) -> str:
    t = report["throughput"]
    rows = []
    for name, label in (("echo", "echo"), ("project_cache_off", "project"), ("project_cache_on", "project")):
        r = t[name]
        idle = r["one_at_a_time"]
        rows.append([label, r["rate_limit"], r.get("reply_cache", "-"), r["questions"], r["users"], r["drain_s"],
                     r["updates_per_s"], r["cpu_ms_per_update"], r["reply_p50_ms"], r["reply_p99_ms"], idle["p50_ms"],
                     idle["p99_ms"], round(r["chat_actions"] / r["questions"], 2),
                     "yes" if r["exactly_once"] else "NO"])
    cache = t["project_cache_on"].get("cache") or {}
    every = t["every_run_updates_per_s"]
    out = [f"End to end against the fake Bot API (burst pushed at once; idle = one question at a time; "
           f"each bot's best of {report['repeat']} interleaved runs)",
           table(["bot", "TELEGRAM_RATE_LIMIT", "REPLY_CACHE", "questions", "users", "drain s", "updates/s",
                  "CPU ms/update", "p50 ms", "p99 ms", "idle p50 ms", "idle p99 ms", "typing/answer",
                  "each answered once"], rows),
           f"project ÷ echo updates/s: {t['cache_off_vs_echo']:.2f} with REPLY_CACHE=off, "
           f"{t['cache_on_vs_echo']:.2f} with REPLY_CACHE=on",
           f"reply cache (whole run of that bot: warm-up, burst, idle): {cache.get('hits', '-')} hits, "
           f"{cache.get('misses', '-')} misses, hit rate {cache.get('hit_rate', '-')}; the burst repeats "
           f"{report['distinct_questions']} distinct questions",
           "updates/s of every run: " + "; ".join(f"{name} {', '.join(str(v) for v in values)}"
                                                  for name, values in every.items()),
           "CPU ms/update of every run: " + "; ".join(f"{name} {', '.join(str(v) for v in values)}"
                                                     for name, values in t["every_run_cpu_ms_per_update"].items()),
           f"each answered once in every run: {'yes' if t['every_run_exactly_once'] else 'NO'}", ""]
    b = report["limited_burst"]
    out += ["Fake enforcing Telegram's limits (30 msg/s overall, 1/s per chat with bursts of 3, 20/min per group)",
            table(["bot", "TELEGRAM_RATE_LIMIT", "REPLY_CACHE", "questions", "users", "drain s", "ideal s",
                   "drain ÷ ideal", "429s", "typing/answer", "each answered once"],
                  [["project", b["rate_limit"], b["reply_cache"], b["questions"], b["users"], b["drain_s"],
                    b["ideal_s"], b["drain_vs_ideal"], b["too_many_requests"],
                    round(b["chat_actions"] / b["questions"], 2), "yes" if b["exactly_once"] else "NO"]])]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="end-to-end benchmark: the bot vs a bare echo bot on the fake API")
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--burst", type=int, default=300, help="questions in the rate-limited burst")
    parser.add_argument("--burst-users", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each bot in the first table (best shown)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        report = asyncio.run(run_all(args.questions, args.users, args.burst, args.burst_users, max(1, args.repeat)))
        emit(report, render(report), args.json)


if __name__ == "__main__":
    main()
