"""`python -m bot review ...`: the review queue and usage figures from a terminal.

Staff list the most asked unanswered questions, see what the bot replied and which entries came
close, add a question to an entry as one more phrasing (or scaffold a new entry for it), ignore
noise, export a spreadsheet and look at the figures, without opening Telegram or a text editor.
Errors are one line on stderr with exit code 1 (argparse usage errors: 2), never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
import getpass
import json
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any

from bot.core.knowledge import load_knowledge
from bot.core.phrasing import PhrasingRefused, closest_entries
from bot.core.pipeline import Pipeline
from bot.core.problems import KnowledgeBaseError
from bot.core.scaffold import scaffold_entry
from bot.settings import Settings
from bot.store import Group, Stats, Store, StoreError
from bot.store.export import lima_time
from bot.store.loop import Asked, add_group_phrasing, group_history

STATUS_CHOICES = ("pending", "resolved", "ignored", "all")
TOP_CANDIDATES = 3  # entries `show` lists as closest to the group's question
HISTORY = 10  # latest replies `show` lists


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit code 1."""


def add_review_parser(subparsers: Any) -> None:
    """Add `review` and its sub-commands to the main parser's subparsers."""
    review = subparsers.add_parser(
        "review",
        help="unanswered questions: list, show, add, new, refresh, resolve, ignore, export, stats",
        description="Work through the questions the bot could not answer, grouped by similarity.",
    )
    actions = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)

    list_ = actions.add_parser("list", help="question groups, most asked first")
    list_.add_argument("--status", choices=STATUS_CHOICES, default="pending", help="default: pending")
    list_.add_argument("--limit", type=_positive, default=50, help="at most N groups (default 50)")
    list_.add_argument("--json", action="store_true", help="machine-readable output")

    show = actions.add_parser("show", help="one group with its example questions")
    show.add_argument("group", type=int, metavar="GROUP", help="group id (see `review list`)")
    show.add_argument("--json", action="store_true", help="machine-readable output")

    add = actions.add_parser("add", help="add the group's question to an entry's phrasings and resolve it")
    add.add_argument("group", type=int, metavar="GROUP")
    add.add_argument("--entry", required=True, metavar="ID", help="id of the entry that should answer it")
    add.add_argument("--lang", choices=("es", "en"), help="phrasing list to add to (default: as asked)")

    new = actions.add_parser("new", help="scaffold a new entry file from a commented template, question filled in")
    new.add_argument("group", type=int, metavar="GROUP")
    new.add_argument("--id", dest="entry_id", metavar="ID", help="the new entry's id (default: from the question)")

    actions.add_parser("refresh", help="re-run pending groups through the current knowledge base; flag answered ones")

    resolve = actions.add_parser("resolve", help="mark a group answered by a knowledge-base entry")
    resolve.add_argument("group", type=int, metavar="GROUP")
    resolve.add_argument("--entry", required=True, metavar="ID", help="id of the entry that answers it")

    ignore = actions.add_parser("ignore", help="mark a group as not needing an entry (spam, out of scope)")
    ignore.add_argument("group", type=int, metavar="GROUP")

    export = actions.add_parser("export", help="every group as a CSV spreadsheet (UTF-8, opens in Excel)")
    export.add_argument("--csv", required=True, type=Path, metavar="FILE", dest="csv_path")

    stats = actions.add_parser("stats", help="questions per day, answered share, top entries, feedback")
    stats.add_argument("--days", type=_positive, default=30, help="period in days, today included (default 30)")
    stats.add_argument("--json", action="store_true", help="machine-readable output")
    stats.add_argument("--png", type=Path, metavar="FILE", help="also draw the chart into FILE")

    actions.add_parser("retention", help="delete question texts older than RETENTION_DAYS (counts are kept)")


def run_review(args: argparse.Namespace, settings: Settings, known_ids: Collection[str] | None = None) -> int:
    """Run `review <action>`; `known_ids` (the knowledge base's entry ids) lets `resolve` check the id."""
    try:
        return asyncio.run(_run(args, settings, known_ids))
    except PhrasingRefused as exc:
        print(f"rechazado: {exc}", file=sys.stderr)
        return 1
    except (CliError, StoreError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head`: not an error
        raise
    except OSError as exc:
        name = f" {exc.filename}" if exc.filename else ""
        print(f"error: cannot write{name}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: one line, not a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


async def _run(args: argparse.Namespace, settings: Settings, known_ids: Collection[str] | None) -> int:
    command = args.review_command
    if command == "resolve":
        _check_entry(args.entry, known_ids)  # before touching the database
    if not Path(settings.database_path).exists():
        raise CliError(
            f"no database at {settings.database_path}: nothing has been recorded yet "
            "(check DATABASE_PATH; the bot creates the file when it records its first question)"
        )
    store = await Store.open(settings, retention_every=None)  # a short run; `review retention` is explicit
    try:
        if command == "list":
            status = None if args.status == "all" else args.status
            _print_groups(await store.list_groups(status, limit=args.limit), args.json)
        elif command == "show":
            group = await _group(store, args.group)
            history = await group_history(store, group.id, HISTORY)
            _print_group(group, history, _closest(settings, group), args.json)
        elif command == "add":
            group = await _group(store, args.group)
            addition = await add_group_phrasing(
                store,
                group,
                args.entry,
                settings.knowledge_dir,
                by=_by(),
                lang=args.lang,
                max_age_days=settings.reviewed_max_age_days,
            )
            print(addition.diff, end="")
            print(f"group {group.id} resolved: '{addition.question}' is now a phrasing of {args.entry}")
            print("  a running bot serves it after /recargar in Telegram (or a restart)")
        elif command == "new":
            group = await _group(store, args.group)
            path = scaffold_entry(settings.knowledge_dir, group.text, args.entry_id)
            print(f"wrote {path}: fill in every field marked TODO, then `python -m bot validate`")
            print("  (until it validates the bot keeps serving the previous knowledge base)")
        elif command == "refresh":
            try:
                pipeline = Pipeline.from_settings(settings)
            except KnowledgeBaseError as exc:
                raise CliError("the knowledge base is invalid: run `python -m bot validate` first") from exc
            flagged = await store.mark_answerable(pipeline.ask)
            print(f"{flagged} pending group(s) are answered by the current knowledge base")
            if flagged:
                pending = await store.list_groups("pending", limit=10_000)
                _print_groups([g for g in pending if g.answerable_entry_id], False)
        elif command == "resolve":
            await _group(store, args.group)
            await store.resolve_group(args.group, args.entry, _by())
            print(f"group {args.group} resolved: answered by {args.entry}")
        elif command == "ignore":
            await _group(store, args.group)
            await store.ignore_group(args.group, _by())
            print(f"group {args.group} ignored")
        elif command == "export":
            rows = await store.export_csv(args.csv_path)
            print(f"wrote {rows} group(s) to {args.csv_path}")
        elif command == "stats":
            stats = await store.stats(args.days)
            titles = _titles(settings)
            if args.png is not None:
                from bot.store.chart import render_stats_png

                await asyncio.to_thread(render_stats_png, stats, args.png, titles)
            if args.json:
                print(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2))
            else:
                _print_stats(stats, titles)
            if args.png is not None:
                print(f"gráfico guardado en {args.png}", file=sys.stderr if args.json else sys.stdout)
        elif command == "retention":
            removed = await store.apply_retention()
            print(f"removed the text of {removed} question(s) older than {settings.retention_days} days")
        else:  # pragma: no cover - argparse only allows the commands above
            raise CliError(f"unknown review action {command!r}")
    finally:
        await store.close()
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _by() -> str:
    """Who changed a group, for the audit columns: cli:<OS user>."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment (some containers)
        user = "unknown"
    return f"cli:{user}"


def _check_entry(entry_id: str, known_ids: Collection[str] | None) -> None:
    if known_ids is None or entry_id in known_ids:
        return
    close = difflib.get_close_matches(entry_id, list(known_ids), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else " (see `python -m bot dump`)"
    raise CliError(f"unknown entry id {entry_id!r}: not in the knowledge base{hint}")


async def _group(store: Store, group_id: int) -> Group:
    group = await store.get_group(group_id)
    if group is None:
        raise CliError(f"no review group {group_id} (see `python -m bot review list --status all`)")
    return group


def _when(iso: str | None) -> str:
    """A stored UTC time as Peru's local time, to the minute."""
    return lima_time(iso) or "-"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _print_groups(groups: list[Group], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"groups": [g.to_dict() for g in groups]}, ensure_ascii=False, indent=2))
        return
    if not groups:
        print("no question groups")
        return
    print(f"{'ID':>5}  {'COUNT':>5}  {'STATUS':<8}  {'LAST ASKED':<16}  QUESTION")
    for g in groups:
        note = ""
        if g.status == "pending" and g.answerable_entry_id:
            note = f"  [answerable now: {g.answerable_entry_id}]"
        elif g.status == "resolved" and g.entry_id:
            note = f"  [-> {g.entry_id}]"
        print(f"{g.id:>5}  {g.count:>5}  {g.status:<8}  {_when(g.last_seen):<16}  {_short(g.text, 70)}{note}")


def _closest(settings: Settings, group: Group) -> list[tuple[str, float]]:
    """The entries the current knowledge base ranks highest for the group's question, with scores."""
    try:
        pipeline = Pipeline.from_settings(settings)
    except KnowledgeBaseError:  # `validate` reports it; the group is still worth showing
        return []
    return [(entry.id, round(score, 3)) for entry, score in closest_entries(pipeline, group.text, TOP_CANDIDATES)]


def _replied(asked: Asked) -> str:
    """What the citizen saw, in a few words."""
    if asked.outcome == "answer":
        return f"answer {asked.entry_id}"
    if asked.outcome == "suggest":
        offered = "not recorded" if asked.suggested is None else ", ".join(asked.suggested) or "-"
        return f"suggestions {offered}"
    if asked.outcome == "not_helpful":
        return f"👎 on {asked.entry_id}"
    return "fallback (no answer)"


def _print_group(g: Group, history: list[Asked], closest: list[tuple[str, float]], as_json: bool) -> None:
    if as_json:
        data = g.to_dict()
        data["replies"] = [
            {
                "at": _when(a.at),
                "outcome": a.outcome,
                "entry": a.entry_id,
                "suggested": None if a.suggested is None else list(a.suggested),
            }
            for a in history
        ]
        data["candidates"] = [{"entry": entry_id, "score": score} for entry_id, score in closest]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    print(f"Group {g.id} ({g.status})")
    print(f"  question:   {g.text}")
    times = "time" if g.count == 1 else "times"
    print(f"  asked:      {g.count} {times}, first {_when(g.first_seen)}, last {_when(g.last_seen)} (Lima)")
    if g.status == "resolved":
        print(f"  answered by: {g.entry_id}")
    if g.changed_by:
        print(f"  changed:    by {g.changed_by} on {_when(g.changed_at)}")
    if g.status == "pending" and g.answerable_entry_id:
        print(f"  answerable now by {g.answerable_entry_id}: the current knowledge base answers it.")
        print(f"    python -m bot review resolve {g.id} --entry {g.answerable_entry_id}")
    if history:
        print("  the bot replied (latest first, Lima time):")
        for asked in history:
            print(f"    {_when(asked.at)}  {_replied(asked)}")
    if closest:
        print("  closest entries now (score):")
        for entry_id, score in closest:
            print(f"    {score:.3f}  {entry_id}")
        if g.status == "pending":
            print(f"    python -m bot review add {g.id} --entry {closest[0][0]}")
    print("  examples:" if g.examples else "  examples:   (texts removed by retention)")
    for example in g.examples:
        print(f"    - {example}")


def _titles(settings: Settings) -> dict[str, str]:
    """Entry id -> Spanish title, so figures name entries as citizens see them ({} if the base is invalid)."""
    kb, _ = load_knowledge(settings.knowledge_dir, max_age_days=settings.reviewed_max_age_days)
    return {} if kb is None else {entry_id: entry.title.es for entry_id, entry in kb.entries.items()}


def _print_stats(s: Stats, titles: dict[str, str]) -> None:
    """The figures in Spanish, like the chart staff get in Telegram."""
    print(f"Últimos {s.days} día(s), desde el {s.since}")
    print(
        f"  preguntas:   {s.questions} (respondidas {s.answered} = {s.answered_share:.0%}, "
        f"con sugerencias {s.suggested}, sin respuesta {s.unanswered}); conversación {s.smalltalk}"
    )
    feedback = s.feedback_helpful + s.feedback_not_helpful
    share = f" ({s.feedback_share:.0%} útiles)" if feedback else ""
    print(f"  valoraciones: {s.feedback_helpful} útiles, {s.feedback_not_helpful} no útiles{share}")
    if s.top_unanswered:
        print("  preguntas sin respuesta más repetidas (pendientes):")
        for group_id, text, count in s.top_unanswered:
            print(f"    {count:>6}  #{group_id} {_short(text, 70)}")
    if s.top_entries:
        print("  servicios más consultados:")
        for entry_id, count in s.top_entries:
            print(f"    {count:>6}  {titles.get(entry_id, entry_id)} ({entry_id})")
    busy = [d for d in s.per_day if d["questions"]]
    if busy:
        print("  por día:       preguntas  respondidas")
        for d in busy:
            print(f"    {d['day']}  {d['questions']:>9}  {d['answered']:>11}")
