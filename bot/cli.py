"""Command line: `python -m bot [run|chat|ask|validate|dump|eval|review]`. Wires core, store and channels."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any

from bot.core.config import ConfigError, Settings, load_settings
from bot.core.explain import format_explanation
from bot.core.knowledge import load_knowledge
from bot.core.models import Entry
from bot.core.pipeline import Pipeline
from bot.core.problems import KnowledgeBaseError

log = logging.getLogger("bot")
MODALITY_NAMES: dict[str, str | None] = {"hibrido": "híbrido", "tba": None}  # None: to be announced, like dates


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("run", help="serve Telegram when TELEGRAM_BOT_TOKEN is set, else open the console")
    chat = commands.add_parser("chat", help="local console: one question per line, answers on stdout")
    chat.add_argument("--lang", choices=("es", "en"), default="es")
    chat.add_argument("--no-log", action="store_true", help="do not record the questions in the database")
    ask = commands.add_parser("ask", help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--lang", choices=("es", "en"), default="es")
    ask.add_argument("--json", action="store_true", help="machine-readable output")
    ask.add_argument("--explain", action="store_true", help="show the ranked candidates and their scores")
    validate = commands.add_parser("validate", help="check the knowledge base; exit 1 on any error")
    validate.add_argument("directory", nargs="?", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR)")
    validate.add_argument("--lang", choices=("es", "en"), default="es", help="language of the messages (default es)")
    commands.add_parser("dump", help="print the loaded knowledge base as JSON")
    from bot import eval_cli
    from bot.review_cli import add_review_parser

    eval_cli.add_parser(commands)

    add_review_parser(commands)
    return parser


def configure_logging(level: str) -> None:
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


def cmd_validate(settings: Settings, directory: Path | None, lang: str = "es") -> int:
    folder = directory or settings.knowledge_dir
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


def cmd_ask(pipeline: Pipeline, question: str, lang: str, as_json: bool, explain: bool) -> int:
    from bot.channels.console import render_reply

    reply = pipeline.ask(question, lang)
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
                    "text": render_reply(reply, pipeline),
                    "url": reply.entry.url if reply.entry else None,
                    "latency_ms": round(reply.latency_ms, 4),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(render_reply(reply, pipeline))
    if explain:
        print("\n" + format_explanation(pipeline.explanation(question, reply.lang)), file=sys.stderr)
    return 0


async def serve_console(settings: Settings, pipeline: Pipeline, lang: str, record: bool) -> int:
    from bot.channels.console import run_console
    from bot.store import Store, StoreError

    if settings.log_level == "INFO":  # keep routine log lines out of the conversation on the terminal
        logging.getLogger().setLevel(logging.WARNING)
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


def cmd_run(settings: Settings, pipeline: Pipeline) -> int:
    if settings.telegram_bot_token:
        from bot.channels.telegram import serve

        return serve(settings, pipeline)
    print("No TELEGRAM_BOT_TOKEN set: opening the local console (one question per line, Ctrl+D to quit).")
    return asyncio.run(serve_console(settings, pipeline, "es", record=True))


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command or "run"
    if command == "validate":
        return cmd_validate(settings, args.directory, args.lang)
    if command == "review":
        from bot.review_cli import run_review

        kb, _ = load_knowledge(settings.knowledge_dir, max_age_days=settings.reviewed_max_age_days)
        return run_review(args, settings, known_ids=set(kb.entries) if kb else None)
    pipeline = Pipeline.from_settings(settings)
    if command == "ask":
        return cmd_ask(pipeline, args.question, args.lang, args.json, args.explain)
    if command == "dump":
        entries = [entry_json(e) for e in pipeline.kb.entries.values()]
        print(json.dumps({"entries": entries}, ensure_ascii=False, indent=2))
        return 0
    if command == "eval":
        from bot import eval_cli

        return eval_cli.run(args, pipeline)
    if command == "chat":
        return asyncio.run(serve_console(settings, pipeline, args.lang, record=not args.no_log))
    return cmd_run(settings, pipeline)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return dispatch(args, settings)
    except KnowledgeBaseError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("the knowledge base (or eval file) is invalid: fix the problems above", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
