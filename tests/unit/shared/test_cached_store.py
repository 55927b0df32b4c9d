from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from tdkt_notify import service as notify_service
from tdkt_notify import store as notify_store
from tdkt_shared.contract import CloudEvent
from tdkt_shared.kit import Loaded, Repository
from tdkt_shared.kit.models import Value
from tdkt_shared.runtime import Runtime
from tdkt_shared.settings import load_settings
from tdkt_shared.store import AggregateStore, AlreadyExists, InMemoryAggregateStore, MongoAggregateStore, Stored
from tdkt_shared.store.aggregates import Query
from tdkt_shared.store.cached import CachedStore
from tests.clock import ManualClock
from tests.store_contract import StoreContract


class TestCachedStoreKeepsTheContract(StoreContract):
    """Everything the store port promises still holds behind the cache (own writes are read back at once)."""

    @pytest.fixture
    def store(self) -> CachedStore:
        return CachedStore(InMemoryAggregateStore("things"), ttl_s=60)

    async def outbox(self, store: AggregateStore, aggregate_id: str) -> list[CloudEvent]:
        assert isinstance(store, CachedStore)
        assert isinstance(store.inner, InMemoryAggregateStore)
        return list(store.inner.outboxes.get(aggregate_id, []))


class Counting(InMemoryAggregateStore):
    """Counts the reads that reach the store; `gate`, when set, holds every read until it opens."""

    def __init__(self) -> None:
        super().__init__("rules")
        self.reads: Counter[str] = Counter()
        self.gate: asyncio.Event | None = None

    async def get(self, aggregate_id: str) -> Stored | None:
        self.reads["get"] += 1
        found = await super().get(aggregate_id)
        if self.gate is not None:
            await self.gate.wait()
        return found

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        self.reads["find"] += 1
        return await super().find(query, skip=skip, limit=limit, sort=sort)


@pytest.fixture
def inner() -> Counting:
    return Counting()


@pytest.fixture
def clock() -> ManualClock[float]:
    return ManualClock(0.0)


@pytest.fixture
def cached(inner: Counting, clock: ManualClock[float]) -> CachedStore:
    return CachedStore(inner, ttl_s=2.0, timer=clock)


async def test_reads_within_the_ttl_reach_the_store_once(
    inner: Counting, cached: CachedStore, clock: ManualClock[float]
) -> None:
    await inner.create("r1", {"on": "report.submitted"}, [])
    for _ in range(5):
        assert (await cached.get("r1")) == Stored("r1", 1, {"on": "report.submitted"})
        assert [s.id for s in await cached.find({}, limit=10)] == ["r1"]
    assert await cached.get("missing") is None
    assert await cached.get("missing") is None
    assert inner.reads == {"get": 2, "find": 1}

    clock.now = 2.5
    await cached.get("r1")
    await cached.find({}, limit=10)
    assert inner.reads == {"get": 3, "find": 2}


async def test_different_queries_are_kept_apart(inner: Counting, cached: CachedStore) -> None:
    await inner.create("r1", {"role": "A"}, [])
    await inner.create("r2", {"role": "B"}, [])
    assert [s.id for s in await cached.find({"role": "A"})] == ["r1"]
    assert [s.id for s in await cached.find({"role": "B"})] == ["r2"]
    assert [s.id for s in await cached.find({"role": "B"}, limit=1, skip=1)] == []
    assert inner.reads["find"] == 3


async def test_another_process_write_shows_after_the_ttl(
    inner: Counting, cached: CachedStore, clock: ManualClock[float]
) -> None:
    await inner.create("r1", {"n": 1}, [])
    assert (await cached.get("r1")) == Stored("r1", 1, {"n": 1})
    await inner.update("r1", 1, {"n": 2}, [])  # not through the cache: another process
    clock.now = 1.9
    assert (await cached.get("r1")) == Stored("r1", 1, {"n": 1})
    clock.now = 2.1
    assert (await cached.get("r1")) == Stored("r1", 2, {"n": 2})


async def test_own_writes_are_read_back_at_once(cached: CachedStore) -> None:
    assert await cached.find({}) == []
    await cached.create("r1", {"n": 1}, [])
    assert [s.state for s in await cached.find({})] == [{"n": 1}]
    await cached.update("r1", 1, {"n": 2}, [])
    assert (await cached.get("r1")) == Stored("r1", 2, {"n": 2})

    def bump(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        assert current is not None
        return {"n": current.state["n"] + 1}, []

    assert await cached.apply_event("r1", "ev-1", bump)
    assert (await cached.get("r1")) == Stored("r1", 3, {"n": 3}, ("ev-1",))


async def test_a_refused_write_still_empties_the_cache(inner: Counting, cached: CachedStore) -> None:
    await cached.create("r1", {"n": 1}, [])
    await cached.get("r1")
    await inner.update("r1", 1, {"n": 2}, [])  # another process
    with pytest.raises(AlreadyExists):
        await cached.create("r1", {"n": 9}, [])
    assert (await cached.get("r1")) == Stored("r1", 2, {"n": 2})


async def test_a_read_in_flight_during_a_write_is_not_kept(inner: Counting, cached: CachedStore) -> None:
    await inner.create("r1", {"n": 1}, [])
    inner.gate = asyncio.Event()
    slow = asyncio.create_task(cached.get("r1"))  # reads version 1, then waits
    await asyncio.sleep(0)
    await cached.update("r1", 1, {"n": 2}, [])
    inner.gate.set()
    assert (await slow) == Stored("r1", 1, {"n": 1})  # its caller gets what it read
    assert (await cached.get("r1")) == Stored("r1", 2, {"n": 2})  # the next caller does not
    assert inner.reads["get"] == 2


async def test_callers_get_copies(inner: Counting, cached: CachedStore) -> None:
    await inner.create("r1", {"targets": ["a"]}, [])
    first = await cached.get("r1")
    assert first is not None
    first.state["targets"].append("changed by a caller")
    (found,) = await cached.find({})
    found.state["targets"].clear()
    assert (await cached.get("r1")) == Stored("r1", 1, {"targets": ["a"]})
    assert [s.state for s in await cached.find({})] == [{"targets": ["a"]}]


@pytest.mark.parametrize(("ttl_ms", "cached_kind"), [(2000, CachedStore), (0, MongoAggregateStore)])
def test_the_runtime_caches_the_collections_a_service_names(ttl_ms: int, cached_kind: type) -> None:
    settings = load_settings("notify", read_cache_ttl_ms=ttl_ms)
    runtime = Runtime(notify_service.DEFINITION, settings)
    assert {type(runtime.store(c)) for c in notify_store.REFERENCE} == {cached_kind}
    assert type(runtime.store(notify_store.DELIVERIES)) is MongoAggregateStore
    assert runtime.store(notify_store.RULES) is runtime.store(notify_store.RULES)  # one cache per process


class Rule(Value):
    targets: list[str]


async def test_a_repository_over_the_cache_validates_once_until_a_write(
    inner: Counting, cached: CachedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await inner.create("r1", {"targets": ["a"]}, [])
    rules = Repository(cached, Rule)
    validated: list[object] = []
    real = Rule.model_validate

    def validate(state: object) -> Rule:
        validated.append(state)
        return real(state)

    monkeypatch.setattr(Rule, "model_validate", validate)
    first, again = await rules.find({}), await rules.find({})
    one, other = await rules.get("r1"), await rules.get("r1")
    assert [r.aggregate for r in first] == [Rule(targets=["a"])]
    assert again[0] is first[0]  # shared, frozen: nothing copied, nothing validated again
    assert one is other
    assert len(validated) == 2  # once for the find, once for the get
    assert inner.reads == {"find": 1, "get": 1}

    await rules.store.update("r1", 1, {"targets": ["b"]}, [])
    assert [r.aggregate for r in await rules.find({})] == [Rule(targets=["b"])]
    assert (await rules.get("r1")) == Loaded("r1", Rule(targets=["b"]), 2)
    assert len(validated) == 4


async def test_a_list_from_the_shared_find_is_the_callers_own(cached: CachedStore) -> None:
    await cached.create("r1", {"targets": ["a"]}, [])
    rules = Repository(cached, Rule)
    (await rules.find({})).clear()
    assert len(await rules.find({})) == 1
