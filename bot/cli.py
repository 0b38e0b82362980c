"""Command line: `python -m bot [run|chat|ask|validate|dump|eval|review]`. Wires core, store and channels.

Every command is one `Command` (its `add_parser` and its `run`, the shape of `bot/review_cli.py`) in
the `COMMANDS` table, and every failure a user can cause ends the same way: one line on stderr, no
traceback, a non-zero exit code (2 for configuration, 1 for anything else).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.explain import format_explanation
from bot.core.knowledge import load_knowledge
from bot.core.models import Entry
from bot.core.pipeline import Pipeline
from bot.core.problems import KnowledgeBaseError
from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger("bot")
MODALITY_NAMES: dict[str, str | None] = {"hibrido": "híbrido", "tba": None}  # None: to be announced, like dates


class CliError(Exception):
    """A problem the user can fix, printed as one line (exit code 1)."""


@dataclass(frozen=True)
class Command:
    name: str
    add_parser: Callable[[Any], None]  # argparse's subparsers action
    run: Callable[[argparse.Namespace, Settings], int]


def configure_logging(level: str, serving: bool = True) -> None:
    """`serving`: the Telegram bot, whose routine INFO lines are its operators' log. Every other command
    (console, ask, eval, dump, review...) prints its own output, which routine lines ("index cache:
    built...") would only interrupt, or break for a reader of `--json` that merges the two streams; at
    the default level they show warnings and errors only."""
    if not serving and level == "INFO":
        level = "WARNING"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the bot token
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def entry_json(entry: Entry) -> dict[str, Any]:
    """One entry for `dump`: text fields as {"es", "en"}; event dates as ISO strings or null (to be announced)."""
    data: dict[str, Any] = {
        "id": entry.id,
        "kind": entry.kind,
        "title": entry.title.as_dict(),
        "answer" if not entry.is_event else "description": entry.summary.as_dict(),
        "questions": entry.questions.as_dict(),
        "keywords": entry.keywords.as_dict(),
        "situations": entry.situations.as_dict(),
        "url": entry.url,
        "sources": list(entry.sources),
        "reviewed": entry.reviewed.isoformat(),
        "category": entry.category or None,
        "related": list(entry.related),
    }
    if entry.is_event:
        data.update(
            starts=entry.starts.isoformat() if entry.starts else None,
            ends=entry.ends.isoformat() if entry.ends else None,
            modality=MODALITY_NAMES.get(entry.modality, entry.modality),
            location=entry.location.as_dict() if entry.location else None,
            region=entry.region,
            organizer=entry.institution,
        )
    else:
        data.update(
            institution=entry.institution,
            steps=entry.steps.as_dict(),
            requirements=entry.requirements.as_dict(),
            cost=entry.cost.as_dict() if entry.cost else None,
            channels=[
                {"type": c.kind, "value": c.value, "label": c.label.as_dict() if c.label else None}
                for c in entry.channels
            ],
        )
    return data


def _add_validate(commands: Any) -> None:
    validate = commands.add_parser("validate", help="check the knowledge base; exit 1 on any error")
    validate.add_argument("directory", nargs="?", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR)")
    validate.add_argument("--lang", choices=("es", "en"), default="es", help="language of the messages (default es)")


def _run_validate(args: argparse.Namespace, settings: Settings) -> int:
    folder, lang = args.directory or settings.knowledge_dir, args.lang
    kb, problems = load_knowledge(folder, max_age_days=settings.reviewed_max_age_days)
    for problem in problems:
        print(problem.render(lang))
    errors = sum(1 for p in problems if p.is_error)
    warnings = len(problems) - errors
    if kb is None:
        if lang == "en":
            print(f"{folder}: INVALID: {errors} error(s), {warnings} warning(s); it will not be loaded")
        else:
            print(f"{folder}: NO VÁLIDA: {errors} error(es), {warnings} aviso(s); esta base no se cargará")
        return 1
    services, events = len(kb.services()), len(kb.events())
    if lang == "en":
        print(f"{folder}: OK: {services} services, {events} events, {warnings} warning(s)")
    else:
        print(f"{folder}: OK: {services} servicios, {events} eventos, {warnings} aviso(s)")
    return 0


def _add_ask(commands: Any) -> None:
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=("es", "en"), default="es")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument("--explain", action="store_true", help="show the ranked candidates and their scores")


def _run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """One question: the essentials first, then the details (as the console shows them on "pasos")."""
    from bot.channels.console import draw, region_suffix
    from bot.core.render import reply_view

    pipeline = Pipeline.from_settings(settings)
    question, lang, as_json, explain = args.question, args.lang, args.json, args.explain
    reply = pipeline.ask(question, lang)
    text = draw(reply_view(reply), reply.lang, with_details=True) + region_suffix(reply)
    if as_json:
        print(
            json.dumps(
                {
                    "question": question,
                    "lang": reply.lang,
                    "outcome": str(reply.outcome),
                    "entry": reply.entry_id,
                    "candidates": [e.id for e in reply.candidates],
                    "intent": reply.intent,
                    "score": round(reply.score, 4),
                    "text": text,
                    "url": reply.entry.url if reply.entry else None,
                    "latency_ms": round(reply.latency_ms, 4),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(text)
    if explain:
        print("\n" + format_explanation(pipeline.explanation(question, reply.lang)), file=sys.stderr)
    return 0


def _add_dump(commands: Any) -> None:
    commands.add_parser("dump", help="print the loaded knowledge base as JSON")


def _run_dump(args: argparse.Namespace, settings: Settings) -> int:
    entries = [entry_json(e) for e in Pipeline.from_settings(settings).kb.entries.values()]
    print(json.dumps({"entries": entries}, ensure_ascii=False, indent=2))
    return 0


def _add_eval(commands: Any) -> None:
    from bot import eval_cli

    eval_cli.add_parser(commands)


def _run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot import eval_cli

    return eval_cli.run(args, Pipeline.from_settings(settings))


async def serve_console(settings: Settings, pipeline: Pipeline, lang: str, record: bool) -> int:
    from bot.channels.console import run_console
    from bot.store import Store, StoreError

    store = None
    if record:
        try:
            store = await Store.open(settings)
        except StoreError as exc:  # answering matters more than logging: go on, but say so
            print(f"warning: {exc}; questions will not be recorded", file=sys.stderr)
    try:
        interactive = sys.stdin.isatty()
        return await run_console(pipeline, sys.stdin, sys.stdout, lang=lang, store=store, interactive=interactive)
    finally:
        if store is not None:
            await store.close()


def console(settings: Settings, lang: str, record: bool) -> int:
    """The console until end of input; Ctrl+C ends it at once with a goodbye, not an error."""
    from bot.channels.console import goodbye

    pipeline = Pipeline.from_settings(settings)
    try:
        return asyncio.run(serve_console(settings, pipeline, lang, record))
    except KeyboardInterrupt:
        print(f"\n{goodbye(lang)}")
        return 0


def _add_chat(commands: Any) -> None:
    chat = commands.add_parser("chat", help="local console: one question per line, answers on stdout")
    chat.add_argument("--lang", choices=("es", "en"), default="es")
    chat.add_argument("--no-log", action="store_true", help="do not record the questions in the database")


def _run_chat(args: argparse.Namespace, settings: Settings) -> int:
    return console(settings, args.lang, record=not args.no_log)


def _add_run(commands: Any) -> None:
    commands.add_parser("run", help="serve Telegram when TELEGRAM_BOT_TOKEN is set, else open the console")


def _run_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_bot_token:
        print("No TELEGRAM_BOT_TOKEN set: opening the local console (one question per line, Ctrl+D or Ctrl+C to quit).")
        return console(settings, "es", record=True)
    from bot.channels.telegram import serve
    from bot.store.db import prepare_path

    try:  # a bot that cannot keep its log must not start answering
        prepare_path(settings.database_path)
    except OSError as exc:
        raise CliError(f"DATABASE_PATH {settings.database_path} cannot be created: {exc.strerror or exc}") from exc
    return serve(settings)


def _add_health(commands: Any) -> None:
    health = commands.add_parser("health", help="exit 0 when the running bot wrote a fresh, healthy health file")
    health.add_argument("--max-age", type=int, default=60, help="seconds after which the file counts as stale")


def _run_health(args: argparse.Namespace, settings: Settings) -> int:
    """For a container health check: the running Telegram bot rewrites HEALTH_FILE every 15 s."""
    import time

    path = settings.health_file
    if path is None or not path.is_file():
        raise CliError(f"no health file at {path}: the bot is not running (or has not started yet)")
    age = time.time() - path.stat().st_mtime
    try:
        health = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CliError(f"{path} is not a health file") from exc
    print(f"telegram={health.get('telegram')} log={health.get('log')} age_s={age:.0f} ({health.get('log_status')})")
    if age > args.max_age:
        raise CliError(f"the health file is {age:.0f} s old: the bot is stuck or stopped")
    if health.get("telegram") != "ok":
        raise CliError("the bot cannot reach the Bot API")
    return 0


def _add_review(commands: Any) -> None:
    from bot.review_cli import add_review_parser

    add_review_parser(commands)


def _run_review(args: argparse.Namespace, settings: Settings) -> int:
    from bot.review_cli import run_review

    kb, _ = load_knowledge(settings.knowledge_dir, max_age_days=settings.reviewed_max_age_days)
    return run_review(args, settings, known_ids=set(kb.entries) if kb else None)


COMMANDS = (
    Command("run", _add_run, _run_run),
    Command("health", _add_health, _run_health),
    Command("chat", _add_chat, _run_chat),
    Command("ask", _add_ask, _run_ask),
    Command("validate", _add_validate, _run_validate),
    Command("dump", _add_dump, _run_dump),
    Command("eval", _add_eval, _run_eval),
    Command("review", _add_review, _run_review),
)
DEFAULT_COMMAND = "run"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    name = args.command or DEFAULT_COMMAND
    run = {command.name: command.run for command in COMMANDS}[name]
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, serving=name == "run" and bool(settings.telegram_bot_token))
    try:
        return run(args, settings)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("the knowledge base (or eval file) is invalid: fix the problems above", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head`: not an error
        return 0
    except KeyboardInterrupt:
        return 130
    except (CliError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # last resort: still one line; LOG_LEVEL=DEBUG shows where
        log.debug("unexpected error", exc_info=True)
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
