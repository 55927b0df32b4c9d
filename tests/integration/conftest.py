"""Integration tests run against the real stack: Apache Kafka 4 and FerretDB (or any Kafka/MongoDB by settings).

`make test` starts the stack first. Every test gets its own databases and consumer groups, so tests never see
each other's state; topics are shared, so tests pick out their own records by key or id.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from aiokafka import AIOKafkaProducer

from tdkt_shared.bus.kafka import ensure_topics
from tdkt_shared.contract import ALL_DLQ_TOPICS, ALL_TOPICS
from tdkt_shared.settings import Settings, load_settings
from tdkt_shared.store import connect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
async def mongodb_url() -> str:
    """The MongoDB (or FerretDB) of `MONGODB_URL`; fail (never skip) when it does not answer."""
    url = load_settings("registry").mongodb_url
    client = connect(url, timeout_ms=3000)
    try:
        await client.admin.command("ping")
    except Exception as exc:
        pytest.fail(f"MongoDB at {url} is not reachable ({exc!r}); start it with `scripts/stack.sh up` or `make test`")
    finally:
        await client.close()
    return url


@pytest.fixture(scope="session")
async def stack(mongodb_url: str) -> Settings:
    """Fail (never skip) when the stack is not reachable; the services' topics exist once it is."""
    settings = load_settings("registry")
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(producer.start(), 15)
    except Exception as exc:
        pytest.fail(f"Kafka is not reachable ({exc!r}); start the stack with `scripts/stack.sh up` or `make test`")
    finally:
        await producer.stop()
    await ensure_topics(settings, [*ALL_TOPICS, *ALL_DLQ_TOPICS])
    return settings


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:10]


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def make_settings(stack: Settings, run_id: str) -> SettingsFactory:
    """Settings for a service in this test: its own database and consumer group, fast sweeps."""

    def build(service: str, **overrides: object) -> Settings:
        values: dict[str, object] = {
            "mongodb_database": f"it_{service}_{run_id}",
            "consumer_group": f"it-{service}-{run_id}",
            "relay_poll_interval_ms": 100,
            "consumer_retry_backoff_ms": 10,
        }
        values.update(overrides)
        return load_settings(service, **values)

    return build


@pytest.fixture
async def drop_databases(mongodb_url: str, run_id: str) -> AsyncIterator[None]:
    yield
    client = connect(mongodb_url)
    try:
        for name in await client.list_database_names():
            if name.endswith(run_id):
                await client.drop_database(name)
    finally:
        await client.close()
