"""Runs evaluation question sets through the real pipeline and counts what a citizen would have seen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.models import Outcome, Reply
from bot.core.pipeline import Pipeline
from bot.core.problems import KnowledgeBaseError, Problem
from bot.core.yamlfile import Located, LocatedList, YamlProblem, load_yaml


@dataclass(frozen=True)
class Case:
    question: str
    expect: tuple[str, ...]  # empty: no entry may answer
    lang: str = "es"
    source: str = ""


def load_cases(paths: list[Path], known_ids: set[str]) -> list[Case]:
    """Read eval files; raises KnowledgeBaseError listing every malformed case as path:line."""
    cases: list[Case] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            data, _ = load_yaml(path)
        except YamlProblem as exc:
            problems.append(Problem(str(path), exc.line, exc.message))
            continue
        except OSError as exc:
            problems.append(Problem(str(path), 0, f"cannot read the file: {exc.strerror}"))
            continue
        if not isinstance(data, LocatedList):
            problems.append(Problem(str(path), 1, "an eval file is a list of {question, expect, lang}"))
            continue
        for index, item in enumerate(data):
            line = data.line_of(index)
            if not isinstance(item, Located) or not str(item.get("question") or "").strip() or "expect" not in item:
                message = "each case needs 'question' and 'expect' (an id, a list or null)"
                problems.append(Problem(str(path), line, message))
                continue
            raw = item["expect"]
            expect = tuple(str(x) for x in raw) if isinstance(raw, list) else (() if raw is None else (str(raw),))
            unknown = [x for x in expect if x not in known_ids]
            if unknown:
                problems.append(Problem(str(path), line, f"expect names unknown entry {', '.join(unknown)}"))
                continue
            lang = str(item.get("lang") or "es")
            if lang not in ("es", "en"):
                problems.append(Problem(str(path), line, f"lang must be es or en, got {lang!r}"))
                continue
            cases.append(Case(str(item["question"]), expect, lang, f"{path}:{line}"))
    if problems:
        raise KnowledgeBaseError(problems)
    return cases


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        c = self.counts
        in_scope, out_of_scope = c.get("in_scope", 0), c.get("out_of_scope", 0)
        keys = (
            "answered_correct answered_wrong suggested_correct suggested_wrong missed false_answers oos_suggested"
        ).split()
        result: dict[str, Any] = {"cases": in_scope + out_of_scope, "in_scope": in_scope, "out_of_scope": out_of_scope}
        result.update({k: c.get(k, 0) for k in keys})
        result["accuracy"] = round(c.get("answered_correct", 0) / in_scope, 4) if in_scope else None
        correct_or_offered = c.get("answered_correct", 0) + c.get("suggested_correct", 0)
        result["accuracy_with_suggestions"] = round(correct_or_offered / in_scope, 4) if in_scope else None
        result["abstention"] = round(c.get("abstained", 0) / out_of_scope, 4) if out_of_scope else None
        result["latency_ms"] = {
            "p50": round(_percentile(self.latencies, 0.50), 4),
            "p99": round(_percentile(self.latencies, 0.99), 4),
            "max": round(max(self.latencies, default=0.0), 4),
        }
        result["failures"] = self.failures
        return result


def _describe(reply: Reply) -> dict[str, Any]:
    return {
        "outcome": str(reply.outcome),
        "entry": reply.entry_id,
        "candidates": [e.id for e in reply.candidates],
        "score": round(reply.score, 4),
    }


def evaluate(pipeline: Pipeline, cases: list[Case]) -> dict[str, Any]:
    """Counts per the eval contract; smalltalk and none both count as abstaining on out-of-scope cases."""
    report = Report()
    for case in cases:
        reply = pipeline.ask(case.question, case.lang)
        report.latencies.append(reply.latency_ms)
        offered = {e.id for e in reply.candidates}
        expect = set(case.expect)
        if expect:
            report.add("in_scope")
            if reply.outcome is Outcome.ANSWER:
                key = "answered_correct" if reply.entry_id in expect else "answered_wrong"
            elif reply.outcome is Outcome.SUGGEST:
                key = "suggested_correct" if offered & expect else "suggested_wrong"
            else:
                key = "missed"
            failed = key != "answered_correct"
        else:
            report.add("out_of_scope")
            if reply.outcome is Outcome.ANSWER:
                key = "false_answers"
            elif reply.outcome is Outcome.SUGGEST:
                key = "oos_suggested"
            else:
                key = "abstained"
            failed = key != "abstained"
        report.add(key)
        if failed:
            failure = {"question": case.question, "expect": list(case.expect) or None, "lang": case.lang, "kind": key}
            failure.update(_describe(reply))
            report.failures.append(failure)
    return report.as_dict()
