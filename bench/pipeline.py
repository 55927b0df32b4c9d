"""The system: API accept -> store + outbox -> relay -> Kafka -> consumer -> its store, with real processes.

Until the report-submission pipeline exists end to end, the measured path is organisation registration:
`POST /organizations` on registry -> `tdkt.registry.events` -> reporting's consumer -> its read model.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer

from bench.raw import free_port
from bench.stats import Result
from tdkt_shared.bus.kafka import topic_partitions
from tdkt_shared.contract import service_topic
from tdkt_shared.store import connect

BIN = Path(sys.executable).parent


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen[bytes]

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def start(name: str, run: str, bus: str) -> Service:
    port = free_port()
    env = {
        **os.environ,
        "HTTP_PORT": str(port),
        "MONGODB_DATABASE": f"bench_{name}_{run}",
        "CONSUMER_GROUP": f"bench-{name}-{run}",
        "BUS_CONSUMER": bus,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen([str(BIN / f"tdkt-{name}")], env=env, stdout=subprocess.DEVNULL)
    return Service(name, port, process)


async def wait_ready(service: Service) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                if (await client.get(f"http://127.0.0.1:{service.port}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{service.name} not ready")


async def subscriber(bootstrap: str, prefix: str, count: int, arrivals: dict[str, float]) -> None:
    """An external subscriber: when did each event reach a plain consumer?"""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        topic = service_topic("registry")
        partitions = await topic_partitions(consumer, [topic])
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        while len(arrivals) < count:
            batches = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    key = (record.key or b"").decode()
                    if key.startswith(prefix):
                        arrivals.setdefault(key, now)
    finally:
        await consumer.stop()


async def run_pipeline(
    bootstrap: str, mongo_url: str, count: int, rate: float | None, concurrency: int, bus: str = "faust"
) -> tuple[Result, Result, Result, str]:
    run = uuid.uuid4().hex[:6]
    registry, reporting = start("registry", run, bus), start("reporting", run, bus)
    try:
        await asyncio.gather(wait_ready(registry), wait_ready(reporting))
        prefix = f"b{run}-"
        arrivals: dict[str, float] = {}
        accepted: dict[str, float] = {}
        sub = asyncio.create_task(subscriber(bootstrap, prefix, count, arrivals))
        await asyncio.sleep(1)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(count):
            queue.put_nowait(i)
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        interval = None if rate is None else concurrency / rate
        async with httpx.AsyncClient(limits=limits, timeout=30, base_url=f"http://127.0.0.1:{registry.port}") as c:

            async def worker() -> None:
                while not queue.empty():
                    i = queue.get_nowait()
                    tick = time.perf_counter()
                    org = f"{prefix}{i}"
                    body = {"id": org, "name": f"UBND xã {i}", "kind": "PEOPLES_COMMITTEE", "valid_from": "2025-07-01"}
                    response = await c.post("/organizations", json=body)
                    response.raise_for_status()
                    accepted[org] = time.perf_counter()
                    if interval is not None:
                        await asyncio.sleep(max(0.0, interval - (time.perf_counter() - tick)))

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            api_done = time.perf_counter()
        await asyncio.wait_for(sub, timeout=600)
        published_done = time.perf_counter()

        client = connect(mongo_url)
        versions = client[f"bench_reporting_{run}"]["organizations_versions"]
        while await versions.count_documents({}) < count:  # noqa: ASYNC110 - polling another process's effect
            await asyncio.sleep(0.2)
        applied_done = time.perf_counter()
        effect_latency = []
        wall_offset = time.time() - time.perf_counter()
        async for doc in versions.find({}, {"aggregate_id": 1, "written_at": 1}):
            written = doc["written_at"].timestamp() - wall_offset
            effect_latency.append((written - accepted[doc["aggregate_id"]]) * 1000)
        await client.close()
        to_subscriber = [(arrivals[k] - accepted[k]) * 1000 for k in accepted if k in arrivals]
        mode = "open loop" if rate is None else f"{rate:.0f} req/s offered"
        return (
            Result(f"API accept ({mode})", count, api_done - started, note=f"concurrency {concurrency}"),
            Result("accept -> external subscriber", count, published_done - started, tuple(to_subscriber)),
            Result(
                "accept -> reporting read model",
                count,
                applied_done - started,
                tuple(effect_latency),
                note=f"lag drained {applied_done - api_done:.1f} s after the last accept",
            ),
            f"peak RSS: registry {registry.peak_rss_mb():.0f} MB, reporting {reporting.peak_rss_mb():.0f} MB",
        )
    finally:
        for service in (registry, reporting):
            service.process.terminate()
            service.process.wait(30)
        client = connect(mongo_url)
        for name in ("registry", "reporting"):
            await client.drop_database(f"bench_{name}_{run}")
        await client.close()
