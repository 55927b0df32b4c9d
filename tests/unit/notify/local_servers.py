"""Real local endpoints for the notification tests: an SMTP server (aiosmtpd) and a tiny HTTP server (asyncio)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import email
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


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


ENDLESS_CHUNK = 64 * 1024


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key: (certificate file, key file), PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class _RecordTls:
    """Records whether AUTH (with the password given) and DATA came over TLS."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.seen.append(("DATA", "TLS" if session.ssl else "PLAINTEXT"))
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        self.seen.append(("AUTH " + data.password.decode(), "TLS" if session.ssl else "PLAINTEXT"))
        return AuthResult(success=True)


@dataclass
class StartTlsSmtpServer:
    port: int
    cert_file: Path
    seen: list[tuple[str, str]]


@contextlib.contextmanager
def starttls_smtp_server(directory: Path) -> Iterator[StartTlsSmtpServer]:
    """An SMTP server that offers STARTTLS (a self-signed certificate for 127.0.0.1) but does not require it, and
    offers AUTH before TLS too: what a client sends in cleartext is recorded as such."""
    cert_file, key_file = self_signed_certificate(directory)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    record = _RecordTls()
    port = free_port()
    controller = Controller(
        record,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=False,
        authenticator=record.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield StartTlsSmtpServer(port, cert_file, record.seen)
    finally:
        controller.stop()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpEndpoint:
    """Answers each path with the status set for it (200 by default); `hold` keeps a path's answers waiting;
    a path in `endless` is answered 200 with a chunked body that never ends (until the client hangs up)."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    holds: dict[str, asyncio.Event] = field(default_factory=dict)
    endless: set[str] = field(default_factory=set)
    closed: bool = False

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
            if path in self.endless:
                await self._endless_body(writer)
                return
            status = self.statuses.get(path, 200)
            writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up (a timeout, or a worker that was stopped)
        finally:
            writer.close()

    async def _endless_body(self, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"%x\r\n%s\r\n" % (ENDLESS_CHUNK, b"\0" * ENDLESS_CHUNK)
        while not self.closed:  # ends when the client disconnects (drain raises) or the endpoint closes
            writer.write(chunk)
            await writer.drain()
            await asyncio.sleep(0.001)  # ~64 MB/s at most: a client that reads it all grows, but not too fast


@contextlib.asynccontextmanager
async def http_endpoint() -> AsyncIterator[HttpEndpoint]:
    endpoint = HttpEndpoint()
    server = await asyncio.start_server(endpoint.handle, "127.0.0.1", 0)
    endpoint.port = server.sockets[0].getsockname()[1]
    try:
        yield endpoint
    finally:
        endpoint.closed = True
        for hold in endpoint.holds.values():
            hold.set()
        server.close()
        await server.wait_closed()
