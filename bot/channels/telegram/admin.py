"""Admin commands (user ids in ADMIN_USER_IDS, private chat only): /pendientes, /estadisticas, /recargar, /exportar.

Anyone else gets a plain "not available" reply and nothing about the data; admin buttons are
checked the same way when pressed.
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
from collections.abc import Callable, Coroutine
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.store import Group, Stats

from . import callbacks as cb
from .context import Context, user_lang
from .formatting import esc
from .keyboards import button, keyboard, short
from .sending import send_html, send_with_retry, typing
from .texts import t

log = logging.getLogger("bot.telegram")

PENDING_LIMIT = 10
MAX_PROBLEMS = 15
PROBLEM_CHARS = 300
STATS_DAYS = 30

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


def admin_only(handler: Handler) -> Handler:
    """Run `handler` only for admins in a private chat; others get "not available"."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        message = update.effective_message
        user = update.effective_user
        if message is None:
            return
        lang = user_lang(update, context)
        if not context.bot_data.is_admin(user.id if user else None):
            log.info("admin_denied command=%s", handler.__name__)
            await send_html(context, message.chat_id, esc(t("not_available", lang)))
            return
        if message.chat.type != ChatType.PRIVATE:
            await send_html(context, message.chat_id, esc(t("admin_private_only", lang)))
            return
        log.info("admin command=%s", handler.__name__)
        await typing(context, message.chat_id)
        await handler(update, context)  # failures reach the error handler, which apologises

    return guarded


def _group_entries(group: Group, context: Context) -> list[str]:
    """Entries that may answer a group: the one found at the last reload, else the pipeline's guesses."""
    kb = context.bot_data.pipeline.kb
    if group.answerable_entry_id and group.answerable_entry_id in kb.entries:
        return [group.answerable_entry_id]
    reply = context.bot_data.pipeline.ask(group.text)
    found = [reply.entry] if reply.entry is not None else list(reply.candidates)
    return [entry.id for entry in found[:2]]


@admin_only
async def pending(update: Update, context: Context) -> None:
    """The most asked unanswered question groups, each with resolve/ignore buttons."""
    message = update.effective_message
    assert message is not None
    lang = user_lang(update, context)
    groups = await context.bot_data.require_store().list_groups("pending", limit=PENDING_LIMIT)
    if not groups:
        await send_html(context, message.chat_id, esc(t("pending_none", lang)))
        return
    kb = context.bot_data.pipeline.kb
    lines = [f"<b>{esc(t('pending_title', lang, count=len(groups)))}</b>", ""]
    rows: list[list[InlineKeyboardButton | None]] = []
    for n, group in enumerate(groups, 1):
        times = t("times_one" if group.count == 1 else "times_many", lang)
        line = t("pending_line", lang, n=n, text=short(group.text, 120), count=group.count, times=times, gid=group.id)
        lines.append(esc(line))
        entries = _group_entries(group, context)
        for entry_id in entries:
            title = kb.entries[entry_id].title.get(lang)
            lines.append(esc(t("pending_suggested", lang, entry=f"{title} ({entry_id})")))
            rows.append([button(f"✅ {n} → {title}", cb.ResolveGroup(group.id, entry_id))])
        rows.append([button(t("ignore_button", lang, n=n), cb.IgnoreGroup(group.id))])
    lines += ["", f"<i>{esc(t('pending_hint', lang))}</i>"]
    await send_html(context, message.chat_id, "\n".join(lines), keyboard(rows), what="pending")


def stats_text(stats: Stats, lang: str, titles: dict[str, str] | None = None) -> str:
    """The figures of /estadisticas as HTML (`titles`: entry id -> title, for the top entries)."""
    share = f"{stats.answered_share * 100:.0f}%"
    lines = [
        f"<b>{esc(t('stats_title', lang, days=stats.days))}</b>",
        esc(t("stats_questions", lang, questions=stats.questions)),
        esc(t("stats_answered", lang, answered=stats.answered, share=share)),
        esc(t("stats_feedback", lang, yes=stats.feedback_helpful, no=stats.feedback_not_helpful)),
    ]
    if stats.top_entries:
        lines += ["", f"<b>{esc(t('stats_top', lang))}</b>"]
        titles = titles or {}
        lines += [
            f"{n}. {esc(short(titles.get(entry_id, entry_id), 50))} ({esc(entry_id)}) — {count}"
            for n, (entry_id, count) in enumerate(stats.top_entries, 1)
        ]
    return "\n".join(lines)


@admin_only
async def statistics(update: Update, context: Context) -> None:
    """Questions, answered share, top entries and feedback, then the chart as a photo."""
    message = update.effective_message
    assert message is not None
    lang = user_lang(update, context)
    stats = await context.bot_data.require_store().stats(STATS_DAYS)
    titles = {entry_id: entry.title.get(lang) for entry_id, entry in context.bot_data.pipeline.kb.entries.items()}
    await send_html(context, message.chat_id, stats_text(stats, lang, titles), what="stats")
    try:
        from bot.store.chart import render_stats_png

        buffer = io.BytesIO()
        await asyncio.to_thread(render_stats_png, stats, buffer)
        png = buffer.getvalue()
    except Exception as exc:  # the figures were sent; the chart is a bonus
        log.error("stats chart failed: %s", type(exc).__name__)
        return
    await send_with_retry(
        lambda: context.bot.send_photo(
            message.chat_id, photo=png, caption=t("stats_chart", lang), filename="estadisticas.png"
        ),
        delays=context.bot_data.retry_delays,
        what="stats_chart",
    )


@admin_only
async def reload(update: Update, context: Context) -> None:
    """Re-read the knowledge base; on errors keep the old one and list them (path:line: message)."""
    message = update.effective_message
    assert message is not None
    lang = user_lang(update, context)
    pipeline = context.bot_data.pipeline
    problems = pipeline.reload()
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        log.warning("reload failed errors=%d", len(errors))
        lines = [f"<b>{esc(t('reload_failed', lang))}</b>", ""]
        for problem in errors[:MAX_PROBLEMS]:
            lines.append(f"• <code>{esc(short(str(problem), PROBLEM_CHARS))}</code>")
        if len(errors) > MAX_PROBLEMS:
            lines.append(esc(t("reload_more", lang, count=len(errors) - MAX_PROBLEMS)))
        await send_html(context, message.chat_id, "\n".join(lines), what="reload")
        return
    kb = pipeline.kb
    answerable = await context.bot_data.require_store().mark_answerable(pipeline.ask)
    log.info("reload ok services=%d events=%d answerable=%d", len(kb.services()), len(kb.events()), answerable)
    lines = [
        esc(t("reload_ok", lang, services=len(kb.services()), events=len(kb.events()))),
        esc(t("reload_answerable", lang, count=answerable)),
    ]
    warnings = [p for p in problems if p.severity == "warning"]
    if warnings:
        lines.append(esc(t("reload_warnings", lang, count=len(warnings))))
    await send_html(context, message.chat_id, "\n".join(lines), what="reload")


@admin_only
async def export(update: Update, context: Context) -> None:
    """The review queue (unanswered questions) as a CSV document."""
    message = update.effective_message
    assert message is not None
    lang = user_lang(update, context)
    name = f"preguntas-sin-respuesta-{date.today().isoformat()}.csv"
    with tempfile.TemporaryDirectory(prefix="gobpe-export-") as folder:
        path = Path(folder) / name
        rows = await context.bot_data.require_store().export_csv(path)
        content = path.read_bytes()
    if not rows:  # an empty spreadsheet tells the admin nothing a sentence would not
        await send_html(context, message.chat_id, esc(t("export_empty", lang)), what="export")
        return
    await send_with_retry(
        lambda: context.bot.send_document(
            message.chat_id,
            document=content,
            filename=name,
            caption=t("export_caption", lang, count=rows),
        ),
        delays=context.bot_data.retry_delays,
        what="export",
    )


async def on_group_button(update: Update, context: Context) -> None:
    """Resolve or ignore a review group from a /pendientes button (admins only)."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.ResolveGroup) or cb.decode_as(query.data, cb.IgnoreGroup)
    assert action is not None  # routed here by its pattern
    lang = user_lang(update, context)
    user_id = query.from_user.id
    if not context.bot_data.is_admin(user_id):
        log.info("admin_denied button=%s", type(action).__name__)
        await query.answer(t("not_available", lang), show_alert=True)
        return
    store = context.bot_data.require_store()
    message = query.message if isinstance(query.message, Message) else None
    markup = message.reply_markup if message is not None else None
    n = _group_number(markup, action.group_id)
    if isinstance(action, cb.ResolveGroup):
        if action.entry_id not in context.bot_data.pipeline.kb.entries:
            await query.answer(t("stale_button", lang), show_alert=True)
            return
        done = await store.resolve_group(action.group_id, action.entry_id, by_user_id=user_id)
        notice = t("resolved", lang, n=n, gid=action.group_id, entry=action.entry_id)
    else:
        done = await store.ignore_group(action.group_id, by_user_id=user_id)
        notice = t("ignored", lang, n=n, gid=action.group_id)
    log.info("review action=%s ok=%s", type(action).__name__, done)
    await query.answer(notice if done else t("group_gone", lang))
    if markup is not None:
        try:
            await query.edit_message_reply_markup(_without_group(markup, action.group_id))
        except Exception as exc:  # an old or already-edited message: nothing to fix
            log.debug("could not update the pending list: %s", type(exc).__name__)


def _actions(markup: InlineKeyboardMarkup) -> list[tuple[list[InlineKeyboardButton], cb.Action | None]]:
    return [(list(row), cb.decode(row[0].callback_data) if row else None) for row in markup.inline_keyboard]


def _group_number(markup: object, group_id: int) -> int | str:
    """The group's number as shown in the list (1-based), or its id if the list is gone."""
    if not isinstance(markup, InlineKeyboardMarkup):
        return group_id
    numbers: list[int] = []
    for _row, action in _actions(markup):
        gid = action.group_id if isinstance(action, cb.ResolveGroup | cb.IgnoreGroup) else None
        if gid is not None and gid not in numbers:
            numbers.append(gid)
    return numbers.index(group_id) + 1 if group_id in numbers else group_id


def _without_group(markup: InlineKeyboardMarkup, group_id: int) -> InlineKeyboardMarkup | None:
    rows = [
        row
        for row, action in _actions(markup)
        if not (isinstance(action, cb.ResolveGroup | cb.IgnoreGroup) and action.group_id == group_id)
    ]
    return InlineKeyboardMarkup(rows) if rows else None



def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The admin commands and the /pendientes buttons."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("pendientes", pending, filters=new))
    application.add_handler(CommandHandler("estadisticas", statistics, filters=new))
    application.add_handler(CommandHandler("recargar", reload, filters=new))
    application.add_handler(CommandHandler("exportar", export, filters=new))
    application.add_handler(
        CallbackQueryHandler(on_group_button, pattern=cb.matches(cb.ResolveGroup, cb.IgnoreGroup))
    )
