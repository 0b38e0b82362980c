"""Benchmark: cost of one question through the pipeline on the shipped knowledge base.

Prints numbers (no pass/fail): index build time, per-question latency percentiles over the
development sets, and the memory the loaded pipeline holds. Run with `make bench`.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.knowledge import load_knowledge_or_raise  # noqa: E402
from bot.core.lexicon import zipf_table  # noqa: E402
from bot.core.normalize import fold, sound_key, stem  # noqa: E402
from bot.core.pipeline import Pipeline  # noqa: E402


def questions() -> list[tuple[str, str]]:
    own = sorted((ROOT / "knowledge" / "eval").glob("*.yaml"))
    files = own + sorted((ROOT.parent / "shared" / "eval").glob("*.yaml"))
    found: list[tuple[str, str]] = []
    for path in files:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            found.append((str(case["question"]), str(case.get("lang") or "es")))
    return found or [("como renuevo mi dni", "es")]


def main() -> None:
    tracemalloc.start()  # memory pass: tracing slows allocation-heavy work, so it is not timed
    traced = Pipeline(load_knowledge_or_raise(ROOT / "knowledge"))
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced
    zipf_table.cache_clear()  # time the general-language word lists' first load too
    started = time.perf_counter()
    kb = load_knowledge_or_raise(ROOT / "knowledge")
    loaded = time.perf_counter()
    pipeline = Pipeline(kb)
    built = time.perf_counter()
    cases = questions()
    for question, lang in cases:  # warm caches (stems, typo corrections) as a running bot would
        pipeline.ask(question, lang)
    timings = []
    for _ in range(5):
        for question, lang in cases:
            t0 = time.perf_counter()
            pipeline.ask(question, lang)
            timings.append((time.perf_counter() - t0) * 1000)
    for cache in (fold, stem, sound_key):  # honest first sight: nothing memoised from the runs above
        cache.cache_clear()
    cold = Pipeline(kb)
    cold_timings = []
    for question, lang in cases:
        t0 = time.perf_counter()
        cold.ask(question, lang)
        cold_timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    cold_timings.sort()
    print(f"entries: {len(kb.entries)}  questions timed: {len(timings)} ({len(cases)} distinct)")
    print(f"load+validate: {(loaded - started) * 1000:.1f} ms   index build: {(built - loaded) * 1000:.1f} ms")
    print(f"memory held by kb+index+word lists: {current / 1e6:.1f} MB (peak while building {peak / 1e6:.1f} MB)")
    for label, values in (("repeated", timings), ("first sight", cold_timings)):
        p50 = statistics.median(values)
        p99 = values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]
        print(f"latency {label:11}: p50 {p50:.3f} ms  p99 {p99:.3f} ms  max {values[-1]:.3f} ms")


if __name__ == "__main__":
    main()
