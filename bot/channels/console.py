"""The local console: the same pipeline as Telegram, on stdin/stdout, for staff and for `make run` without a token."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TextIO

from bot.core.models import Entry, Outcome, Reply
from bot.core.pipeline import Pipeline
from bot.core.render import answer_view, render_plain

if TYPE_CHECKING:
    from bot.store import Store

PROMPT = "> "
CONSOLE_USER = None  # console questions are logged without any user id


def render_reply(reply: Reply, pipeline: Pipeline) -> str:
    """Plain-text rendering of any outcome, numbered suggestions included."""
    if reply.outcome is Outcome.ANSWER and reply.entry is not None:
        return render_plain(answer_view(reply.entry, reply.lang))
    if reply.outcome is Outcome.SUGGEST:
        lines = [reply.text or pipeline.kb.message("suggest_intro", reply.lang)]
        lines += [f"  {n}. {entry.title.get(reply.lang)}" for n, entry in enumerate(reply.candidates, 1)]
        hint = "(type the number)" if reply.lang == "en" else "(escribe el número)"
        return "\n".join([*lines, hint])
    return reply.text


def render_entry(entry: Entry, lang: str) -> str:
    return render_plain(answer_view(entry, lang))


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
        if question.isdigit() and last and 1 <= int(question) <= len(last):
            stdout.write(render_entry(last[int(question) - 1], lang) + "\n\n")
            stdout.flush()
            continue
        reply = pipeline.ask(question, lang)
        last = reply.candidates if reply.outcome is Outcome.SUGGEST else ()
        if store is not None:
            store.record_question(user_id=CONSOLE_USER, channel="console", reply=reply)
        stdout.write(render_reply(reply, pipeline) + "\n\n")
        stdout.flush()
    return 0
