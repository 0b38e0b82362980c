"""A lean HTTP/1.1 client for the Bot API: kept-alive connections on asyncio streams.

Every answer is one POST to one host, so the general-purpose client python-telegram-bot ships with
(httpx over httpcore and anyio) cost about a third of the bot's CPU under load: layers of
abstraction, two socket writes per request, and a scan of every pooled connection on each request.
This one writes a request in one piece, reads the response by its Content-Length (or chunks), and
keeps a stack of idle connections. python-telegram-bot's `BaseRequest` still turns the status and
body into results and errors (401 InvalidToken, 429 RetryAfter, 5xx NetworkError...); here a
connection fault is a `NetworkError` and a timeout `TimedOut`, as with httpx, so the retry logic
above is unchanged. HTTPS (api.telegram.org) uses certifi's CA bundle, as httpx does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import certifi
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0  # seconds, as PTB's default for connect, read, write and pool
MEDIA_WRITE_TIMEOUT = 20.0
MAX_HEADER_LINES = 100
_DefaultValue = type(BaseRequest.DEFAULT_NONE)


@dataclass(frozen=True)
class _Target:
    """Where a URL goes: the connection key and the request line's path."""

    https: bool
    host: str
    port: int
    path: str


@lru_cache(maxsize=64)
def _target(url: str) -> _Target:
    parts = urlsplit(url)
    https = parts.scheme == "https"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetworkError(f"unsupported Bot API URL scheme: {parts.scheme or '(none)'}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return _Target(https, parts.hostname, parts.port or (443 if https else 80), path)


class _Connection:
    __slots__ = ("reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def usable(self) -> bool:
        """Still open at both ends (a server that closed an idle connection has sent EOF)."""
        return not self.writer.is_closing() and not self.reader.at_eof()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class KeepAliveRequest(BaseRequest):
    """`BaseRequest` over at most `connections` kept-alive HTTP/1.1 connections."""

    def __init__(
        self,
        connections: int = 1,
        *,
        connect_timeout: float | None = DEFAULT_TIMEOUT,
        read_timeout: float | None = DEFAULT_TIMEOUT,
        write_timeout: float | None = DEFAULT_TIMEOUT,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._slots = asyncio.Semaphore(connections)
        self._idle: dict[tuple[bool, str, int], list[_Connection]] = {}
        self._timeouts = {"connect": connect_timeout, "read": read_timeout, "write": write_timeout,
                          "pool": pool_timeout, "media": media_write_timeout}
        self._ssl: ssl.SSLContext | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Connections are opened on first use."""

    async def shutdown(self) -> None:
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()

    def _timeout(self, value: Any, name: str) -> float | None:
        """An explicit timeout, or this client's own for a `DEFAULT_NONE` (none given)."""
        if isinstance(value, _DefaultValue):
            return self._timeouts[name]
        return None if value is None else float(value)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        target = _target(url)
        content_type, body = _encode(request_data)
        has_files = request_data is not None and request_data.contains_files
        head = (
            f"{method} {target.path} HTTP/1.1\r\nHost: {target.host}\r\nUser-Agent: {self.USER_AGENT}\r\n"
            f"Accept: application/json\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode("latin-1")
        try:
            async with asyncio.timeout(self._timeout(pool_timeout, "pool")):
                await self._slots.acquire()
        except TimeoutError:
            raise TimedOut("Pool timeout: every connection to the Bot API is busy; the request was not sent") from None
        try:
            connection = await self._connection(target, self._timeout(connect_timeout, "connect"))
            try:
                async with asyncio.timeout(self._timeout(write_timeout, "media" if has_files else "write")):
                    connection.writer.write(head + body)
                    await connection.writer.drain()
                async with asyncio.timeout(self._timeout(read_timeout, "read")):
                    status, payload, keep = await _read_response(connection.reader)
            except TimeoutError:
                connection.close()
                raise TimedOut from None
            except (OSError, EOFError, ValueError, asyncio.IncompleteReadError) as exc:
                connection.close()
                raise NetworkError(f"connection to the Bot API failed: {type(exc).__name__}: {exc}") from exc
            except BaseException:
                connection.close()  # cancelled mid-request: the connection's state is unknown
                raise
            if keep:
                self._idle.setdefault((target.https, target.host, target.port), []).append(connection)
            else:
                connection.close()
            return status, payload
        finally:
            self._slots.release()

    async def _connection(self, target: _Target, timeout: float | None) -> _Connection:
        idle = self._idle.get((target.https, target.host, target.port))
        while idle:
            connection = idle.pop()
            if connection.usable():
                return connection
            connection.close()
        context = None
        if target.https:
            if self._ssl is None:
                self._ssl = ssl.create_default_context(cafile=certifi.where())
            context = self._ssl
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    target.host, target.port, ssl=context, server_hostname=target.host if context else None
                )
        except TimeoutError:
            raise TimedOut("connecting to the Bot API timed out") from None
        except OSError as exc:
            raise NetworkError(f"cannot connect to the Bot API: {type(exc).__name__}: {exc}") from exc
        return _Connection(reader, writer)


def _encode(request_data: RequestData | None) -> tuple[str, bytes]:
    """The body: one JSON object (the Bot API takes application/json; one `json.dumps` in C, where
    form fields cost a JSON encoding per field and URL quoting), or multipart/form-data with the
    fields as python-telegram-bot's own client sends them when there are files."""
    if request_data is None:
        return "application/json", b"{}"
    if not request_data.contains_files:
        return "application/json", json.dumps(request_data.parameters, ensure_ascii=False).encode("utf-8")
    fields = request_data.json_parameters
    boundary = secrets.token_hex(16)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode() + value.encode()
            + b"\r\n"
        )
    for name, upload in request_data.multipart_data.items():
        filename, content, mimetype = upload if len(upload) == 3 else (upload[0], upload[1], None)
        data = content if isinstance(content, bytes) else content.read()
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"; filename="{_quote(str(filename))}"'
            f"\r\nContent-Type: {mimetype or 'application/octet-stream'}\r\n\r\n".encode()
            + data + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the connection may be reused."""
    line = await reader.readline()
    if not line:
        raise EOFError("the Bot API closed the connection without answering")
    version, status, _ = (line.decode("latin-1").rstrip("\r\n") + " ").split(" ", 2)
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1 response: {line[:40]!r}")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n"):
            break
        if not raw:
            raise EOFError("the Bot API closed the connection in the response headers")
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise ValueError("too many response headers")
    keep = headers.get("connection", "").lower() != "close" and version != "HTTP/1.0"
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = await _read_chunks(reader)
    elif "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    else:
        body, keep = await reader.read(), False
    return int(status), body, keep


async def _read_chunks(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readline()
