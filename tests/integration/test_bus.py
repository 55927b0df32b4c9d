"""The services over the real bus, with both consumer transports (faust agents and plain aiokafka)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event

from tdkt_registry.service import DEFINITION as REGISTRY
from tdkt_reporting.service import DEFINITION as REPORTING
from tdkt_reporting.store import ORGANIZATIONS
from tdkt_shared.bus.codec import ConsumedRecord, encode
from tdkt_shared.bus.consumer import FETCH_MIN_BYTES, IDLE_FETCH_WAIT_MS, AiokafkaConsumer, Outcome
from tdkt_shared.contract import CONTENT_TYPE, CloudEvent, dlq_topic, make_event, service_topic
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.runtime import Runtime, ServiceDefinition
from tests.helpers import serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, read_topic, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
REGISTRY_TOPIC = service_topic("registry")


@pytest.fixture(params=["faust", "aiokafka"])
async def reporting(
    request: pytest.FixtureRequest, make_settings: SettingsFactory
) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    settings = make_settings("reporting", bus_consumer=request.param)
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, [REGISTRY_TOPIC])
    runtime = Runtime(REPORTING, settings)
    async with serve(REPORTING, runtime) as client:
        yield client, runtime


@pytest.fixture
async def registry(make_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(REGISTRY, Runtime(REGISTRY, make_settings("registry"))) as client:
        yield client


@pytest.fixture
async def producer(make_settings: SettingsFactory) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=make_settings("registry").kafka_bootstrap_servers)
    await producer.start()
    yield producer
    await producer.stop()


def organization(org_id: str, name: str = "Sở Thông tin và Truyền thông") -> dict[str, str]:
    return {"id": org_id, "name": name, "kind": "DEPARTMENT", "valid_from": "2008-01-01"}


async def known_to(client: httpx.AsyncClient, org_id: str) -> dict[str, object] | None:
    response = await client.get(f"/organizations/{org_id}")
    return response.json() if response.status_code == 200 else None


async def test_readyz_checks_kafka_and_mongodb(registry: httpx.AsyncClient) -> None:
    response = await registry.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"mongodb": True, "kafka": True}}


async def test_an_api_write_produces_exactly_one_event_that_standard_clients_read(
    registry: httpx.AsyncClient, run_id: str, make_settings: SettingsFactory
) -> None:
    org_id = f"so-tttt-{run_id}"
    response = await registry.post("/organizations", json=organization(org_id), headers={"X-Correlation-Id": run_id})
    assert response.status_code == 201, response.text
    bootstrap = make_settings("registry").kafka_bootstrap_servers

    async def published() -> bool:
        stored = await registry.get(f"/organizations/{org_id}")
        return stored.status_code == 200 and bool(
            await read_topic(bootstrap, REGISTRY_TOPIC, lambda r: r.key == org_id.encode())
        )

    await eventually(published, what="the event on the topic")
    [record] = await read_topic(bootstrap, REGISTRY_TOPIC, lambda r: r.key == org_id.encode())
    assert dict(record.headers)["content-type"] == CONTENT_TYPE.encode()

    sdk_event = from_kafka_event(KafkaMessage(headers=dict(record.headers), key=record.key, value=record.value))
    assert sdk_event.get_type() == "tdkt.registry.organization.registered.v1"
    assert sdk_event.get_source() == "/tdkt/registry"
    assert sdk_event.get_extension("partitionkey") == org_id
    assert sdk_event.get_extension("correlationid") == run_id
    assert sdk_event.get_data() == {
        "organization_id": org_id,
        "name": "Sở Thông tin và Truyền thông",
        "kind": "DEPARTMENT",
        "valid_from": "2008-01-01",
        "version": 1,
    }
    assert json.loads(record.value)["specversion"] == "1.0"


async def test_registry_to_reporting_over_the_bus(
    registry: httpx.AsyncClient, reporting: tuple[httpx.AsyncClient, Runtime], run_id: str
) -> None:
    client, _runtime = reporting
    org_id = f"bao-{run_id}"
    body = {**organization(org_id, "Báo Bắc Kạn"), "kind": "PRESS"}
    assert (await registry.post("/organizations", json=body)).status_code == 201
    known = await eventually(lambda: known_to(client, org_id), what="reporting's read model")
    assert known == {
        "id": org_id,
        "name": "Báo Bắc Kạn",
        "kind": "PRESS",
        "valid_from": "2008-01-01",
        "registry_version": 1,
    }


async def test_the_same_event_delivered_twice_is_applied_once(
    reporting: tuple[httpx.AsyncClient, Runtime], producer: AIOKafkaProducer, run_id: str
) -> None:
    client, runtime = reporting
    org_id = f"dup-{run_id}"
    data = OrganizationRegistered(
        organization_id=org_id,
        name="Hội Nông dân tỉnh",
        kind=OrganizationKind.MASS_ORGANIZATION,
        valid_from=date(1990, 1, 1),
    )
    event = make_event(data, partitionkey=org_id)
    record = encode(event)
    for _ in range(2):
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    marker = make_event(data.model_copy(update={"organization_id": f"marker-{run_id}"}), partitionkey=org_id)
    marker_record = encode(marker)
    await producer.send_and_wait(
        REGISTRY_TOPIC, marker_record.value, key=marker_record.key, headers=marker_record.headers
    )

    await eventually(lambda: known_to(client, f"marker-{run_id}"), what="the marker after both copies")
    stored = await runtime.store(ORGANIZATIONS).get(org_id)
    assert stored is not None
    assert (stored.version, stored.processed) == (1, (event.id,))
    assert runtime.dispatcher is not None


async def test_a_poison_message_is_dead_lettered_and_the_next_one_is_processed(
    reporting: tuple[httpx.AsyncClient, Runtime],
    producer: AIOKafkaProducer,
    run_id: str,
    make_settings: SettingsFactory,
) -> None:
    client, _runtime = reporting
    key = f"poison-{run_id}".encode()
    await producer.send_and_wait(
        REGISTRY_TOPIC, b"{not json", key=key, headers=[("content-type", CONTENT_TYPE.encode())]
    )
    invalid = CloudEvent(
        source="/tdkt/registry", type=OrganizationRegistered.event_type, partitionkey=key.decode(), data={"name": 1}
    )
    await producer.send_and_wait(REGISTRY_TOPIC, invalid.to_json_bytes(), key=key)
    good = OrganizationRegistered(
        organization_id=f"after-{run_id}",
        name="Tỉnh đoàn",
        kind=OrganizationKind.MASS_ORGANIZATION,
        valid_from=date(1990, 1, 1),
    )
    good_record = encode(make_event(good, partitionkey=key.decode()))
    await producer.send_and_wait(REGISTRY_TOPIC, good_record.value, key=key, headers=good_record.headers)

    await eventually(lambda: known_to(client, f"after-{run_id}"), what="the good message after the poison")
    bootstrap = make_settings("reporting").kafka_bootstrap_servers
    group = make_settings("reporting").group_id
    dead = await wait_for_records(
        bootstrap,
        dlq_topic(REGISTRY_TOPIC),
        lambda r: r.key == key and dict(r.headers).get("dlq-consumer-group") == group.encode(),
        count=2,
    )
    assert [r.value for r in dead] == [b"{not json", invalid.to_json_bytes()]
    headers = [dict(r.headers) for r in dead]
    assert [h["dlq-reason"] for h in headers] == [b"unparseable", b"invalid-data"]
    assert all(h["dlq-original-topic"] == REGISTRY_TOPIC.encode() for h in headers)
    assert all(h["dlq-attempts"] == b"0" for h in headers)
    assert b"organization_id" in headers[1]["dlq-error"]


async def test_a_failing_handler_is_retried_then_dead_lettered_and_the_consumer_moves_on(
    make_settings: SettingsFactory, producer: AIOKafkaProducer, run_id: str
) -> None:
    attempts: dict[str, int] = {}

    async def fragile(event: CloudEvent, data: OrganizationRegistered) -> None:
        attempts[data.organization_id] = attempts.get(data.organization_id, 0) + 1
        if data.organization_id.startswith("fails-"):
            raise RuntimeError("cannot apply")

    definition = ServiceDefinition(
        name="reporting",
        title="fragile",
        collections=(),
        consumes=(REGISTRY_TOPIC,),
        handlers=lambda _stores: {OrganizationRegistered.event_type: fragile},
    )
    settings = make_settings("reporting", bus_consumer="aiokafka", consumer_max_attempts=3)
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, [REGISTRY_TOPIC])
    key = f"fragile-{run_id}"
    for org_id in (f"fails-{run_id}", f"works-{run_id}"):
        data = OrganizationRegistered(
            organization_id=org_id, name="Sở Y tế", kind=OrganizationKind.DEPARTMENT, valid_from=date(2008, 1, 1)
        )
        record = encode(make_event(data, partitionkey=key))
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)

    async with serve(definition, Runtime(definition, settings)):

        async def moved_on() -> bool:
            return attempts.get(f"works-{run_id}") == 1

        await eventually(moved_on, what="the next record after the failing one")
    assert attempts[f"fails-{run_id}"] == 3
    [dead] = await wait_for_records(
        settings.kafka_bootstrap_servers,
        dlq_topic(REGISTRY_TOPIC),
        lambda r: r.key == key.encode() and dict(r.headers).get("dlq-consumer-group") == settings.group_id.encode(),
    )
    headers = dict(dead.headers)
    assert (headers["dlq-reason"], headers["dlq-attempts"]) == (b"handler-failed", b"3")
    assert headers["dlq-error"] == b"RuntimeError: cannot apply"
    assert headers["content-type"] == CONTENT_TYPE.encode()


async def test_aiokafka_fetches_gather_records_while_they_come_and_wait_for_the_first_while_idle(
    make_settings: SettingsFactory, producer: AIOKafkaProducer
) -> None:
    """The fetcher's settings follow the traffic on the real broker: a long poll for the first byte while nothing
    comes (idle CPU), fetches held for 64 KiB or `consumer_batch_wait_ms` while records come (fewer fetches)."""
    settings = make_settings("reporting", bus_consumer="aiokafka", consumer_batch_wait_ms=40)
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, [REGISTRY_TOPIC])
    seen: list[int] = []

    class Recorder:
        async def dispatch_batch(self, records: list[ConsumedRecord]) -> list[Outcome]:
            seen.extend(r.offset for r in records)
            return [Outcome.HANDLED for _ in records]

    consumer = AiokafkaConsumer(settings, [REGISTRY_TOPIC], Recorder())  # type: ignore[arg-type]
    await consumer.start()
    try:
        fetcher = consumer._consumer._fetcher  # type: ignore[union-attr]

        def fetching() -> tuple[int, int]:
            return fetcher._fetch_min_bytes, fetcher._fetch_max_wait_ms

        assert fetching() == (1, IDLE_FETCH_WAIT_MS)
        for i in range(5):
            await producer.send_and_wait(REGISTRY_TOPIC, json.dumps({"n": i}).encode(), key=b"k")
        await eventually(lambda: _async(len(seen) >= 5), what="the records dispatched")
        assert fetching() == (FETCH_MIN_BYTES, 40)
        await eventually(lambda: _async(fetching() == (1, IDLE_FETCH_WAIT_MS)), what="the idle fetch again")
    finally:
        await consumer.stop()


async def _async(value: bool) -> bool:
    return value
