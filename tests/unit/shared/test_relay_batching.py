"""The relay publishes a batch of version documents with one publish, then clears their flags."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

from tdkt_shared.bus import relay as relay_module
from tdkt_shared.bus.relay import OutboxRelay, concurrently, next_sweep_interval
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.store.mongo import outbox_collection, version_id

COLLECTION = "organizations_versions"


class Cursor:
    def __init__(self, docs: list[dict[str, Any]]) -> None:
        self._docs = docs

    def sort(self, key: str, direction: int) -> Cursor:
        return Cursor(sorted(self._docs, key=lambda d: d[key], reverse=direction < 0))

    def limit(self, n: int) -> Cursor:
        return Cursor(self._docs[:n])

    def batch_size(self, n: int) -> Cursor:
        return self

    async def to_list(self, _length: int | None) -> list[dict[str, Any]]:
        return [dict(d) for d in self._docs]


class Collection:
    """Just what the relay calls, over a dict of documents; counts the round trips."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.updates: list[str] = []

        self.reads: list[str] = []

    def find(self, query: dict[str, Any], _projection: dict[str, int]) -> Cursor:
        def matches(doc: dict[str, Any], key: str, wanted: Any) -> bool:
            if isinstance(wanted, dict):
                return all(op == "$gt" and doc.get(key, "") > bound for op, bound in wanted.items())
            return bool(doc.get(key) == wanted)

        return Cursor([d for d in self.docs.values() if all(matches(d, k, v) for k, v in query.items())])

    async def find_one(self, query: dict[str, Any], _projection: dict[str, int]) -> dict[str, Any] | None:
        self.reads.append(query["_id"])
        doc = self.docs.get(query["_id"])
        return None if doc is None else dict(doc)

    async def delete_many(self, query: dict[str, Any]) -> None:
        for doc_id in query["_id"]["$in"]:
            self.docs.pop(doc_id, None)

    async def update_one(self, query: dict[str, Any], update: dict[str, Any]) -> None:
        assert update == {"$unset": {"pending": ""}}
        self.updates.append(query["_id"])
        self.docs[query["_id"]].pop("pending", None)


class Database:
    def __init__(self) -> None:
        self.collection = Collection()
        self.notes = Collection()
        """The outbox notes of writers without a relay."""

    def __getitem__(self, name: str) -> Collection:
        assert name in (COLLECTION, outbox_collection(COLLECTION))
        return self.collection if name == COLLECTION else self.notes


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


def write(db: Database, aggregate: str, version: int, events: list[CloudEvent]) -> str:
    doc_id = version_id(aggregate, version)
    db.collection.docs[doc_id] = {"_id": doc_id, "events": [e.to_document() for e in events], "pending": True}
    return doc_id


def relay(db: Database, publisher: Publisher, **kwargs: Any) -> OutboxRelay:
    return OutboxRelay(db, [COLLECTION], publisher, **kwargs)  # type: ignore[arg-type]


async def test_hinted_documents_go_out_in_one_publish_in_version_order_then_are_cleared() -> None:
    db, publisher = Database(), Publisher()
    a = [registered("a") for _ in range(3)]
    b = [registered("b") for _ in range(2)]
    hints = [write(db, "a", 2, [a[1], a[2]]), write(db, "b", 1, [b[0]]), write(db, "a", 1, [a[0]])]
    hints.append(write(db, "b", 2, [b[1]]))
    r = relay(db, publisher)
    for doc_id in reversed(hints):
        r.hint(COLLECTION, doc_id)

    assert await r.drain_hinted() == 5
    assert publisher.calls == [[a[0].id, a[1].id, a[2].id, b[0].id, b[1].id]]
    assert sorted(db.collection.updates) == sorted(hints)
    assert not any("pending" in d for d in db.collection.docs.values())
    assert await r.drain_hinted() == 0
    assert publisher.calls == [[a[0].id, a[1].id, a[2].id, b[0].id, b[1].id]]


async def test_a_batch_is_at_most_batch_size_documents() -> None:
    db, publisher = Database(), Publisher()
    events = [registered(f"o{i}") for i in range(5)]
    r = relay(db, publisher, batch_size=2)
    for i, event in enumerate(events):
        r.hint(COLLECTION, write(db, f"o{i}", 1, [event]))

    assert await r.drain_hinted() == 2
    assert await r.drain_hinted() == 2
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[events[0].id, events[1].id], [events[2].id, events[3].id], [events[4].id]]


async def test_nothing_is_cleared_when_the_process_dies_after_the_publish() -> None:
    db, publisher = Database(), Publisher()
    events = [registered("a"), registered("b")]
    write(db, "a", 1, [events[0]])
    write(db, "b", 1, [events[1]])

    def crash(_ids: list[str]) -> None:
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        await relay(db, publisher, after_publish=crash).sweep()
    assert all(d.get("pending") for d in db.collection.docs.values())
    assert await relay(db, publisher).sweep() == 2
    assert publisher.calls[-1] == [events[0].id, events[1].id]
    assert not any("pending" in d for d in db.collection.docs.values())


async def test_documents_already_cleared_are_not_published_again() -> None:
    db, publisher = Database(), Publisher()
    doc_id = write(db, "a", 1, [registered("a")])
    db.collection.docs[doc_id].pop("pending")
    r = relay(db, publisher)
    r.hint(COLLECTION, doc_id)
    r.hint(COLLECTION, "missing|0000000001")
    assert await r.drain_hinted() == 0
    assert publisher.calls == []
    assert db.collection.updates == []


def test_an_idle_relay_sweeps_less_and_less_often_up_to_a_limit() -> None:
    intervals = [0.2]
    for _ in range(6):
        intervals.append(next_sweep_interval(intervals[-1], 0, 0.2))
    assert intervals == pytest.approx([0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0])


def test_a_sweep_that_finds_events_brings_the_interval_back() -> None:
    assert next_sweep_interval(1.6, 3, 0.2) == 0.2


async def test_a_hint_with_its_events_is_published_without_reading_the_document_back() -> None:
    db, publisher = Database(), Publisher()
    event = registered("a")
    doc_id = write(db, "a", 1, [event])
    r = relay(db, publisher)
    r.hint(COLLECTION, doc_id, [event.to_document()])
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[event.id]]
    assert db.collection.reads == []
    assert db.collection.updates == [doc_id]


async def test_past_a_backlog_hints_keep_only_the_id_and_the_events_are_read_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay_module, "MAX_HINTS_WITH_EVENTS", 2)
    db, publisher = Database(), Publisher()
    events = [registered(f"o{i}") for i in range(4)]
    r = relay(db, publisher)
    for i, event in enumerate(events):
        r.hint(COLLECTION, write(db, f"o{i}", 1, [event]), [event.to_document()])
    assert await r.drain_hinted() == 4
    assert publisher.calls == [[e.id for e in events]]
    assert db.collection.reads == [version_id("o2", 1), version_id("o3", 1)]  # the two past the backlog's bound


class InFlight:
    """Counts the calls running at once; each yields to the loop a few times before it returns."""

    def __init__(self) -> None:
        self.running = self.most = 0

    async def __call__(self, value: int) -> int:
        self.running += 1
        self.most = max(self.most, self.running)
        for _ in range(3):
            await asyncio.sleep(0)
        self.running -= 1
        return value * 10


async def test_concurrently_runs_at_most_the_limit_at_once_and_keeps_the_order() -> None:
    action = InFlight()
    assert await concurrently(list(range(10)), action, 3) == [i * 10 for i in range(10)]
    assert action.most == 3
    assert await concurrently([], action, 3) == []


async def test_concurrently_raises_the_first_failure_and_stops_the_rest() -> None:
    started: list[int] = []

    async def action(value: int) -> int:
        started.append(value)
        await asyncio.sleep(0)
        if value == 1:
            raise ValueError("bad item")
        await asyncio.sleep(1)
        return value

    with pytest.raises(ValueError, match="bad item"):
        await concurrently(list(range(6)), action, 2)
    await asyncio.sleep(0.01)
    assert started == [0, 1]  # the other worker was cancelled, and nobody took the rest


async def test_documents_are_read_back_and_cleared_several_at_a_time_and_published_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(relay_module, "MAX_HINTS_WITH_EVENTS", 0)
    db, publisher = Database(), Publisher()
    reads, clears = InFlight(), InFlight()
    read, clear = db.collection.find_one, db.collection.update_one

    async def find_one(query: dict[str, Any], _projection: dict[str, int]) -> dict[str, Any] | None:
        await reads(0)
        return await read(query, _projection)

    async def update_one(query: dict[str, Any], update: dict[str, Any]) -> None:
        await clears(0)
        await clear(query, update)

    db.collection.find_one = find_one  # type: ignore[method-assign]
    db.collection.update_one = update_one  # type: ignore[method-assign]
    events = [registered(f"o{i}") for i in range(12)]
    r = relay(db, publisher)
    for i, event in enumerate(events):
        r.hint(COLLECTION, write(db, f"o{i:02}", 1, [event]), None)
    assert await r.drain_hinted() == 12
    assert publisher.calls == [[e.id for e in events]]
    assert reads.most == relay_module.READ_BACK_CONCURRENCY > 1
    assert clears.most == relay_module.CLEARING_CONCURRENCY > 1
    assert not any("pending" in d for d in db.collection.docs.values())
    assert r._uncleared[COLLECTION] == set()


async def test_the_sweep_leaves_hinted_documents_to_the_hints_and_does_not_count_them() -> None:
    db, publisher = Database(), Publisher()
    hinted, orphan = registered("a"), registered("b")
    hinted_id = write(db, "a", 1, [hinted])
    write(db, "b", 1, [orphan])
    r = relay(db, publisher, batch_size=1, sweep_page=1)
    r.hint(COLLECTION, hinted_id, [hinted.to_document()])
    assert await r.sweep() == 1  # the orphan, found past a batch holding only the hinted document
    assert publisher.calls == [[orphan.id]]
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[orphan.id], [hinted.id]]


async def test_hints_whose_publish_failed_are_kept_and_published_on_the_next_drain() -> None:
    db = Database()
    event = registered("a")
    doc_id = write(db, "a", 1, [event])

    publisher = FailingOnce()
    r = relay(db, publisher)
    r.hint(COLLECTION, doc_id, [event.to_document()])
    with pytest.raises(ConnectionError):
        await r.drain_hinted()
    assert db.collection.docs[doc_id]["pending"] is True
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[], [event.id]]
    assert "pending" not in db.collection.docs[doc_id]


async def test_under_a_backlog_the_oldest_hints_go_out_first_whatever_their_ids() -> None:
    db, publisher = Database(), Publisher()
    old, new = registered("z"), registered("a")
    r = relay(db, publisher, batch_size=1)
    r.hint(COLLECTION, write(db, "z", 1, [old]), [old.to_document()])
    r.hint(COLLECTION, write(db, "a", 1, [new]), [new.to_document()])
    assert await r.drain_hinted() == 1
    assert publisher.calls == [[old.id]]


async def test_a_hint_takes_the_hinted_earlier_versions_of_its_aggregate_along_in_order() -> None:
    db, publisher = Database(), Publisher()
    first, second = registered("a"), registered("a")
    r = relay(db, publisher, batch_size=1)
    r.hint(COLLECTION, write(db, "a", 2, [second]), [second.to_document()])  # its writer was hinted first
    r.hint(COLLECTION, write(db, "a", 1, [first]), [first.to_document()])
    assert await r.drain_hinted() == 2
    assert publisher.calls == [[first.id, second.id]]


async def test_hints_whose_publish_failed_go_out_before_later_ones() -> None:
    db = Database()
    events = [registered(f"o{i}") for i in (3, 1, 2)]
    publisher = FailingOnce()
    r = relay(db, publisher, batch_size=1)
    for event in events[:2]:
        r.hint(COLLECTION, write(db, event.partitionkey, 1, [event]), [event.to_document()])
    with pytest.raises(ConnectionError):
        await r.drain_hinted()
    r.hint(COLLECTION, write(db, "o2", 1, [events[2]]), [events[2].to_document()])
    while await r.drain_hinted():
        pass
    assert publisher.calls == [[], *[[e.id] for e in events]]


async def test_the_next_batch_goes_out_while_flags_are_still_being_cleared_and_no_sweep_repeats_them() -> None:
    db, publisher = Database(), Publisher()
    release = asyncio.Event()
    clear = db.collection.update_one

    async def slow_update_one(query: dict[str, Any], update: dict[str, Any]) -> None:
        await release.wait()
        await clear(query, update)

    db.collection.update_one = slow_update_one  # type: ignore[method-assign]
    events = [registered(f"o{i}") for i in range(3)]
    r = relay(db, publisher, batch_size=1, sweep_page=1)
    for i, event in enumerate(events):
        r.hint(COLLECTION, write(db, f"o{i}", 1, [event]), [event.to_document()])
    r.start()
    try:
        async with asyncio.timeout(5):
            while len(publisher.calls) < 3:  # noqa: ASYNC110 - the relay task publishes
                await asyncio.sleep(0.01)
        assert all(d.get("pending") for d in db.collection.docs.values())  # none cleared yet
        assert await r._sweep_batch(COLLECTION, "") == (0, "o0|0000000001")
        release.set()
        await r.flush()
    finally:
        await r.stop()
    assert publisher.calls == [[e.id] for e in events]
    assert not any("pending" in d for d in db.collection.docs.values())


async def test_notes_of_writers_without_a_relay_are_published_then_removed_without_a_full_scan() -> None:
    db, publisher = Database(), Publisher()
    noted, orphan = registered("a"), registered("b")
    noted_id = write(db, "a", 1, [noted])
    write(db, "b", 1, [orphan])  # pending, but neither hinted nor noted: only a full sweep finds it
    db.notes.docs[noted_id] = {"_id": noted_id}
    r = relay(db, publisher)
    assert await r.sweep_notes() == 1
    assert publisher.calls == [[noted.id]]
    assert db.notes.docs == {}
    assert "pending" not in db.collection.docs[noted_id]
    assert await r.sweep() == 1  # the full sweep
    assert publisher.calls == [[noted.id], [orphan.id]]


async def test_only_the_start_scans_every_version_until_the_full_sweep_interval_passes() -> None:
    """A pending version without a hint or a note (its writer died in between) goes out at the relay's start; one
    left later waits for the next full sweep, while noted ones keep going out."""
    db, publisher = Database(), Publisher()
    before = registered("before")
    write(db, "before", 1, [before])
    r = relay(db, publisher, sweep_interval_s=0.01, full_sweep_interval_s=3600)
    r.start()
    try:
        async with asyncio.timeout(5):
            while [before.id] not in publisher.calls:  # noqa: ASYNC110 - the relay task publishes
                await asyncio.sleep(0.01)
            orphan, noted = registered("orphan"), registered("noted")
            write(db, "orphan", 1, [orphan])
            db.notes.docs[write(db, "noted", 1, [noted])] = {"_id": version_id("noted", 1)}
            while [noted.id] not in publisher.calls:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        await r.stop()
    assert [orphan.id] not in publisher.calls
    assert db.collection.docs[version_id("orphan", 1)]["pending"] is True
