"""The channels against real local servers: aiosmtpd for e-mail, an asyncio HTTP server for webhooks."""

from __future__ import annotations

import asyncio
import base64
import email.policy
import hashlib
import hmac
import time
from datetime import UTC, datetime
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import aiosmtplib
import httpx
import pytest
from pydantic import ValidationError
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tdkt_notify.channels import EmailSender, SendError, WebhookSender, email_bytes, email_message
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus
from tdkt_notify.domain.directory import Recipient, RecipientKind
from tdkt_notify.domain.routing import Purpose
from tdkt_notify.settings import NotifySettings, load_notify_settings
from tdkt_notify.signing import new_secret, secret_problem, signed_headers, standard_secret
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.notify import Channel
from tests.unit.notify import events
from tests.unit.notify.local_servers import http_endpoint, smtp_server, starttls_smtp_server

SECRET = "bi-mat-cua-so-y-te-0123456789"
SUBJECT = "Thông báo tổ chức Đại hội Thi đua yêu nước ngày 20/09/2025"
BODY = "Kính gửi Sở Y tế,\n\nĐề nghị quý cơ quan cử đại biểu dự Đại hội — Hội trường Tỉnh ủy."


def delivery(channel: Channel, address: str, event: CloudEvent | None = None) -> Delivery:
    event = event or events.congress_scheduled("ubnd-tinh", ["so-y-te"], events.at(2025, 8, 1))
    return Delivery(
        id="d-1",
        event_id=event.id,
        event_type=event.type,
        event=event.to_document(),
        rule_id="congress-scheduled",
        purpose=Purpose.NOTIFICATION,
        recipient_id="so-y-te",
        recipient_name="Sở Y tế",
        channel=channel,
        address=address,
        subject=SUBJECT,
        body=BODY,
        status=DeliveryStatus.SENDING,
        created_at=datetime.now(UTC),
    )


RECIPIENT = Recipient(id="so-y-te", kind=RecipientKind.ORGANIZATION, webhook_secret=SECRET)


async def test_an_email_arrives_with_its_vietnamese_subject_and_body_intact() -> None:
    with smtp_server() as smtp:
        sender = EmailSender(load_notify_settings(smtp_port=smtp.port))
        await sender.send(delivery(Channel.EMAIL, "vanthu@soyte.example"), RECIPIENT)
        [message] = smtp.to("vanthu@soyte.example")
    assert message["Subject"] == SUBJECT
    assert message.get_content().strip() == BODY
    assert message["Message-ID"] == "<d-1@tdkt-notify>"
    assert message["To"] == "Sở Y tế <vanthu@soyte.example>"


async def test_an_unreachable_smtp_server_is_a_send_error() -> None:
    with smtp_server() as smtp:
        port = smtp.port
    sender = EmailSender(load_notify_settings(smtp_port=port, delivery_attempt_timeout_s=2))
    with pytest.raises(SendError, match="SMTP"):
        await sender.send(delivery(Channel.EMAIL, "vanthu@soyte.example"), RECIPIENT)


async def test_by_default_the_password_and_mail_go_over_starttls_when_the_server_offers_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server offers STARTTLS and AUTH before it; no SMTP_START_TLS set must still mean TLS before the password.
    with starttls_smtp_server(tmp_path) as smtp:
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert_file))  # trust the self-signed certificate, as a CA bundle
        settings = load_notify_settings(smtp_port=smtp.port, smtp_username="notify", smtp_password="mat-khau")
        await EmailSender(settings).send(delivery(Channel.EMAIL, "vanthu@soyte.example"), RECIPIENT)
    assert smtp.seen == [("AUTH mat-khau", "TLS"), ("DATA", "TLS")]


async def test_a_server_certificate_the_machine_does_not_trust_fails_the_attempt_with_nothing_sent(
    tmp_path: Path,
) -> None:
    with starttls_smtp_server(tmp_path) as smtp:
        settings = load_notify_settings(smtp_port=smtp.port, smtp_username="notify", smtp_password="mat-khau")
        with pytest.raises(SendError, match=r"^SMTP: .*CERTIFICATE_VERIFY_FAILED"):
            await EmailSender(settings).send(delivery(Channel.EMAIL, "vanthu@soyte.example"), RECIPIENT)
    assert smtp.seen == []  # neither the password nor the mail


def test_smtp_tls_settings_default_to_starttls_when_offered_and_read_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("SMTP_START_TLS", "SMTP_USE_TLS"):
        monkeypatch.delenv(name, raising=False)
    defaults = NotifySettings()
    assert (defaults.smtp_start_tls, defaults.smtp_use_tls) == (None, False)
    monkeypatch.setenv("SMTP_START_TLS", "false")
    monkeypatch.setenv("SMTP_USE_TLS", "true")
    assert (NotifySettings().smtp_start_tls, NotifySettings().smtp_use_tls) == (False, True)


def test_implicit_tls_and_a_required_starttls_are_refused_together() -> None:
    with pytest.raises(ValidationError, match=r"SMTP_USE_TLS .* and SMTP_START_TLS=true exclude each other"):
        load_notify_settings(smtp_use_tls=True, smtp_start_tls=True)
    assert load_notify_settings(smtp_use_tls=True, smtp_start_tls=False).smtp_use_tls


@pytest.mark.parametrize(
    ("overrides", "start_tls", "use_tls"),
    [
        ({}, None, False),
        ({"smtp_start_tls": True}, True, False),
        ({"smtp_start_tls": False}, False, False),
        ({"smtp_use_tls": True, "smtp_port": 465}, None, True),
    ],
)
async def test_the_tls_settings_reach_aiosmtplib(
    overrides: dict[str, Any], start_tls: bool | None, use_tls: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    async def send(message: bytes, **kwargs: Any) -> None:
        calls.append(kwargs)

    monkeypatch.setattr(aiosmtplib, "send", send)
    await EmailSender(load_notify_settings(**overrides)).send(delivery(Channel.EMAIL, "a@soyte.example"), RECIPIENT)
    [kwargs] = calls
    assert (kwargs["start_tls"], kwargs["use_tls"]) == (start_tls, use_tls)


def receiver(secret: str) -> Webhook:
    """The subscriber's side: the Standard Webhooks reference library, given the secret in the spec's form."""
    return Webhook(standard_secret(secret))


async def test_a_webhook_posts_the_cloudevent_signed_as_standard_webhooks_says() -> None:
    async with http_endpoint() as endpoint, httpx.AsyncClient() as client:
        d = delivery(Channel.WEBHOOK, endpoint.url("/hook"))
        await WebhookSender(client, time.time).send(d, RECIPIENT)
    [request] = endpoint.to("/hook")
    assert request.headers["content-type"] == "application/cloudevents+json"
    assert request.headers["webhook-id"] == "d-1"
    assert request.headers["webhook-signature"].startswith("v1,")
    verified = receiver(SECRET).verify(request.body, dict(request.headers))
    event = CloudEvent.model_validate(verified)
    assert event.id == d.event_id
    assert event.data["title"] == events.CONGRESS_TITLE
    with pytest.raises(WebhookVerificationError):
        receiver("another-secret-0123456789").verify(request.body, dict(request.headers))
    with pytest.raises(WebhookVerificationError):
        receiver(SECRET).verify(request.body.replace(b"VI", b"VII"), dict(request.headers))
    stale = {**request.headers, "webhook-timestamp": str(int(request.headers["webhook-timestamp"]) - 301)}
    with pytest.raises(WebhookVerificationError):
        receiver(SECRET).verify(request.body, stale)


def test_the_signature_is_hmac_sha256_over_id_timestamp_and_body() -> None:
    body = '{"a":"Đ"}'.encode()
    headers = signed_headers("k" * 16, "d-9", 1_700_000_000.7, body)
    expected = hmac.new(b"k" * 16, b"d-9.1700000000." + body, hashlib.sha256).digest()
    assert headers == {
        "webhook-id": "d-9",
        "webhook-timestamp": "1700000000",
        "webhook-signature": f"v1,{base64.b64encode(expected).decode()}",
    }


def test_a_secret_in_the_specifications_form_is_used_as_its_key() -> None:
    generated = new_secret()
    assert generated.startswith("whsec_")
    assert secret_problem(generated) is None
    key = base64.b64decode(generated.removeprefix("whsec_"))
    headers = signed_headers(generated, "d-1", 1_700_000_000, b"{}")
    expected = hmac.new(key, b"d-1.1700000000.{}", hashlib.sha256).digest()
    assert headers["webhook-signature"] == f"v1,{base64.b64encode(expected).decode()}"
    assert secret_problem("whsec_not*base64") == "a whsec_ secret must be base64 after the prefix"
    assert secret_problem("whsec_" + base64.b64encode(b"short").decode()) is not None


@pytest.mark.parametrize("status", [404, 500, 503])
async def test_a_webhook_answered_with_an_error_is_a_send_error(status: int) -> None:
    async with http_endpoint() as endpoint, httpx.AsyncClient() as client:
        endpoint.statuses["/hook"] = status
        with pytest.raises(SendError, match=f"HTTP {status}"):
            await WebhookSender(client, time.time).send(delivery(Channel.WEBHOOK, endpoint.url("/hook")), RECIPIENT)


async def test_a_webhook_answered_200_with_an_endless_body_succeeds_without_reading_it() -> None:
    # The body is never read: an old `post()` kept reading (and holding) it until the attempt timed out.
    settings = load_notify_settings(delivery_attempt_timeout_s=3)
    async with http_endpoint() as endpoint, httpx.AsyncClient(timeout=settings.delivery_attempt_timeout_s) as client:
        endpoint.endless.add("/hook")
        async with asyncio.timeout(settings.delivery_attempt_timeout_s):  # as the worker bounds one attempt
            await WebhookSender(client, time.time).send(delivery(Channel.WEBHOOK, endpoint.url("/hook")), RECIPIENT)
        assert len(endpoint.to("/hook")) == 1


async def test_a_webhook_without_a_secret_is_not_sent_unsigned() -> None:
    async with http_endpoint() as endpoint, httpx.AsyncClient() as client:
        unsigned = RECIPIENT.model_copy(update={"webhook_secret": None})
        with pytest.raises(SendError, match="secret"):
            await WebhookSender(client, time.time).send(delivery(Channel.WEBHOOK, endpoint.url("/hook")), unsigned)
    assert endpoint.requests == []


@pytest.mark.parametrize("prefix", range(0, 45, 3))
def test_a_long_vietnamese_subject_keeps_every_space(prefix: int) -> None:
    # CPython's header folding drops spaces between RFC 2047 words at some fold points ("lấyý kiến").
    subject = (
        "x" * prefix
        + (" " if prefix else "")
        + "Đề nghị đăng tải danh sách lấy ý kiến Nhân dân: hồ sơ hcld3-dinh-van-hung-f0b09955"
    )
    long = delivery(Channel.EMAIL, "vanthu@soyte.example").model_copy(update={"subject": subject})
    wire = email_bytes(email_message(long, "tdkt@example.org"))
    assert BytesParser(policy=email.policy.default).parsebytes(wire)["Subject"] == subject
