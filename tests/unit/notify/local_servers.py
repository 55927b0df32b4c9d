"""Real local endpoints for the notification tests: an SMTP server (aiosmtpd) and a tiny HTTP server (asyncio)."""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Collect:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.original_content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


@dataclass
class SmtpServer:
    port: int
    inbox: _Collect

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, r in zip(self.inbox.messages, self.inbox.recipients, strict=True) if address in r]


@contextlib.contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port that keeps every message it receives (SMTPUTF8 and 8BITMIME on)."""
    collect = _Collect()
    port = free_port()
    controller = Controller(collect, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield SmtpServer(port, collect)
    finally:
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpEndpoint:
    """Answers each path with the status set for it (200 by default); `hold` keeps a path's answers waiting."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def to(self, path: str) -> list[Received]:
        return [r for r in self.requests if r.path == path]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode()
            path = request_line.split(" ")[1]
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode().strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(path, headers, body))
            hold = self.holds.get(path)
            if hold is not None:
                await hold.wait()
            status = self.statuses.get(path, 200)
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up (a timeout, or a worker that was stopped)
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def http_endpoint() -> AsyncIterator[HttpEndpoint]:
    endpoint = HttpEndpoint()
    server = await asyncio.start_server(endpoint.handle, "127.0.0.1", 0)
    endpoint.port = server.sockets[0].getsockname()[1]
    try:
        yield endpoint
    finally:
        for hold in endpoint.holds.values():
            hold.set()
        server.close()
        await server.wait_closed()
