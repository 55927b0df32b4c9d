"""notify's own events: an inbox message read, and a publication request sent to a press body."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import httpx

from tdkt_shared.contract import parse_data
from tdkt_shared.contract.notify import Channel, NotificationRead, PublicationRequested
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed

PRESS = FunctionalRole.PRESS_COMMUNICATION
T = TypeVar("T")


def emitted(runtime: InMemoryRuntime, kind: type[T]) -> list[T]:
    return [d for d in (parse_data(e) for e in runtime.store("deliveries").events) if isinstance(d, kind)]


async def test_marking_an_inbox_message_read_emits_notification_read_once(
    client: httpx.AsyncClient, feed: Feed, runtime: InMemoryRuntime
) -> None:
    report = events.report_submitted("so-y-te", events.at(2025, 12, 1))
    await feed(report)
    message = (await client.get("/inbox/so-y-te")).json()["items"][0]
    assert emitted(runtime, NotificationRead) == []
    assert (await client.post(f"/inbox/so-y-te/{message['id']}/read")).status_code == 200
    assert (await client.post(f"/inbox/so-y-te/{message['id']}/read")).status_code == 200
    [read] = emitted(runtime, NotificationRead)
    assert (read.notification_id, read.recipient_id, read.source_event_id) == (message["id"], "so-y-te", report.id)
    assert read.source_event_type == events.REPORT_TYPE
    [record] = [e for e in runtime.store("deliveries").events if e.type == NotificationRead.event_type]
    assert record.partitionkey == "so-y-te"


async def test_a_publication_request_is_announced_once_per_press_body_even_when_redelivered(
    feed: Feed, runtime: InMemoryRuntime
) -> None:
    await feed(
        events.contact("bao-a", email="toasoan@baoa.example", webhook_url="http://127.0.0.1:1/bao-a"),
        events.role("p1", PRESS, "bao-a", date(2020, 1, 1), date(2025, 6, 30)),
        events.role("p2", PRESS, "bao-b", date(2025, 7, 1)),
    )
    before = events.nomination_approved("so-y-te", "bv-tinh", events.at(2025, 6, 30), nomination_id="hs-1")
    after = events.nomination_approved("so-y-te", "bv-tinh", events.at(2025, 7, 1), nomination_id="hs-2")
    await feed(before, after, before, after)
    announced = emitted(runtime, PublicationRequested)
    assert len(announced) == 2
    requested = {(p.source_event_id, p.organization_id, p.on, tuple(p.channels)) for p in announced}
    assert requested == {
        (before.id, "bao-a", date(2025, 6, 30), (Channel.INBOX, Channel.EMAIL, Channel.WEBHOOK)),
        (after.id, "bao-b", date(2025, 7, 1), (Channel.INBOX,)),  # no address known for Báo B
    }
    assert {p.rule_id for p in announced} == {"publicity"}
