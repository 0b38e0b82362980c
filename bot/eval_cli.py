"""`python -m bot eval FILE_OR_DIR...`: measure the knowledge base, and gate a change on it.

Without thresholds it reports. With `--min-accuracy`, `--max-false` or `--max-wrong` it is the gate
`make test` and CI run: exit 1 when a bar is missed, after a table naming each failing case with its
`path:line`, so a content edit that turns an answer into a suggestion is caught with the question
that broke, not an `assert`. `--save` keeps the per-case results; `--compare` lists what got better
or worse since then.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.core.evaluation import CaseResult, case_files, load_cases, run_cases, summarize
from bot.core.pipeline import Pipeline

QUESTION_WIDTH = 60


def add_parser(subparsers: Any) -> None:
    """Add `eval` to the main parser's subparsers."""
    evaluation = subparsers.add_parser(
        "eval",
        help="run evaluation question files (or folders of them) through the pipeline; optionally gate on them",
        description="Accuracy, false answers and latency on evaluation sets; exit 1 when a threshold fails.",
    )
    evaluation.add_argument("files", nargs="+", type=Path, metavar="FILE_OR_DIR")
    evaluation.add_argument("--json", action="store_true", help="machine-readable report")
    evaluation.add_argument(
        "--min-accuracy", type=_share, metavar="X", help="fail below this share of in-scope cases answered right"
    )
    evaluation.add_argument(
        "--max-false", type=_share, metavar="Y", help="fail above this share of out-of-scope cases answered"
    )
    evaluation.add_argument(
        "--max-wrong", type=_share, metavar="Z", help="fail above this share of in-scope cases answered wrongly"
    )
    evaluation.add_argument("--save", type=Path, metavar="FILE.json", help="keep each case's result for --compare")
    evaluation.add_argument(
        "--compare", type=Path, metavar="FILE.json", help="list the cases that got better or worse since --save"
    )


def run(args: argparse.Namespace, pipeline: Pipeline) -> int:
    """Run `eval`; returns 1 when a threshold fails or a file cannot be read, else 0."""
    cases = load_cases(case_files(args.files), set(pipeline.kb.entries))  # KnowledgeBaseError: path:line list
    results = run_cases(pipeline, cases)
    report = summarize(results)
    out = sys.stderr if args.json else sys.stdout
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
    if args.compare is not None:
        try:
            before = json.loads(args.compare.read_text(encoding="utf-8"))["cases"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"error: cannot read {args.compare} as a saved eval run: {exc}", file=sys.stderr)
            return 1
        print_comparison(before, results, out)
    if args.save is not None:
        saved = {"cases": {r.case.key: {"kind": r.kind, "passed": r.passed, "source": r.case.source} for r in results}}
        try:
            args.save.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")
        except OSError as exc:
            print(f"error: cannot write {args.save}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(f"saved {len(results)} case results to {args.save}", file=out)
    missed = missed_thresholds(report, args.min_accuracy, args.max_false, args.max_wrong)
    if missed:
        print_failures(results, out)
        for line in missed:
            print(f"GATE FAILED: {line}", file=out)
        return 1
    if any(v is not None for v in (args.min_accuracy, args.max_false, args.max_wrong)):
        print("gate passed", file=out)
    return 0


def missed_thresholds(
    report: dict[str, Any], min_accuracy: float | None, max_false: float | None, max_wrong: float | None
) -> list[str]:
    """One line per bar the report misses; shares are of in-scope (accuracy, wrong) or out-of-scope cases."""
    missed: list[str] = []
    in_scope, out_of_scope = report["in_scope"], report["out_of_scope"]
    if min_accuracy is not None and in_scope and report["accuracy"] < min_accuracy:
        missed.append(f"accuracy {report['accuracy']:.4f} is below {min_accuracy} ({in_scope} in-scope cases)")
    if max_wrong is not None and in_scope and report["answered_wrong"] > max_wrong * in_scope:
        missed.append(
            f"{report['answered_wrong']} wrong answers are more than {max_wrong:.0%} of {in_scope} in-scope cases"
        )
    if max_false is not None and out_of_scope and report["false_answers"] > max_false * out_of_scope:
        missed.append(
            f"{report['false_answers']} false answers are more than {max_false:.0%} of {out_of_scope} "
            "out-of-scope cases"
        )
    return missed


def print_report(result: dict[str, Any]) -> None:
    rows = [
        ("cases", result["cases"]),
        ("in scope", result["in_scope"]),
        ("  answered correctly", result["answered_correct"]),
        ("  answered wrongly", result["answered_wrong"]),
        ("  suggested (right one offered)", result["suggested_correct"]),
        ("  suggested (right one missing)", result["suggested_wrong"]),
        ("  missed (no answer)", result["missed"]),
        ("out of scope", result["out_of_scope"]),
        ("  false answers", result["false_answers"]),
        ("  suggestions offered", result["oos_suggested"]),
        ("accuracy", result["accuracy"]),
        ("accuracy with suggestions", result["accuracy_with_suggestions"]),
        ("abstention", result["abstention"]),
        ("latency ms p50/p99/max", "{p50}/{p99}/{max}".format(**result["latency_ms"])),
    ]
    for label, value in rows:
        print(f"{label:34} {value}")
    for style, figures in result.get("by_style", {}).items():
        print(
            f"  style {style:26} {figures['cases']:>4} cases, accuracy {figures['accuracy']}, "
            f"false answers {figures['false_answers']}"
        )


def _got(result: CaseResult) -> str:
    reply = result.reply
    if reply["outcome"] == "answer":
        return f"answer {reply['entry']}"
    if reply["outcome"] == "suggest":
        return "suggest " + ",".join(reply["candidates"])
    return str(reply["outcome"])


def print_failures(results: list[CaseResult], out: Any) -> None:
    """The failing cases as a table: where, what went wrong, the question, expected and got."""
    failing = [r for r in results if not r.passed]
    if not failing:
        return
    rows = [
        (r.case.source, r.kind, _cut(r.case.question), ",".join(r.case.expect) or "(none)", _got(r)) for r in failing
    ]
    header = ("WHERE", "WHAT", "QUESTION", "EXPECTED", "GOT")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"\nfailing cases ({len(failing)}):", file=out)
    for row in [header, *rows]:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip(), file=out)


# How much a case's outcome can mislead a citizen, lowest first: a question that was only offered and is
# now answered wrongly got worse though both fail, and one no longer answered falsely got better.
_HARM = {
    "answered_correct": 0, "abstained": 0, "suggested_correct": 1, "missed": 2, "oos_suggested": 2,
    "suggested_wrong": 3, "answered_wrong": 4, "false_answers": 4,
}


def print_comparison(before: dict[str, Any], results: list[CaseResult], out: Any) -> None:
    """Cases whose outcome got better or worse since the saved run, by how much it can mislead (`_HARM`), so a
    suggestion turned into a wrong answer shows though both fail; new and dropped cases are counted."""
    better: list[str] = []
    worse: list[str] = []
    new = 0
    for result in results:
        old = before.get(result.case.key)
        if old is None:
            new += 1
        elif (was := _HARM.get(str(old.get("kind")), 0)) != (now := _HARM.get(result.kind, 0)):
            line = f"{result.case.source}  {old.get('kind')} -> {result.kind}  {_cut(result.case.question)}"
            (better if now < was else worse).append(line)
    gone = len(set(before) - {r.case.key for r in results})
    print(f"\ncompared with the saved run: {len(better)} better, {len(worse)} worse, {new} new, {gone} gone", file=out)
    for title, lines in (("better", better), ("worse", worse)):
        if lines:
            print(f"  {title}:", file=out)
            for line in lines:
                print(f"    {line}", file=out)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUESTION_WIDTH else text[: QUESTION_WIDTH - 1] + "…"


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (0.02 = 2%), got {value}")
    return value
