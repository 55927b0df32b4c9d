"""A decision's `document.issued` event: notify routes it to the organisations it concerns and the TĐKT body, and
the e-mail carries the PDF from the event (checked against its SHA-256) as an attachment."""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from email.message import EmailMessage

import pytest

from tdkt_notify.channels import EmailSender, SendError, email_message
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus
from tdkt_notify.settings import load_notify_settings
from tdkt_notify.store import NotifyStores
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.awards import DocumentIssued
from tdkt_shared.contract.notify import Channel
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed
from tests.unit.notify.local_servers import smtp_server

PDF = b"%PDF-1.4\n% Quyet dinh 01/QD-UBND\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def issued(kind: str = "DECISION", pdf: bytes | None = PDF, sha256: str | None = None) -> CloudEvent:
    data = DocumentIssued(
        document_id=f"hs-1.{kind.lower()}",
        kind=kind,
        nomination_id="hs-1",
        award_code="BANG_KHEN_TINH",
        title="Quyết định 01/QĐ-UBND — Bằng khen của Chủ tịch UBND tỉnh",
        number="01/QĐ-UBND",
        issuer_id="ubnd-tinh",
        issued_on=date(2026, 12, 5),
        decision_id="qd-1",
        organization_ids=["so-y-te"],
        filename="decision-hs-1-01-QĐ-UBND.pdf",
        pdf_sha256=sha256 or hashlib.sha256(PDF).hexdigest(),
        pdf_size=len(PDF),
        pdf_url="/documents/hs-1.decision/pdf",
        pdf_base64=None if pdf is None else base64.b64encode(pdf).decode(),
        inline_limit=512 * 1024,
    )
    return make_event(data, partitionkey="hs-1", time=events.at(2026, 12, 5))


async def deliveries_of(feed: Feed, stores: NotifyStores, event: CloudEvent) -> list[Delivery]:
    await feed(*events.health_and_home_affairs(), event)
    found = await stores.deliveries.find({"event_id": event.id}, limit=100)
    return [Delivery.model_validate(s.state) for s in found]


async def test_a_decision_goes_by_email_with_its_pdf_attached(feed: Feed, stores: NotifyStores) -> None:
    recorded = await deliveries_of(feed, stores, issued())
    assert sorted((d.recipient_id, d.channel.value) for d in recorded) == [
        ("so-noi-vu", "EMAIL"),
        ("so-noi-vu", "INBOX"),
        ("so-y-te", "EMAIL"),
        ("so-y-te", "INBOX"),
    ]
    mail = next(d for d in recorded if d.recipient_id == "so-y-te" and d.channel == Channel.EMAIL)
    assert mail.subject == (
        "Quyết định số 01/QĐ-UBND ngày 05/12/2026: Quyết định 01/QĐ-UBND — Bằng khen của Chủ tịch UBND tỉnh"
    )
    assert mail.body is not None
    assert "Bản PDF được gửi kèm thư này" in mail.body
    with smtp_server() as smtp:
        await EmailSender(load_notify_settings(smtp_port=smtp.port)).send(
            mail.model_copy(update={"status": DeliveryStatus.SENDING}), None
        )
        [message] = smtp.to("vanthu@soyte.example")
    assert isinstance(message, EmailMessage)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "decision-hs-1-01-QĐ-UBND.pdf"
    assert attachment.get_content() == PDF
    text = message.get_body(("plain",))
    assert text is not None
    assert "Quyết định số 01/QĐ-UBND" in text.get_content()


async def test_only_a_decision_is_announced_this_way(feed: Feed, stores: NotifyStores) -> None:
    assert await deliveries_of(feed, stores, issued(kind="PROPOSAL")) == []


async def test_a_linked_pdf_is_not_attached_and_the_mail_gives_the_link(feed: Feed, stores: NotifyStores) -> None:
    recorded = await deliveries_of(feed, stores, issued(pdf=None))
    mail = next(d for d in recorded if d.channel == Channel.EMAIL)
    assert mail.body is not None
    assert "Bản PDF tải tại /documents/hs-1.decision/pdf" in mail.body
    assert list(email_message(mail, "tdkt@example.org").iter_attachments()) == []


async def test_a_pdf_that_does_not_match_its_digest_is_never_sent(feed: Feed, stores: NotifyStores) -> None:
    recorded = await deliveries_of(feed, stores, issued(sha256="0" * 64))
    mail = next(d for d in recorded if d.channel == Channel.EMAIL)
    with pytest.raises(SendError, match="SHA-256"):
        email_message(mail, "tdkt@example.org")
