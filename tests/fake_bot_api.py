"""A small fake Telegram Bot API server for tests, written with asyncio streams (stdlib only).

It listens on 127.0.0.1 (random free port) inside the test's event loop and serves
``/bot<TOKEN>/<method>`` for the methods the bot uses. Tests inject updates (``push_*``), script
failures (``fail_next``) and assert on the recorded calls (``wait_for``, ``calls``).

Usage::

    fake = await FakeBotAPI.start()
    app = build_application(replace(settings, telegram_api_base_url=fake.base_url), ...)
    fake.push_text("/start")
    call = await fake.wait_for("sendMessage", chat_id=fake.user_id)
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TOKEN = "123456:TEST-token_abc"
BOT_ID = 123456
BOT_USERNAME = "gobpe_test_bot"

# Parameters that are plain strings for Telegram; everything else arrives JSON-encoded in forms.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "action",
        "language_code",
        "description",
        "short_description",
        "name",
        "cache_time_text",
    }
)


@dataclass
class Call:
    """One request the bot made: the method, its decoded parameters and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (filename, content)
    seen: bool = False
    at: float = field(default_factory=time.monotonic)  # when the fake received it (benchmarks time replies)

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Inline keyboard rows, or [] without a keyboard."""
        markup = self.params.get("reply_markup") or {}
        rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        return rows

    def flat_buttons(self) -> list[dict[str, Any]]:
        return [button for row in self.buttons for button in row]

    def callback_data(self) -> list[str]:
        return [str(b["callback_data"]) for b in self.flat_buttons() if "callback_data" in b]


@dataclass
class _Bucket:
    """A token bucket: `capacity` sends at once, refilled at `rate` per second."""

    rate: float
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


@dataclass(frozen=True)
class Limits:
    """Telegram's flood limits as the fake enforces them (``enforce_limits``), per sent message."""

    overall_per_second: float = 30.0
    chat_per_second: float = 1.0
    chat_burst: float = 3.0  # "short bursts" in one private chat
    group_per_minute: float = 20.0


@dataclass
class _Failure:
    status: int
    remaining: int
    retry_after: int | None
    description: str


class FakeBotAPI:
    """The server. Create it with ``await FakeBotAPI.start()`` and stop it with ``await fake.stop()``."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = BOT_USERNAME
        self.user_id = 1001  # default citizen, private chat id == user id
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}  # (scope type, lang) -> commands
        self.webhook: dict[str, Any] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}  # (chat_id, message_id) -> message
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._failures: dict[str, list[_Failure]] = {}
        self._changed = asyncio.Condition()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.port = 0
        self.offsets: list[int] = []  # the offset of every getUpdates, in order
        self.unauthorized = False  # every request answers 401, as when the token is revoked
        self.down = False  # every request is cut without an answer, as when Telegram is unreachable
        self.answer_delay = 0.0  # seconds between carrying out a call and answering it (a slow Telegram)
        self.polling = asyncio.Event()  # set by the bot's first getUpdates
        self.listeners: list[Callable[[Call], None]] = []  # called with every recorded call
        self.limits: Limits | None = None
        self.too_many_requests = 0  # 429s sent because of `limits`
        self._buckets: dict[str, _Bucket] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    @classmethod
    async def start(cls, token: str = TOKEN) -> FakeBotAPI:
        fake = cls(token)
        fake._server = await asyncio.start_server(fake._serve_connection, "127.0.0.1", 0)
        fake.port = fake._server.sockets[0].getsockname()[1]
        return fake

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(BaseException):
                await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_API_BASE_URL (the token is appended by the bot)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # -- scripting -------------------------------------------------------------------------------

    def enforce_limits(self, limits: Limits | None = None) -> None:
        """Answer 429 (with retry_after) to any message beyond Telegram's flood limits; None turns it off.

        Messages are sendX/editX calls (not sendChatAction); private chats have positive ids, groups negative.
        """
        self.limits = limits
        self._buckets.clear()

    def _over_limit(self, method: str, params: dict[str, Any]) -> float:
        """Seconds to wait when this message breaks a limit (the buckets it would use are not charged)."""
        limits = self.limits
        if limits is None or not method.startswith(("send", "edit")) or method == "sendChatAction":
            return 0.0
        try:
            chat_id = int(params.get("chat_id", 0))
        except (TypeError, ValueError):
            chat_id = 0
        if chat_id < 0:
            chat_rate, chat_capacity = limits.group_per_minute / 60, limits.group_per_minute
        else:
            chat_rate, chat_capacity = limits.chat_per_second, limits.chat_burst
        now = time.monotonic()
        wanted = (
            ("overall", limits.overall_per_second, limits.overall_per_second),
            (f"chat:{chat_id}", chat_rate, chat_capacity),
        )
        buckets = [self._buckets.setdefault(key, _Bucket(rate, size, size, now)) for key, rate, size in wanted]
        for bucket in buckets:  # check every bucket before charging any
            bucket.refill(now)
        waits = [(1 - b.tokens) / b.rate for b in buckets if b.tokens < 1]
        if waits:
            return max(waits)
        for bucket in buckets:
            bucket.tokens -= 1
        return 0.0

    def fail_next(
        self, method: str, status: int = 502, times: int = 1, retry_after: int | None = None
    ) -> None:
        """Make the next `times` calls of `method` fail with HTTP `status` (429 carries retry_after)."""
        description = {
            429: f"Too Many Requests: retry after {retry_after or 1}",
            502: "Bad Gateway",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }.get(status, f"Error {status}")
        if status == 429 and retry_after is None:
            retry_after = 1
        self._failures.setdefault(method, []).append(_Failure(status, times, retry_after, description))

    def go_down(self, seconds: float) -> None:
        """Be unreachable for `seconds` (connections are cut without an answer), then come back."""
        self.down = True

        def back() -> None:
            self.down = False

        asyncio.get_running_loop().call_later(seconds, back)

    @property
    def confirmed(self) -> int:
        """The highest update_id the bot has confirmed (by asking for a later offset); 0 if none."""
        return max(self.offsets, default=1) - 1

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        self._updates.append({"update_id": update_id, **update})
        self._notify()
        return update_id

    def user(self, user_id: int | None = None, language_code: str = "es", first_name: str = "Ana") -> dict[str, Any]:
        return {
            "id": user_id or self.user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }

    def chat(self, chat_id: int | None = None, chat_type: str = "private") -> dict[str, Any]:
        chat_id = chat_id or self.user_id
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Ana"
        else:
            chat["title"] = "Vecinos"
        return chat

    def make_message(
        self,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
        language_code: str = "es",
        reply_to: dict[str, Any] | None = None,
        **content: Any,
    ) -> dict[str, Any]:
        """A Message dict from the user; `content` holds text= or sticker=/photo=/... fields."""
        chat_id = chat_id or user_id or self.user_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat(chat_id, chat_type),
            "from": self.user(user_id, language_code),
            **content,
        }
        text = content.get("text")
        if isinstance(text, str):
            entities = _entities(text, self.bot_username)
            if entities:
                message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def push_text(self, text: str, **kwargs: Any) -> dict[str, Any]:
        """Queue a text message (commands get their bot_command entity); returns the message."""
        message = self.make_message(text=text, **kwargs)
        self.push_update({"message": message})
        return message

    def push_message(self, **kwargs: Any) -> dict[str, Any]:
        """Queue any message, e.g. ``push_message(sticker={...})``."""
        message = self.make_message(**kwargs)
        self.push_update({"message": message})
        return message

    def push_edited_text(self, text: str, **kwargs: Any) -> dict[str, Any]:
        message = self.make_message(text=text, **kwargs)
        message["edit_date"] = int(time.time())
        self.push_update({"edited_message": message})
        return message

    def push_callback(
        self,
        data: str,
        message: dict[str, Any] | None = None,
        *,
        user_id: int | None = None,
        language_code: str = "es",
    ) -> str:
        """Queue a button press on `message` (default: the last message the bot sent to the user)."""
        user_id = user_id or self.user_id
        if message is None:
            message = self.last_bot_message(user_id)
        query_id = f"cq{next(self._update_ids)}"
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(user_id, language_code),
                    "chat_instance": "ci-1",
                    "message": message,
                    "data": data,
                }
            }
        )
        return query_id

    def last_bot_message(self, chat_id: int) -> dict[str, Any]:
        sent = [m for (c, _), m in self.messages.items() if c == chat_id and m["from"]["id"] == self.bot_id]
        if not sent:
            raise AssertionError(f"the bot sent no message to chat {chat_id}")
        return sent[-1]

    def bot_message(self, call: Call) -> dict[str, Any]:
        """The Message the fake returned for a recorded send/edit call (to press its buttons)."""
        message = call.params.get("_result")
        if not isinstance(message, dict):
            raise AssertionError(f"{call.method} returned no message")
        return message

    # -- assertions -------------------------------------------------------------------------------

    def calls_of(self, method: str, **match: Any) -> list[Call]:
        return [c for c in self.calls if c.method == method and _matches(c, match)]

    async def wait_for(
        self,
        method: str,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
        **match: Any,
    ) -> Call:
        """Wait for the first not-yet-returned call of `method` whose params equal `match`."""

        def find() -> Call | None:
            for call in self.calls:
                if call.seen or call.method != method or not _matches(call, match):
                    continue
                if where is not None and not where(call):
                    continue
                return call
            return None

        async def wait() -> Call:
            async with self._changed:
                while (found := find()) is None:
                    await self._changed.wait()
                found.seen = True
                return found

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            recent = [f"{c.method} {_short(c.params)}" for c in self.calls[-8:]]
            raise AssertionError(f"no {method} {match} within {timeout}s; last calls: {recent}") from None

    async def assert_no_call(self, method: str, within: float = 0.5, **match: Any) -> None:
        """Assert that no new (unseen) `method` call matching `match` arrives within `within` s."""
        with contextlib.suppress(AssertionError):
            call = await self.wait_for(method, timeout=within, **match)
            raise RuntimeError(f"unexpected {method}: {_short(call.params)}")

    async def idle(self, chat_id: int, settle: float = 0.3) -> None:
        """Wait until the bot has made no call for `settle` seconds (bounded to 5 s)."""
        deadline = time.monotonic() + 5
        count = -1
        while time.monotonic() < deadline and count != len(self.calls):
            count = len(self.calls)
            await asyncio.sleep(settle)

    def _notify(self) -> None:
        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        asyncio.get_running_loop().create_task(notify())

    # -- HTTP --------------------------------------------------------------------------------------

    async def _serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                _verb, target, _version = request_line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while True:
                    line = await reader.readline()
                    if line in (b"\r\n", b"\n", b""):
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await _read_body(reader, headers)
                if self.down:
                    break  # cut the connection: the client sees a network error
                status, payload = await self._handle(target, headers, body)
                data = json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(data)}\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()

    async def _handle(self, target: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        url = urlsplit(target)
        prefix = f"/bot{self.token}/"
        if self.unauthorized or not url.path.startswith(prefix):
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = url.path[len(prefix) :]
        params, files = _decode_body(headers.get("content-type", ""), body)
        params.update(dict(parse_qsl(url.query)))
        call = Call(method, params, files)

        if method == "getUpdates":
            self.polling.set()
        elif (wait := self._over_limit(method, params)) > 0:
            self.too_many_requests += 1
            retry_after = max(1, math.ceil(wait))
            self._record(Call(method, {**params, "_failed": 429}, files, seen=True))
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": f"Too Many Requests: retry after {retry_after}",
                "parameters": {"retry_after": retry_after},
            }
        if method != "getUpdates":
            failures = self._failures.get(method)
            if failures:
                failure = failures[0]
                failure.remaining -= 1
                if failure.remaining <= 0:
                    failures.pop(0)
                self._record(Call(method, {**params, "_failed": failure.status}, files, seen=True))
                error: dict[str, Any] = {
                    "ok": False,
                    "error_code": failure.status,
                    "description": failure.description,
                }
                if failure.retry_after is not None:
                    error["parameters"] = {"retry_after": failure.retry_after}
                return failure.status, error

        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            self._record(call)
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: method not found"}
        result = await handler(params, files)
        if isinstance(result, tuple):  # (status, error description)
            self._record(call)
            return result[0], {"ok": False, "error_code": result[0], "description": result[1]}
        if isinstance(result, dict):
            params["_result"] = result
        if method != "getUpdates":
            self._record(call)
            if self.answer_delay:  # delivered now, answered late: a bot cut off meanwhile never hears
                await asyncio.sleep(self.answer_delay)
        return 200, {"ok": True, "result": result}

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        self._notify()

    # -- Bot API methods -----------------------------------------------------------------------------

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "GobPe Test",
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _api_getme(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._bot_user()

    async def _api_getupdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        self.offsets.append(offset)
        timeout = min(float(params.get("timeout") or 0), 10.0)
        limit = int(params.get("limit") or 100)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not self._updates and (remaining := deadline - time.monotonic()) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)
        return self._updates[:limit]

    def _new_bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any] | tuple[int, str]:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, ValueError):
            return 400, "Bad Request: chat not found"
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup", "title": "g"},
            "from": self._bot_user(),
            **content,
        }
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        self.messages[(chat_id, message["message_id"])] = message
        return message

    async def _api_sendmessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            return 400, "Bad Request: message text is empty"
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return 400, "Bad Request: message is too long"
        if params.get("parse_mode") == "HTML":
            problem = _check_html(text)
            if problem:
                return 400, f"Bad Request: can't parse entities: {problem}"
        return self._new_bot_message(params, text=text)

    async def _api_editmessagetext(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        text = str(params.get("text", ""))
        if params.get("parse_mode") == "HTML" and (problem := _check_html(text)):
            return 400, f"Bad Request: can't parse entities: {problem}"
        return self._edit(params, text=text, edit_date=int(time.time()))

    async def _api_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._edit(params)

    def _edit(self, params: dict[str, Any], **changes: Any) -> Any:
        """Apply an edit to a sent message; like Telegram, a missing reply_markup removes the buttons."""
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        message = self.messages.get(key)
        if message is None:
            return 400, "Bad Request: message to edit not found"
        before = message
        message = {**message, **changes}
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        else:
            message.pop("reply_markup", None)
        same = message.get("text") == before.get("text") and message.get("reply_markup") == before.get("reply_markup")
        if same:  # like Telegram: an edit that changes nothing is refused
            return 400, "Bad Request: message is not modified: specified new message content and reply markup " \
                "are exactly the same as a current content and reply markup of the message"
        self.messages[key] = message
        return message

    async def _api_senddocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        name, _content = files.get("document", ("file", b""))
        document = {"file_id": "doc1", "file_unique_id": "doc1u", "file_name": name}
        return self._new_bot_message(params, document=document)

    async def _api_sendphoto(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        photo = [{"file_id": "ph1", "file_unique_id": "ph1u", "width": 800, "height": 400}]
        return self._new_bot_message(params, photo=photo)

    async def _api_setmycommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        self.commands[(scope.get("type", "default"), params.get("language_code") or "")] = params["commands"]
        return True

    async def _api_getmycommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        return self.commands.get((scope.get("type", "default"), params.get("language_code") or ""), [])

    async def _api_deletemycommands(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        scope = params.get("scope") or {"type": "default"}
        self.commands.pop((scope.get("type", "default"), params.get("language_code") or ""), None)
        return True

    async def _api_setwebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    async def _api_deletewebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getwebhookinfo(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return {"url": self.webhook.get("url", ""), "has_custom_certificate": False, "pending_update_count": 0}

    async def _api_answercallbackquery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _api_sendchataction(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _api_close(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _api_logout(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True


# -- helpers ----------------------------------------------------------------------------------------


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readline()
        return b"".join(chunks)
    length = int(headers.get("content-length", "0") or 0)
    return await reader.readexactly(length) if length else b""


def _decode_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _decode_body(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Decode JSON, url-encoded or multipart bodies into params (JSON values decoded) and files."""
    params: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    if not body:
        return params, files
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/json":
        loaded = json.loads(body)
        return ({k: v for k, v in loaded.items()} if isinstance(loaded, dict) else {}), files
    if kind == "multipart/form-data":
        parser = email.parser.BytesParser(policy=email.policy.HTTP)
        message = parser.parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            filename = part.get_filename()
            raw = part.get_payload(decode=True)
            payload = raw if isinstance(raw, bytes) else b""
            if filename is not None:
                files[name] = (filename, payload)
            else:
                params[name] = _decode_value(name, payload.decode("utf-8"))
        # PTB sends files as attach://<name>; resolve the parameter to the file name.
        for key, value in list(params.items()):
            if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                files[key] = files.pop(value[9:])
                params[key] = files[key][0]
        return params, files
    for key, value in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
        params[key] = _decode_value(key, value)
    return params, files


def _entities(text: str, bot_username: str) -> list[dict[str, Any]]:
    """bot_command entity for a leading command, mention entities for @usernames."""
    entities: list[dict[str, Any]] = []
    if text.startswith("/"):
        command = text.split()[0] if text.split() else text
        entities.append({"type": "bot_command", "offset": 0, "length": _u16(command)})
    position = 0
    for word in text.split(" "):
        if word.startswith("@") and len(word) > 1:
            clean = word.rstrip(".,!?:;")
            entities.append({"type": "mention", "offset": _u16(text[:position]), "length": _u16(clean)})
        position += len(word) + 1
    return entities


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler",
                 "blockquote", "span", "tg-emoji"}


def _check_html(text: str) -> str | None:
    """A strict check of Telegram's HTML subset: known tags, balanced, entities valid, no stray < or &."""

    stack: list[str] = []
    position = 0
    token = re.compile(
        r"<(/?)([a-zA-Z-]+)((?:\s+[a-z-]+=\"[^\"<>]*\")*)\s*>"
        r"|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|[<>&]"
    )
    for match in token.finditer(text):
        position = match.start()
        piece = match.group(0)
        if piece in ("<", "&"):
            return f"unsupported start tag or entity at byte offset {position}"
        if piece == ">":
            continue  # Telegram tolerates a bare '>'
        if piece.startswith("&"):
            continue
        closing, tag = match.group(1), match.group(2).lower()
        if tag not in _ALLOWED_TAGS:
            return f"unsupported start tag \"{tag}\" at byte offset {position}"
        if closing:
            if not stack or stack[-1] != tag:
                return f"unexpected end tag at byte offset {position}"
            stack.pop()
        else:
            stack.append(tag)
    if stack:
        return f"can't find end tag corresponding to start tag \"{stack[-1]}\""
    return None


def _matches(call: Call, match: dict[str, Any]) -> bool:
    for key, expected in match.items():
        actual = call.params.get(key)
        if isinstance(expected, int) and not isinstance(expected, bool):
            with contextlib.suppress(TypeError, ValueError):
                actual = int(actual)  # type: ignore[arg-type]
        if actual != expected:
            return False
    return True


def _short(params: dict[str, Any]) -> str:
    shown = {k: v for k, v in params.items() if k != "_result"}
    text = json.dumps(shown, ensure_ascii=False, default=str)
    return text if len(text) < 160 else text[:157] + "..."
