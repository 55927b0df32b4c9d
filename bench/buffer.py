"""`python -m bench.buffer [--events N]`: the memory a faust consumer holds while it is behind.

On the local Kafka: N `report.submitted` records of the real size in a new topic (the project's partition count),
then a `FaustConsumer` as the services build it, whose dispatcher takes a second per batch, so the consumer stays
behind for the whole measurement. After 20 s the command prints what `tracemalloc` sees allocated since the
consumer started, by package, and the process's RSS growth: what a consumer lag costs a service beside its own
work.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from aiokafka import AIOKafkaProducer

from bench.hints import submitted
from tdkt_shared.bus.codec import ConsumedRecord, encode
from tdkt_shared.bus.faust_consumer import FaustConsumer
from tdkt_shared.bus.kafka import ensure_topics
from tdkt_shared.settings import load_settings


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class SlowDispatcher:
    def __init__(self) -> None:
        self.taken = 0

    async def dispatch_batch(self, records: Sequence[ConsumedRecord]) -> list[object]:
        self.taken += len(records)
        await asyncio.sleep(1)
        return []


def package(filename: str) -> str:
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    return "tdkt" if "tdkt_shared" in parts else Path(filename).name


async def main(events: int, settle_s: float) -> None:
    run = uuid.uuid4().hex[:6]
    topic = f"tdkt.bench.buffer-{run}"
    settings = load_settings("notify", consumer_group=f"bench-buffer-{run}")
    await ensure_topics(settings, [topic])
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, linger_ms=5)
    await producer.start()
    try:
        for i in range(events):
            record = encode(submitted(i)[1])
            await producer.send(topic, record.value, key=record.key, headers=record.headers)
        await producer.flush()
    finally:
        await producer.stop()
    gc.collect()
    dispatcher = SlowDispatcher()
    consumer = FaustConsumer(settings, [topic], dispatcher)  # type: ignore[arg-type]
    before = rss_mib()
    tracemalloc.start()
    await consumer.start()
    try:
        await asyncio.sleep(settle_s)
        gc.collect()
        snapshot = tracemalloc.take_snapshot()
        after = rss_mib()
    finally:
        tracemalloc.stop()
        await consumer.stop()
    by_package: Counter[str] = Counter()
    for stat in snapshot.statistics("filename"):
        by_package[package(stat.traceback[0].filename)] += stat.size
    print(f"{events} records behind; {dispatcher.taken} taken by the dispatcher in {settle_s:.0f} s")
    print(f"RSS {before:.1f} -> {after:.1f} MiB (+{after - before:.1f})")
    print(f"traced since the consumer started: {sum(by_package.values()) / 2**20:.1f} MiB")
    for name, size in by_package.most_common(8):
        print(f"  {size / 2**20:7.1f} MiB  {name}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30000)
    parser.add_argument("--settle", type=float, default=20.0, help="seconds behind before the snapshot")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.settle))
