"""A bounded queue drained by one background task, so logging never delays an answer.

The bot calls `put()` from its message handler; it returns at once. The task takes whatever has
queued up (up to `batch_size`) and hands it to `handle` in one go, which writes it in a single
transaction. A failing batch is logged and dropped: losing a log line is better than failing to
answer a citizen. A full queue drops the new item for the same reason.

`busy` (set by the channel) says the bot has citizens' updates in hand: the task then waits, so
the log's SQLite writes are done between bursts rather than during them. It
waits at most until the queue is half full, and never while someone waits in `flush()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
IDLE_POLL = 0.05  # seconds between two looks at `busy` while holding off


class BatchWriter(Generic[T]):
    """Queue items and write them in batches from a background task."""

    def __init__(
        self,
        handle: Callable[[list[T]], Awaitable[None]],
        *,
        maxsize: int = 10_000,
        batch_size: int = 500,
        name: str = "store-writer",
    ) -> None:
        self._handle = handle
        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize=maxsize)
        self._batch_size = batch_size
        self._name = name
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.busy: Callable[[], bool] = lambda: False
        self._flushing = 0  # callers waiting in flush(): no holding off for them

    def start(self, on_stop: Callable[[], None] | None = None) -> None:
        """Start the background task (needs a running event loop).

        `on_stop` runs when the task ends without `close()` (e.g. the event loop shut down while
        the store was still open), so the owner can release its connection.
        """
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)
            if on_stop is not None:
                callback = on_stop
                self._task.add_done_callback(lambda _task: None if self._closed else callback())

    def put(self, item: T) -> bool:
        """Queue `item` without waiting; False (and a warning) when it had to be dropped."""
        if self._closed or self._task is None or self._task.done():
            log.warning("%s is not running; a record was dropped", self._name)
            return False
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            log.warning("%s queue is full (%d); a record was dropped", self._name, self._queue.maxsize)
            return False
        return True

    async def flush(self) -> None:
        """Wait until every item queued so far has been handled (written or logged as failed)."""
        if self._task is not None and not self._task.done():
            self._flushing += 1
            try:
                await self._queue.join()
            finally:
                self._flushing -= 1

    async def close(self) -> None:
        """Refuse new items, write what is queued, then stop the task."""
        self._closed = True
        await self.flush()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            await self._hold_off()
            while len(batch) < self._batch_size:
                try:
                    batch.append(self._queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            try:
                await self._handle(batch)
            except Exception as exc:  # a database fault must never reach the caller
                log.error("%s could not write %d record(s): %s: %s", self._name, len(batch), type(exc).__name__, exc)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _hold_off(self) -> None:
        while not self._flushing and self.busy() and self._queue.qsize() < self._queue.maxsize // 2:
            await asyncio.sleep(IDLE_POLL)
