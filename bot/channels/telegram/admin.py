"""Admin commands (user ids in ADMIN_USER_IDS, private chat only): /pendientes, /estadisticas, /recargar, /exportar.

Anyone else gets a plain "not available" reply and nothing about the data; admin buttons are
checked the same way when pressed. Under each /pendientes group, "➕ Añadir a: <title>" closes the
content team's loop from the chat: the question becomes one more phrasing of that entry in its YAML
file (the same step as `python -m bot review add`), and the knowledge base is reloaded.
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

from bot.core.models import Outcome, Reply
from bot.core.phrasing import PhrasingRefused, closest_entries
from bot.store import Group, Stats
from bot.store.loop import add_group_phrasing

from . import callbacks as cb
from . import events
from .context import Context, user_lang
from .formatting import esc
from .keyboards import BUTTON_TEXT, button, keyboard, short
from .sending import send_html, send_with_retry, show, typing
from .texts import t

log = logging.getLogger("bot.telegram")

PENDING_LIMIT = 10
CLOSEST = 3  # ➕ buttons per group: the entries the knowledge base ranks closest to its question
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


def _answered_by(group: Group, context: Context) -> str | None:
    """The entry that answers the group now: the one found at the last reload, else the pipeline's answer."""
    kb = context.bot_data.pipeline.kb
    if group.answerable_entry_id and group.answerable_entry_id in kb.entries:
        return group.answerable_entry_id
    reply = context.bot_data.pipeline.ask(group.text)
    return reply.entry.id if reply.outcome is Outcome.ANSWER and reply.entry is not None else None


def _group_text(group: Group, context: Context, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """One group as HTML with its buttons: ✅ for the entry that answers it now, ➕ for the closest
    entries (the question becomes one of their phrasings), 🚫 to ignore it."""
    pipeline = context.bot_data.pipeline
    times = t("times_one" if group.count == 1 else "times_many", lang)
    lines = [esc(t("pending_line", lang, text=short(group.text, 120), count=group.count, times=times, gid=group.id))]
    rows: list[list[InlineKeyboardButton | None]] = []
    answered = _answered_by(group, context)
    if answered is not None:
        title = pipeline.kb.entries[answered].title.get(lang)
        lines.append(esc(t("pending_answered", lang, entry=f"{title} ({answered})")))
        rows.append([button(t("resolve_button", lang, title=_fit(title, "resolve_button", lang)),
                            cb.ResolveGroup(group.id, answered))])
    closest = [entry for entry, _score in closest_entries(pipeline, group.text, CLOSEST)]
    if closest:
        names = " · ".join(f"{entry.title.get(lang)} ({entry.id})" for entry in closest)
        lines.append(esc(t("pending_closest", lang, entries=names)))
    else:
        lines.append(esc(t("pending_no_closest", lang, gid=group.id)))
    for entry in closest:
        label = t("add_button", lang, title=_fit(entry.title.get(lang), "add_button", lang))
        rows.append([button(label, cb.AddPhrasing(group.id, entry.id))])
    rows.append([button(t("ignore_button", lang), cb.IgnoreGroup(group.id))])
    return "\n".join(lines), keyboard(rows)


def _fit(title: str, key: str, lang: str) -> str:
    """`title` shortened so that the button text `key` around it fits a button label."""
    return short(title, BUTTON_TEXT - len(t(key, lang, title="")))


@admin_only
async def pending(update: Update, context: Context) -> None:
    """The most asked unanswered question groups, one message each so that a button's outcome can
    replace its own group's message; the title goes on the first, the hint under the last."""
    message = update.effective_message
    assert message is not None
    lang = user_lang(update, context)
    groups = await context.bot_data.require_store().list_groups("pending", limit=PENDING_LIMIT)
    if not groups:
        await send_html(context, message.chat_id, esc(t("pending_none", lang)))
        return
    for n, group in enumerate(groups, 1):
        text, markup = _group_text(group, context, lang)
        if n == 1:
            text = f"<b>{esc(t('pending_title', lang, count=len(groups)))}</b>\n\n{text}"
        if n == len(groups):
            text += f"\n\n<i>{esc(t('pending_hint', lang))}</i>"
        await send_html(context, message.chat_id, text, markup, what="pending")


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
        await asyncio.to_thread(render_stats_png, stats, buffer, titles)
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
    async with context.bot_data.content_lock:  # reading ~50 files and indexing them: off the event loop
        problems = await asyncio.to_thread(pipeline.reload)
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
    await events.after_reload(context)  # reminders follow moved events; "avísame cuando haya fecha" notices


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


async def _admin_press(update: Update, context: Context, action: cb.Action) -> bool:
    """True for an admin's press; anyone else (a forged or forwarded button) is answered politely."""
    query = update.callback_query
    assert query is not None
    if context.bot_data.is_admin(query.from_user.id):
        return True
    log.info("admin_denied button=%s", type(action).__name__)
    await query.answer(t("not_available", user_lang(update, context)), show_alert=True)
    return False


async def on_group_button(update: Update, context: Context) -> None:
    """Resolve or ignore a review group from a /pendientes button (admins only)."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.ResolveGroup) or cb.decode_as(query.data, cb.IgnoreGroup)
    assert action is not None  # routed here by its pattern
    if not await _admin_press(update, context, action):
        return
    lang = user_lang(update, context)
    store = context.bot_data.require_store()
    user_id = query.from_user.id
    if isinstance(action, cb.ResolveGroup):
        entry = context.bot_data.pipeline.kb.entries.get(action.entry_id)
        if entry is None:
            await query.answer(t("stale_button", lang), show_alert=True)
            return
        done = await store.resolve_group(action.group_id, action.entry_id, by_user_id=user_id)
        notice = t("resolved", lang, gid=action.group_id, entry=f"{entry.title.get(lang)} ({entry.id})")
    else:
        done = await store.ignore_group(action.group_id, by_user_id=user_id)
        notice = t("ignored", lang, gid=action.group_id)
    log.info("review action=%s ok=%s", type(action).__name__, done)
    await query.answer(notice if done else t("group_gone", lang))
    if done:
        await show(update, context, esc(notice), None)


async def on_add_button(update: Update, context: Context) -> None:
    """"➕ Añadir a: <title>": the group's masked question becomes one more phrasing of the entry
    (the same step as `review add`), the group is resolved and the knowledge base reloaded; the
    group's message then says what changed, or why nothing did."""
    query = update.callback_query
    assert query is not None
    action = cb.decode_as(query.data, cb.AddPhrasing)
    assert action is not None  # routed here by its pattern
    if not await _admin_press(update, context, action):
        return
    lang = user_lang(update, context)
    data = context.bot_data
    store = data.require_store()
    async with data.content_lock:  # one knowledge edit or reload at a time
        group = await store.get_group(action.group_id)
        entry = data.pipeline.kb.entries.get(action.entry_id)
        if group is None or group.status != "pending":  # an old message: someone reviewed it already
            await query.answer(t("group_gone", lang), show_alert=True)
            return
        if entry is None:
            await query.answer(t("stale_button", lang), show_alert=True)
            return
        head = esc(t("pending_line", lang, text=short(group.text, 120), count=group.count,
                     times=t("times_one" if group.count == 1 else "times_many", lang), gid=group.id))
        try:
            addition = await add_group_phrasing(
                store,
                group,
                entry.id,
                data.settings.knowledge_dir,
                by_user_id=query.from_user.id,
                max_age_days=data.settings.reviewed_max_age_days,
            )
        except PhrasingRefused as refused:
            log.info("add phrasing refused group=%d entry=%s", group.id, entry.id)
            await query.answer(t("add_refused_toast", lang))
            markup = query.message.reply_markup if isinstance(query.message, Message) else None
            reason = str(refused).replace(f"{data.settings.knowledge_dir}/", "")  # paths as staff know them
            await show(update, context, f"{head}\n\n{esc(t('add_refused', lang, reason=reason))}", markup)
            return
        problems = await asyncio.to_thread(data.pipeline.reload)
        answerable = 0 if problems else await store.mark_answerable(data.pipeline.ask)
    log.info("add phrasing group=%d entry=%s reloaded=%s", group.id, entry.id, not problems)
    title = entry.title.get(lang)
    await query.answer(t("added_toast", lang, title=_fit(title, "added_toast", lang)))
    lines = [
        head,
        "",
        esc(t("added", lang, entry=f"{title} ({entry.id})", question=addition.question)),
        f"<code>{esc(_relative(addition.path, data.settings.knowledge_dir))}: + {esc(addition.question)}</code>",
    ]
    if problems:
        errors = "; ".join(str(p) for p in problems[:3])
        lines.append(esc(t("added_not_reloaded", lang, errors=short(errors, PROBLEM_CHARS))))
    elif _answers(data.pipeline.ask(addition.question, addition.lang), entry.id):
        lines.append(esc(t("added_reloaded", lang)))
        if answerable:
            lines.append(esc(t("reload_answerable", lang, count=answerable)))
    else:  # e.g. the question asks something the entry does not cover: matching still holds it back
        lines.append(esc(t("added_not_answered", lang, question=addition.question)))
    await show(update, context, "\n".join(lines), None)


def _answers(reply: Reply, entry_id: str) -> bool:
    return reply.outcome is Outcome.ANSWER and reply.entry is not None and reply.entry.id == entry_id


def _relative(path: Path, directory: Path) -> str:
    """The entry file as staff know it: relative to the knowledge directory."""
    try:
        return str(path.resolve().relative_to(directory.resolve()))
    except ValueError:
        return path.name


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The admin commands and the /pendientes buttons (✅ resolve, 🚫 ignore, ➕ add as phrasing)."""
    new = filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("pendientes", pending, filters=new))
    application.add_handler(CommandHandler("estadisticas", statistics, filters=new))
    application.add_handler(CommandHandler("recargar", reload, filters=new))
    application.add_handler(CommandHandler("exportar", export, filters=new))
    application.add_handler(
        CallbackQueryHandler(on_group_button, pattern=cb.matches(cb.ResolveGroup, cb.IgnoreGroup))
    )
    application.add_handler(CallbackQueryHandler(on_add_button, pattern=cb.matches(cb.AddPhrasing)))
