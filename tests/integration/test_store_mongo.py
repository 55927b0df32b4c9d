"""The aggregate store contract on the real MongoDB-wire server, plus what only a real server can show.

Needs only MongoDB (`MONGODB_URL`): `make test-mongo MONGODB_URL=...` runs this file against any MongoDB 7+ to prove
the store there; `make test` runs it on the local FerretDB."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store import AggregateStore, AlreadyExists, MongoAggregateStore, Stored, VersionConflict, connect
from tdkt_shared.store.agenda import MongoAgenda
from tests.store_contract import AgendaContract, OutboxContract, event

pytestmark = pytest.mark.usefixtures("drop_databases")


@pytest.fixture
async def mongo_store(mongodb_url: str, run_id: str) -> AsyncIterator[MongoAggregateStore]:
    client = connect(mongodb_url)
    yield MongoAggregateStore(client[f"it_store_{run_id}"], "things")
    await client.close()


class TestMongoStore(OutboxContract):
    @pytest.fixture
    def store(self, mongo_store: MongoAggregateStore) -> MongoAggregateStore:
        return mongo_store

    async def outbox(self, store: AggregateStore, aggregate_id: str) -> list[CloudEvent]:
        assert isinstance(store, MongoAggregateStore)
        return [CloudEvent.model_validate(e) for e in await store.outbox(aggregate_id)]


class TestMongoAgenda(AgendaContract):
    @pytest.fixture
    async def agenda(self, mongodb_url: str, run_id: str) -> AsyncIterator[MongoAgenda]:
        client = connect(mongodb_url)
        agenda = MongoAgenda(client[f"it_store_{run_id}"]["open_things"])
        await agenda.create_indexes()
        yield agenda
        await client.close()


async def test_concurrent_writers_never_lose_an_event(mongo_store: MongoAggregateStore) -> None:
    """40 distinct events applied concurrently to one aggregate: every one counted once, none lost."""

    def increment(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        n = 0 if current is None else int(current.state["n"])
        return {"n": n + 1}, [event(n + 1)]

    results = await asyncio.gather(*(mongo_store.apply_event("a", f"ev-{i}", increment) for i in range(40)))
    repeats = await asyncio.gather(*(mongo_store.apply_event("a", f"ev-{i}", increment) for i in range(40)))
    assert all(results)
    assert not any(repeats)
    stored = await mongo_store.get("a")
    assert stored is not None
    assert (stored.state["n"], stored.version, len(set(stored.processed))) == (40, 40, 40)
    assert [e["data"]["n"] for e in await mongo_store.outbox("a")] == list(range(1, 41))


async def test_same_event_raced_by_many_consumers_applies_once(mongo_store: MongoAggregateStore) -> None:
    def increment(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        n = 0 if current is None else int(current.state["n"])
        return {"n": n + 1}, []

    results = await asyncio.gather(*(mongo_store.apply_event("b", "the-one", increment) for _ in range(20)))
    assert results.count(True) == 1
    stored = await mongo_store.get("b")
    assert stored is not None
    assert (stored.state, stored.processed) == ({"n": 1}, ("the-one",))


async def test_a_restarting_store_leaves_existing_indexes_alone(mongo_store: MongoAggregateStore) -> None:
    """FerretDB 1.24 drops the connection on createIndexes of two existing indexes; the store must not send it."""
    await mongo_store.create_indexes()
    await mongo_store.create(f"a-{id(mongo_store)}", {"n": 1}, [event(1)])
    for _ in range(2):
        await mongo_store.create_indexes()
    info = await mongo_store.database[mongo_store.collection].index_information()
    assert info["outbox_pending"]["partialFilterExpression"] == {"pending": True}


class Commands(monitoring.CommandListener):
    """The commands a client sends, as (name, filter or first statement's query)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        statements = command.get("updates") or command.get("documents") or [{}]
        self.sent.append((event.command_name, command.get("query", command.get("filter", statements[0].get("q")))))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_command_is_one_read_and_one_conditional_write_and_so_is_an_applied_event(
    mongodb_url: str, run_id: str
) -> None:
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True, event_listeners=[commands])
    try:
        store = MongoAggregateStore(client[f"it_store_{run_id}"], "things")
        await store.create("a", {"n": 1}, [event(1)])
        commands.sent.clear()
        stored = await store.get("a")
        assert stored is not None
        await store.update("a", stored.version, {"n": 2}, [event(2)])
        assert commands.sent == [("find", {"_id": "a"}), ("findAndModify", {"_id": "a", "version": 1})]

        commands.sent.clear()
        assert await store.apply_event("a", "ev-3", lambda current: ({"n": 3}, [event(3)]))
        assert commands.sent == [
            ("find", {"_id": "a"}),
            ("update", {"_id": "a", "version": 2, "processed": {"$ne": "ev-3"}}),
        ]
        assert (await store.get("a")) == Stored("a", 3, {"n": 3}, ("ev-3",))
    finally:
        await client.close()


@pytest.mark.parametrize("query", [{"_id": "org-0123"}, {"pending": True}])
async def test_a_read_by_id_and_the_relays_query_are_served_by_indexes_not_scans(
    mongo_store: MongoAggregateStore, query: dict[str, Any]
) -> None:
    """Every command starts with a read by `_id`; the relay polls `{pending: true}`. MongoDB plans both on indexes;
    FerretDB on PostgreSQL does once patched (its plan is PostgreSQL's, under `queryPlanner`)."""
    await mongo_store.create_indexes()
    for i in range(300):
        await mongo_store.create(f"org-{i:04d}", {"n": i}, [event(i)] if i % 100 == 7 else [])
    plan = await mongo_store.database.command(
        "explain", {"find": mongo_store.collection, "filter": query}, verbosity="queryPlanner"
    )
    planner = str(plan["queryPlanner"])
    assert "COLLSCAN" not in planner, planner
    assert "Seq Scan" not in planner, planner
    assert [p.aggregate_id for p in await mongo_store.pending(after="", limit=10)] == [
        "org-0007",
        "org-0107",
        "org-0207",
    ]
    stored = await mongo_store.get("org-0123")
    assert stored is not None
    assert stored.state == {"n": 123}


async def test_a_command_on_a_remembered_version_is_one_conditional_write(mongodb_url: str, run_id: str) -> None:
    """A store that remembers what it wrote or read: a change at that version is the compare-and-set alone; at a
    version it does not know (another process moved the aggregate on) it reads and decides on the stored one."""
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True, event_listeners=[commands])
    try:
        database = client[f"it_store_{run_id}"]
        store = MongoAggregateStore(database, "things", remember=2)
        other = MongoAggregateStore(database, "things")  # another process, on the same collection
        await store.create("a", {"n": 1}, [event(1)])
        known = store.known("a", 1)
        assert known == Stored("a", 1, {"n": 1})
        assert (store.known("a", 2), other.known("a", 1)) == (None, None)
        known.state["n"] = 99  # a caller's copy: what the store remembers does not change
        assert store.known("a", 1) == Stored("a", 1, {"n": 1})

        commands.sent.clear()
        await store.update("a", 1, {"n": 2}, [event(2)])
        assert commands.sent == [("findAndModify", {"_id": "a", "version": 1})]
        assert store.known("a", 2) == Stored("a", 2, {"n": 2})

        await other.update("a", 2, {"n": 3}, [event(3)])
        assert store.known("a", 2) is not None  # it cannot know: the compare-and-set on version 2 guards it
        with pytest.raises(VersionConflict):
            await store.update("a", 2, {"n": 4}, [])
        assert store.known("a", 2) is None  # a refused write forgets
        stored = await store.get("a")
        assert stored is not None
        assert store.known("a", 3) == Stored("a", 3, {"n": 3})

        for i in range(3):  # bounded: the least recently used goes first
            await store.create(f"b{i}", {"n": i}, [])
        assert (store.known("a", 3), store.known("b0", 1)) == (None, None)
        assert store.known("b2", 1) == Stored("b2", 1, {"n": 2})
    finally:
        await client.close()


async def test_creates_that_arrive_together_are_one_insert_and_each_keeps_its_outcome(
    mongodb_url: str, run_id: str
) -> None:
    """A consumer's lanes create at once: the 30 creates go out in one `insert`; the ids that exist (one stored
    before, one created twice in the burst) fail alone, the others are stored with their outboxes."""
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True, event_listeners=[commands])
    try:
        store = MongoAggregateStore(client[f"it_store_{run_id}"], "things")
        await store.create("t-07", {"n": -1}, [])
        commands.sent.clear()
        ids = [f"t-{i:02}" for i in range(29)] + ["t-11"]
        outcomes = await asyncio.gather(
            *(store.create(i, {"n": n}, [event(n, i)]) for n, i in enumerate(ids)), return_exceptions=True
        )
        assert [name for name, _ in commands.sent] == ["insert"]
        refused = [ids[n] for n, outcome in enumerate(outcomes) if isinstance(outcome, Exception)]
        assert refused == ["t-07", "t-11"]
        assert all(isinstance(outcomes[n], AlreadyExists) for n in (7, 29))
        assert await store.get("t-07") == Stored("t-07", 1, {"n": -1})
        assert await store.get("t-11") == Stored("t-11", 1, {"n": 11})
        assert [e["data"] for e in await store.outbox("t-28")] == [{"n": 28}]
        assert len(await store.find({}, limit=100)) == 29
    finally:
        await client.close()


async def test_a_create_cancelled_in_flight_still_stores_its_document_and_the_others(
    mongo_store: MongoAggregateStore,
) -> None:
    first = asyncio.ensure_future(mongo_store.create("c-0", {"n": 0}, []))
    rest = [asyncio.ensure_future(mongo_store.create(f"c-{i}", {"n": i}, [])) for i in range(1, 5)]
    await asyncio.sleep(0)
    rest[0].cancel()
    await first
    await asyncio.gather(*rest[1:])
    assert [s.id for s in await mongo_store.find({}, limit=10)] == ["c-0", "c-1", "c-2", "c-3", "c-4"]
