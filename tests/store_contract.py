"""Behaviour every AggregateStore and Agenda adapter must have; subclassed by the in-memory and the MongoDB tests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol

import pytest

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store import AggregateStore, AlreadyExists, NotFound, OutboxStore, Stored, VersionConflict
from tdkt_shared.store.agenda import Agenda

AT = datetime(2025, 9, 13, 1, 0, tzinfo=UTC)


class Store(AggregateStore, OutboxStore, Protocol):
    """An adapter: the port the handlers use and the one the relay uses."""


def event(n: int, key: str = "a") -> CloudEvent:
    return CloudEvent(source="/tdkt/test", type="tdkt.registry.thing.happened.v1", partitionkey=key, data={"n": n})


class StoreContract:
    """Subclasses provide a `store` fixture and an `outbox(store, id)` helper."""

    async def outbox(self, store: AggregateStore, aggregate_id: str) -> list[CloudEvent]:
        raise NotImplementedError

    async def test_create_then_get(self, store: AggregateStore) -> None:
        created = await store.create("a", {"name": "Sở Nội vụ", "n": 1}, [event(1)])
        assert created.version == 1
        got = await store.get("a")
        assert got is not None
        assert (got.id, got.version, got.state) == ("a", 1, {"name": "Sở Nội vụ", "n": 1})
        assert [e.data["n"] for e in await self.outbox(store, "a")] == [1]

    async def test_create_twice_is_refused_and_changes_nothing(self, store: AggregateStore) -> None:
        await store.create("a", {"n": 1}, [event(1)])
        with pytest.raises(AlreadyExists):
            await store.create("a", {"n": 2}, [event(2)])
        got = await store.get("a")
        assert got is not None
        assert got.state == {"n": 1}
        assert [e.data["n"] for e in await self.outbox(store, "a")] == [1]

    async def test_update_with_current_version_appends_to_outbox(self, store: AggregateStore) -> None:
        await store.create("a", {"n": 1}, [event(1)])
        updated = await store.update("a", 1, {"n": 2}, [event(2), event(3)])
        assert updated.version == 2
        assert [e.data["n"] for e in await self.outbox(store, "a")] == [1, 2, 3]

    async def test_stale_version_conflicts_and_writes_nothing(self, store: AggregateStore) -> None:
        await store.create("a", {"n": 1}, [])
        await store.update("a", 1, {"n": 2}, [])
        with pytest.raises(VersionConflict) as err:
            await store.update("a", 1, {"n": 99}, [event(99)])
        assert (err.value.expected, err.value.actual) == (1, 2)
        got = await store.get("a")
        assert got is not None
        assert (got.version, got.state) == (2, {"n": 2})
        assert await self.outbox(store, "a") == []

    async def test_update_of_a_missing_aggregate_is_not_found(self, store: AggregateStore) -> None:
        with pytest.raises(NotFound):
            await store.update("nope", 1, {}, [])

    async def test_apply_event_is_idempotent_by_event_id(self, store: AggregateStore) -> None:
        def increment(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
            n = 0 if current is None else int(current.state["n"])
            return {"n": n + 1}, [event(n + 1)]

        assert await store.apply_event("a", "ev-1", increment) is True
        assert await store.apply_event("a", "ev-1", increment) is False
        assert await store.apply_event("a", "ev-2", increment) is True
        assert await store.apply_event("a", "ev-2", increment) is False
        got = await store.get("a")
        assert got is not None
        assert (got.state, got.version, got.processed) == ({"n": 2}, 2, ("ev-1", "ev-2"))
        assert [e.data["n"] for e in await self.outbox(store, "a")] == [1, 2]

    async def test_apply_event_that_changes_nothing_is_still_recorded(self, store: AggregateStore) -> None:
        await store.create("a", {"n": 5}, [])
        assert await store.apply_event("a", "ev-1", lambda _c: None) is True
        assert await store.apply_event("a", "ev-1", lambda _c: None) is False
        got = await store.get("a")
        assert got is not None
        assert (got.state, got.processed) == ({"n": 5}, ("ev-1",))

    async def test_find_filters_sorts_and_pages(self, store: AggregateStore) -> None:
        for i, (name, kind) in enumerate([("c", "X"), ("a", "X"), ("b", "Y"), ("d", "X")]):
            await store.create(f"id-{i}", {"name": name, "kind": kind, "tags": {"k": kind}}, [])
        assert [s.state["name"] for s in await store.find({"kind": "X"}, sort="name")] == ["a", "c", "d"]
        assert [s.state["name"] for s in await store.find({"kind": "X"}, sort="-name", limit=2)] == ["d", "c"]
        assert [s.state["name"] for s in await store.find({}, sort="name", skip=1, limit=2)] == ["b", "c"]
        assert [s.id for s in await store.find({"tags.k": {"$in": ["Y"]}})] == ["id-2"]
        assert await store.count({"kind": "X"}) == 3
        assert await store.count({}) == 4

    async def test_thirty_writers_racing_one_version_have_exactly_one_winner(self, store: AggregateStore) -> None:
        """The compare-and-set every command relies on, raced by 30 writers for 10 rounds."""
        await store.create("a", {"n": 0}, [])
        for version in range(1, 11):
            outcomes = await asyncio.gather(
                *(store.update("a", version, {"n": version, "writer": w}, [event(w)]) for w in range(30)),
                return_exceptions=True,
            )
            winners = [o for o in outcomes if isinstance(o, Stored)]
            assert len(winners) == 1, f"round {version}: {len(winners)} winners"
            assert all(isinstance(o, VersionConflict) and o.actual == version + 1 for o in outcomes if o not in winners)
            stored = await store.get("a")
            assert stored is not None
            assert (stored.version, stored.state["writer"]) == (version + 1, winners[0].state["writer"])
        assert len(await self.outbox(store, "a")) == 10


class OutboxContract(StoreContract):
    """What the relay relies on (`OutboxStore`), for adapters that are handed to it."""

    async def test_the_relay_clears_what_it_published_and_keeps_what_was_written_since(self, store: Store) -> None:
        await store.create("a", {"n": 1}, [event(1), event(2)])
        await store.create("b", {"n": 1}, [event(3)])
        await store.create("c", {"n": 1}, [])
        [a, b] = await store.pending(after="", limit=10)
        assert ([e["data"]["n"] for e in a.events], a.version, b.aggregate_id) == ([1, 2], 1, "b")
        assert [p.aggregate_id for p in await store.pending(after="a", limit=10)] == ["b"]

        await store.update("a", 1, {"n": 2}, [event(4)])  # written after the relay read a's outbox
        await store.mark_published(a, b)  # one bulk clear; `a` was written since
        assert [e.data["n"] for e in await self.outbox(store, "a")] == [4]
        [left] = await store.pending(after="", limit=10)
        assert (left.aggregate_id, left.version, [e["data"]["n"] for e in left.events]) == ("a", 2, [4])
        assert await store.read_outboxes(["a", "b", "c", "nope"]) == [left]

        await store.mark_published(left)
        assert await store.pending(after="", limit=10) == []
        assert await store.count({}) == 3

    async def test_a_bulk_clear_of_untouched_outboxes_empties_them_all(self, store: Store) -> None:
        for i in range(7):
            await store.create(f"x{i}", {"n": i}, [event(i)])
        await store.mark_published(*await store.pending(after="", limit=10))
        assert await store.pending(after="", limit=10) == []
        assert [len(await self.outbox(store, f"x{i}")) for i in range(7)] == [0] * 7
        await store.mark_published()  # nothing to clear: no command


class AgendaContract:
    """Behaviour every Agenda adapter must have; subclasses provide an empty `agenda` fixture."""

    async def test_due_items_come_earliest_first_and_later_ones_wait(self, agenda: Agenda) -> None:
        await agenda.schedule("b", AT + timedelta(minutes=5))
        await agenda.schedule("a", AT)
        await agenda.schedule("c", AT + timedelta(days=1))
        assert await agenda.due(AT - timedelta(seconds=1), 10) == []
        assert await agenda.due(AT + timedelta(minutes=5), 10) == [("a", AT), ("b", AT + timedelta(minutes=5))]
        assert await agenda.due(AT + timedelta(days=2), 2) == [("a", AT), ("b", AT + timedelta(minutes=5))]
        assert await agenda.size() == 3

    async def test_scheduling_again_moves_the_item(self, agenda: Agenda) -> None:
        await agenda.schedule("a", AT)
        await agenda.schedule("a", AT + timedelta(hours=1))
        assert await agenda.due(AT, 10) == []
        assert await agenda.due(AT + timedelta(hours=1), 10) == [("a", AT + timedelta(hours=1))]
        assert await agenda.size() == 1

    async def test_done_closes_the_item_and_unknown_ones_are_no_error(self, agenda: Agenda) -> None:
        await agenda.schedule("a", AT)
        await agenda.schedule("b", AT)
        await agenda.done("a")
        await agenda.done("never-scheduled")
        assert await agenda.due(AT, 10) == [("b", AT)]
        assert await agenda.size() == 1
