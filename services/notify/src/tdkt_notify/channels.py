"""Senders: SMTP e-mail and signed webhooks. Each raises on failure; the worker retries and logs."""

from __future__ import annotations

import base64
import binascii
import email.policy
import hashlib
import json
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formataddr
from typing import Protocol

import aiosmtplib
import httpx

from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.directory import Recipient
from tdkt_notify.settings import NotifySettings
from tdkt_notify.signing import signed_headers
from tdkt_shared.contract import CONTENT_TYPE


class SendError(Exception):
    """A send that did not succeed (worth retrying)."""


class Sender(Protocol):
    async def send(self, delivery: Delivery, recipient: Recipient | None) -> None: ...


MAX_ATTACHMENT_BYTES = 1 << 20
"""The largest document attached from an event (awards inlines at most 512 KiB; anything larger is linked)."""


def attached_document(delivery: Delivery) -> tuple[str, bytes] | None:
    """The PDF a `document.issued` event carries inline (quyết định...), checked against its SHA-256: its file name
    and bytes, or None when the event carries none (a link only) or the delivery is a digest. A PDF that does not
    match its digest is a SendError: the wrong document is never sent."""
    data = delivery.event.get("data") or {}
    inline = data.get("pdf_base64") if isinstance(data, dict) else None
    if delivery.digest or not isinstance(inline, str) or not inline:
        return None
    try:
        pdf = base64.b64decode(inline, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SendError("the attached document is not valid base64") from exc
    if len(pdf) > MAX_ATTACHMENT_BYTES or hashlib.sha256(pdf).hexdigest() != data.get("pdf_sha256"):
        raise SendError("the attached document does not match its SHA-256 (or is too large)")
    name = str(data.get("filename") or "van-ban.pdf")
    return name, pdf


def email_message(delivery: Delivery, mail_from: str) -> EmailMessage:
    """A UTF-8 message; the subject is RFC 2047-encoded, so Vietnamese diacritics survive any relay. A document the
    event carries (the PDF of a decision) goes as an attachment."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = formataddr((delivery.recipient_name or "", delivery.address or ""))
    message["Subject"] = delivery.subject or ""
    message["Message-ID"] = f"<{delivery.id}@tdkt-notify>"
    message["X-TDKT-Event-Id"] = delivery.event_id
    message.set_content(delivery.body or "", charset="utf-8")
    if (document := attached_document(delivery)) is not None:
        filename, pdf = document
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return message


WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
"""CRLF, and headers folded only past RFC 5322's hard limit: CPython's folding of encoded words at 78
characters drops the spaces between some Vietnamese words ("lấyý kiến")."""


def email_bytes(message: EmailMessage) -> bytes:
    """The message as sent over SMTP."""
    return message.as_bytes(policy=WIRE_POLICY)


class EmailSender:
    def __init__(self, settings: NotifySettings) -> None:
        self._settings = settings

    async def send(self, delivery: Delivery, recipient: Recipient | None) -> None:
        if not delivery.address:
            raise SendError("no e-mail address")
        s = self._settings
        message = email_message(delivery, s.mail_from)
        try:
            await aiosmtplib.send(
                email_bytes(message),
                sender=s.mail_from,
                recipients=[delivery.address],
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password,
                start_tls=s.smtp_start_tls,
                use_tls=s.smtp_use_tls,
                timeout=s.delivery_attempt_timeout_s,
            )
        except (aiosmtplib.SMTPException, ssl.SSLError) as exc:  # SSLError: a certificate the machine does not trust
            raise SendError(f"SMTP: {exc}") from exc


def webhook_body(delivery: Delivery) -> bytes:
    """The source CloudEvent in structured JSON, UTF-8, exactly the bytes that are signed."""
    return json.dumps(delivery.event, ensure_ascii=False, separators=(",", ":")).encode()


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient, clock: Callable[[], float]) -> None:
        self._client = client
        self._clock = clock

    async def send(self, delivery: Delivery, recipient: Recipient | None) -> None:
        if not delivery.address:
            raise SendError("no webhook URL")
        if recipient is None or not recipient.webhook_secret:
            raise SendError("no webhook secret for this recipient")
        body = webhook_body(delivery)
        headers = {
            "Content-Type": CONTENT_TYPE,
            **signed_headers(recipient.webhook_secret, delivery.id, self._clock(), body),
            "X-TDKT-Purpose": delivery.purpose.value,
        }
        try:
            # Streamed and never read: the status alone decides, so a subscriber's body (however large) is not
            # held in memory; leaving the block closes the connection.
            async with self._client.stream("POST", delivery.address, content=body, headers=headers) as response:
                pass
        except httpx.HTTPError as exc:
            raise SendError(f"HTTP: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise SendError(f"HTTP {response.status_code}")
