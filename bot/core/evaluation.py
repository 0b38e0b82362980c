"""Runs evaluation question sets through the real pipeline and counts what a citizen would have seen.

`run_cases` gives one `CaseResult` per question (what the gate's failure table and `--save` /
`--compare` need); `summarize` turns them into the report (overall and, when cases carry a
`style`, per style), and `evaluate` does both.
"""

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
    source: str = ""  # path:line, so a failing case can be found and fixed
    style: str = ""  # optional writing style (situation, formal, slang...) for per-style figures

    @property
    def key(self) -> str:
        """Identifies the case across runs (`--compare`): its language and question."""
        return f"{self.lang}:{self.question}"


def case_files(paths: list[Path]) -> list[Path]:
    """Eval files from files and folders: a folder stands for its *.yaml/*.yml files, sorted."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.y*ml")) if path.is_dir() else [path])
    return files


def load_cases(paths: list[Path], known_ids: set[str]) -> list[Case]:
    """Read eval files; raises KnowledgeBaseError listing every malformed case as path:line."""
    cases: list[Case] = []
    problems: list[Problem] = []
    if not paths:
        es = "no hay archivos de evaluación (o la carpeta no tiene archivos .yaml)"
        problems.append(Problem(".", 0, es, "error", "no eval files given (or the folder holds no .yaml file)"))
    for path in paths:
        try:
            data, _ = load_yaml(path)
        except YamlProblem as exc:
            problems.append(Problem(str(path), exc.line, f"YAML inválido: {exc.message}", "error", exc.message))
            continue
        except OSError as exc:
            es, en = f"no se puede leer el archivo: {exc.strerror}", f"cannot read the file: {exc.strerror}"
            problems.append(Problem(str(path), 0, es, "error", en))
            continue
        if not isinstance(data, LocatedList):
            es = "un archivo de evaluación es una lista de {question, expect, lang}"
            problems.append(Problem(str(path), 1, es, "error", "an eval file is a list of {question, expect, lang}"))
            continue
        for index, item in enumerate(data):
            line = data.line_of(index)
            if not isinstance(item, Located) or not str(item.get("question") or "").strip() or "expect" not in item:
                es = "cada caso necesita 'question' y 'expect' (un id, una lista o null)"
                en = "each case needs 'question' and 'expect' (an id, a list or null)"
                problems.append(Problem(str(path), line, es, "error", en))
                continue
            raw = item["expect"]
            expect = tuple(str(x) for x in raw) if isinstance(raw, list) else (() if raw is None else (str(raw),))
            unknown = [x for x in expect if x not in known_ids]
            if unknown:
                names = ", ".join(unknown)
                es, en = f"expect nombra una entrada que no existe: {names}", f"expect names unknown entry {names}"
                problems.append(Problem(str(path), line, es, "error", en))
                continue
            lang = str(item.get("lang") or "es")
            if lang not in ("es", "en"):
                es, en = f"lang debe ser es o en; dice {lang!r}", f"lang must be es or en, got {lang!r}"
                problems.append(Problem(str(path), line, es, "error", en))
                continue
            style = str(item.get("style") or "")
            cases.append(Case(str(item["question"]), expect, lang, f"{path}:{line}", style))
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


@dataclass(frozen=True)
class CaseResult:
    """How one case went: `kind` is one of the report's counters; `passed` is what the gate counts."""

    case: Case
    kind: str
    passed: bool
    reply: dict[str, Any]
    latency_ms: float


def _describe(reply: Reply) -> dict[str, Any]:
    return {
        "outcome": str(reply.outcome),
        "entry": reply.entry_id,
        "candidates": [e.id for e in reply.candidates],
        "score": round(reply.score, 4),
    }


def judge(case: Case, reply: Reply) -> str:
    """The counter a reply falls under for this case (per the eval contract)."""
    offered = {e.id for e in reply.candidates}
    expect = set(case.expect)
    if expect:
        if reply.outcome is Outcome.ANSWER:
            return "answered_correct" if reply.entry_id in expect else "answered_wrong"
        if reply.outcome is Outcome.SUGGEST:
            return "suggested_correct" if offered & expect else "suggested_wrong"
        return "missed"
    if reply.outcome is Outcome.ANSWER:
        return "false_answers"
    return "oos_suggested" if reply.outcome is Outcome.SUGGEST else "abstained"


def run_cases(pipeline: Pipeline, cases: list[Case]) -> list[CaseResult]:
    """Ask every case through the pipeline; smalltalk and none both count as abstaining."""
    results: list[CaseResult] = []
    for case in cases:
        reply = pipeline.ask(case.question, case.lang)
        kind = judge(case, reply)
        results.append(
            CaseResult(case, kind, kind in ("answered_correct", "abstained"), _describe(reply), reply.latency_ms)
        )
    return results


def _report(results: list[CaseResult]) -> Report:
    report = Report()
    for result in results:
        report.latencies.append(result.latency_ms)
        report.add("in_scope" if result.case.expect else "out_of_scope")
        report.add(result.kind)
        if not result.passed:
            case = result.case
            failure: dict[str, Any] = {
                "question": case.question,
                "expect": list(case.expect) or None,
                "lang": case.lang,
                "kind": result.kind,
                "source": case.source,
            }
            if case.style:
                failure["style"] = case.style
            failure.update(result.reply)
            report.failures.append(failure)
    return report


def summarize(results: list[CaseResult]) -> dict[str, Any]:
    """The report; with `by_style` (the same figures, without failures) when any case has a style."""
    summary = _report(results).as_dict()
    styles = sorted({r.case.style for r in results if r.case.style})
    if styles:
        by_style: dict[str, Any] = {}
        for style in styles:
            figures = _report([r for r in results if r.case.style == style]).as_dict()
            figures.pop("failures")
            by_style[style] = figures
        summary["by_style"] = by_style
    return summary


def evaluate(pipeline: Pipeline, cases: list[Case]) -> dict[str, Any]:
    """Counts per the eval contract; smalltalk and none both count as abstaining on out-of-scope cases."""
    return summarize(run_cases(pipeline, cases))
