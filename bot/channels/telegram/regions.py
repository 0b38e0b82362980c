"""/region: the citizen picks one of the 26 choices (24 departments, Callao, Lima Metropolitana) with
buttons or as `/region puno`; answers and /eventos then use it. A region named in a question
("soy de Puno") is used for that answer only, with a button to keep it: nothing is stored until the
citizen chooses.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.core.models import Reply

from . import callbacks as cb
from .context import Context, memory, user_lang
from .formatting import esc
from .keyboards import button, keyboard, without
from .mydata import save_region
from .sending import send_html, show

log = logging.getLogger("bot.telegram")

PER_ROW = 2
TEXTS: dict[str, tuple[str, str]] = {
    "choose": (
        "¿De qué región eres? Elige tu departamento (o Callao, o Lima Metropolitana). "
        "Lo uso para mostrarte las sedes y eventos de tu región; lo borras con /olvidame.",
        "Which region are you from? Pick your department (or Callao, or Lima Metropolitana). "
        "I use it to show your region's sites and events; /olvidame erases it.",
    ),
    "current": ("Tu región ahora: {region}.", "Your region now: {region}."),
    "set": (
        "📍 Listo: tu región es {region}. Las respuestas y /eventos la tendrán en cuenta.",
        "📍 Done: your region is {region}. Answers and /eventos will take it into account.",
    ),
    "unknown": (
        "No reconozco esa región. Escribe /region y elige con los botones.",
        "I do not recognise that region. Type /region and pick one with the buttons.",
    ),
    "keep": ("📍 Usar {region} como mi región", "📍 Use {region} as my region"),
    "offer": (
        "¿Eres de {region}? Si la guardas como tu región, las respuestas y /eventos la tendrán en cuenta.",
        "Are you from {region}? Keep it as your region and answers and /eventos will take it into account.",
    ),
}


def text(key: str, lang: str, **values: object) -> str:
    return TEXTS[key][1 if lang == "en" else 0].format(**values)


async def choose(update: Update, context: Context) -> None:
    """/region, or /region <name> to set it directly."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    regions = context.bot_data.pipeline.kb.regions
    if context.args:
        found = regions.find(" ".join(context.args))
        if found is None:
            await send_html(context, message.chat_id, esc(text("unknown", lang)))
            return
        await _set(update, context, found, lang)
        await send_html(context, message.chat_id, esc(text("set", lang, region=regions.name(found))))
        return
    rows: list[list[InlineKeyboardButton | None]] = []
    for department in regions.departments.values():
        if not rows or len(rows[-1]) == PER_ROW:
            rows.append([])
        rows[-1].append(button(department.name, cb.SetRegion(department.id)))
    lines = [esc(text("choose", lang))]
    current = memory(context).region
    if current in regions.departments:
        lines.append(esc(text("current", lang, region=regions.name(current))))
    await send_html(context, message.chat_id, "\n\n".join(lines), keyboard(rows), what="region")


async def _set(update: Update, context: Context, region: str, lang: str) -> None:
    memory(context).region = region
    await save_region(update, context, region)
    log.info("region set")


async def on_region(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.SetRegion)
    lang = user_lang(update, context)
    regions = context.bot_data.pipeline.kb.regions
    if action is None or action.region not in regions.departments:
        await query.answer(text("unknown", lang), show_alert=True)
        return
    await _set(update, context, action.region, lang)
    done = text("set", lang, region=regions.name(action.region))
    await query.answer(done)
    message = query.message if isinstance(query.message, Message) else None
    markup = message.reply_markup if message is not None else None
    buttons = [b for row in markup.inline_keyboard for b in row] if markup is not None else []
    menu = all(isinstance(cb.decode(b.callback_data), cb.SetRegion) for b in buttons)
    if menu:  # the /region menu becomes the confirmation
        await show(update, context, esc(done), None)
        return
    assert message is not None  # "use as my region" under an answer: the answer stays
    await send_html(context, message.chat.id, esc(done), what="region")
    try:
        await query.edit_message_reply_markup(without(message.reply_markup, lambda a: isinstance(a, cb.SetRegion)))
    except TelegramError as exc:  # cosmetic: the region is set
        log.debug("could not remove the region button: %s", type(exc).__name__)


def note_html(reply: Reply) -> str:
    """The regional note of an answer ("Centro MAC Arequipa: …", "En Tacna no hay…"), as HTML."""
    return f"\n\n📍 {esc(reply.region_note)}" if reply.region_note else ""


def keep_row(reply: Reply, context: Context, lang: str) -> list[InlineKeyboardButton | None]:
    """"Use Puno as my region" under an answer to a question that named a region not yet chosen."""
    if not reply.region_named or not reply.region or reply.region == memory(context).region:
        return []
    name = context.bot_data.pipeline.kb.regions.name(reply.region)
    return [button(text("keep", lang, region=name), cb.SetRegion(reply.region))]


async def offer(context: Context, chat_id: int, reply: Reply, lang: str) -> bool:
    """A message that only says where the citizen is ("soy de Puno"): offer to keep it as their region."""
    region = context.bot_data.pipeline.kb.regions.only_place(reply.question)
    if region is None or region == memory(context).region:
        return False
    name = context.bot_data.pipeline.kb.regions.name(region)
    markup = keyboard([[button(text("keep", lang, region=name), cb.SetRegion(region))]])
    await send_html(context, chat_id, esc(text("offer", lang, region=name)), markup, what="region")
    return True


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """/region and its buttons."""
    application.add_handler(CommandHandler("region", choose, filters=filters.UpdateType.MESSAGE))
    application.add_handler(CallbackQueryHandler(on_region, pattern=cb.matches(cb.SetRegion)))
