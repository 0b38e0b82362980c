"""The citizen's own data: their choices kept across restarts, /misdatos (everything kept about them),
/olvidame (delete all of it, after a confirmation button: Ley 29733) and /privacidad.

Language and region are read from the store once per chat and process (private chats only: in a
group the chat is not one person), before any handler runs, and written when the citizen chooses.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, TypeHandler, filters

from bot.core.dates import format_day
from bot.store import StoreError

from . import callbacks as cb
from . import events
from .context import ChatMemory, Context, user_lang
from .formatting import esc
from .keyboards import button, keyboard
from .sending import send_html, show

log = logging.getLogger("bot.telegram")

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Lo que guardo sobre ti", "What I keep about you"),
    "lang": ("Idioma: {value}", "Language: {value}"),
    "lang_none": ("no elegido (uso el de tu Telegram)", "not chosen (I follow your Telegram app)"),
    "es": ("español", "Spanish"),
    "en": ("inglés", "English"),
    "region": ("Región: {value}", "Region: {value}"),
    "region_none": ("no elegida", "not chosen"),
    "reminders": ("Recordatorios: {count}", "Reminders: {count}"),
    "watches": ("Avisos de fecha: {count}", "Date notices: {count}"),
    "questions": (
        "Preguntas registradas: {count}{since}. Guardo el texto (sin datos personales) {days} días; "
        "después solo queda que preguntaste.",
        "Questions logged: {count}{since}. Their text (without personal data) is kept {days} days; "
        "after that only the fact that you asked remains.",
    ),
    "since": (", desde el {day}", ", since {day}"),
    "votes": ("Respuestas valoradas (👍/👎): {count}", "Answers rated (👍/👎): {count}"),
    "id_note": (
        "No guardo tu número de Telegram: solo un código derivado de él que no permite identificarte.",
        "I do not keep your Telegram number: only a code derived from it that does not identify you.",
    ),
    "erase_hint": ("/olvidame lo borra todo.", "/olvidame erases all of it."),
    "confirm": (
        "¿Borro todo lo que guardo sobre ti (idioma, región, recordatorios, avisos y tus preguntas)? "
        "No se puede deshacer.",
        "Shall I delete everything I keep about you (language, region, reminders, notices and your "
        "questions)? It cannot be undone.",
    ),
    "yes": ("🗑 Sí, borrar todo", "🗑 Yes, delete everything"),
    "no": ("Cancelar", "Cancel"),
    "erased": (
        "Listo: borré todo lo que guardaba sobre ti ({rows} registros). Si vuelves a escribir, empezamos de cero.",
        "Done: I deleted everything I kept about you ({rows} records). If you write again, we start afresh.",
    ),
    "kept": ("No borré nada.", "Nothing was deleted."),
    "store_down": (
        "No puedo leer ni borrar tus datos ahora; inténtalo en unos minutos.",
        "I cannot read or delete your data right now; please try again in a few minutes.",
    ),
    "privacy": (
        "<b>Privacidad</b>\n"
        "• Guardo tus preguntas para mejorar las respuestas, sin datos personales: DNI, RUC, teléfonos, "
        "correos y tarjetas se tapan antes de guardar. El texto se borra a los {days} días.\n"
        "• No guardo tu número de Telegram, solo un código derivado de él.\n"
        "• Si eliges idioma (/idioma) o región (/region), los guardo para recordarlos.\n"
        "• Un recordatorio (⏰) o un aviso de fecha (🔔) guarda el chat al que te escribo, y se borra con él.\n"
        "• /misdatos muestra todo lo que guardo; /olvidame lo borra (Ley 29733, de Protección de Datos "
        "Personales).",
        "<b>Privacy</b>\n"
        "• I keep your questions to improve the answers, without personal data: ID and tax numbers, phones, "
        "e-mails and cards are masked before saving. The text is deleted after {days} days.\n"
        "• I do not keep your Telegram number, only a code derived from it.\n"
        "• If you choose a language (/idioma) or region (/region), I keep it to remember it.\n"
        "• A reminder (⏰) or date notice (🔔) keeps the chat I write to, and is deleted with it.\n"
        "• /misdatos shows everything I keep; /olvidame deletes it (Peru's Law 29733 on personal data).",
    ),
}


def text(key: str, lang: str, **values: object) -> str:
    return TEXTS[key][1 if lang == "en" else 0].format(**values)


# -- choices kept across restarts ---------------------------------------------------------------------


async def load_preferences(update: object, context: Context) -> None:
    """Before any handler: a private chat's language and region from the store, once per process."""
    if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE or context.chat_data is None:
        return
    chat = context.chat_data
    store = context.bot_data.store
    if chat.preferences_loaded or store is None:
        return
    try:
        kept = await store.citizen.preferences(update.effective_user.id)
    except StoreError as exc:
        log.info("preferences not loaded: %s", exc)
        return
    chat.preferences_loaded = True
    chat.lang = chat.lang or kept.lang
    chat.region = chat.region or kept.region


async def save_language(update: Update, context: Context, lang: str) -> None:
    """Keep a /idioma choice (keyed by the user hash); a store fault only costs the memory."""
    user = update.effective_user
    store = context.bot_data.store
    if user is None or store is None:
        return
    try:
        await store.citizen.set_language(user.id, lang)
    except StoreError as exc:
        log.error("language not stored: %s", exc)


async def save_region(update: Update, context: Context, region: str) -> None:
    """Keep a /region choice (keyed by the user hash)."""
    user = update.effective_user
    store = context.bot_data.store
    if user is None or store is None:
        return
    try:
        await store.citizen.set_region(user.id, region)
    except StoreError as exc:
        log.error("region not stored: %s", exc)


# -- /misdatos, /olvidame, /privacidad ---------------------------------------------------------------


async def my_data(update: Update, context: Context) -> None:
    """/misdatos: everything the bot keeps about this user."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    lang = user_lang(update, context)
    data = context.bot_data
    try:
        kept = await data.require_store().citizen.summary(user.id)
    except (StoreError, RuntimeError) as exc:
        log.error("my data not read: %s", exc)
        await send_html(context, message.chat_id, esc(text("store_down", lang)))
        return
    prefs = kept.preferences
    kb = data.pipeline.kb
    since = text("since", lang, day=format_day(kept.first_question, lang)) if kept.first_question else ""
    reminders = sorted({kb.entries[r.event_id].title.get(lang) for r in kept.reminders if r.event_id in kb.entries})
    watches = [kb.entries[w].title.get(lang) for w in kept.watches if w in kb.entries]
    language = text(prefs.lang, lang) if prefs.lang else text("lang_none", lang)
    region = kb.regions.name(prefs.region) if prefs.region else text("region_none", lang)
    items = [
        text("lang", lang, value=language),
        text("region", lang, value=region),
        text("reminders", lang, count=len(kept.reminders)) + (f" ({'; '.join(reminders)})" if reminders else ""),
        text("watches", lang, count=len(kept.watches)) + (f" ({'; '.join(watches)})" if watches else ""),
        text("questions", lang, count=kept.questions, since=since, days=data.settings.retention_days),
        text("votes", lang, count=kept.feedback),
    ]
    lines = [f"<b>{esc(text('title', lang))}</b>", *(f"• {esc(item)}" for item in items), ""]
    lines += [esc(text("id_note", lang)), esc(text("erase_hint", lang))]
    await send_html(context, message.chat_id, "\n".join(lines), what="mydata")


async def forget_me(update: Update, context: Context) -> None:
    """/olvidame: ask for confirmation first."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    markup = keyboard([[button(text("yes", lang), cb.ForgetMe(True)), button(text("no", lang), cb.ForgetMe(False))]])
    await send_html(context, message.chat_id, esc(text("confirm", lang)), markup, what="forget")


async def on_forget(update: Update, context: Context) -> None:
    """The confirmation: delete every row of this user (and their reminders' jobs), or nothing."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.ForgetMe)
    assert action is not None  # routed here by its pattern
    lang = user_lang(update, context)
    if not action.confirmed:
        await query.answer()
        await show(update, context, esc(text("kept", lang)), None)
        return
    user_id = query.from_user.id
    chat_id = query.message.chat.id if query.message is not None else user_id
    data = context.bot_data
    try:
        store = data.require_store()
        events.unschedule(context.application, await store.citizen.reminders(user_id))
        rows = await store.citizen.erase(user_id, chat_id)
    except (StoreError, RuntimeError) as exc:
        log.error("erase failed: %s", exc)
        await query.answer(text("store_down", lang), show_alert=True)
        return
    if context.chat_data is not None:  # what this process remembers of the chat goes too
        forget(context.chat_data)
    log.info("erased rows=%d", rows)
    await query.answer()
    await show(update, context, esc(text("erased", lang, rows=rows)), None)


def forget(chat: ChatMemory) -> None:
    """Empty a chat's memory (nothing left to load from the store either)."""
    chat.lang = chat.region = chat.last_question = chat.last_entry = None
    chat.asked.clear()
    chat.votes.clear()
    chat.preferences_loaded = True


async def privacy(update: Update, context: Context) -> None:
    """/privacidad: what is stored and why."""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    days = context.bot_data.settings.retention_days
    await send_html(context, message.chat_id, text("privacy", lang, days=days), what="privacy")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Preferences loading (group -1, before every handler), /misdatos, /olvidame, /privacidad."""
    application.add_handler(TypeHandler(Update, load_preferences), group=-1)
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("misdatos", my_data, filters=new))
    application.add_handler(CommandHandler("olvidame", forget_me, filters=new))
    application.add_handler(CommandHandler("privacidad", privacy, filters=new))
    application.add_handler(CallbackQueryHandler(on_forget, pattern=cb.matches(cb.ForgetMe)))
