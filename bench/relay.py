"""`python -m bench.relay [--before FILE]`: the outbox relay alone, draining N hinted version documents into the
bench topic (the relay's own producer settings), on a fresh database of the local FerretDB.

`--before` loads another version of tdkt_shared/bus/relay.py (e.g. `git show REV:shared/src/tdkt_shared/bus/relay.py`)
to compare with the current one on the same machine in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from aiokafka import AIOKafkaProducer

from bench.progress import Phase, phase, say
from bench.raw import BENCH_TOPIC, sample_event_bytes
from tdkt_shared.bus import relay as current
from tdkt_shared.contract import CloudEvent
from tdkt_shared.settings import load_settings
from tdkt_shared.store import MongoAggregateStore, connect


class BenchTopicPublisher:
    """KafkaPublisher's sends, but into the bench topic: the shared stack's real topics stay clean."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        futures = [
            await self._producer.send(BENCH_TOPIC, e.to_json_bytes(), key=e.partitionkey.encode()) for e in events
        ]
        await asyncio.gather(*futures)


def load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("relay_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def follow(p: Phase, acknowledged: list[int]) -> None:
    """Count events as the broker acknowledges them (the old relay reports only per batch)."""
    while True:
        p.done = acknowledged[0]
        await asyncio.sleep(0.5)


async def drain(module: Any, count: int, timeout_s: float, mongodb_url: str | None) -> str:
    settings = load_settings("registry")
    client = connect(mongodb_url or settings.mongodb_url)
    db = client[f"bench_relay_{uuid.uuid4().hex[:6]}"]
    store = MongoAggregateStore(db, "reports")
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", enable_idempotence=True, linger_ms=2
    )
    await producer.start()
    event = CloudEvent.model_validate_json(sample_event_bytes(0))
    try:
        acknowledged: list[int] = [0]
        relay = module.OutboxRelay(
            [store],
            BenchTopicPublisher(producer),
            after_publish=lambda ids: acknowledged.append(acknowledged.pop() + len(ids)),
        )
        store.listen(relay.hint)
        async with phase(f"write {count} aggregates", count, timeout_s) as p:
            for i in range(count):
                await store.create(f"r-{i}", {"n": i}, [event.model_copy(update={"id": uuid.uuid4().hex})])
                p.tick()
        async with phase(f"relay drain ({module.__name__})", p.done, timeout_s) as d:
            reporter = asyncio.create_task(follow(d, acknowledged))
            try:
                while await relay.drain_hinted():
                    pass
            finally:
                reporter.cancel()
            d.done = acknowledged[0]
        return f"{module.__name__}: {d.done} events in {d.elapsed:.1f} s = {d.rate:,.0f}/s {d.note}"
    finally:
        await producer.stop()
        await client.drop_database(db.name)
        await client.close()


async def main(args: argparse.Namespace) -> None:
    say(f"load average {os.getloadavg()[0]:.2f}")
    modules = [load_module(args.before)] if args.before else []
    lines = [await drain(m, args.count, args.timeout, args.mongodb_url) for m in [*modules, current]]
    say(f"load average {os.getloadavg()[0]:.2f}")
    print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.relay")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--mongodb-url", help="e.g. a private FerretDB (default: MONGODB_URL, the local stack)")
    asyncio.run(main(parser.parse_args()))
