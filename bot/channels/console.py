"""The local console: the same pipeline as Telegram, on stdin/stdout, for staff and for `make run` without a token."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TextIO

from bot.core.models import Entry, Outcome, Reply
from bot.core.pipeline import Pipeline
from bot.core.render import answer_view, event_when, past_events, render_plain, upcoming_events

if TYPE_CHECKING:
    from bot.store import Store

PROMPT = "> "
CONSOLE_USER = None  # console questions are logged without any user id


def render_reply(reply: Reply, pipeline: Pipeline) -> str:
    """Plain-text rendering of any outcome, numbered suggestions included."""
    if reply.outcome is Outcome.ANSWER and reply.entry is not None:
        text = render_plain(answer_view(reply.entry, reply.lang))
        return f"{text}\n\n📍 {reply.region_note}" if reply.region_note else text
    if reply.outcome is Outcome.SUGGEST:
        lines = [reply.text or pipeline.kb.message("suggest_intro", reply.lang)]
        lines += [f"  {n}. {entry.title.get(reply.lang)}" for n, entry in enumerate(reply.candidates, 1)]
        hint = "(type the number)" if reply.lang == "en" else "(escribe el número)"
        return "\n".join([*lines, hint])
    return reply.text


def render_entry(entry: Entry, lang: str) -> str:
    return render_plain(answer_view(entry, lang))


def run_command(command: str, pipeline: Pipeline, lang: str) -> tuple[str, tuple[Entry, ...]]:
    """The console's share of the Telegram commands; listed entries can then be opened by number."""
    kb = pipeline.kb
    name = command.split()[0].split("@")[0].lower()
    listed: list[Entry] = []
    lines: list[str] = []
    if name == "/servicios":
        for category_id, title in kb.categories.items():
            services = sorted((e for e in kb.services() if e.category == category_id), key=lambda e: e.title.get(lang))
            if services:
                lines.append(f"{title.get(lang)}:")
                lines += [f"  {len(listed) + n}. {e.title.get(lang)}" for n, e in enumerate(services, 1)]
                listed += services
    elif name == "/eventos":
        listed = [*upcoming_events(kb), *past_events(kb)]
        lines = [f"  {n}. {e.title.get(lang)} ({event_when(e, lang)})" for n, e in enumerate(listed, 1)]
    elif name in ("/start", "/ayuda", "/help"):
        return kb.message("help", lang), ()
    else:
        known = "/servicios, /eventos, /ayuda"
        return (f"Commands: {known}" if lang == "en" else f"Comandos: {known}"), ()
    hint = "(type a number to open it)" if lang == "en" else "(escribe un número para verlo)"
    return "\n".join([*lines, hint]), tuple(listed)


async def run_console(
    pipeline: Pipeline,
    stdin: TextIO,
    stdout: TextIO,
    *,
    lang: str = "es",
    store: Store | None = None,
    interactive: bool = False,
) -> int:
    """Answer one line at a time until end of input; a number picks one of the last suggestions."""
    last: tuple[Entry, ...] = ()
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        question = line.strip()
        if not question:
            continue
        if question.startswith("/"):
            text, last = run_command(question, pipeline, lang)
            stdout.write(text + "\n\n")
            stdout.flush()
            continue
        if question.isdigit() and last and 1 <= int(question) <= len(last):
            stdout.write(render_entry(last[int(question) - 1], lang) + "\n\n")
            stdout.flush()
            continue
        reply = pipeline.ask(question, lang)
        last = reply.candidates if reply.outcome is Outcome.SUGGEST else reply.events
        if store is not None:
            store.record_question(user_id=CONSOLE_USER, channel="console", reply=reply)
        stdout.write(render_reply(reply, pipeline) + "\n\n")
        stdout.flush()
    return 0
