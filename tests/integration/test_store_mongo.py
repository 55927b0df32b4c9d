"""The aggregate store contract on the real MongoDB-wire server, plus what only a real server can show."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

from tdkt_shared.contract import CloudEvent
from tdkt_shared.settings import Settings
from tdkt_shared.store import AggregateStore, AlreadyExists, MongoAggregateStore, Stored, connect
from tdkt_shared.store.agenda import MongoAgenda
from tests.store_contract import AgendaContract, StoreContract, event

pytestmark = pytest.mark.usefixtures("drop_databases")


@pytest.fixture
async def mongo_store(stack: Settings, run_id: str) -> AsyncIterator[MongoAggregateStore]:
    client = connect(stack.mongodb_url)
    yield MongoAggregateStore(client[f"it_store_{run_id}"], "things")
    await client.close()


class TestMongoStore(StoreContract):
    @pytest.fixture
    def store(self, mongo_store: MongoAggregateStore) -> MongoAggregateStore:
        return mongo_store

    async def outbox(self, store: AggregateStore, aggregate_id: str) -> list[CloudEvent]:
        assert isinstance(store, MongoAggregateStore)
        return [
            CloudEvent.model_validate(e)
            for v in await store.history(aggregate_id)
            if v.get("pending")
            for e in v["events"]
        ]


class TestMongoAgenda(AgendaContract):
    @pytest.fixture
    async def agenda(self, stack: Settings, run_id: str) -> AsyncIterator[MongoAgenda]:
        client = connect(stack.mongodb_url)
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
    history = await mongo_store.history("a")
    assert [v["version"] for v in history] == list(range(1, 41))
    assert [e["data"]["n"] for v in history for e in v["events"]] == list(range(1, 41))


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
    info = await mongo_store.database[mongo_store.versions_collection].index_information()
    assert {"_id_", "aggregate_id_1_version_1", "pending_1"} <= set(info)


class Commands(monitoring.CommandListener):
    """The commands a client sends, as (name, filter or first statement's query)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        statements = command.get("updates") or command.get("documents") or [{}]
        self.sent.append((event.command_name, command.get("filter", statements[0].get("q"))))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_round_trips_of_a_read_then_update_and_of_an_applied_event(stack: Settings, run_id: str) -> None:
    """Versions never change, so a version the store has just read is not read again as the update's base."""
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongodb_url, tz_aware=True, event_listeners=[commands]
    )
    try:
        writer = MongoAggregateStore(client[f"it_store_{run_id}"], "things")
        await writer.create("a", {"n": 1}, [event(1)])
        # knows nothing yet; a relay in its process takes its events over
        reader = MongoAggregateStore(client[f"it_store_{run_id}"], "things", lambda *_: True)
        commands.sent.clear()
        stored = await reader.get("a")
        assert stored is not None
        await reader.update("a", stored.version, {"n": 2}, [event(2)])
        assert commands.sent == [
            ("find", {"_id": "a"}),  # the head
            ("insert", None),  # version 2
            ("update", {"_id": "a"}),  # the head's projection
            ("find", {"_id": "a|0000000003"}),  # anything newer written meanwhile?
        ]

        commands.sent.clear()
        assert await reader.apply_event("a", "ev-3", lambda current: ({"n": 3}, [event(3)]))
        assert [name for name, _ in commands.sent] == ["find", "find", "insert", "update", "find"]
        assert commands.sent[:2] == [("find", {"_id": "a"}), ("find", {"_id": "a|0000000003"})]
        assert (await reader.get("a")) == Stored("a", 3, {"n": 3}, ("ev-3",))

        commands.sent.clear()
        await writer.create("b", {"n": 1}, [event(1)])  # no relay in this process: the write leaves a note
        assert [(name, query) for name, query in commands.sent if name == "insert"] == [("insert", None)] * 2
        notes = await client[f"it_store_{run_id}"]["things_versions_outbox"].find().to_list(None)
        assert [n["_id"] for n in notes] == ["a|0000000001", "b|0000000001"]
    finally:
        await client.close()


async def test_a_create_retried_after_a_crash_before_the_head_is_refused_but_completes_the_head(
    mongo_store: MongoAggregateStore,
) -> None:
    state = {"id": "so-xay-dung", "name": "Sở Xây dựng"}
    # what a writer killed between its insert and its projection left: version 1, no head
    await mongo_store.database["things_versions"].insert_one(
        {
            "_id": "so-xay-dung|0000000001",
            "aggregate_id": "so-xay-dung",
            "version": 1,
            "state": state,
            "processed": [],
            "events": [],
            "written_at": datetime.now(UTC),
        }
    )
    assert await mongo_store.get("so-xay-dung") is None
    with pytest.raises(AlreadyExists):
        await mongo_store.create("so-xay-dung", {**state, "name": "retried"}, [event(1)])
    stored = await mongo_store.get("so-xay-dung")
    assert stored is not None
    assert (stored.version, stored.state) == (1, state)
