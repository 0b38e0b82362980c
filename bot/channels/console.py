"""The local console: the same pipeline as Telegram, on stdin/stdout, for staff and for `make run` without a token.

It draws the same views as Telegram (bot/core/render.py) as plain text: an answer's essentials
first, its steps and requirements on "pasos"; numbered lists (suggestions, /servicios, /eventos)
are opened by typing a number, or "el 2".
"""

from __future__ import annotations

import asyncio
import re
import threading
from typing import TYPE_CHECKING, TextIO

from bot.core.models import Reply
from bot.core.normalize import fold
from bot.core.pipeline import Pipeline
from bot.core.render import (
    AnswerView,
    MessageView,
    ReplyView,
    SuggestionView,
    answer_view,
    catalogue,
    event_when,
    past_events,
    reply_view,
    upcoming_events,
)

if TYPE_CHECKING:
    from bot.core.models import Entry
    from bot.store import Store

PROMPT = "> "
CONSOLE_USER = None  # console questions are logged without any user id
DETAILS_WORDS = {"pasos", "/pasos", "steps", "/steps", "requisitos"}
_PICK = re.compile(r"(?:el|la|opcion|numero|nro|number|option|no)?\s*(\d{1,4})")
TEXTS = {
    "es": {
        "pick": "(escribe el número)",
        "open": "(escribe un número para verlo)",
        "details": "(escribe «pasos» para ver los pasos y requisitos)",
        "out_of_range": "Elige un número del 1 al {n}.",
        "no_details": "Primero haz una pregunta; luego «pasos» muestra sus pasos y requisitos.",
        "commands": "Comandos: /servicios, /eventos, /ayuda",
        "goodbye": "¡Hasta luego!",
    },
    "en": {
        "pick": "(type the number)",
        "open": "(type a number to open it)",
        "details": "(type “steps” for the steps and requirements)",
        "out_of_range": "Choose a number from 1 to {n}.",
        "no_details": "Ask a question first; then “steps” shows its steps and requirements.",
        "commands": "Commands: /servicios, /eventos, /ayuda",
        "goodbye": "Goodbye!",
    },
}


def text(key: str, lang: str, **values: object) -> str:
    return TEXTS["en" if lang == "en" else "es"][key].format(**values)


def essentials_plain(view: AnswerView) -> str:
    lines = [view.notice, ""] if view.notice else []
    lines += [view.title.upper()]
    lines += [line for line in (view.when, view.place) if line]
    lines += ["", view.summary, ""]
    lines += [f"{fact.label}: {fact.text}" for fact in view.facts]
    lines.append(view.reviewed)
    return "\n".join(lines)


def details_plain(view: AnswerView) -> str:
    blocks = [view.details_notice] if view.details_notice else []
    for section in view.details:
        lines = [f"{section.title}:"]
        for n, item in enumerate(section.items, 1):
            value = f"{item.label}: {item.text}" if item.label else item.text
            lines.append(f"  {n}. {value}" if section.numbered else f"  - {value}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def draw(view: ReplyView, lang: str, with_details: bool = False) -> str:
    """Plain text of any view; an answer shows its essentials, and its details when asked for."""
    if isinstance(view, AnswerView):
        parts = [essentials_plain(view)]
        if view.details:
            parts.append(details_plain(view) if with_details else text("details", lang))
        return "\n\n".join(parts)
    if isinstance(view, SuggestionView):
        lines = [view.intro] + [f"  {n}. {option.title}" for n, option in enumerate(view.options, 1)]
        return "\n".join([*lines, text("pick", lang)])
    assert isinstance(view, MessageView)
    return view.text


def region_suffix(reply: Reply) -> str:
    """The regional note of an answer ("📍 Centro MAC Arequipa: …"), to put under it."""
    return f"\n\n📍 {reply.region_note}" if reply.region_note else ""


def run_command(command: str, pipeline: Pipeline, lang: str) -> tuple[str, tuple[Entry, ...]]:
    """The console's share of the Telegram commands; listed entries can then be opened by number."""
    kb = pipeline.kb
    name = command.split()[0].split("@")[0].lower()
    listed: list[Entry] = []
    lines: list[str] = []
    if name == "/servicios":
        for category in catalogue(kb, lang):
            lines.append(f"{category.title}:")
            lines += [f"  {len(listed) + n}. {o.title}" for n, o in enumerate(category.services, 1)]
            listed += [kb.entries[o.entry_id] for o in category.services]
    elif name == "/eventos":
        listed = [*upcoming_events(kb), *past_events(kb)]
        lines = [f"  {n}. {e.title.get(lang)} ({event_when(e, lang)})" for n, e in enumerate(listed, 1)]
    elif name in ("/start", "/ayuda", "/help"):
        return kb.message("help", lang), ()
    else:
        return text("commands", lang), ()
    return "\n".join([*lines, text("open", lang)]), tuple(listed)


def picked(line: str) -> int | None:
    """The number in "2", "el 2", "opción 2"; None for anything else."""
    found = _PICK.fullmatch(fold(line))
    return int(found.group(1)) if found else None


async def _lines(stdin: TextIO) -> asyncio.Queue[str | None]:
    """Lines of `stdin` read on a daemon thread, so Ctrl+C never waits for a blocked read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in iter(stdin.readline, ""):
            loop.call_soon_threadsafe(queue.put_nowait, line)
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return queue


async def run_console(
    pipeline: Pipeline,
    stdin: TextIO,
    stdout: TextIO,
    *,
    lang: str = "es",
    store: Store | None = None,
    interactive: bool = False,
) -> int:
    """Answer one line at a time until end of input; a number opens an item of the last list."""
    listed: tuple[Entry, ...] = ()
    shown: AnswerView | None = None
    lines = await _lines(stdin)

    def say(message: str) -> None:
        stdout.write(message + "\n\n")
        stdout.flush()

    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = await lines.get()
        if line is None:
            break
        question = line.strip()
        if not question:
            continue
        if fold(question) in DETAILS_WORDS or question.lower() in DETAILS_WORDS:
            say(details_plain(shown) if shown and shown.details else text("no_details", lang))
            continue
        if question.startswith("/"):
            message, listed = run_command(question, pipeline, lang)
            say(message)
            continue
        number = picked(question) if listed else None
        if number is not None:
            if 1 <= number <= len(listed):  # the list stays, so another number opens another item
                shown = answer_view(listed[number - 1], lang)
                say(draw(shown, lang))
            else:
                say(text("out_of_range", lang, n=len(listed)))
            continue
        reply = pipeline.ask(question, lang)
        if store is not None:
            store.record_question(user_id=CONSOLE_USER, channel="console", reply=reply)
        view = reply_view(reply)
        listed = reply.candidates[: len(view.options)] if isinstance(view, SuggestionView) else reply.events
        if isinstance(view, AnswerView):
            shown = view
        say(draw(view, reply.lang) + region_suffix(reply))
    return 0


def goodbye(lang: str) -> str:
    return text("goodbye", lang)
