"""Notify's reference data is served from memory until a bus event the consumer applies changes it, not for a
fixed time: here the cache never expires on its clock, and routing still follows every registry event at once."""

from __future__ import annotations

import pytest

from tdkt_notify import consumers
from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.handlers import seed_defaults
from tdkt_notify.service import DEFINITION
from tdkt_notify.store import DELIVERIES, RECIPIENTS, REFERENCE, NotifyStores
from tdkt_shared.contract.notify import Channel
from tdkt_shared.runtime import InMemoryRuntime
from tdkt_shared.store import AggregateStore
from tdkt_shared.store.agenda import Agenda
from tdkt_shared.store.cached import CachedStore
from tdkt_shared.store.files import FileStore
from tests.helpers import record_calls
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed


class CachedRuntime:
    """The in-memory runtime with notify's reference collections behind a cache whose clock never moves."""

    def __init__(self, runtime: InMemoryRuntime) -> None:
        self.runtime = runtime
        self.cached = {c: CachedStore(runtime.store(c), ttl_s=60, timer=lambda: 0.0) for c in REFERENCE}

    def store(self, collection: str) -> AggregateStore:
        return self.cached.get(collection) or self.runtime.store(collection)

    def agenda(self, name: str) -> Agenda:
        return self.runtime.agenda(name)

    def files(self, bucket: str) -> FileStore:
        return self.runtime.files(bucket)


async def emails_to(runtime: InMemoryRuntime, recipient_id: str) -> list[str]:
    found = [Delivery.model_validate(s.state) for s in await runtime.store(DELIVERIES).find({}, limit=100)]
    return sorted(
        d.address for d in found if d.recipient_id == recipient_id and d.channel == Channel.EMAIL and d.address
    )


async def test_routing_follows_each_registry_event_at_once_though_the_cache_never_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = InMemoryRuntime(DEFINITION)
    stores = CachedRuntime(runtime)
    await seed_defaults(NotifyStores.of(stores))
    feed = Feed(consumers.event_handlers(stores))
    await feed(*events.health_and_home_affairs())
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 1), report_id="bc-1"))
    assert await emails_to(runtime, "so-y-te") == ["vanthu@soyte.example"]

    reads = record_calls(monkeypatch, runtime.store(RECIPIENTS), "get")
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 2), report_id="bc-2"))
    assert reads == []  # nothing changed: the recipients come from memory

    await feed(events.contact("so-y-te", email="thiduakhenthuong@soyte.example"))
    await feed(events.report_submitted("so-y-te", events.at(2025, 12, 3), report_id="bc-3"))
    assert await emails_to(runtime, "so-y-te") == [
        "thiduakhenthuong@soyte.example",
        "vanthu@soyte.example",
        "vanthu@soyte.example",
    ]
