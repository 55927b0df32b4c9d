"""Raw limits of this machine's broker, database and HTTP stack, measured with the project's event sizes."""

from __future__ import annotations

import asyncio
import socket
import sys
import time
import uuid
from datetime import UTC, date, datetime

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.stats import Result
from tdkt_shared.contract import make_event
from tdkt_shared.contract.reporting import ReportKind, ReportSubmitted
from tdkt_shared.store import connect
from tdkt_shared.store.mongo import when_not_busy

BENCH_TOPIC = "tdkt.bench.raw"


def sample_event_bytes(i: int) -> bytes:
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


async def kafka_produce_consume(bootstrap: str, count: int) -> tuple[Result, Result]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        if BENCH_TOPIC not in await admin.list_topics():
            await admin.create_topics([NewTopic(BENCH_TOPIC, 6, 1)])
    finally:
        await admin.close()
    payloads = [sample_event_bytes(i) for i in range(count)]
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    started = time.perf_counter()
    try:
        futures = [await producer.send(BENCH_TOPIC, p, key=str(i).encode()) for i, p in enumerate(payloads)]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    produced = Result(
        "kafka produce (acks=all, idempotent)",
        count,
        time.perf_counter() - started,
        note=f"{len(payloads[0])} B events",
    )

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="latest",
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(BENCH_TOPIC, p) for p in range(6)]
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        for tp in partitions:
            consumer.seek(tp, max(0, end[tp] - count // 6 - 1))
        target = sum(min(end[tp], count // 6 + 1) for tp in partitions)
        seen = 0
        started = time.perf_counter()
        while seen < target:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            if not batches:
                break
            seen += sum(len(r) for r in batches.values())
        consumed = Result("kafka consume (getmany)", seen, time.perf_counter() - started)
    finally:
        await consumer.stop()
    return produced, consumed


async def mongo_single_document_writes(url: str, count: int, concurrency: int = 8) -> tuple[Result, Result]:
    """Inserts, then `$set` updates by `_id`; FerretDB's SQLITE_BUSY answers are retried as the store does."""
    client = connect(url)
    coll = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]["docs"]
    body = {"state": {"name": "Báo cáo tổng kết", "values": list(range(20))}}
    ids = [f"d-{i}" for i in range(count)]
    semaphore = asyncio.Semaphore(concurrency)

    async def bounded(coro: object) -> None:
        async with semaphore:
            await coro  # type: ignore[misc]

    started = time.perf_counter()
    await asyncio.gather(*(bounded(when_not_busy(coll.insert_one, {"_id": i, **body})) for i in ids))
    inserted = Result("mongo insert_one", count, time.perf_counter() - started, note=f"concurrency {concurrency}")
    started = time.perf_counter()
    await asyncio.gather(*(bounded(when_not_busy(coll.update_one, {"_id": i}, {"$set": {"state.n": 1}})) for i in ids))
    updated = Result("mongo update_one by _id", count, time.perf_counter() - started, note=f"concurrency {concurrency}")
    await client.drop_database(coll.database.name)
    await client.close()
    return inserted, updated


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


async def http_load(url: str, count: int, concurrency: int, body: dict[str, object] | None = None) -> Result:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                payload = body or {"id": f"x-{i}", "name": "Sở Nội vụ", "values": list(range(20))}
                t = time.perf_counter()
                response = await client.post(url, json=payload)
                latencies.append((time.perf_counter() - t) * 1000)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result("", count, time.perf_counter() - started, tuple(latencies), note=f"concurrency {concurrency}")


async def minimal_fastapi(count: int, concurrency: int = 32) -> Result:
    port = free_port()
    code = MINIMAL_APP + f"\nimport uvicorn\nuvicorn.run(app, port={port}, log_level='warning')"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", code)
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    await client.post(f"http://127.0.0.1:{port}/echo", json={"id": "w", "name": "n", "values": []})
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        result = await http_load(f"http://127.0.0.1:{port}/echo", count, concurrency)
        return Result(
            "minimal FastAPI POST (one uvicorn worker)", result.count, result.seconds, result.latencies_ms, result.note
        )
    finally:
        process.terminate()
        await process.wait()
