"""Topics the services create keep the contract's history: event topics forever, dead letters for 30 days."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from tdkt_shared.bus.kafka import ensure_topics
from tdkt_shared.settings import Settings


async def retention_of(settings: Settings, topics: list[str]) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
    await admin.start()
    try:
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    finally:
        await admin.close()
    found: dict[str, str] = {}
    for response in responses:
        for _code, _message, _type, name, entries in response.resources:
            for key, value, *_ in entries:
                if key == "retention.ms":
                    found[name] = value
    return found


async def test_created_topics_carry_their_retention(stack: Settings, run_id: str) -> None:
    events, dead_letters = f"tdkt-it-retention-{run_id}.events", f"tdkt-it-retention-{run_id}.events.dlq"
    created = await ensure_topics(stack, [events, dead_letters])
    assert sorted(created) == sorted([events, dead_letters])
    assert await retention_of(stack, [events, dead_letters]) == {events: "-1", dead_letters: str(30 * 24 * 3600 * 1000)}
    assert await ensure_topics(stack, [events, dead_letters]) == []
