"""SIGKILL at any point of a 300-question burst loses nothing committed and answers everyone once.

The burst runs in a subprocess (tests/crash_burst.py) that prints each step after it commits; the
test kills it at random points, checks the file, starts it again from the last confirmed update,
and at the end checks that every question got its answer.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

HELPER = Path(__file__).with_name("crash_burst.py")
ROOT = Path(__file__).resolve().parents[1]
TOTAL = 300
RUN_TIMEOUT = 120  # seconds for one run of the burst


class Log:
    """What the killed processes said they had committed, across runs."""

    def __init__(self) -> None:
        self.confirmed = -1
        self.answered: Counter[int] = Counter()
        self.sent: Counter[int] = Counter()
        self.logged: set[int] = set()

    def read(self, line: str) -> None:
        event, value = line.split()
        if event == "confirmed":
            self.confirmed = max(self.confirmed, int(value))
        elif event == "answered":
            self.answered[int(value)] += 1
        elif event == "sent":
            self.sent[int(value)] += 1
        elif event == "logged":
            self.logged.update(int(v) for v in value.split(","))


def _run(database: Path, log: Log, kill_after: tuple[str, int] | None) -> int:
    """One run of the burst; SIGKILL right after the n-th `event` line of `kill_after` = (event, n),
    so the kill lands in the step that follows it. Returns the exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(HELPER), str(database), str(log.confirmed + 1), str(TOTAL)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    seen = 0
    try:
        for line in child.stdout:
            log.read(line)
            if kill_after is not None and line.split()[0] == kill_after[0]:
                seen += 1
                if seen >= kill_after[1]:
                    child.send_signal(signal.SIGKILL)
                    break
        code = child.wait(timeout=RUN_TIMEOUT)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    for line in child.stdout:  # what was printed (so committed) before the kill landed
        log.read(line)
    if kill_after is None:
        assert code == 0, child.stderr.read() if child.stderr else code
    return code


def _check_file(database: Path, log: Log) -> None:
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        texts = {row[0] for row in db.execute("SELECT text FROM questions")}
        stored = {row[0] for row in db.execute("SELECT update_id FROM inbox")}
    missing = {u for u in log.logged if f"pregunta numero {u}" not in texts}
    assert not missing, f"logged rows lost in the crash: {sorted(missing)[:10]}"
    assert set(range(log.confirmed + 1)) <= stored, "an update was confirmed before it was stored"


# Kill points: just after storing a batch (before answering it), after marking an answer (before
# sending it), after sending (before forgetting the reply), after a log flush; at random counts.
EVENTS = ("confirmed", "answered", "sent", "logged")


@pytest.mark.parametrize("seed", [1, 2])
def test_sigkill_mid_burst_loses_nothing_committed_and_answers_everyone_once(tmp_path: Path, seed: int) -> None:
    database = tmp_path / "bot.sqlite3"
    log = Log()
    rng = random.Random(seed)
    kills = 0
    for event in rng.sample(EVENTS, len(EVENTS)):
        code = _run(database, log, kill_after=(event, rng.randint(1, 6 if event in ("confirmed", "logged") else 60)))
        if code == 0:
            break  # finished before the kill point
        assert code == -signal.SIGKILL
        kills += 1
        _check_file(database, log)
    _run(database, log, kill_after=None)
    _check_file(database, log)

    assert kills >= 1
    everyone = set(range(TOTAL))
    assert set(log.sent) == everyone, f"never answered: {sorted(everyone - set(log.sent))[:10]}"
    # The only duplicate possible: killed after a reply left and before it was marked sent.
    assert sum(log.sent.values()) - TOTAL <= kills
    assert all(count == 1 for count in log.answered.values())
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM inbox WHERE answered_at IS NULL").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM outbox").fetchone()[0] == 0
