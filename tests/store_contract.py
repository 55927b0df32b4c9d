"""Behaviour every AggregateStore and Agenda adapter must have; subclassed by the in-memory and the MongoDB tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store import AggregateStore, AlreadyExists, NotFound, Stored, VersionConflict
from tdkt_shared.store.agenda import Agenda

AT = datetime(2025, 9, 13, 1, 0, tzinfo=UTC)


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
