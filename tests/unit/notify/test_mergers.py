"""A notification addressed to an organisation that has merged (sáp nhập) reaches its current successor, over the
successor's contact point and inbox; the delivery keeps the organisation the rule named."""

from __future__ import annotations

from datetime import date

import httpx

from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.routing import Purpose, Target, redirected
from tdkt_notify.store import NotifyStores
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import FunctionalRole
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed

OLD = "so-khcn"
"""Sở Khoa học và Công nghệ, merged into the new Sở Khoa học, Công nghệ và Truyền thông."""
NEW = "so-khcn-tt"
LAST = "so-khcn-tt-2"
"""The successor of the successor (a second merger)."""
UNMERGED = "so-y-te"


async def directory(feed: Feed) -> None:
    await feed(
        events.organization(OLD, "Sở Khoa học và Công nghệ"),
        events.organization(NEW, "Sở Khoa học, Công nghệ và Truyền thông"),
        events.organization(LAST, "Sở Khoa học, Công nghệ, Thông tin và Truyền thông"),
        events.organization(UNMERGED, "Sở Y tế"),
        events.organization("so-noi-vu", "Sở Nội vụ"),
        events.contact(OLD, email="vanthu@sokhcn.example", webhook_url="http://127.0.0.1:1/so-khcn"),
        events.contact(NEW, email="vanthu@sokhcntt.example"),
        events.contact(LAST, email="vanthu@sokhcntt2.example"),
        events.contact(UNMERGED, email="vanthu@soyte.example"),
        events.role("a1", FunctionalRole.TDKT_STATE_MANAGEMENT, "so-noi-vu", date(2020, 1, 1)),
    )


async def deliveries_of(stores: NotifyStores, event_id: str) -> list[Delivery]:
    found = await stores.deliveries.find({"event_id": event_id}, limit=100)
    return [Delivery.model_validate(s.state) for s in found]


def reached(found: list[Delivery]) -> list[tuple[str, str, str | None, str | None]]:
    """(recipient, channel, address, addressed_to) of each delivery, sorted."""
    return sorted((d.recipient_id, d.channel.value, d.address, d.addressed_to) for d in found)


async def test_a_report_of_a_merged_organisation_reaches_its_successors_inbox_and_email(
    feed: Feed, stores: NotifyStores, client: httpx.AsyncClient
) -> None:
    await directory(feed)
    await feed(events.merged(NEW, OLD))
    report = events.report_submitted(OLD, events.at(2025, 12, 1))
    await feed(report)
    found = await deliveries_of(stores, report.id)
    assert reached(found) == [
        (NEW, "EMAIL", "vanthu@sokhcntt.example", OLD),
        (NEW, "INBOX", None, OLD),
        ("so-noi-vu", "INBOX", None, None),
    ]
    [message] = (await client.get(f"/inbox/{NEW}")).json()["items"]
    assert message["event_id"] == report.id
    assert message["body"].startswith("Kính gửi Sở Khoa học, Công nghệ và Truyền thông,")
    assert (await client.get(f"/inbox/{OLD}")).json()["total"] == 0
    query = {"event_id": report.id, "recipient_id": NEW, "channel": "INBOX"}
    [logged] = (await client.get("/deliveries", params=query)).json()["items"]
    assert logged["addressed_to"] == OLD
    assert logged["recipient_name"] == "Sở Khoa học, Công nghệ và Truyền thông"


async def test_an_unmerged_organisation_is_reached_as_before(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    await feed(events.merged(NEW, OLD))
    report = events.report_submitted(UNMERGED, events.at(2025, 12, 1))
    await feed(report)
    assert reached(await deliveries_of(stores, report.id)) == [
        ("so-noi-vu", "INBOX", None, None),
        (UNMERGED, "EMAIL", "vanthu@soyte.example", None),
        (UNMERGED, "INBOX", None, None),
    ]


async def test_the_successor_addressed_itself_is_not_redirected(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    await feed(events.merged(NEW, OLD))
    report = events.report_submitted(NEW, events.at(2025, 12, 1))
    await feed(report)
    assert [
        (d.recipient_id, d.addressed_to) for d in await deliveries_of(stores, report.id) if d.recipient_id == NEW
    ] == [
        (NEW, None),
        (NEW, None),
    ]


async def test_after_two_mergers_the_last_successor_is_reached(feed: Feed, stores: NotifyStores) -> None:
    await directory(feed)
    await feed(events.merged(NEW, OLD, on=date(2025, 7, 1)), events.merged(LAST, NEW, on=date(2026, 1, 1)))
    report = events.report_submitted(OLD, events.at(2026, 2, 1))
    await feed(report)
    assert reached(await deliveries_of(stores, report.id)) == [
        (LAST, "EMAIL", "vanthu@sokhcntt2.example", OLD),
        (LAST, "INBOX", None, OLD),
        ("so-noi-vu", "INBOX", None, None),
    ]


async def test_an_event_naming_a_predecessor_and_its_successor_reaches_the_successor_once(
    feed: Feed, stores: NotifyStores
) -> None:
    await directory(feed)
    await feed(events.merged(NEW, OLD))
    congress = events.congress_scheduled("ubnd-tinh", [OLD, NEW], events.at(2025, 8, 1))
    await feed(congress)
    to_successor = [
        d for d in await deliveries_of(stores, congress.id) if d.recipient_id == NEW and not d.reminder_rule
    ]
    assert sorted((d.channel.value, d.addressed_to) for d in to_successor) == [("EMAIL", OLD), ("INBOX", OLD)]
    assert not [d for d in await deliveries_of(stores, congress.id) if d.recipient_id == OLD]


async def test_the_directory_of_organisations_is_public_and_shows_the_merger(
    feed: Feed, client: httpx.AsyncClient
) -> None:
    await directory(feed)
    await feed(events.merged(NEW, OLD))
    old = (await client.get(f"/organizations/{OLD}", headers={"Authorization": ""})).json()
    assert old["successor_id"] == NEW
    new = (await client.get(f"/organizations/{NEW}")).json()
    assert [p["organization_id"] for p in new["predecessors"]] == [OLD]
    assert (await client.get("/organizations")).json()["total"] == 5


def target(recipient_id: str, channel: Channel = Channel.INBOX) -> Target:
    return Target(
        rule_id="r", purpose=Purpose.NOTIFICATION, template_key="k", recipient_id=recipient_id, channel=channel
    )


def test_redirected_replaces_merged_recipients_and_keeps_the_first_target_per_successor() -> None:
    targets = [target("a"), target("b"), target("a", Channel.EMAIL), target("c")]
    found = redirected(targets, {"a": "c", "b": "d"})
    assert [(t.recipient_id, t.channel.value, t.addressed_to) for t in found] == [
        ("c", "INBOX", "a"),
        ("d", "INBOX", "b"),
        ("c", "EMAIL", "a"),
    ]
    assert redirected(targets, {}) == targets
