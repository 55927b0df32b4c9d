"""Raw limits of this machine's broker, database and HTTP stack, measured with the project's event sizes."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.progress import Phase, phase
from bench.stats import Result
from tdkt_shared.contract import make_event
from tdkt_shared.contract.reporting import ReportKind, ReportSubmitted
from tdkt_shared.store import connect

BENCH_TOPIC = "tdkt.bench.raw"
PARTITIONS = 6


def sample_event_bytes(i: int) -> bytes:
    """A `report.submitted` envelope as the relay publishes it (same size, same JSON)."""
    data = ReportSubmitted(
        report_id=f"r-{i}",
        organization_id=f"ubnd-xa-{i % 92}",
        kind=ReportKind.FINAL_REVIEW,
        period="2025",
        due_date=date(2025, 11, 30),
        submitted_at=datetime.now(UTC),
        movement_id="chung-tay-xoa-nha-tam-2025",
        submitted_by="u-1",
    )
    return make_event(data, partitionkey=f"r-{i}").to_json_bytes()


def result(name: str, p: Phase, latencies: list[float] | tuple[float, ...] = (), note: str = "") -> Result:
    notes = "; ".join(n for n in (note, p.note) if n)
    return Result(name, p.done, p.elapsed, tuple(latencies), note=notes)


async def kafka_produce_consume(bootstrap: str, count: int, timeout_s: float) -> tuple[Result, Result]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if BENCH_TOPIC not in await admin.list_topics():
            await admin.create_topics([NewTopic(BENCH_TOPIC, PARTITIONS, 1)])
    finally:
        await admin.close()
    payloads = [sample_event_bytes(i) for i in range(count)]
    run = uuid.uuid4().hex[:8]
    prefix = f"{run}-".encode()
    # The relay's producer settings (tdkt_shared.bus.kafka.make_producer).
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    partitions = [TopicPartition(BENCH_TOPIC, p) for p in range(PARTITIONS)]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        start_offsets = await consumer.end_offsets(partitions)
        async with phase("raw kafka produce", count, timeout_s) as produced:
            futures = []
            for i, p in enumerate(payloads):
                future = await producer.send(BENCH_TOPIC, p, key=f"{run}-{i}".encode())
                future.add_done_callback(lambda _f: produced.tick())
                futures.append(future)
            await asyncio.gather(*futures)
        for tp in partitions:
            consumer.seek(tp, start_offsets[tp])
        async with phase("raw kafka consume", produced.done, timeout_s) as consumed:
            while consumed.done < produced.done:
                batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
                # only this run's records: other benches may write to the topic at the same time
                consumed.tick(sum(1 for r in batches.values() for m in r if (m.key or b"").startswith(prefix)))
    finally:
        await producer.stop()
        await consumer.stop()
    return (
        result("kafka produce (acks=all, idempotent)", produced, note=f"{len(payloads[0])} B events"),
        result("kafka consume (getmany)", consumed),
    )


async def bounded_gather(
    count: int, concurrency: int, one: Callable[[int], Awaitable[Any]], p: Phase, latencies: list[float] | None = None
) -> None:
    """Run `one(i)` for i in range(count) on `concurrency` workers, ticking `p` on each."""
    queue = iter(range(count))

    async def worker() -> None:
        for i in queue:
            t = time.perf_counter()
            await one(i)
            if latencies is not None:
                latencies.append((time.perf_counter() - t) * 1000)
            p.tick()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def mongo_single_document_writes(
    url: str, count: int, timeout_s: float, concurrency: int = 8
) -> tuple[Result, Result]:
    """Inserts, then `$set` updates by `_id`; FerretDB's SQLITE_BUSY answers are retried as the store does."""
    client = connect(url)
    coll = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]["docs"]
    body = {"state": {"name": "Báo cáo tổng kết", "values": list(range(20))}}
    try:
        async with phase("raw mongo insert_one", count, timeout_s) as inserted:
            await bounded_gather(count, concurrency, lambda i: coll.insert_one({"_id": f"d-{i}", **body}), inserted)
        async with phase("raw mongo update_one", inserted.done, timeout_s) as updated:
            await bounded_gather(
                inserted.done,
                concurrency,
                lambda i: coll.update_one({"_id": f"d-{i}"}, {"$set": {"state.n": 1}}),
                updated,
            )
    finally:
        await client.drop_database(coll.database.name)
        await client.close()
    note = f"concurrency {concurrency}"
    return result("mongo insert_one", inserted, note=note), result("mongo update_one by _id", updated, note=note)


MINIMAL_APP = """
from fastapi import FastAPI
from pydantic import BaseModel
app = FastAPI()
class Body(BaseModel):
    id: str
    name: str
    values: list[int]
@app.post("/echo")
async def echo(body: Body) -> Body:
    return body
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def minimal_fastapi(count: int, timeout_s: float, concurrency: int = 32) -> Result:
    port = free_port()
    code = MINIMAL_APP + f"\nimport uvicorn\nuvicorn.run(app, port={port}, log_level='warning')"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", code)
    url = f"http://127.0.0.1:{port}/echo"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    try:
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            for _ in range(300):
                try:
                    await client.post(url, json={"id": "w", "name": "n", "values": []})
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)

            async def one(i: int) -> None:
                response = await client.post(url, json={"id": f"x-{i}", "name": "Sở Nội vụ", "values": list(range(20))})
                response.raise_for_status()

            async with phase("raw minimal FastAPI", count, timeout_s) as p:
                await bounded_gather(count, concurrency, one, p, latencies)
    finally:
        process.terminate()
        await process.wait()
    return result("minimal FastAPI POST (one uvicorn worker)", p, latencies, f"concurrency {concurrency}")
