"""Events: /eventos (upcoming only, soonest first, with pages), the buttons under an event's answer
("📅 Añadir a mi calendario" sends an .ics, "⏰ Recordarme", "🔔 Avísame cuando haya fecha"),
/recordatorios, and delivery.

Reminders go 1 day and 1 hour before the start (an all-day event starts at 00:00 Lima). They are
rows in the store and jobs in PTB's JobQueue; on start the rows are read back and rescheduled, and
one whose time passed while the bot was down is deleted unsent: a late reminder is worse than none.
A date watch is notified once, after a reload (or a restart) finds the event dated.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.core.dates import LIMA, format_moment
from bot.core.events import EventQuery, event_parts, find_events, start_moment
from bot.core.ics import event_ics, ics_filename
from bot.core.models import Entry, Reply
from bot.core.render import event_status, event_when
from bot.store import StoreError
from bot.store.citizen import Reminder

from . import callbacks as cb
from .context import BotData, Context, memory, user_lang
from .formatting import esc
from .keyboards import button, keyboard
from .sending import send_html, send_with_retry, show
from .texts import t

log = logging.getLogger("bot.telegram")

EVENTS_PER_PAGE = 5
REMIND_BEFORE = (timedelta(days=1), timedelta(hours=1))
LATE_GRACE = timedelta(minutes=5)  # a job that runs later than this after its time is dropped unsent
App = Application[Any, Any, Any, Any, Any, Any]

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Próximos eventos", "Upcoming events"),
    "in_region": ("en {region} y nacionales", "in {region} and national"),
    "none": ("No hay eventos próximos registrados.", "There are no upcoming events registered."),
    "calendar": ("📅 Añadir a mi calendario", "📅 Add to my calendar"),
    "remind": ("⏰ Recordarme", "⏰ Remind me"),
    "watch": ("🔔 Avísame cuando haya fecha", "🔔 Notify me when there's a date"),
    "calendar_caption": ("Ábrelo para añadir «{title}» a tu calendario.", "Open it to add “{title}” to your calendar."),
    "no_date": ("Este evento todavía no tiene fecha.", "This event has no date yet."),
    "not_upcoming": ("Este evento ya no es próximo.", "This event is no longer upcoming."),
    "unknown_event": ("Ese evento ya no está en la lista.", "That event is no longer listed."),
    "reminders_set": (
        "⏰ Listo: te aviso {when} antes de «{title}». Míralos o cancélalos con /recordatorios.",
        "⏰ Done: I will remind you {when} before “{title}”. See or cancel them with /recordatorios.",
    ),
    "reminders_none_left": (
        "«{title}» empieza muy pronto: ya no queda tiempo para recordatorios.",
        "“{title}” starts too soon for reminders.",
    ),
    "day": ("1 día", "1 day"),
    "hour": ("1 hora", "1 hour"),
    "and": (" y ", " and "),
    "reminder": ("⏰ Recordatorio: «{title}» empieza {when}.", "⏰ Reminder: “{title}” starts {when}."),
    "tomorrow": ("mañana", "tomorrow"),
    "in_an_hour": ("en 1 hora", "in 1 hour"),
    "my_reminders": ("Tus recordatorios:", "Your reminders:"),
    "no_reminders": (
        "No tienes recordatorios. Abre un evento en /eventos y toca «⏰ Recordarme».",
        "You have no reminders. Open an event in /eventos and tap “⏰ Remind me”.",
    ),
    "cancel": ("❌ Cancelar: {title}", "❌ Cancel: {title}"),
    "cancelled": ("Recordatorios de «{title}» cancelados.", "Reminders for “{title}” cancelled."),
    "watching": (
        "🔔 Listo: te escribo una sola vez cuando se publique la fecha de «{title}».",
        "🔔 Done: I will write once when the date of “{title}” is published.",
    ),
    "already_watching": ("Ya te aviso cuando haya fecha de «{title}».", "I will already tell you about “{title}”."),
    "dated": ("🔔 Ya hay fecha para «{title}»: {when}.", "🔔 “{title}” now has a date: {when}."),
    "store_down": (
        "No puedo guardar eso ahora; inténtalo en unos minutos.",
        "I cannot save that right now; please try again in a few minutes.",
    ),
}


def text(key: str, lang: str, **values: object) -> str:
    return TEXTS[key][1 if lang == "en" else 0].format(**values)


# -- the list ---------------------------------------------------------------------------------------


def events_page(data: BotData, lang: str, page: int, region: str | None) -> tuple[str, InlineKeyboardMarkup | None]:
    """Page `page` (clamped) of the upcoming events, in the citizen's region (and national) when set."""
    kb = data.pipeline.kb
    now = data.clock()
    region = region if region in kb.regions.departments else None
    upcoming = find_events(kb, EventQuery(region=region), now, limit=None).upcoming
    title = text("title", lang)
    if region is not None:
        title += f" ({text('in_region', lang, region=kb.regions.name(region))})"
    if not upcoming:
        return f"<b>{esc(title)}</b>\n{esc(text('none', lang))}", None
    pages = max(1, -(-len(upcoming) // EVENTS_PER_PAGE))
    page = min(max(page, 1), pages)
    shown = upcoming[(page - 1) * EVENTS_PER_PAGE : page * EVENTS_PER_PAGE]
    lines = [f"<b>{esc(title)}</b>"]
    if pages > 1:
        lines.append(esc(t("page", lang, page=page, pages=pages)))
    for entry in shown:
        lines += ["", _event_block(entry, lang, now)]
    rows: list[list[InlineKeyboardButton | None]] = [
        [button("🗓 " + e.title.get(lang), cb.OpenAnswer(e.id))] for e in shown
    ]
    nav: list[InlineKeyboardButton | None] = []
    if page > 1:
        nav.append(button(t("previous", lang), cb.EventsPage(page - 1)))
    if page < pages:
        nav.append(button(t("next", lang), cb.EventsPage(page + 1)))
    rows.append(nav)
    return "\n".join(lines), keyboard(rows)


def _event_block(entry: Entry, lang: str, now: datetime) -> str:
    """Title, date, modality · place · region, organizer and link of one event."""
    _, when, place, organizer = event_parts(entry, lang, now)
    return "\n".join(
        [
            f"<b>{esc(entry.title.get(lang))}</b>",
            f"📅 {esc(when)}",
            f"📍 {esc(place)}",
            f"🏛 {esc(organizer)}",
            f"🔗 {esc(entry.url)}",
        ]
    )


async def list_events(update: Update, context: Context) -> None:
    """/eventos"""
    message = update.effective_message
    if message is None:
        return
    lang = user_lang(update, context)
    html, markup = events_page(context.bot_data, lang, 1, memory(context).region)
    await send_html(context, message.chat_id, html, markup, what="events")


async def on_page(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.EventsPage)
    assert action is not None  # routed here by its pattern
    await query.answer()
    html, markup = events_page(context.bot_data, user_lang(update, context), action.page, memory(context).region)
    await show(update, context, html, markup)


async def send_listing(context: Context, chat_id: int, reply: Reply, lang: str) -> None:
    """A free-text event query ("eventos en Cusco"): the pipeline's list, each event a button."""
    rows: list[list[InlineKeyboardButton | None]] = [
        [button("🗓 " + e.title.get(lang), cb.OpenAnswer(e.id))] for e in reply.events
    ]
    await send_html(context, chat_id, esc(reply.text), keyboard(rows), what="events")


# -- under an event's answer ------------------------------------------------------------------------


def event_rows(entry: Entry, lang: str, now: datetime) -> list[list[InlineKeyboardButton | None]]:
    """Calendar and reminder buttons for an upcoming event, the date watch for one to be announced."""
    if not entry.is_event:
        return []
    status = event_status(entry, now)
    if status == "tba":
        return [[button(text("watch", lang), cb.WatchDate(entry.id))]]
    if status == "past":
        return []
    rows = [[button(text("calendar", lang), cb.AddToCalendar(entry.id))]]
    if status == "upcoming":
        rows.append([button(text("remind", lang), cb.RemindMe(entry.id))])
    return rows


def with_event_rows(
    markup: InlineKeyboardMarkup | None, entry: Entry, lang: str, now: datetime
) -> InlineKeyboardMarkup | None:
    """`markup` with the event buttons first (answers.py calls this for every answer)."""
    rows = event_rows(entry, lang, now)
    if not rows:
        return markup
    return keyboard([*rows, *(markup.inline_keyboard if markup else ())])


def _event(context: Context, event_id: str) -> Entry | None:
    entry = context.bot_data.pipeline.kb.entries.get(event_id)
    return entry if entry is not None and entry.is_event else None


def _chat_and_user(update: Update) -> tuple[int, int]:
    query = update.callback_query
    assert query is not None
    chat = query.message.chat.id if query.message is not None else query.from_user.id
    return chat, query.from_user.id


async def send_calendar(context: Context, chat_id: int, entry: Entry, lang: str) -> None:
    data = event_ics(entry, lang, context.bot_data.clock())

    async def send() -> object:
        return await context.bot.send_document(
            chat_id,
            document=InputFile(io.BytesIO(data), filename=ics_filename(entry)),
            caption=text("calendar_caption", lang, title=entry.title.get(lang)),
        )

    await send_with_retry(send, delays=context.bot_data.retry_delays, what="ics")


async def on_calendar(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.AddToCalendar)
    lang = user_lang(update, context)
    entry = _event(context, action.event_id) if action else None
    if entry is None or entry.starts is None:
        await query.answer(text("no_date" if entry else "unknown_event", lang), show_alert=True)
        return
    await query.answer()
    chat_id, _ = _chat_and_user(update)
    log.info("calendar event=%s", entry.id)
    await send_calendar(context, chat_id, entry, lang)


async def on_remind(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.RemindMe)
    lang = user_lang(update, context)
    entry = _event(context, action.event_id) if action else None
    start = start_moment(entry) if entry else None
    if entry is None or start is None:
        await query.answer(text("no_date" if entry else "unknown_event", lang), show_alert=True)
        return
    data = context.bot_data
    if event_status(entry, data.clock()) != "upcoming":
        await query.answer(text("not_upcoming", lang), show_alert=True)
        return
    chat_id, user_id = _chat_and_user(update)
    title = entry.title.get(lang)
    try:
        added = await data.require_store().citizen.add_reminders(user_id, chat_id, entry.id, start, REMIND_BEFORE, lang)
        existing = [r for r in await data.require_store().citizen.reminders(user_id) if r.event_id == entry.id]
    except StoreError as exc:
        log.error("reminder not stored: %s", exc)
        await query.answer(text("store_down", lang), show_alert=True)
        return
    await query.answer()
    for reminder in added:
        schedule(context.application, reminder, data)
    if not existing:
        await send_html(context, chat_id, esc(text("reminders_none_left", lang, title=title)), what="remind")
        return
    befores = sorted({r.before for r in existing}, reverse=True)
    when = text("and", lang).join(text("day" if b >= timedelta(hours=23) else "hour", lang) for b in befores)
    log.info("reminders event=%s added=%d", entry.id, len(added))
    await send_html(context, chat_id, esc(text("reminders_set", lang, when=when, title=title)), what="remind")


async def on_watch(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.WatchDate)
    lang = user_lang(update, context)
    entry = _event(context, action.event_id) if action else None
    if entry is None:
        await query.answer(text("unknown_event", lang), show_alert=True)
        return
    chat_id, user_id = _chat_and_user(update)
    title = entry.title.get(lang)
    if entry.starts is not None:  # dated meanwhile: say the date now
        await query.answer()
        await _send_dated(context, chat_id, entry, lang)
        return
    try:
        new = await context.bot_data.require_store().citizen.watch(user_id, chat_id, entry.id, lang)
    except StoreError as exc:
        log.error("date watch not stored: %s", exc)
        await query.answer(text("store_down", lang), show_alert=True)
        return
    await query.answer()
    log.info("date_watch event=%s new=%s", entry.id, new)
    await send_html(context, chat_id, esc(text("watching" if new else "already_watching", lang, title=title)))


async def _send_dated(context: Context, chat_id: int, entry: Entry, lang: str) -> None:
    now = context.bot_data.clock()
    message = text("dated", lang, title=entry.title.get(lang), when=event_when(entry, lang, now))
    markup = keyboard(event_rows(entry, lang, now))
    await send_html(context, chat_id, f"{esc(message)}\n{esc(entry.url)}", markup, what="dated")


async def notify_dated(context: Context) -> int:
    """After a reload: every watch on an event that now has a date gets its one message; returns how many."""
    data = context.bot_data
    if data.store is None:
        return 0
    dated = [e.id for e in data.pipeline.kb.events() if e.starts is not None]
    sent = 0
    try:
        watches = await data.store.citizen.watches(dated)
        for watch in watches:
            entry = _event(context, watch.event_id)
            if entry is None or not await data.store.citizen.take_watch(watch.id):
                continue
            try:
                await _send_dated(context, watch.chat_id, entry, watch.lang)
                sent += 1
            except TelegramError as exc:  # blocked the bot, chat gone: the watch is over either way
                log.info("date notice not delivered: %s", type(exc).__name__)
    except StoreError as exc:
        log.error("date watches not read: %s", exc)
    if sent:
        log.info("date_notices sent=%d", sent)
    return sent


# -- reminders --------------------------------------------------------------------------------------


def _job_name(reminder: Reminder) -> str:
    return f"reminder-{reminder.id}"


def schedule(application: App, reminder: Reminder, data: BotData) -> None:
    """A JobQueue job at the reminder's time (measured on `data.clock`, so tests can fake it)."""
    if application.job_queue is None:
        log.error("no job queue: install python-telegram-bot[job-queue]; reminder %d not scheduled", reminder.id)
        return
    delay = max((reminder.fire_at - data.clock()).total_seconds(), 0.0)
    application.job_queue.run_once(_fire, when=delay, data=reminder, name=_job_name(reminder))


def unschedule(application: App, reminders: list[Reminder]) -> None:
    if application.job_queue is None:
        return
    for reminder in reminders:
        for job in application.job_queue.get_jobs_by_name(_job_name(reminder)):
            job.schedule_removal()


async def _fire(context: Context) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, Reminder)
    reminder: Reminder = job.data
    data = context.bot_data
    if data.store is None:
        return
    try:
        if not await data.store.citizen.take_reminder(reminder.id):
            return  # cancelled or erased meanwhile
    except StoreError as exc:
        log.error("reminder not read: %s", exc)
        return
    now = data.clock()
    entry = _event(context, reminder.event_id)
    start = start_moment(entry) if entry else None
    if entry is None or start is None or now - reminder.fire_at > LATE_GRACE or now >= start:
        log.info("reminder dropped id=%d reason=late_or_gone", reminder.id)
        return
    if abs(start - reminder.before - reminder.fire_at) > timedelta(minutes=1):
        log.info("reminder dropped id=%d reason=event_moved", reminder.id)  # resync moves it on a reload
        return
    lang = reminder.lang
    when = text("tomorrow" if reminder.before >= timedelta(hours=23) else "in_an_hour", lang)
    message = esc(text("reminder", lang, title=entry.title.get(lang), when=when))
    message += f"\n{esc(event_when(entry, lang, now))}"
    markup = keyboard([[button(text("calendar", lang), cb.AddToCalendar(entry.id))]])
    try:
        await send_html(context, reminder.chat_id, f"{message}\n{esc(entry.url)}", markup, what="reminder")
        log.info("reminder sent id=%d event=%s", reminder.id, entry.id)
    except TelegramError as exc:
        log.info("reminder not delivered: %s", type(exc).__name__)


async def resync(application: App, data: BotData) -> int:
    """After a reload (or at start, on a knowledge base that may have changed): reminders of an event
    whose date moved follow it, those of an event now undated or gone are deleted; jobs follow the
    rows. Returns how many events changed."""
    assert data.store is not None
    by_event: dict[str, list[Reminder]] = {}
    for reminder in await data.store.citizen.reminders():
        by_event.setdefault(reminder.event_id, []).append(reminder)
    moved: list[str] = []
    for event_id, items in by_event.items():
        entry = data.pipeline.kb.entries.get(event_id)
        start = start_moment(entry) if entry is not None and entry.is_event else None
        if start is not None and all(abs(start - r.before - r.fire_at) <= timedelta(minutes=1) for r in items):
            continue
        unschedule(application, items)
        await data.store.citizen.move_reminders(event_id, start)
        moved.append(event_id)
    if moved:
        for reminder in await data.store.citizen.reminders():
            if reminder.event_id in moved:
                schedule(application, reminder, data)
        log.info("reminders moved events=%d", len(moved))
    return len(moved)


async def after_reload(context: Context) -> None:
    """/recargar succeeded: move reminders with their events, and send the date notices."""
    data = context.bot_data
    if data.store is None:
        return
    try:
        await resync(context.application, data)
    except StoreError as exc:
        log.error("reminders not moved: %s", exc)
    await notify_dated(context)


async def restore(application: App) -> None:
    """On start: drop the reminders missed while the bot was down, schedule the rest (following their
    events' current dates), and tell date watchers whose event got a date while the bot was off."""
    data: BotData = application.bot_data
    if data.store is None:
        return
    try:
        missed = await data.store.citizen.drop_missed()
        pending = await data.store.citizen.reminders()
        for reminder in pending:
            schedule(application, reminder, data)
        await resync(application, data)
    except StoreError as exc:
        log.error("reminders not restored: %s", exc)
        return
    log.info("reminders restored=%d missed=%d", len(pending), missed)
    if application.job_queue is not None:
        application.job_queue.run_once(_notify_job, when=0, name="date-notices")


async def _notify_job(context: Context) -> None:
    await notify_dated(context)


async def my_reminders(update: Update, context: Context) -> None:
    """/recordatorios: the citizen's reminders, each event with a cancel button."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    lang = user_lang(update, context)
    try:
        reminders = await context.bot_data.require_store().citizen.reminders(user.id)
    except StoreError as exc:
        log.error("reminders not read: %s", exc)
        await send_html(context, message.chat_id, esc(text("store_down", lang)))
        return
    if not reminders:
        await send_html(context, message.chat_id, esc(text("no_reminders", lang)))
        return
    html, markup = reminders_view(context, reminders, lang)
    await send_html(context, message.chat_id, html, markup, what="reminders")


def reminders_view(context: Context, reminders: list[Reminder], lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    kb = context.bot_data.pipeline.kb
    by_event: dict[str, list[Reminder]] = {}
    for reminder in reminders:
        by_event.setdefault(reminder.event_id, []).append(reminder)
    lines = [f"<b>{esc(text('my_reminders', lang))}</b>"]
    rows: list[list[InlineKeyboardButton | None]] = []
    for event_id, items in by_event.items():
        entry = kb.entries.get(event_id)
        title = entry.title.get(lang) if entry else event_id
        times = ", ".join(_lima(r.fire_at, lang) for r in items)
        lines.append(f"• {esc(title)} — ⏰ {esc(times)}")
        rows.append([button(text("cancel", lang, title=title), cb.CancelReminders(event_id))])
    return "\n".join(lines), keyboard(rows)


def _lima(moment: datetime, lang: str) -> str:
    return format_moment(moment.astimezone(LIMA), lang)


async def on_cancel(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.CancelReminders)
    assert action is not None  # routed here by its pattern
    lang = user_lang(update, context)
    _, user_id = _chat_and_user(update)
    store = context.bot_data.require_store()
    try:
        mine = [r for r in await store.citizen.reminders(user_id) if r.event_id == action.event_id]
        await store.citizen.cancel_reminders(user_id, action.event_id)
    except StoreError as exc:
        log.error("reminders not cancelled: %s", exc)
        await query.answer(text("store_down", lang), show_alert=True)
        return
    unschedule(context.application, mine)
    entry = context.bot_data.pipeline.kb.entries.get(action.event_id)
    title = entry.title.get(lang) if entry else action.event_id
    await query.answer(text("cancelled", lang, title=title))
    remaining = await store.citizen.reminders(user_id)
    html, markup = reminders_view(context, remaining, lang) if remaining else (esc(text("no_reminders", lang)), None)
    await show(update, context, f"{esc(text('cancelled', lang, title=title))}\n\n{html}", markup)


def register(application: App) -> None:
    """/eventos, /recordatorios and the event buttons."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("eventos", list_events, filters=new))
    application.add_handler(CommandHandler("recordatorios", my_reminders, filters=new))
    application.add_handler(CallbackQueryHandler(on_page, pattern=cb.matches(cb.EventsPage)))
    application.add_handler(CallbackQueryHandler(on_calendar, pattern=cb.matches(cb.AddToCalendar)))
    application.add_handler(CallbackQueryHandler(on_remind, pattern=cb.matches(cb.RemindMe)))
    application.add_handler(CallbackQueryHandler(on_cancel, pattern=cb.matches(cb.CancelReminders)))
    application.add_handler(CallbackQueryHandler(on_watch, pattern=cb.matches(cb.WatchDate)))
