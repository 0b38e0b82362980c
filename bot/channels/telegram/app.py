"""Wiring: the PTB Application (base URL, rate limiter, handlers, update processor), command menus, errors.

Running it as a service (polling, webhook, signals, exit codes) is `runner.py`.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)

from bot.core.pipeline import Pipeline
from bot.settings import Settings
from bot.store import Store

from . import admin, answers, browse, citizen, events, mydata, regions
from .context import BotData, Context, context_types, user_lang
from .durable import StoringQueue
from .fairness import FairUpdateProcessor
from .formatting import esc
from .http import KeepAliveRequest
from .ratelimit import TelegramRateLimiter
from .sending import DEFAULT_DELAYS, AlreadyAnswered, ReplyKept, send_html
from .texts import t

log = logging.getLogger("bot.telegram")

StoreFactory = Callable[[Settings], Awaitable[Store]]
App = Application[Any, Any, Any, Any, Any, Any]
# Each feature registers its own commands and button routes; a new feature is one more module here.
FEATURES = (citizen, answers, browse, events, regions, mydata, admin)

CITIZEN_COMMANDS = (
    "start", "servicios", "eventos", "recordatorios", "region", "idioma", "misdatos", "olvidame", "privacidad",
    "ayuda", "help",
)  # fmt: skip
ADMIN_COMMANDS = ("pendientes", "estadisticas", "recargar", "exportar")
# Updates handled at once. Each waits for two commits of the durable inbox (its reply kept, then
# delivered), about 4 ms of fsync each on the development machine; the commits are shared by
# whatever is waiting, so more updates in flight means more of them per fsync.
MAX_CONCURRENT_UPDATES = 64
# Connections to the Bot API. Against Telegram, enough to keep 30 messages/s flowing at Internet round
# trips (16 / 0.3 s > 30/s). A local Bot API server answers in a millisecond, so a few suffice.
CONNECTIONS = {"telegram": 16, "none": 4}
RATE_LIMIT_RETRIES = 3


def file_base_url(base_url: str) -> str:
    """The file URL matching a Bot API base URL: https://host/bot -> https://host/file/bot."""
    head, sep, last = base_url.rstrip("/").rpartition("/")
    if not sep or head.endswith(":/"):  # no path at all: https://host
        return base_url.rstrip("/") + "/file/bot"
    return f"{head}/file/{last}"


class RedactToken(logging.Filter):
    """Replace the bot token wherever it would appear in a log line (message, arguments, traceback)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info))
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


class OneLine(logging.Filter):
    """python-telegram-bot's own errors as one line (type and message), not a traceback per retry."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_logging(token: str | None) -> None:
    """No request URLs in logs (they carry the token), and the token redacted everywhere else.

    Below DEBUG, the library's loggers also keep to one line per error and never dump whole updates
    (which carry user ids and text).
    """
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # its DEBUG lines repeat SQL parameters: citizens' texts
    library = logging.getLogger("telegram")
    if library.getEffectiveLevel() < logging.INFO:
        library.setLevel(logging.INFO)
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, OneLine) for f in handler.filters):
                handler.filters.insert(0, OneLine())  # before RedactToken, which then cleans the line
    if token:
        redact = RedactToken(token)
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, RedactToken) for f in handler.filters):
                handler.addFilter(redact)


def _commands(names: Sequence[str], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]


async def register_commands(application: App) -> None:
    """setMyCommands: Spanish by default, English for English apps, plus the admin menu for admins."""
    bot = application.bot
    await bot.set_my_commands(_commands(CITIZEN_COMMANDS, "es"), scope=BotCommandScopeDefault())
    await bot.set_my_commands(_commands(CITIZEN_COMMANDS, "en"), scope=BotCommandScopeDefault(), language_code="en")
    settings = application.bot_data.settings
    for admin_id in sorted(settings.admin_user_ids):
        try:
            await bot.set_my_commands(
                _commands((*CITIZEN_COMMANDS, *ADMIN_COMMANDS), "es"), scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as exc:  # the admin has not opened a chat with the bot yet
            log.info("admin menu not set for one admin: %s", type(exc).__name__)


async def on_error(update: object, context: Context) -> None:
    """Log each error once (type and where, never the token or the user's text) and apologise."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, ReplyKept | AlreadyAnswered):  # the answer is on its way, or was sent before
        log.warning("reply_deferred update_id=%s reason=%s", update_id, error)
        return
    if isinstance(error, TelegramError):
        log.error("telegram_error update_id=%s type=%s", update_id, type(error).__name__)
    else:
        log.error(
            "handler_error update_id=%s type=%s",
            update_id,
            type(error).__name__,
            exc_info=(type(error), error, error.__traceback__) if error is not None else None,
        )
    if isinstance(update, Update) and update.effective_chat is not None and update.callback_query is None:
        try:
            await send_html(context, update.effective_chat.id, esc(t("error", user_lang(update, context))))
        except Exception as exc:
            log.error("apology failed type=%s", type(exc).__name__)
    elif isinstance(update, Update) and update.callback_query is not None:
        try:
            await update.callback_query.answer(t("error", user_lang(update, context)))
        except Exception as exc:
            log.error("apology failed type=%s", type(exc).__name__)


def build_application(
    settings: Settings,
    pipeline: Pipeline,
    store: Store | None,
    *,
    store_factory: StoreFactory | None = None,
    retry_delays: Sequence[float] = DEFAULT_DELAYS,
    clock: Callable[[], datetime] | None = None,
) -> App:
    """The Application with every handler. Pass an open `store`, or a `store_factory` that
    `run_polling`/`run_webhook` calls in post_init (the store is then closed in post_shutdown)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    quiet_logging(settings.telegram_bot_token)
    base_url = settings.telegram_api_base_url

    async def post_init(application: App) -> None:
        data: BotData = application.bot_data
        if data.store is None and store_factory is not None:
            data.store = await store_factory(settings)
        try:
            await register_commands(application)
        except TelegramError as exc:
            log.error("setMyCommands failed type=%s", type(exc).__name__)
        await events.restore(application)
        log.info("telegram ready bot=@%s", application.bot.username)

    async def post_shutdown(application: App) -> None:
        data: BotData = application.bot_data
        if store_factory is not None and data.store is not None:
            await data.store.close()
            data.store = None
        log.info("telegram stopped; pending writes flushed; %s", data.replies.describe())

    data = BotData(settings, pipeline, store, tuple(retry_delays))
    if clock is not None:  # tests fake the time reminders are due
        data.clock = clock
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(base_url)
        .base_file_url(file_base_url(base_url))
        .concurrent_updates(FairUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .update_queue(StoringQueue())
        .request(KeepAliveRequest(CONNECTIONS[settings.telegram_rate_limit]))
        .get_updates_request(KeepAliveRequest(1))
        .context_types(context_types(data))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    application: App
    if settings.telegram_rate_limit == "telegram":  # "none": a local Bot API server or a benchmark
        application = builder.rate_limiter(TelegramRateLimiter(max_retries=RATE_LIMIT_RETRIES)).build()
    else:
        application = builder.build()
    for feature in FEATURES:
        feature.register(application)
    add_fallbacks(application)
    return application


async def on_stale_button(update: Update, context: Context) -> None:
    """Any button no feature claims: forged, garbage or old-version data."""
    query = update.callback_query
    if query is None:
        return
    log.info("button rejected reason=malformed")
    await query.answer(t("stale_button", user_lang(update, context)), show_alert=True)


def add_fallbacks(application: App) -> None:
    """After every feature: unclaimed buttons, unknown commands in private chats, then the error handler."""
    application.add_handler(CallbackQueryHandler(on_stale_button))
    unknown_command = filters.UpdateType.MESSAGE & filters.COMMAND & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(unknown_command, citizen.help_command))
    application.add_error_handler(on_error)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """run_webhook arguments: listen/port from settings, the URL path taken from WEBHOOK_URL."""
    assert settings.webhook_url is not None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret or secrets.token_urlsafe(32),
    }


async def open_degrading_store(settings: Settings) -> Store:
    """The bot's store: a database that is damaged or fails later leaves the bot answering (the
    store reports itself down and retries) — losing a log line is better than failing a citizen.
    A DATABASE_PATH that cannot even be created is refused earlier, at start, by the CLI."""
    return await Store.open(settings, degrade=True)


__all__ = ["build_application"]
