"""Ablation of the matching methods: each one switched off alone, measured on the evaluation sets in one run.

    .venv/bin/python scripts/ablation.py [--json] [FILE_OR_DIR ...]

Default sets: knowledge/eval/ and every ../shared/eval/*.yaml that exists. Each row runs in its own
process (stemming and correction caches are per process), with the pipeline built after its method
is switched off, so a row differs from "all on" by exactly one method. Figures: accuracy (in-scope
answered right), answered or offered (right entry answered or among the choices), wrong answers and
false answers (out-of-scope answered), per set and, for sets with styles, per style.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _never() -> re.Pattern[str]:
    return re.compile(r"(?!)")


def _off_word_weights() -> None:
    """Every word the knowledge base does not know weighs fully, as before wordfreq."""
    from bot.core import analyzer, pipeline

    analyzer.information = lambda word, lang: 1.0  # type: ignore[assignment]
    pipeline.information = lambda word, lang: 1.0  # type: ignore[assignment]


def _off_body_field() -> None:
    """Answer, steps, requirements and cost are not read."""
    from bot.core import matcher

    matcher.BODY_SHARE = 0.0


def _off_verb_forms() -> None:
    """No clitics, conditionals or respelled subjunctives folded into their verb."""
    from bot.core import normalize

    normalize._CLITICS = normalize._CONDITIONAL = normalize._SUBJUNCTIVE = _never()


def _off_typo_gate() -> None:
    """Typo correction may bend real words too ("perro" -> "pero")."""
    from bot.core import analyzer

    analyzer.is_valid_word = lambda word, lang: False  # type: ignore[assignment]


def _off_slang() -> None:
    """Chat spellings (q, xq, pa, porfa...) are left as written."""
    from bot.core import normalize

    normalize.SLANG.clear()


def _off_answerability() -> None:
    """An entry is answered whatever the question asks that it does not say."""
    from bot.core import pipeline

    pipeline.Pipeline._uncovered = lambda self, entry, text, lang="es": []  # type: ignore[method-assign]


def _off_long_messages() -> None:
    """No lead-based answer for long messages (the story told before the question)."""
    from bot.core import pipeline

    pipeline.LONG_MESSAGE_STEMS = 10**6


def _off_story_weighting() -> None:
    """The story of a long message weighs like its question."""
    from bot.core import analyzer

    analyzer.NARRATIVE_SHARE = 1.0


def _off_lead_lanes() -> None:
    """No clear-lead / wide-lead relief of coverage for a question far ahead on one entry."""
    from bot.core import pipeline

    pipeline.CLEAR_LEAD = pipeline.WIDE_LEAD = 10.0


def _off_told_lane() -> None:
    """No answer for a situation told in an entry's own words below the answer score (TOLD_*)."""
    from bot.core import pipeline

    pipeline.TOLD_EVIDENCE = 10.0**6


def _off_asking_part() -> None:
    """Unknown capitalised names and "X de <unknown>" are read in the whole long message, story included."""
    from bot.core import pipeline

    pipeline.asking_pieces = lambda text: []  # type: ignore[assignment]


def _off_unconfirmed() -> None:
    """An entry saying a point is not known ("no lo tenemos confirmado", "por anunciar") covers it."""
    from bot.core import aspects

    aspects._UNCONFIRMED = _never()


def _off_set_by_place() -> None:
    """A fee or schedule each place sets for itself answers a question about any place."""
    from bot.core import aspects

    aspects._SET_BY_PLACE = _never()


def _off_glossary() -> None:
    """English questions are matched on the English phrasings only."""
    from bot.core import glossary

    glossary.Glossary.__bool__ = lambda self: False  # type: ignore[method-assign]


def _off_institutions() -> None:
    """The institution a question names does not decide between close siblings."""
    from bot.core import aspects

    aspects.institution_names = lambda entry: frozenset()  # type: ignore[assignment]


def _off_title_words() -> None:
    """A word of only one sibling's title does not decide between close siblings."""
    from bot.core import aspects

    aspects.title_kinds = lambda entry: frozenset()  # type: ignore[assignment]


def _off_unknown_acronyms() -> None:
    """An unknown acronym in capitals ("ICPNA") does not count as naming another institution."""
    from bot.core import pipeline

    pipeline.MIN_ACRONYM_LETTERS = 10**6


def _off_context_synonyms() -> None:
    """A context word reached through a synonym ("esposo" -> conyuge) weighs like the canonical word."""
    from bot.core import analyzer

    analyzer.Analyzer._softened = lambda self, tokens: {}  # type: ignore[method-assign]


def _off_situation_words() -> None:
    """A word only situations use keeps a main-field word's floor, like a title's or a keyword's."""
    from bot.core import matcher

    built = matcher.LanguageIndex.__init__

    def without(self: Any, *args: Any, **kwargs: Any) -> None:
        built(self, *args, **kwargs)
        self.story_stems = frozenset()

    matcher.LanguageIndex.__init__ = without  # type: ignore[method-assign]


def _off_fitting_rival() -> None:
    """The margin is kept over the next candidate whatever its fit."""
    from bot.core import pipeline

    pipeline._rival_score = lambda following, min_fit: following[0].score if following else 0.0


def _off_long_coverage() -> None:
    """The long-message lead lane asks no share of the message covered."""
    from bot.core import pipeline

    pipeline.LONG_COVERAGE = 0.0


def _off_situations(kb: Any) -> Any:
    """Entries without their `situations`."""
    entries = {i: replace(e, situations=type(e.situations)()) for i, e in kb.entries.items()}
    return replace(kb, entries=entries)


METHODS: dict[str, Callable[[], None] | None] = {
    "all on": None,
    "word weights (wordfreq)": _off_word_weights,
    "answer text as weak field": _off_body_field,
    "verb forms": _off_verb_forms,
    "typo gate (real words kept)": _off_typo_gate,
    "slang spelled out": _off_slang,
    "answerability (aspects, not_covered)": _off_answerability,
    "situations": None,  # applied to the knowledge base, see _off_situations
    "long-message lead": _off_long_messages,
    "story weighed a quarter": _off_story_weighting,
    "clear/wide lead lanes": _off_lead_lanes,
    "situation lane (told in the entry's words)": _off_told_lane,
    "asking part read for names": _off_asking_part,
    "unconfirmed points not covered": _off_unconfirmed,
    "fees set place by place": _off_set_by_place,
    "English glossary": _off_glossary,
    "institution named decides siblings": _off_institutions,
    "title word decides siblings": _off_title_words,
    "unknown acronym names another thing": _off_unknown_acronyms,
    "context word kept through synonyms": _off_context_synonyms,
    "situation-only words weigh by information": _off_situation_words,
    "margin over a candidate that fits": _off_fitting_rival,
    "long-message lane needs coverage": _off_long_coverage,
}


def default_sets() -> list[Path]:
    sets = [ROOT / "knowledge" / "eval"]
    shared = ROOT.parent / "shared" / "eval"
    return sets + sorted(shared.glob("*.yaml")) if shared.is_dir() else sets


def measure(method: str, paths: list[Path]) -> dict[str, Any]:
    """One row: the method switched off, every set evaluated (run in a child process)."""
    switch = METHODS[method]
    if switch is not None:
        switch()
    from bot.core.evaluation import case_files, evaluate, load_cases
    from bot.core.knowledge import load_knowledge_or_raise
    from bot.core.pipeline import Pipeline

    kb = load_knowledge_or_raise(ROOT / "knowledge")
    if method == "situations":
        kb = _off_situations(kb)
    pipeline = Pipeline(kb)
    row: dict[str, Any] = {}
    for path in paths:
        report = evaluate(pipeline, load_cases(case_files([path]), set(kb.entries)))
        figures = {k: report[k] for k in ("accuracy", "accuracy_with_suggestions", "answered_wrong", "false_answers")}
        styles = report.get("by_style", {}).items()
        figures["styles"] = {s: v["accuracy"] for s, v in styles if v["accuracy"] is not None}
        row[_name(path)] = figures
    return row


def _name(path: Path) -> str:
    """The set's name: its file's stem, with its folder ("holdout12/holdout") so two files named alike stay apart."""
    return f"{path.parent.name}/{path.stem}" if path.suffix else path.name


def render(rows: dict[str, dict[str, Any]]) -> str:
    base = rows["all on"]
    lines = []
    for set_name in base:
        styles = list(base[set_name]["styles"])
        head = ["method off", "accuracy", "Δ", "answered or offered", "wrong", "false", *styles]
        lines += [f"### {set_name}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for method, row in rows.items():
            f = row[set_name]
            delta = "" if method == "all on" else f"{(f['accuracy'] or 0) - (base[set_name]['accuracy'] or 0):+.3f}"
            cells = [method, f"{f['accuracy']}", delta, f"{f['accuracy_with_suggestions']}", f"{f['answered_wrong']}",
                     f"{f['false_answers']}", *(f"{f['styles'].get(s)}" for s in styles)]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", help=argparse.SUPPRESS)  # a child process: one row as JSON
    args = parser.parse_args(argv)
    paths = args.paths or default_sets()
    if args.only:
        print(json.dumps(measure(args.only, paths)))
        return
    rows = {}
    for method in METHODS:
        child = subprocess.run(
            [sys.executable, __file__, "--only", method, *map(str, paths)],
            capture_output=True, text=True, check=True, cwd=ROOT,
        )
        rows[method] = json.loads(child.stdout)
    print(json.dumps(rows, indent=1) if args.json else render(rows))


if __name__ == "__main__":
    main()
