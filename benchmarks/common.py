"""What every benchmark shares: the evaluation sets, percentiles, utility, and table/JSON output."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.core.evaluation import Case, case_files, load_cases

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"


def eval_files() -> list[Path]:
    """The project's own sets and the shared development sets, one file per set."""
    return case_files([KNOWLEDGE / "eval"]) + sorted((ROOT.parent / "shared" / "eval").glob("*.yaml"))


def eval_sets(known_ids: set[str]) -> dict[str, list[Case]]:
    return {_label(path): load_cases([path], known_ids) for path in eval_files()}


def _label(path: Path) -> str:
    parts = path.parts
    return f"shared/{path.stem}" if "shared" in parts else f"knowledge/{path.stem}"


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (the same rule as `python -m bot eval`)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def utility(counts: dict[str, int]) -> dict[str, float | None]:
    """accuracy − 2×wrong − 2×false: a wrong or false answer costs a citizen more than an honest "I don't know"."""
    in_scope = sum(counts.get(k, 0) for k in ("answered_correct", "answered_wrong", "suggested_correct",
                                               "suggested_wrong", "missed"))
    out_of_scope = sum(counts.get(k, 0) for k in ("false_answers", "oos_suggested", "abstained"))
    accuracy = counts.get("answered_correct", 0) / in_scope if in_scope else None
    wrong = counts.get("answered_wrong", 0) / in_scope if in_scope else 0.0
    false = counts.get("false_answers", 0) / out_of_scope if out_of_scope else 0.0
    return {
        "accuracy": None if accuracy is None else round(accuracy, 4),
        "wrong": round(wrong, 4),
        "false": round(false, 4),
        "utility": round((accuracy or 0.0) - 2 * wrong - 2 * false, 4),
    }


def machine() -> dict[str, Any]:
    """Enough about the machine to compare runs: CPU model, cores, Python."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.system()}


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table, numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values: Sequence[str], numeric: Sequence[bool]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True))

    numeric = [all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))]
    out = [line(list(headers), numeric), "  ".join("-" * w for w in widths)]
    out += [line(r, numeric) for r in cells]
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    return value is None or isinstance(value, int | float)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def emit(report: dict[str, Any], text: str, as_json: bool) -> None:
    """`--json`: one JSON object on stdout; otherwise the human tables."""
    if as_json:
        json.dump(report, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(text)
