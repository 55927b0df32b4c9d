"""Faults on a real, private stack: SIGKILLed workers and relays, a restarted broker, a restarted database.

One burst of registry `OrganizationRegistered` events goes through the registry outbox (the registry's own
handler writes them; its worker's relay publishes them) and is consumed by reporting, awards and notify at once.
Each consumer keeps one read-model entry per organisation; applying an event twice would write a second version
of that entry, so `entries == sent` and `versions > 1 == 0` mean nothing lost and nothing doubled.

Sizes: TDKT_FAULTS_EVENTS (burst), TDKT_FAULTS_SEED (the kill points; random and printed when unset).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from pymongo import AsyncMongoClient

from tdkt_registry.domain.organizations import RegisterOrganization
from tdkt_registry.handlers.organizations import register_organization
from tdkt_shared.bus.codec import encode
from tdkt_shared.bus.kafka import topic_partitions
from tdkt_shared.contract import CloudEvent, dlq_topic, make_event, service_topic
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.kit import CommandContext
from tdkt_shared.store import MongoAggregateStore
from tests.integration.faults.harness import PrivateStack, Worker
from tests.integration.kafka_tools import read_topic

pytestmark = pytest.mark.integration

TOPIC = service_topic("registry")
CONSUMERS = {"reporting": "organizations", "awards": "organizations", "notify": "recipients"}
"""Consuming service -> the collection holding one entry per registered organisation."""
BURST = int(os.environ.get("TDKT_FAULTS_EVENTS", "5000"))
SEED = int(os.environ.get("TDKT_FAULTS_SEED") or random.SystemRandom().randrange(1 << 31))
WRITERS = 4
BURST_SETTLE_S = max(280.0, BURST * 0.25)
"""How long the SIGKILL burst may take to settle: 280 s, or 0.25 s an event for large bursts."""
BROKER_BURST = max(BURST // 5, 60)
"""Events of the broker-restart burst."""
BROKER_SETTLE_S = max(200.0, BROKER_BURST * 0.25)
POLL_S = 0.5 if BURST <= 1000 else 2.0
"""Counting effects scans every read model on FerretDB: large bursts are polled less often."""


def prefix_filter(field_name: str, prefix: str) -> dict[str, Any]:
    return {field_name: {"$regex": f"^{prefix}"}}


@dataclass
class Effects:
    entries: int
    doubled: int
    """Entries at version 2 or more: an event applied twice."""


async def effects(mongo: AsyncMongoClient[dict[str, Any]], service: str, prefix: str) -> Effects:
    db = mongo[f"tdkt_{service}"]
    collection = CONSUMERS[service]
    entries = await db[collection].count_documents(prefix_filter("_id", prefix))
    doubled = await db[collection].count_documents({**prefix_filter("_id", prefix), "version": {"$gt": 1}})
    return Effects(entries, doubled)


async def pending_in_outbox(mongo: AsyncMongoClient[dict[str, Any]], prefix: str) -> int:
    organizations = mongo["tdkt_registry"]["organizations"]
    return await organizations.count_documents({**prefix_filter("_id", prefix), "pending": True})


@dataclass
class Offsets:
    behind: dict[str, int]
    """group -> records of the registry topic it has not committed yet"""
    committed: dict[str, int]
    """group -> records of the registry topic it has committed, over all partitions"""


async def group_offsets(bootstrap: str, groups: list[str]) -> Offsets:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, request_timeout_ms=5000)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await consumer.start()
    await admin.start()
    try:
        partitions = await topic_partitions(consumer, [TOPIC])
        end = await consumer.end_offsets(partitions)
        offsets = Offsets({}, {})
        for group in groups:
            committed = await admin.list_consumer_group_offsets(group)
            done = {tp: committed[tp].offset if tp in committed else 0 for tp in partitions}
            offsets.behind[group] = sum(end[tp] - done[tp] for tp in partitions)
            offsets.committed[group] = sum(done.values())
        return offsets
    finally:
        await admin.close()
        await consumer.stop()


def organization(prefix: str, i: int) -> RegisterOrganization:
    return RegisterOrganization(
        id=f"{prefix}-{i:05d}",
        name=f"Phòng Văn hóa - Thông tin huyện {i}",
        kind=OrganizationKind.PRESS,
        valid_from=date(2024, 1, 1),
    )


async def write_burst(mongo: AsyncMongoClient[dict[str, Any]], prefix: str, count: int) -> float:
    """The registry's own handler writes `count` organisations, each with its event in the outbox."""
    store = MongoAggregateStore(mongo["tdkt_registry"], "organizations")
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    t0 = time.monotonic()

    async def writer() -> None:
        while not queue.empty():
            await register_organization(organization(prefix, queue.get_nowait()), store, CommandContext.system())

    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return time.monotonic() - t0


@dataclass
class Outcome:
    sent: int
    effects: dict[str, Effects]
    on_topic: int
    distinct_on_topic: int
    dead_letters: int
    seconds: float
    events: list[str] = field(default_factory=list)

    @property
    def duplicates_on_topic(self) -> int:
        return self.on_topic - self.distinct_on_topic


async def settle(
    stack: PrivateStack,
    mongo: AsyncMongoClient[dict[str, Any]],
    prefix: str,
    sent: int,
    *,
    timeout_s: float,
    on_progress: Callable[[dict[str, int], int], Awaitable[None]] | None = None,
    context: str = "",
) -> tuple[dict[str, Effects], float]:
    """Poll until the outbox is empty, no group lags and every consumer has an entry per event; bounded.

    Progress comes from the consumer groups' committed offsets (cheap); the read models, which FerretDB can only
    count by scanning them, are counted once the groups have caught up. `on_progress` gets the records each
    service has committed since the settling began, and the events still pending in the outbox."""
    t0 = time.monotonic()
    groups = {s: f"tdkt-{s}" for s in CONSUMERS}
    start: dict[str, int] | None = None
    last: dict[str, Effects] = {}
    pending = -1
    behind: dict[str, int] | str = {}
    while time.monotonic() - t0 < timeout_s:
        try:
            pending = await pending_in_outbox(mongo, prefix)
            offsets = await group_offsets(stack.bootstrap, list(groups.values()))
        except Exception as exc:  # the database or the broker may be restarting: try again
            behind = f"{type(exc).__name__}: {exc!r}"
            await asyncio.sleep(POLL_S)
            continue
        behind = offsets.behind
        start = start or offsets.committed
        if on_progress is not None:
            await on_progress({s: offsets.committed[g] - start[g] for s, g in groups.items()}, pending)
        if pending == 0 and not any(behind.values()):
            try:
                last = {s: await effects(mongo, s, prefix) for s in CONSUMERS}
            except Exception as exc:
                behind = f"mongo: {exc!r}"
            else:
                if all(e.entries >= sent for e in last.values()):
                    return last, time.monotonic() - t0
        await asyncio.sleep(POLL_S)
    raise AssertionError(
        f"not settled within {timeout_s}s: sent {sent}, effects {last}, pending in outbox {pending}, lag {behind}"
        f" ({context})"
    )


async def outcome_of(stack: PrivateStack, prefix: str, sent: int, found: dict[str, Effects], seconds: float) -> Outcome:
    key = prefix.encode()
    records = await read_topic(stack.bootstrap, TOPIC, lambda r: (r.key or b"").startswith(key))
    ids = [CloudEvent.model_validate_json(r.value or b"").id for r in records]
    letters = await read_topic(stack.bootstrap, dlq_topic(TOPIC), lambda r: (r.key or b"").startswith(key))
    return Outcome(sent, found, len(ids), len(set(ids)), len(letters), seconds, ids)


def report(name: str, outcome: Outcome, **extra: object) -> None:
    figures = {
        "sent": outcome.sent,
        "effects": {s: vars(e) for s, e in outcome.effects.items()},
        "on_topic": outcome.on_topic,
        "distinct_on_topic": outcome.distinct_on_topic,
        "duplicates_on_topic": outcome.duplicates_on_topic,
        "dead_letters": outcome.dead_letters,
        "seconds": round(outcome.seconds, 1),
        **extra,
    }
    print(f"\n[faults] {name}: {json.dumps(figures, ensure_ascii=False)}")


async def diagnose(stack: PrivateStack, workers: dict[str, Worker], prefix: str) -> str:
    """Dead letters of this run (with why) and the end of each worker's log, for a failure message."""
    key = prefix.encode()
    try:
        letters = await read_topic(stack.bootstrap, dlq_topic(TOPIC), lambda r: (r.key or b"").startswith(key))
        why = [{k: v.decode(errors="replace")[:300] for k, v in r.headers if k.startswith("dlq-")} for r in letters]
    except Exception as exc:
        why = [{"unreadable": repr(exc)}]
    logs = "\n".join(f"--- {s} (started {w.starts}x)\n{w.tail(15)}" for s, w in workers.items())
    return f"dead letters: {json.dumps(why, ensure_ascii=False)}\n{logs}"


async def wait_for_readyz(worker: Worker, status: int, *, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while True:
        seen = await asyncio.to_thread(worker.readyz)
        if seen == status:
            return
        assert time.monotonic() < deadline, f"{worker.service} /readyz stayed {seen}, expected {status}"
        await asyncio.sleep(0.2)


def assert_exactly_once(outcome: Outcome, context: str) -> None:
    assert outcome.distinct_on_topic == outcome.sent, f"events lost before the topic ({context})"
    for service, found in outcome.effects.items():
        assert found.entries == outcome.sent, f"{service} lost effects: {found} ({context})"
        assert found.doubled == 0, f"{service} applied an event twice: {found} ({context})"
    assert outcome.dead_letters == 0, context


@pytest.mark.timeout(BURST_SETTLE_S + 50)
async def test_sigkilled_workers_and_relay_lose_and_double_nothing(
    private_stack: PrivateStack, workers: dict[str, Worker], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    rng = random.Random(SEED)
    context = f"seed {SEED}, burst {BURST}"
    prefix = f"kill-{uuid.uuid4().hex[:6]}"
    # each consumer is SIGKILLed once, when its group has committed a different, seeded share of the burst
    kill_at = {
        "reporting": int(BURST * rng.uniform(0.15, 0.35)),
        "awards": int(BURST * rng.uniform(0.4, 0.6)),
        "notify": int(BURST * rng.uniform(0.65, 0.85)),
    }
    # the relay (the registry worker) is SIGKILLed at seeded random moments after it is up, while it has work
    relay_delays = [rng.uniform(0.2, 4.0) for _ in range(4)]
    killed: dict[str, int] = {}
    relay_kills: list[dict[str, float]] = []
    t0 = time.monotonic()
    print(f"\n[faults] SIGKILL burst: {context}")

    async def relay_chaos() -> None:
        relay = workers["registry"]
        for delay in relay_delays:
            await wait_for_readyz(relay, 200, within_s=90)
            await asyncio.sleep(delay)
            pending = await pending_in_outbox(mongo, prefix)
            if pending == 0 and writes.done():
                return
            relay.restart()
            relay_kills.append({"at_s": round(time.monotonic() - t0, 1), "pending": pending})

    async def consumer_chaos(consumed: dict[str, int], _pending: int) -> None:
        for service, point in kill_at.items():
            if service not in killed and consumed[service] >= point:
                workers[service].restart()
                killed[service] = consumed[service]

    writes = asyncio.create_task(write_burst(mongo, prefix, BURST))
    chaos = asyncio.create_task(relay_chaos())
    try:
        found, _ = await settle(
            private_stack, mongo, prefix, BURST, timeout_s=BURST_SETTLE_S, on_progress=consumer_chaos, context=context
        )
        writing = await writes
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{await diagnose(private_stack, workers, prefix)}") from exc
    finally:
        chaos.cancel()
        writes.cancel()
    if chaos.done() and not chaos.cancelled() and chaos.exception() is not None:
        raise AssertionError(f"the relay chaos failed ({context})") from chaos.exception()
    outcome = await outcome_of(private_stack, prefix, BURST, found, time.monotonic() - t0)
    report(
        "SIGKILL burst",
        outcome,
        seed=SEED,
        writing_s=round(writing, 1),
        relay_kills=relay_kills,
        consumers_killed_after_records=killed,
    )
    assert relay_kills, "the relay was never killed"
    assert set(killed) == set(CONSUMERS), f"every consumer is killed once ({killed})"
    assert_exactly_once(outcome, context)


@pytest.mark.timeout(BROKER_SETTLE_S + 40)
async def test_a_broker_restart_mid_burst_loses_nothing_and_services_reconnect_alone(
    private_stack: PrivateStack, workers: dict[str, Worker], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    count = BROKER_BURST
    prefix = f"broker-{uuid.uuid4().hex[:6]}"
    pids = {s: w.pid for s, w in workers.items()}
    restart: dict[str, float] = {}
    t0 = time.monotonic()

    async def restart_broker(consumed: dict[str, int], pending: int) -> None:
        # once a quarter is consumed, while the registry still writes: relay and consumers both lose the broker
        if "at_s" not in restart and min(consumed.values()) >= count // 4:
            restart["at_s"] = round(time.monotonic() - t0, 1)
            restart["consumed_then"] = min(consumed.values())
            restart["pending_then"] = pending
            restart["took_s"] = round(await asyncio.to_thread(private_stack.run, "restart", "kafka"), 1)

    writes = asyncio.create_task(write_burst(mongo, prefix, count))
    try:
        found, _ = await settle(
            private_stack, mongo, prefix, count, timeout_s=BROKER_SETTLE_S, on_progress=restart_broker
        )
        writing = await writes
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{await diagnose(private_stack, workers, prefix)}") from exc
    finally:
        writes.cancel()
    outcome = await outcome_of(private_stack, prefix, count, found, time.monotonic() - t0)
    report("broker restart", outcome, writing_s=round(writing, 1), restart=restart)
    assert "at_s" in restart, "the broker was restarted mid-burst"
    assert {s: w.pid for s, w in workers.items()} == pids, "no worker was restarted: they reconnected by themselves"
    assert all(w.alive() for w in workers.values())
    assert_exactly_once(outcome, "broker restart")


@pytest.mark.timeout(180)
@pytest.mark.parametrize("server", ["ferretdb", "postgres"])
async def test_readyz_follows_a_database_restart_and_events_sent_meanwhile_are_applied(
    private_stack: PrivateStack, workers: dict[str, Worker], mongo: AsyncMongoClient[dict[str, Any]], server: str
) -> None:
    """The database is two servers here: FerretDB (the wire protocol) and PostgreSQL (the data); either may go."""
    watched = workers["reporting"]
    prefix = f"db-{uuid.uuid4().hex[:6]}"
    count = 20
    outage_s = 20.0
    """Longer than a handler's attempts last (CONSUMER_MAX_ATTEMPTS × the driver's 5 s server selection)."""
    assert await asyncio.to_thread(watched.readyz) == 200
    t0 = time.monotonic()

    await asyncio.to_thread(private_stack.run, "stop", server)
    await wait_for_readyz(watched, 503, within_s=30)
    not_ready_at = round(time.monotonic() - t0, 1)
    # events consumed while the database is down: retried, never dead-lettered, applied once it is back
    producer = AIOKafkaProducer(bootstrap_servers=private_stack.bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for i in range(count):
            org = organization(prefix, i)
            data = OrganizationRegistered(
                organization_id=org.id, name=org.name, kind=org.kind, valid_from=org.valid_from
            )
            record = encode(make_event(data, partitionkey=org.id))
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()
    await asyncio.sleep(max(0.0, outage_s - (time.monotonic() - t0)))  # the fault's length, not a synchronisation
    await asyncio.to_thread(private_stack.run, "start", server)
    await wait_for_readyz(watched, 200, within_s=60)
    ready_again_at = round(time.monotonic() - t0, 1)
    assert watched.alive()

    try:
        found, _ = await settle(private_stack, mongo, prefix, count, timeout_s=120)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{await diagnose(private_stack, workers, prefix)}") from exc
    outcome = await outcome_of(private_stack, prefix, count, found, time.monotonic() - t0)
    report(
        f"database restart ({server})",
        outcome,
        outage_s=outage_s,
        not_ready_at_s=not_ready_at,
        ready_again_at_s=ready_again_at,
    )
    assert_exactly_once(outcome, f"database restart ({server})")
