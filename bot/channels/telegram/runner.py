"""Running the bot as a service: start-up, the durable loops, signals, exit codes, health file.

Exit codes a supervisor can act on: 0 after SIGTERM/SIGINT; 1 when Telegram rejects the token,
at start or at any time later (one clear line, within seconds), so `Restart=on-failure` and alerts
see it. An unreachable Bot API at start or mid-run is waited out with backoff, not an exit.
SIGTERM stops within a couple of seconds: updates not started yet stay stored and unanswered and
are replayed on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken, TelegramError

from bot.core.pipeline import Pipeline
from bot.settings import Settings

from .app import App, StoreFactory, build_application, open_degrading_store, webhook_options
from .context import BotData
from .durable import Inbox, Outbox, StoringQueue
from .fairness import FairUpdateProcessor
from .polling import ALLOWED_UPDATES, Poller, until_reachable

log = logging.getLogger("bot.telegram")

STOP_GRACE = 2.0  # seconds for handlers already running to finish after SIGTERM
HEALTH_EVERY = 15.0  # seconds between two writes of the health file
REJECTED = "Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather"


def write_health(path: Path, telegram_ok: bool, data: BotData) -> None:
    """The health file a container check reads (`python -m bot health`): when the bot last got an
    answer from the Bot API and whether the log is written. Written atomically."""
    store = data.store
    body = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "telegram": "ok" if telegram_ok else "unreachable",
        "log": "ok" if store is None or store.healthy else "down",
        "log_status": store.status.describe() if store is not None else "sin registro",
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(json.dumps(body), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        log.debug("health file not written: %s", exc.strerror or exc)


class Service:
    """One run of the bot: `await Service(...).run()` returns the exit code."""

    def __init__(self, settings: Settings, load: Callable[[Settings], Pipeline], store_factory: StoreFactory) -> None:
        self.settings, self.load, self.store_factory = settings, load, store_factory
        self.stop = asyncio.Event()
        self.last_contact: float | None = None
        self.reported_ok = False

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        # The knowledge base is parsed in a worker thread: the loop stays free (and signals work).
        pipeline = await asyncio.to_thread(self.load, self.settings)
        application = build_application(self.settings, pipeline, None, store_factory=self.store_factory)
        try:
            return await self._serve(application)
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)

    async def _serve(self, application: App) -> int:
        data: BotData = application.bot_data
        data.store = await self.store_factory(self.settings)
        try:
            connect = asyncio.ensure_future(until_reachable(application.bot.initialize, "start-up"))
            if not await self._unless_stopped(connect):
                return 0
            await application.initialize()
            await application.post_init(application)  # type: ignore[misc]  # set in build_application
            return await self._loop(application)
        except InvalidToken:
            log.error(REJECTED)
            return 1
        finally:
            await self._shutdown(application)

    async def _loop(self, application: App) -> int:
        processor = application.update_processor
        late_after = timedelta(minutes=self.settings.replay_max_age_minutes)
        inbox = Inbox(application, late_after)
        if isinstance(processor, FairUpdateProcessor):
            processor.hooks = inbox
            store = application.bot_data.store
            if store is not None:  # the question log is written between bursts of updates
                queue = application.update_queue
                store.busy_while(lambda: processor.busy or not queue.empty())
        if isinstance(application.update_queue, StoringQueue):
            application.update_queue.inbox = inbox  # webhook: stored before Telegram gets its 200
        await application.start()
        gc.freeze()  # what start-up built lives as long as the process: no collection need walk it again
        outbox = Outbox(application)
        tasks: list[asyncio.Future[Any]] = [asyncio.ensure_future(outbox.run())]
        try:
            await inbox.replay()
            if not await self._receive(application, inbox, tasks):
                return 0
            tasks.append(asyncio.ensure_future(self._health(application)))
            stopped = asyncio.ensure_future(self.stop.wait())
            tasks.append(stopped)
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not stopped and not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
            if outbox.fatal is not None:
                raise outbox.fatal
            return 0
        finally:
            if isinstance(processor, FairUpdateProcessor):
                processor.closing = True  # what has not started stays stored for the next start
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(BaseException):
                    await task

    async def _receive(self, application: App, inbox: Inbox, tasks: list[asyncio.Future[Any]]) -> bool:
        """Start the webhook, or the poller (added to `tasks`); False when SIGTERM came first."""
        if self.settings.webhook_url and application.updater is not None:
            options = webhook_options(self.settings)
            log.info("starting webhook listen=%s port=%s", options["listen"], options["port"])
            await application.updater.start_webhook(**options, allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
            return True
        log.info("starting long polling")
        unhook = asyncio.ensure_future(until_reachable(application.bot.delete_webhook, "start-up"))
        if not await self._unless_stopped(unhook):
            return False
        poller = Poller(application, inbox)
        poller.on_poll = lambda: self._contact(application)
        tasks.append(asyncio.ensure_future(poller.run()))
        return True

    def _contact(self, application: App) -> None:
        self.last_contact = asyncio.get_running_loop().time()
        if not self.reported_ok:  # back in touch (or first contact): say so now, not in 15 s
            self._write_health(application)

    def _write_health(self, application: App) -> None:
        now = asyncio.get_running_loop().time()
        ok = self.last_contact is not None and now - self.last_contact < HEALTH_EVERY * 4
        self.reported_ok = ok
        if self.settings.health_file is not None:
            write_health(self.settings.health_file, ok, application.bot_data)

    async def _health(self, application: App) -> None:
        """Write the health file every HEALTH_EVERY seconds. With a webhook nothing polls Telegram,
        so this also asks getMe: a revoked token ends the bot (InvalidToken) as it does when polling."""
        while True:
            if self.settings.webhook_url:
                try:
                    await application.bot.get_me()
                    self.last_contact = asyncio.get_running_loop().time()
                except InvalidToken:
                    raise
                except TelegramError as exc:
                    log.info("health: the Bot API did not answer getMe: %s", type(exc).__name__)
            self._write_health(application)
            await asyncio.sleep(HEALTH_EVERY)

    async def _unless_stopped(self, work: asyncio.Future[Any]) -> bool:
        """Wait for `work`, or for SIGTERM (then cancel it); True when `work` finished first."""
        stopped = asyncio.ensure_future(self.stop.wait())
        await asyncio.wait([work, stopped], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if work.done():
            work.result()
            return True
        work.cancel()
        with contextlib.suppress(BaseException):
            await work
        return False

    async def _shutdown(self, application: App) -> None:
        """Stop taking updates, give running handlers STOP_GRACE seconds, flush the log."""
        with contextlib.suppress(Exception):
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
        if application.running:
            stopping = asyncio.ensure_future(application.stop())
            done, _ = await asyncio.wait([stopping], timeout=STOP_GRACE)
            processor = application.update_processor
            if not done and isinstance(processor, FairUpdateProcessor):
                # Their replies are in the outbox or their updates unanswered: the next start sends them.
                log.warning("stopping: %d handler(s) still running are cut short", processor.cancel_running())
            with contextlib.suppress(Exception):
                await stopping
        data: BotData = application.bot_data
        if data.store_steps:  # let cut-short handlers' store steps commit before the store closes
            await asyncio.wait(list(data.store_steps), timeout=STOP_GRACE)
        await application.post_shutdown(application)  # type: ignore[misc]  # closes the store
        with contextlib.suppress(Exception):
            await application.shutdown()


def serve(
    settings: Settings,
    load: Callable[[Settings], Pipeline] = Pipeline.from_settings,
    store_factory: StoreFactory = open_degrading_store,
) -> int:
    """Run the bot until SIGINT/SIGTERM (long polling, or a webhook when WEBHOOK_URL is set);
    returns the process exit code."""
    return asyncio.run(Service(settings, load, store_factory).run())
