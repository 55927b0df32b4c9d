"""The operator CLI against the real broker: tail events, list and requeue dead letters exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from tdkt_shared.bus.codec import encode
from tdkt_shared.cli import app
from tdkt_shared.contract import dlq_topic, make_event, service_topic
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.settings import Settings
from tdkt_shared.store import connect
from tests.e2e.processes import services
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import eventually, read_topic

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


async def test_a_letter_that_dies_again_while_requeue_runs_waits_for_the_next_run(stack: Settings, run_id: str) -> None:
    """A consumer that still fails dead-letters the requeued record again at once; that copy must not be sent back
    by the same run (it would go round for as long as the run reads)."""
    group = f"it-cli-loop-{run_id}"

    def letter(n: int) -> list[tuple[str, bytes]]:
        return [
            ("dlq-reason", b"handler-failed"),
            ("dlq-consumer-group", group.encode()),
            ("dlq-original-topic", TOPIC.encode()),
            ("dlq-original-offset", str(n).encode()),
        ]

    key = f"again-{run_id}".encode()
    await produce(stack, dlq_topic(TOPIC), b'{"n": 1}', key, letter(1))
    args = ["dlq", "requeue", "--topic", dlq_topic(TOPIC), "--consumer-group", group, "--timeout", "30"]
    running = asyncio.create_task(asyncio.to_thread(runner.invoke, app, args))

    async def back() -> list[object]:
        return list(await read_topic(stack.kafka_bootstrap_servers, TOPIC, lambda r: r.key == key))

    await eventually(back, what="the requeued record on the original topic")
    # the failing consumer dead-letters it again, while the requeue still reads
    await produce(stack, dlq_topic(TOPIC), b'{"n": 1}', key, letter(2))
    first = await running
    assert first.exit_code == 0, first.output
    assert "requeued 1 dead letter(s)" in first.stdout
    assert len(await back()) == 1

    second = await asyncio.to_thread(runner.invoke, app, [*args[:-2], "--timeout", "3"])
    assert "requeued 1 dead letter(s)" in second.stdout
    assert len(await back()) == 2


@pytest.mark.parametrize("args", [["dlq", "show", "tdkt.registry.events.dlq", "0", "999999999", "--timeout", "1"]])
def test_show_of_a_missing_letter_is_an_error(stack: Settings, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "no dead letter" in result.output


async def replay(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "tdkt"),
        "replay",
        *args,
        "--timeout",
        "3",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 400)
    assert process.returncode == 0, stderr.decode()[-2000:]
    return stdout.decode() + stderr.decode()


@pytest.mark.timeout(900)  # two replays of every topic reporting consumes, from the beginning
async def test_replay_rebuilds_a_read_model_and_a_second_replay_changes_nothing(
    stack: Settings, run_id: str, drop_databases: None
) -> None:
    org_id = f"replay-{run_id}"
    data = OrganizationRegistered(
        organization_id=org_id,
        name="Hội Cựu chiến binh tỉnh",
        kind=OrganizationKind.MASS_ORGANIZATION,
        valid_from=date(1990, 1, 1),
    )
    record = encode(make_event(data, partitionkey=org_id))
    await produce(stack, record.topic, record.value, record.key, record.headers)
    database = f"it_reporting_replay_{run_id}"
    env = {**os.environ, "MONGODB_DATABASE": database, "CONSUMER_GROUP": f"it-replay-{run_id}"}
    for _ in range(2):
        assert "handled:" in await replay(env, "reporting")

    client = connect(stack.mongodb_url)
    try:
        organization = await client[database]["organizations"].find_one({"_id": org_id})
    finally:
        await client.close()
    assert organization is not None
    assert organization["version"] == 1  # replayed twice, applied once
    assert organization["state"]["name"] == "Hội Cựu chiến binh tỉnh"


@pytest.mark.timeout(900)  # two replays of every topic awards consumes, from the beginning
async def test_replay_with_reset_rebuilds_a_damaged_read_model_from_the_events_alone(
    stack: Settings, run_id: str, drop_databases: None
) -> None:
    org_id = f"reset-{run_id}"
    data = OrganizationRegistered(
        organization_id=org_id,
        name="Hội Nông dân tỉnh",
        kind=OrganizationKind.MASS_ORGANIZATION,
        valid_from=date(1990, 1, 1),
    )
    record = encode(make_event(data, partitionkey=org_id))
    await produce(stack, record.topic, record.value, record.key, record.headers)
    database = f"it_awards_reset_{run_id}"
    env = {**os.environ, "MONGODB_DATABASE": database, "CONSUMER_GROUP": f"it-reset-{run_id}"}
    await replay(env, "awards")
    client = connect(stack.mongodb_url)
    try:
        organizations = client[database]["organizations"]
        await organizations.update_one({"_id": org_id}, {"$set": {"state.name": "hỏng", "state.stray": True}})
        output = await replay(env, "awards", "--reset")
        assert "dropped organizations, persons, councils, records, congresses, movements" in output
        rebuilt = await organizations.find_one({"_id": org_id})
        index_names = {i["name"] for i in await (await organizations.list_indexes()).to_list()}
    finally:
        await client.close()
    assert rebuilt is not None
    assert rebuilt["version"] == 1
    assert rebuilt["state"]["name"] == "Hội Nông dân tỉnh"
    assert "stray" not in rebuilt["state"]
    assert "outbox_pending" in index_names  # the store's indexes come back with the collection


def test_replay_reset_of_a_service_without_read_models_is_refused() -> None:
    result = runner.invoke(app, ["replay", "registry", "--reset"])
    assert result.exit_code == 2
    assert "registry keeps no read model to reset" in " ".join(result.output.split())


def test_replay_of_an_unknown_service_is_refused() -> None:
    result = runner.invoke(app, ["replay", "payroll"])
    assert result.exit_code == 2
    assert "unknown service" in result.output


async def tdkt_seed(urls: dict[str, str], *args: str) -> dict[str, dict[str, dict[str, int]]]:
    tdkt = str(Path(sys.executable).parent / "tdkt")
    flags = [f"--url={name}={url}" for name, url in urls.items()]
    process = await asyncio.create_subprocess_exec(
        tdkt, "seed", *args, *flags, "--json", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 600)
    assert process.returncode == 0, stderr.decode()[-3000:]
    report: dict[str, dict[str, dict[str, int]]] = json.loads(stdout)
    return report


@pytest.mark.timeout(900)  # two service processes and two seed runs over the APIs
async def test_seed_loads_registry_then_reporting_over_the_apis_and_a_rerun_creates_nothing(
    make_settings: SettingsFactory, drop_databases: None, tmp_path: Path
) -> None:
    async with services(make_settings, {}, tmp_path, ("registry", "reporting")) as ports:
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        first = await tdkt_seed(urls)
        assert list(first) == ["registry", "reporting"]  # dependency order: reporting needs the registry's units
        registry, reporting = first["registry"]["created"], first["reporting"]["created"]
        assert (registry["organizations"], registry["councils"], registry["reorganizations"]) == (60, 1, 2)
        assert registry["role_assignments"] == 8
        assert reporting == {"movements": 8, "launches": 1, "congresses": 1}

        async with httpx.AsyncClient() as client:
            drive = (await client.get(f"{urls['reporting']}/movements/dot-thi-dua-dac-biet-645")).json()
            assert (drive["status"], drive["decision"]["number"]) == ("LAUNCHED", "645/KH-UBND")
            press = (await client.get(f"{urls['registry']}/roles/PRESS_COMMUNICATION/holders?on=2024-06-01")).json()
            assert {"bao-bac-kan", "dai-ptth-bac-kan", "so-tttt-bac-kan"} <= {
                h["organization_id"] for h in press["holders"]
            }

        second = await tdkt_seed(urls)
        assert second["registry"]["created"] == {}
        assert second["reporting"]["created"] == {}
        assert second["registry"]["skipped"]["organizations"] == 60
        assert second["reporting"]["skipped"] == {"movements": 8, "congresses": 1}


def test_seed_of_an_unknown_service_is_refused() -> None:
    result = runner.invoke(app, ["seed", "payroll"])
    assert result.exit_code == 2
    assert "no seed for 'payroll'" in result.output
