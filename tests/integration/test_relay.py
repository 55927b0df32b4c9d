"""The outbox relay against real Kafka and FerretDB: nothing lost when it dies, repeats absorbed downstream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer

from tdkt_shared.bus.relay import KafkaPublisher, OutboxRelay
from tdkt_shared.contract import CloudEvent, make_event, service_topic
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.kit.directory import Directory
from tdkt_shared.settings import Settings
from tdkt_shared.store import MongoAggregateStore, connect
from tests.integration.kafka_tools import eventually, read_topic

pytestmark = pytest.mark.usefixtures("drop_databases")
TOPIC = service_topic("registry")


class Crash(Exception):
    """Stands for the process dying between the publish and the outbox removal."""


@pytest.fixture
async def producer(stack: Settings) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap_servers, acks="all", enable_idempotence=True)
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
async def db_store(stack: Settings, run_id: str) -> AsyncIterator[MongoAggregateStore]:
    client = connect(stack.mongodb_url)
    yield MongoAggregateStore(client[f"it_relay_{run_id}"], "organizations")
    await client.close()


def registered(org_id: str) -> CloudEvent:
    data = OrganizationRegistered(
        organization_id=org_id, name="Đài PT-TH Bắc Kạn", kind=OrganizationKind.PRESS, valid_from=date(2000, 1, 1)
    )
    return make_event(data, partitionkey=org_id)


def relay_for(store: MongoAggregateStore, producer: AIOKafkaProducer, **kwargs: object) -> OutboxRelay:
    return OutboxRelay([store], KafkaPublisher(producer), **kwargs)  # type: ignore[arg-type]


async def pending(store: MongoAggregateStore, aggregate_id: str) -> list[str]:
    return [e["id"] for e in await store.outbox(aggregate_id)]


async def test_a_write_made_while_no_relay_runs_is_published_by_the_next_one(
    stack: Settings, run_id: str, db_store: MongoAggregateStore, producer: AIOKafkaProducer
) -> None:
    org_id = f"dai-{run_id}"
    event = registered(org_id)
    await db_store.create(org_id, {"name": "x"}, [event])
    assert await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == org_id.encode()) == []

    relay = relay_for(db_store, producer)
    assert await relay.sweep() == 1
    assert await pending(db_store, org_id) == []
    records = await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == org_id.encode())
    assert [CloudEvent.model_validate_json(r.value).id for r in records] == [event.id]


async def test_a_relay_killed_after_publishing_republishes_and_the_consumer_applies_once(
    stack: Settings, run_id: str, db_store: MongoAggregateStore, producer: AIOKafkaProducer
) -> None:
    org_id = f"dai-{run_id}"
    event = registered(org_id)
    await db_store.create(org_id, {"name": "x"}, [event])

    def crash(_ids: list[str]) -> None:
        raise Crash

    with pytest.raises(Crash):
        await relay_for(db_store, producer, after_publish=crash).sweep()
    assert await pending(db_store, org_id) == [event.id], "the event must stay pending until acknowledged"

    restarted = relay_for(db_store, producer)
    assert await restarted.sweep() == 1
    assert await pending(db_store, org_id) == []

    records = await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == org_id.encode())
    assert [CloudEvent.model_validate_json(r.value).id for r in records] == [event.id, event.id]

    client = connect(stack.mongodb_url)
    try:
        read_model = MongoAggregateStore(client[f"it_readmodel_{run_id}"], "organizations")
        applied = []
        for record in records:
            delivered = CloudEvent.model_validate_json(record.value)
            data = OrganizationRegistered.model_validate(delivered.data)
            applied.append(await Directory(read_model).on_registered(delivered, data))
        assert applied == [True, False]
        stored = await read_model.get(org_id)
        assert stored is not None
        assert (stored.version, stored.processed) == (1, (event.id,))
    finally:
        await client.close()


async def test_the_running_relay_publishes_in_aggregate_order(
    stack: Settings, run_id: str, db_store: MongoAggregateStore, producer: AIOKafkaProducer
) -> None:
    relay = relay_for(db_store, producer, poll_interval_s=0.1)
    db_store.listen(relay.hint)
    relay.start()
    try:
        org_id = f"dai-{run_id}"
        first, second, third = registered(org_id), registered(org_id), registered(org_id)
        await db_store.create(org_id, {"n": 1}, [first])
        await db_store.update(org_id, 1, {"n": 2}, [second, third])

        async def drained() -> bool:
            return not await pending(db_store, org_id)

        await eventually(drained, what="outbox drained")
    finally:
        await relay.stop()
    records = await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == org_id.encode())
    assert [CloudEvent.model_validate_json(r.value).id for r in records] == [first.id, second.id, third.id]
    assert len({r.partition for r in records}) == 1


async def test_a_stopping_relay_publishes_what_was_written_just_before(
    stack: Settings, run_id: str, db_store: MongoAggregateStore, producer: AIOKafkaProducer
) -> None:
    relay = relay_for(db_store, producer, poll_interval_s=60)
    db_store.listen(relay.hint)  # written while the relay's loop is not running: only stop() can publish it
    org_id = f"dai-{run_id}"
    event = registered(org_id)
    await db_store.create(org_id, {"n": 1}, [event])
    await relay.stop()
    assert await pending(db_store, org_id) == []
    records = await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == org_id.encode())
    assert [CloudEvent.model_validate_json(r.value).id for r in records] == [event.id]


async def test_a_hint_read_back_publishes_the_whole_outbox_in_write_order_and_clears_it(
    stack: Settings, run_id: str, db_store: MongoAggregateStore, producer: AIOKafkaProducer
) -> None:
    relay = relay_for(db_store, producer, poll_interval_s=60)
    org_id = f"dai-{run_id}"
    events = [registered(org_id) for _ in range(3)]
    await db_store.create(org_id, {"n": 1}, [events[0]])
    await db_store.update(org_id, 1, {"n": 2}, [events[1]])
    await db_store.update(org_id, 2, {"n": 3}, [events[2]])
    relay.hint(db_store.collection, org_id, None)
    assert await relay.drain_hinted() == 3
    assert await pending(db_store, org_id) == []
    assert await db_store.pending(after="", limit=10) == []
    records = await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == org_id.encode())
    assert [CloudEvent.model_validate_json(r.value).id for r in records] == [e.id for e in events]
