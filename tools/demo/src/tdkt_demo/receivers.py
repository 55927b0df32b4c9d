"""The local receivers notify delivers to: the press body's webhook (signed requests) and an SMTP server."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A tiny HTTP server on a free loopback port that records every POST it answers (200)."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str, containing: str = "") -> list[Received]:
        """The requests received at `path` whose body contains `containing` (an event id, say)."""
        return [r for r in self.requests if r.path == path and containing.encode() in r.body]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            path = (await reader.readline()).decode().split(" ")[1]
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode().strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(path, headers, body))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, IndexError):
            pass
        finally:
            writer.close()


def signed(request: Received, secret: str) -> bool:
    """The receiver's check, with the Standard Webhooks reference library (signature, id and a fresh timestamp)."""
    key = secret if secret.startswith("whsec_") else "whsec_" + base64.b64encode(secret.encode()).decode()
    try:
        Webhook(key).verify(request.body, request.headers)
    except WebhookVerificationError:
        return False
    return True


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str


@dataclass
class MailSink:
    """An SMTP server (aiosmtpd, SMTPUTF8 on) that keeps every message notify sends it, decoded."""

    port: int
    messages: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        part = message.get_body(("plain", "html")) if isinstance(message, EmailMessage) else None
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        self.messages.append(
            Mail(envelope.mail_from, list(envelope.rcpt_tos), str(message.get("subject", "")), str(body))
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.messages if address in m.recipients]

    def of_run(self, run_id: str) -> list[Mail]:
        """The messages to a recipient whose address carries the run id."""
        return [m for m in self.messages if any(run_id in r for r in m.recipients)]


@contextmanager
def smtp_sink(port: int, host: str = "127.0.0.1") -> Iterator[MailSink]:
    """Serve SMTP on `host:port` until the block ends (the port notify's `SMTP_PORT` names)."""
    from aiosmtpd.controller import Controller

    sink = MailSink(port)
    controller = Controller(sink, hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
