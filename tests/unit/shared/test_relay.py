"""The relay over the in-memory store: hints and the pending query, one publish per batch, outboxes cleared after."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from tdkt_shared.bus import relay as relay_module
from tdkt_shared.bus.relay import CLEARING_BATCH, OutboxRelay, next_sweep_interval
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.store import InMemoryAggregateStore, Pending

COLLECTION = "organizations"


class Store(InMemoryAggregateStore):
    """The in-memory store, counting what the relay asks of it."""

    def __init__(self) -> None:
        super().__init__(COLLECTION)
        self.read_back: list[str] = []
        self.cleared: list[str] = []
        self.bulk_clears: list[int] = []
        self.clears_held: asyncio.Event | None = None

    async def read_outboxes(self, aggregate_ids: Sequence[str]) -> list[Pending]:
        self.read_back.extend(aggregate_ids)
        return await super().read_outboxes(aggregate_ids)

    async def mark_published(self, *entries: Pending) -> None:
        if self.clears_held is not None:
            await self.clears_held.wait()
        self.cleared.extend(entry.aggregate_id for entry in entries)
        self.bulk_clears.append(len(entries))
        await super().mark_published(*entries)

    def hold_clears(self) -> asyncio.Event:
        """Outboxes are cleared only once the returned event is set."""
        self.clears_held = asyncio.Event()
        return self.clears_held

    def waiting(self) -> dict[str, list[str]]:
        return {i: [e.id for e in outbox] for i, outbox in self.outboxes.items() if outbox}


class Publisher:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        self.calls.append([e.id for e in events])


class FailingOnce(Publisher):
    """The broker is away for the first publish (recorded as an empty call)."""

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        if not self.calls:
            self.calls.append([])
            raise ConnectionError("broker away")
        await super().publish(events)


def registered(org_id: str) -> CloudEvent:
    data = OrganizationRegistered(
        organization_id=org_id, name="UBND xã", kind=OrganizationKind.PEOPLES_COMMITTEE, valid_from=date(2025, 7, 1)
    )
    return make_event(data, partitionkey=org_id)


def relay(store: Store, publisher: Publisher, **kwargs: Any) -> OutboxRelay:
    r = OutboxRelay([store], publisher, **kwargs)
    store.listen(r.hint)
    return r


async def write(store: Store, aggregate: str, *events: CloudEvent) -> None:
    current = await store.get(aggregate)
    if current is None:
        await store.create(aggregate, {"n": 1}, events)
    else:
        await store.update(aggregate, current.version, {"n": current.version + 1}, events)


async def test_hinted_aggregates_go_out_in_one_publish_in_write_order_then_their_outboxes_are_cleared() -> None:
    store, publisher = Store(), Publisher()
    r = relay(store, publisher)
    a = [registered("a") for _ in range(3)]
    b = [registered("b") for _ in range(2)]
    await write(store, "a", a[0])
    await write(store, "b", b[0])
    await write(store, "a", a[1], a[2])  # a is still pending: this hint reads a's outbox back, in order
    await write(store, "b", b[1])

    assert await r.drain_hinted() == 5
    assert publisher.calls == [[a[0].id, a[1].id, a[2].id, b[0].id, b[1].id]]
    assert sorted(store.cleared) == ["a", "b"]
    assert store.bulk_clears == [2]  # one bulk write clears both outboxes
    assert store.waiting() == {}
    assert await r.drain_hinted() == 0
    assert len(publisher.calls) == 1


async def test_a_hint_with_its_events_is_published_without_reading_anything_back() -> None:
    store, publisher = Store(), Publisher()
    r = relay(store, publisher)
    event = registered("a")
    await write(store, "a", event)
    assert await r.drain_hinted() == 1
    assert (publisher.calls, store.read_back, store.cleared) == ([[event.id]], [], ["a"])


async def test_a_batch_is_at_most_batch_size_aggregates() -> None:
    store, publisher = Store(), Publisher()
    r = relay(store, publisher, batch_size=2)
    events = [registered(f"o{i}") for i in range(5)]
    for i, event in enumerate(events):
        await write(store, f"o{i}", event)

    assert [await r.drain_hinted() for _ in range(4)] == [2, 2, 1, 0]
    assert publisher.calls == [[events[0].id, events[1].id], [events[2].id, events[3].id], [events[4].id]]
    assert store.bulk_clears == [2, 2, 1]


async def test_a_large_publish_is_cleared_in_bulk_writes_of_at_most_clearing_batch() -> None:
    store, publisher = Store(), Publisher()
    r = relay(store, publisher, batch_size=200)
    for i in range(CLEARING_BATCH * 2 + 3):
        await write(store, f"o{i:03d}", registered(f"o{i:03d}"))
    assert await r.drain_hinted() == CLEARING_BATCH * 2 + 3
    assert sorted(store.bulk_clears) == [3, CLEARING_BATCH, CLEARING_BATCH]
    assert store.waiting() == {}


async def test_the_clears_of_publishes_close_together_go_out_in_one_bulk_write() -> None:
    """Three publishes of one aggregate each within the clearing delay: one bulk clear of the three, after it."""
    store, publisher = Store(), Publisher()
    r = relay(store, publisher, batch_size=1, clearing_delay_s=0.05)
    for org in ("o1", "o2", "o3"):
        await write(store, org, registered(org))
    assert [await r._drain_hinted() for _ in range(4)] == [1, 1, 1, 0]
    assert len(publisher.calls) == 3
    assert (store.bulk_clears, sorted(store.waiting())) == ([], ["o1", "o2", "o3"])  # published, not cleared yet
    await write(store, "o1", registered("o1-again"))
    assert await r._drain_hinted() == 0  # o1 waits for its clear: its events stay in order
    await r.flush()
    assert (store.bulk_clears, store.waiting()) == ([3], {"o1": [store.events[-1].id]})
    assert await r.drain_hinted() == 1
    assert (store.bulk_clears, store.waiting()) == ([3, 1], {})


async def test_nothing_is_cleared_when_the_process_dies_after_the_publish() -> None:
    store, publisher = Store(), Publisher()
    events = [registered("a"), registered("b")]
    await write(store, "a", events[0])  # no relay listens: a writer without a relay
    await write(store, "b", events[1])

    def crash(_ids: list[str]) -> None:
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        await OutboxRelay([store], publisher, after_publish=crash).sweep()
    assert store.waiting() == {"a": [events[0].id], "b": [events[1].id]}
    assert await OutboxRelay([store], publisher).sweep() == 2
    assert publisher.calls[-1] == [events[0].id, events[1].id]
    assert store.waiting() == {}


async def test_a_hint_of_an_outbox_already_cleared_publishes_nothing() -> None:
    store, publisher = Store(), Publisher()
    r = relay(store, publisher)
    r.hint(COLLECTION, "a", None)  # read back: nothing pending there
    assert await r.drain_hinted() == 0
    assert (publisher.calls, store.read_back, store.cleared) == ([], ["a"], [])
    r.hint(COLLECTION, "a", None)
    assert await r.drain_hinted() == 0  # and it is not stuck in flight
    assert store.read_back == ["a", "a"]


async def test_a_later_write_keeps_its_events_when_the_earlier_ones_are_cleared() -> None:
    store = Store()
    first, second = registered("a"), registered("a")
    await write(store, "a", first)
    [entry] = await store.pending(after="", limit=10)
    await write(store, "a", second)
    await store.mark_published(entry)
    assert store.waiting() == {"a": [second.id]}


def test_an_idle_relay_queries_less_and_less_often_up_to_a_limit() -> None:
    intervals = [0.2]
    for _ in range(8):
        intervals.append(next_sweep_interval(intervals[-1], 0, 0.2))
    assert intervals == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 10.0, 10.0, 10.0])


def test_a_query_that_finds_events_brings_the_interval_back() -> None:
    assert next_sweep_interval(1.6, 3, 0.2) == 0.2


async def test_past_a_backlog_hints_keep_only_the_id_and_the_events_are_read_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay_module, "MAX_HINTS_WITH_EVENTS", 2)
    store, publisher = Store(), Publisher()
    r = relay(store, publisher)
    events = [registered(f"o{i}") for i in range(4)]
    for i, event in enumerate(events):
        await write(store, f"o{i}", event)
    assert await r.drain_hinted() == 4
    assert publisher.calls == [[e.id for e in events]]
    assert store.read_back == ["o2", "o3"]  # the two past the backlog's bound


async def test_the_query_leaves_hinted_aggregates_to_the_hints_and_does_not_count_them() -> None:
    store, publisher = Store(), Publisher()
    unhinted = registered("a")
    await write(store, "a", unhinted)  # before the relay listens
    r = relay(store, publisher)
    hinted = registered("b")
    await write(store, "b", hinted)
    assert await r.sweep() == 1
    assert publisher.calls == [[unhinted.id]]
    assert await r.drain_hinted() == 1
    assert publisher.calls[-1] == [hinted.id]


async def test_hints_whose_publish_failed_go_out_first_on_the_next_drain() -> None:
    store, publisher = Store(), FailingOnce()
    r = relay(store, publisher, batch_size=2)
    events = [registered(f"o{i}") for i in range(3)]
    for i, event in enumerate(events):
        await write(store, f"o{i}", event)
    with pytest.raises(ConnectionError):
        await r.drain_hinted()
    assert store.waiting() == {f"o{i}": [e.id] for i, e in enumerate(events)}
    assert await r.drain_hinted() == 2
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[], [events[0].id, events[1].id], [events[2].id]]
    assert store.waiting() == {}


async def test_under_a_backlog_the_oldest_hints_go_out_first_whatever_their_ids() -> None:
    store, publisher = Store(), Publisher()
    r = relay(store, publisher, batch_size=2)
    events = {org: registered(org) for org in ("z", "y", "a")}
    for org, event in events.items():
        await write(store, org, event)
    await r.drain_hinted()
    assert publisher.calls == [[events["z"].id, events["y"].id]]


async def test_the_next_batch_goes_out_while_outboxes_are_still_being_cleared_and_no_query_repeats_them() -> None:
    store, publisher = Store(), Publisher()
    release = store.hold_clears()
    r = relay(store, publisher, batch_size=1)
    events = [registered("a"), registered("b")]
    for event in events:
        await write(store, event.partitionkey, event)
    assert await r._drain_hinted() == 1
    assert await r._drain_hinted() == 1  # did not wait for a's outbox to be cleared
    found = await store.pending(after="", limit=10)
    assert [p.aggregate_id for p in found] == ["a", "b"]  # both still pending in the store...
    sweeping = asyncio.create_task(r.sweep())
    await asyncio.sleep(0.01)
    release.set()
    assert await sweeping == 0  # ...but in flight: the query publishes neither again
    assert publisher.calls == [[events[0].id], [events[1].id]]
    assert store.waiting() == {}


async def test_a_hint_for_an_aggregate_being_cleared_waits_for_the_clear_then_goes_out() -> None:
    store, publisher = Store(), Publisher()
    release = store.hold_clears()
    r = relay(store, publisher)
    first, second = registered("a"), registered("a")
    await write(store, "a", first)
    assert await r._drain_hinted() == 1
    await write(store, "a", second)  # a is still pending (being cleared): this hint is a read back
    assert await r._drain_hinted() == 0  # waits for the clear
    release.set()
    await r.flush()
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[first.id], [second.id]]
    assert store.waiting() == {}


async def test_a_confirmed_query_publishes_what_two_queries_in_a_row_found_pending() -> None:
    store, publisher = Store(), Publisher()
    elsewhere = registered("a")
    await write(store, "a", elsewhere)  # another process's write: no hint here
    r = OutboxRelay([store], publisher)
    assert await r.sweep(confirmed=True) == 1  # found, left for the next query to confirm
    assert publisher.calls == []
    assert await r.sweep(confirmed=True) == 1
    assert publisher.calls == [[elsewhere.id]]
    assert await r.sweep(confirmed=True) == 0


async def test_a_write_whose_hint_comes_after_the_query_read_it_is_published_once() -> None:
    store, publisher = Store(), Publisher()
    r = OutboxRelay([store], publisher)
    event = registered("a")
    await write(store, "a", event)  # in the database; its hint has not reached the relay yet
    await r.sweep(confirmed=True)
    r.hint(COLLECTION, "a", (await store.pending(after="", limit=1))[0])
    assert await r.drain_hinted() == 1
    assert await r.sweep(confirmed=True) == 0
    assert publisher.calls == [[event.id]]


class SlowAck(Publisher):
    """Records what it sends at once; the broker's acknowledgement waits for `ack`."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = asyncio.Event()
        self.ack = asyncio.Event()

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        self.calls.append([e.id for e in events])
        self.sent.set()
        await self.ack.wait()


async def test_a_relay_stopped_while_a_publish_awaits_its_ack_publishes_each_event_once() -> None:
    store, publisher = Store(), SlowAck()
    r = relay(store, publisher)
    r.start()
    event = registered("a")
    await write(store, "a", event)
    await publisher.sent.wait()
    stopping = asyncio.create_task(r.stop())
    await asyncio.sleep(0.01)
    publisher.ack.set()
    await stopping
    assert publisher.calls == [[event.id]]
    assert store.waiting() == {}
