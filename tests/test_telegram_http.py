"""The lean Bot API client (bot/channels/telegram/http.py): one kept-alive connection for many
requests, responses read however the server frames them, and faults turned into the errors the
retry logic above it expects (TimedOut, NetworkError)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.http import KeepAliveRequest

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """A raw HTTP server on 127.0.0.1 that counts its connections and answers with `respond`."""

    def __init__(self, respond: Callable[[bytes], bytes | None]) -> None:
        self.respond = respond
        self.connections = 0
        self.bodies: list[bytes] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/botT/getMe"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while line := await reader.readline():
                headers = {}
                while (raw := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = raw.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.bodies.append(body)
                answer = self.respond(line + body)
                if answer is None:
                    await asyncio.sleep(3600)  # never answers
                writer.write(answer or b"")
                await writer.drain()
                if answer is not None and b"Connection: close" in answer:
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


def _ok(result: object, *, extra: str = "") -> bytes:
    body = json.dumps({"ok": True, "result": result}).encode()
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def _data(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_many_requests_share_one_kept_alive_connection() -> None:
    async with Server(lambda _request: _ok(True)) as server:
        request = KeepAliveRequest(1)
        results = [await request.post(server.url, _data(chat_id=i, text="hola")) for i in range(20)]
        await request.shutdown()
    assert results == [True] * 20
    assert server.connections == 1
    assert json.loads(server.bodies[3]) == {"chat_id": 3, "text": "hola"}


async def test_chunked_responses_and_connection_close_are_read_whole() -> None:
    body = json.dumps({"ok": True, "result": {"id": 7, "name": "x" * 300}}).encode()
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               + f"{100:x}\r\n".encode() + body[:100] + b"\r\n"
               + f"{len(body) - 100:x}\r\n".encode() + body[100:] + b"\r\n0\r\n\r\n")
    answers = iter([chunked, _ok(1, extra="Connection: close\r\n"), _ok(2)])
    async with Server(lambda _request: next(answers)) as server:
        request = KeepAliveRequest(1)
        first = await request.post(server.url)
        second = await request.post(server.url)
        third = await request.post(server.url)  # after "Connection: close", on a new connection
        await request.shutdown()
    assert first == {"id": 7, "name": "x" * 300}
    assert (second, third) == (1, 2)
    assert server.connections == 2


async def test_a_server_that_never_answers_is_a_timeout() -> None:
    async with Server(lambda _request: None) as server:
        request = KeepAliveRequest(1, read_timeout=0.2)
        with pytest.raises(TimedOut):
            await request.post(server.url)
        await request.shutdown()


async def test_a_cut_connection_is_a_network_error_and_the_next_request_reconnects() -> None:
    answers = iter([b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"ok\"", _ok("back")])
    async with Server(lambda _request: next(answers)) as server:
        request = KeepAliveRequest(1)
        with pytest.raises(NetworkError):
            await request.post(server.url)
        assert await request.post(server.url) == "back"
        await request.shutdown()


async def test_nobody_listening_is_a_network_error() -> None:
    async with Server(lambda _request: _ok(True)) as server:
        url = server.url
    await asyncio.sleep(0.05)
    request = KeepAliveRequest(1)
    with pytest.raises(NetworkError):
        await request.post(url)
