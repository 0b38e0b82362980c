"""Matching benchmark: the pipeline beside a rapidfuzz WRatio scan and bm25s, on the same data and questions.

For the shipped knowledge base and generated bases of 1,000 and 10,000 entries (benchmarks/synthetic.py)
it prints, per system: index build time, memory the index holds (tracemalloc), p50/p99 per question
(first sight: fresh index and caches; best of `--repeat` such passes), and accuracy and utility
(accuracy − 2×wrong − 2×false) — per evaluation set on the shipped base, on the generated held-out
questions for the generated bases. And the pipeline's start-up (constructing `Pipeline`): building its
indexes, the first start with an index cache (build and write the file) and a start that loads it.
Numbers only, no pass/fail.

    python -m benchmarks.matching [--sizes 1000,10000] [--json]
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.core import normalize
from bot.core.evaluation import Case, judge
from bot.core.indexcache import IndexCache
from bot.core.knowledge import KnowledgeBase, load_knowledge_or_raise
from bot.core.pipeline import Pipeline

from . import synthetic
from .baselines import BM25, WRatioScan, best_cutoff, reply
from .common import KNOWLEDGE, emit, eval_sets, machine, percentile, table, utility

PIPELINE = "pipeline"
SLOW_SCAN_ENTRIES = 5000  # the WRatio scan takes ~0.4 s a question here: one pass is enough


class System(Protocol):
    """A matcher under test: the verdict (counter name) for one case."""

    def verdict(self, case: Case) -> str: ...


class PipelineSystem:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.pipeline = Pipeline(kb)

    def verdict(self, case: Case) -> str:
        return judge(case, self.pipeline.ask(case.question, case.lang))


class BaselineSystem:
    def __init__(self, engine: WRatioScan | BM25, cutoff: float) -> None:
        self.engine, self.cutoff = engine, cutoff

    def verdict(self, case: Case) -> str:
        return judge(case, reply(self.engine.kb, case, self.engine.best(case.question), self.cutoff))


def fresh_start() -> None:
    """Forget what earlier runs memoised (folded texts, stems, sounds), as a newly started bot would."""
    for value in vars(normalize).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def held_memory(factory: Callable[[], Any]) -> float:
    """MB the built object holds, measured on a build of its own under tracemalloc (which slows it)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    built = factory()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del built
    return held / 1e6


def run(system: System, cases: Sequence[Case]) -> tuple[list[str], list[float]]:
    verdicts, timings = [], []
    for case in cases:
        started = time.perf_counter()
        verdicts.append(system.verdict(case))
        timings.append((time.perf_counter() - started) * 1000)
    return verdicts, timings


def tally(verdicts: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for kind in verdicts:
        found[kind] = found.get(kind, 0) + 1
    return found


def choose_cutoffs(kb: KnowledgeBase, sets: dict[str, list[Case]]) -> dict[str, float]:
    """Each baseline's cutoff with the best mean utility on the evaluation sets (generous to them)."""
    wratio, bm25 = WRatioScan(kb), BM25(kb)
    cutoffs: dict[str, float] = {}
    for engine in (wratio, bm25):
        bests = {name: [engine.best(c.question) for c in cases] for name, cases in sets.items()}
        scores = sorted({s for found in bests.values() for _, s in found})
        grid = [scores[int(i * (len(scores) - 1) / 200)] for i in range(201)]  # 200 quantiles of the scores
        cutoffs[engine.name] = float(best_cutoff(kb, sets, bests, grid))
    return cutoffs


def startup(kb: KnowledgeBase, repeat: int) -> dict[str, Any]:
    """Seconds to construct the pipeline: without a cache, first start with one (build + write), from it.

    Each figure is the best of `repeat` tries, each after `fresh_start`; the cached start includes
    computing the key (every entry text) and checking the file's seal."""
    def timed(cache: IndexCache | None, expect: str) -> float:
        fresh_start()
        gc.collect()
        started = time.perf_counter()
        Pipeline(kb, index_cache=cache)
        elapsed = time.perf_counter() - started
        assert cache is None or cache.last == expect, cache.last
        return elapsed

    with tempfile.TemporaryDirectory(prefix="index-cache-bench-") as folder:
        build = min(timed(None, "") for _ in range(repeat))
        # A new folder each time: nothing to load, the indexes are built and written.
        first = min(timed(IndexCache(Path(folder) / str(n)), "built") for n in range(repeat))
        cached = min(timed(IndexCache(Path(folder) / "0"), "loaded") for _ in range(repeat))
        size = sum(p.stat().st_size for p in (Path(folder) / "0").glob("index-*.pickle"))
    return {"build_s": round(build, 3), "first_start_s": round(first, 3), "cached_start_s": round(cached, 3),
            "cache_mb": round(size / 1e6, 1), "tries": repeat}


def measure(label: str, kb: KnowledgeBase, cases: Sequence[Case], cutoffs: dict[str, float],
            sets: dict[str, list[Case]] | None = None, repeat: int = 3) -> dict[str, Any]:
    """Build, memory, latency and quality of the three systems on one base."""
    factories: dict[str, Callable[[], System]] = {
        PIPELINE: lambda: PipelineSystem(kb),
        WRatioScan.name: lambda: BaselineSystem(WRatioScan(kb), cutoffs[WRatioScan.name]),
        BM25.name: lambda: BaselineSystem(BM25(kb), cutoffs[BM25.name]),
    }
    systems: dict[str, Any] = {}
    for name, factory in factories.items():
        # Each pass starts fresh (new index, empty caches) and every question is seen once per pass;
        # a question's time is its best pass, so another process on the machine does not make a p99.
        passes = 1 if name == WRatioScan.name and len(kb.entries) >= SLOW_SCAN_ENTRIES else repeat
        builds: list[float] = []
        timings: list[list[float]] = []
        verdicts: list[str] = []
        for _ in range(passes):
            fresh_start()
            gc.collect()
            started = time.perf_counter()
            system = factory()
            builds.append(time.perf_counter() - started)
            verdicts, pass_timings = run(system, cases)
            timings.append(pass_timings)
        best = [min(times) for times in zip(*timings, strict=True)]
        figures: dict[str, Any] = {
            "build_s": round(min(builds), 3),
            "memory_mb": round(held_memory(factory), 1),
            "p50_ms": round(percentile(best, 0.50), 3),
            "p99_ms": round(percentile(best, 0.99), 3),
            "questions": len(cases),
            "passes": passes,
            **utility(tally(verdicts)),
        }
        if sets is not None:
            figures["sets"] = {n: utility(tally(run(system, c)[0])) for n, c in sets.items()}
        systems[name] = figures
    return {"label": label, "entries": len(kb.entries), "systems": systems, "startup": startup(kb, repeat)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="matching benchmark: pipeline vs WRatio scan vs bm25s")
    parser.add_argument("--sizes", default="1000,10000", help="generated base sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="fresh passes per system; a question counts its best")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    shipped = load_knowledge_or_raise(KNOWLEDGE)
    sets = eval_sets(set(shipped.entries))
    all_cases = [c for cases in sets.values() for c in cases]
    cutoffs = choose_cutoffs(shipped, sets)
    bases = [measure("shipped", shipped, all_cases, cutoffs, sets, args.repeat)]
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        generated = synthetic.generate(size, shipped)
        cases = [Case(q, expect) for q, expect in generated.questions]
        bases.append(measure(f"generated {size}", generated.kb, cases, cutoffs, repeat=args.repeat))
    report = {"benchmark": "matching", "machine": machine(), "cutoffs": cutoffs, "bases": bases}
    emit(report, render(report), args.json)


def render(report: dict[str, Any]) -> str:
    rows = []
    for base in report["bases"]:
        for name, f in base["systems"].items():
            rows.append([base["label"], base["entries"], name, f["build_s"], f["memory_mb"], f["p50_ms"],
                         f["p99_ms"], f["questions"], f["accuracy"], f["utility"]])
    out = ["Matching (first sight, best of fresh passes; utility = accuracy − 2×wrong − 2×false)",
           table(["base", "entries", "system", "build s", "MB", "p50 ms", "p99 ms", "questions", "accuracy",
                  "utility"], rows)]
    shipped = report["bases"][0]["systems"]
    names = list(shipped)
    set_rows = [[set_name, *(shipped[n]["sets"][set_name]["utility"] for n in names)]
                for set_name in shipped[PIPELINE]["sets"]]
    out += ["", "Utility per evaluation set (shipped base)", table(["set", *names], set_rows)]
    start_rows = []
    for base in report["bases"]:
        s = base["startup"]
        start_rows.append([base["label"], base["entries"], s["build_s"], s["first_start_s"], s["cached_start_s"],
                           round(s["build_s"] / max(s["cached_start_s"], 1e-9), 1), s["cache_mb"]])
    out += ["", "Pipeline start-up (constructing Pipeline; best of fresh tries): no cache, first start with the index "
            "cache (build + write), start from the cache",
            table(["base", "entries", "no cache s", "first start s", "cached start s", "no cache ÷ cached",
                   "cache MB"], start_rows)]
    cut = ", ".join(f"{k} ≥ {v:.3g}" for k, v in report["cutoffs"].items())
    out += ["", f"baseline cutoffs (best mean utility on the sets above): {cut}"]
    ratios = []
    for base in report["bases"]:
        s = base["systems"]
        ratios.append([base["label"], *(round(s[n]["p99_ms"] / max(s[PIPELINE]["p99_ms"], 1e-9), 2)
                                         for n in names[1:])])
    out += ["", "p99 of each baseline ÷ p99 of the pipeline (> 1: the pipeline is faster)",
            table(["base", *names[1:]], ratios)]
    return "\n".join(out)


if __name__ == "__main__":
    main()
