"""The operator CLI against the real broker: tail events, list and requeue dead letters exactly once."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from tdkt_shared.bus.codec import encode
from tdkt_shared.cli import app
from tdkt_shared.contract import dlq_topic, make_event, service_topic
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.settings import Settings
from tests.integration.kafka_tools import read_topic

TOPIC = service_topic("registry")
runner = CliRunner()


async def produce(settings: Settings, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


async def test_events_tail_prints_the_events_of_a_type(stack: Settings, run_id: str) -> None:
    data = OrganizationRegistered(
        organization_id=f"tail-{run_id}",
        name="Sở Tư pháp",
        kind=OrganizationKind.DEPARTMENT,
        valid_from=date(2008, 1, 1),
    )
    record = encode(make_event(data, partitionkey=f"tail-{run_id}", subject=f"organizations/tail-{run_id}"))
    await produce(stack, record.topic, record.value, record.key, record.headers)
    result = await asyncio.to_thread(
        runner.invoke,
        app,
        [
            "events",
            "tail",
            "--topic",
            TOPIC,
            "--from-beginning",
            "--subject",
            f"organizations/tail-{run_id}",
            "--json",
            "--max",
            "1",
            "--timeout",
            "20",
        ],
    )
    assert result.exit_code == 0, result.output
    [line] = result.stdout.strip().splitlines()
    assert json.loads(line)["data"]["name"] == "Sở Tư pháp"


async def test_dlq_requeue_sends_each_dead_letter_back_once(stack: Settings, run_id: str) -> None:
    key = f"dead-{run_id}".encode()
    group = f"it-cli-{run_id}"
    headers = [
        ("content-type", b"application/cloudevents+json"),
        ("dlq-reason", b"handler-failed"),
        ("dlq-error", b"RuntimeError: store down"),
        ("dlq-consumer-group", group.encode()),
        ("dlq-attempts", b"3"),
        ("dlq-original-topic", TOPIC.encode()),
        ("dlq-original-partition", b"0"),
        ("dlq-original-offset", b"42"),
    ]
    await produce(stack, dlq_topic(TOPIC), b'{"payload": 1}', key, headers)

    listed = await asyncio.to_thread(runner.invoke, app, ["dlq", "list", "--topic", dlq_topic(TOPIC), "--json"])
    assert listed.exit_code == 0, listed.output
    [letter] = [json.loads(line) for line in listed.stdout.splitlines() if f"dead-{run_id}" in line]
    assert (letter["headers"]["dlq-reason"], letter["headers"]["dlq-consumer-group"]) == ("handler-failed", group)

    for _ in range(2):
        result = await asyncio.to_thread(
            runner.invoke, app, ["dlq", "requeue", "--topic", dlq_topic(TOPIC), "--consumer-group", group]
        )
        assert result.exit_code == 0, result.output
    back = await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == key)
    assert [r.value for r in back] == [b'{"payload": 1}']
    restored = dict(back[0].headers)
    assert restored["content-type"] == b"application/cloudevents+json"
    assert not any(k.startswith("dlq-") and k != "dlq-requeued-from" for k in restored)
    assert restored["dlq-requeued-from"].startswith(dlq_topic(TOPIC).encode())


@pytest.mark.parametrize("args", [["dlq", "show", "tdkt.registry.events.dlq", "0", "999999999", "--timeout", "1"]])
def test_show_of_a_missing_letter_is_an_error(stack: Settings, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "no dead letter" in result.output
