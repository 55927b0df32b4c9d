"""Readiness check of the local stack (scripts/stack.sh up runs it).

Waits, retrying, until both servers really answer:
  - Kafka: topic ``tdkt.stackcheck`` exists (created if missing), a unique message is
    produced with acks=all and consumed back by a fresh consumer group (offset committed).
  - MongoDB (FerretDB, on the stack's PostgreSQL): ``ping``, then one insert/find/delete in db
    ``tdkt_stackcheck`` (FerretDB answers ``ping`` only when it reaches PostgreSQL).

Environment: KAFKA_BOOTSTRAP_SERVERS (127.0.0.1:9092), MONGODB_URL
(mongodb://127.0.0.1:27017), STACK_TIMEOUT (90). Exit 0 when both pass, 1 otherwise.
Needs aiokafka and pymongo (the project venv has them).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

TOPIC = "tdkt.stackcheck"
MONGO_DB = "tdkt_stackcheck"
RETRY_S = 0.5

T = TypeVar("T")


def _log(msg: str) -> None:
    print(f"[check] {msg}", flush=True)


async def _retry(name: str, deadline: float, attempt: Callable[[], Awaitable[T]]) -> T:
    """Run ``attempt()`` until it succeeds or the deadline passes; return its result."""
    tries = 0
    last: BaseException | None = None
    while True:
        tries += 1
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"{name}: not ready after {tries - 1} attempts; last error: {last!r}")
        try:
            return await asyncio.wait_for(attempt(), timeout=min(remaining, 30.0))
        except Exception as exc:  # any failure (refused, timeout, not ready) means retry
            last = exc
            await asyncio.sleep(min(RETRY_S, max(0.0, deadline - time.monotonic())))


async def check_kafka(bootstrap: str, deadline: float) -> str:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.structs import RecordMetadata

    t0 = time.monotonic()

    async def ensure_topic() -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
        try:
            await admin.start()
            if TOPIC in await admin.list_topics():
                return False
            resp = await admin.create_topics(
                [
                    NewTopic(
                        TOPIC, num_partitions=1, replication_factor=1, topic_configs={"retention.ms": str(3600 * 1000)}
                    )
                ]
            )
            for err in resp.to_object().get("topic_errors", []):
                code = err.get("error_code", 0)
                if code not in (0, 36):  # 36 = TOPIC_ALREADY_EXISTS (a concurrent check)
                    raise RuntimeError(f"create_topics {TOPIC}: error {code} {err.get('error_message')}")
            return True
        finally:
            await admin.close()

    created = await _retry("kafka admin", deadline, ensure_topic)
    t_topic = time.monotonic()

    token = uuid.uuid4().hex
    value = f"stackcheck {token}".encode()

    async def produce() -> RecordMetadata:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", request_timeout_ms=10000)
        try:
            await producer.start()
            return await producer.send_and_wait(TOPIC, value, key=token.encode())
        finally:
            await producer.stop()

    md = await _retry("kafka produce", deadline, produce)
    t_produce = time.monotonic()

    async def consume() -> int:
        consumer = AIOKafkaConsumer(
            TOPIC,
            bootstrap_servers=bootstrap,
            group_id=f"tdkt.stackcheck.{token}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            session_timeout_ms=6000,
            heartbeat_interval_ms=1000,
            request_timeout_ms=10000,
        )
        try:
            await consumer.start()
            while True:
                batches = await consumer.getmany(timeout_ms=1000)
                for records in batches.values():
                    for rec in records:
                        if rec.value == value:
                            await consumer.commit()
                            return int(rec.offset)
        finally:
            await consumer.stop()

    offset = await _retry("kafka consume", deadline, consume)
    t_consume = time.monotonic()
    return (
        f"kafka {bootstrap}: topic {TOPIC} {'created' if created else 'present'} ({t_topic - t0:.2f}s), "
        f"produced acks=all to partition {md.partition} offset {md.offset} ({t_produce - t_topic:.2f}s), "
        f"consumed back at offset {offset} by a fresh group + commit ({t_consume - t_produce:.2f}s); "
        f"total {t_consume - t0:.2f}s"
    )


async def check_mongo(url: str, deadline: float) -> str:
    from pymongo import AsyncMongoClient

    t0 = time.monotonic()

    async def ping() -> str:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            url, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000
        )
        try:
            await client.admin.command("ping")
            info = await client.admin.command("buildInfo")
            return str(info.get("version", "?"))
        finally:
            await client.close()

    version = await _retry("mongodb ping", deadline, ping)
    t_ping = time.monotonic()

    async def crud() -> None:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, serverSelectionTimeoutMS=5000)
        try:
            coll = client[MONGO_DB]["check"]
            doc_id = uuid.uuid4().hex
            await coll.insert_one({"_id": doc_id, "n": 1})
            found = await coll.find_one({"_id": doc_id})
            if not found or found.get("n") != 1:
                raise RuntimeError(f"find_one returned {found!r}")
            res = await coll.delete_one({"_id": doc_id})
            if res.deleted_count != 1:
                raise RuntimeError(f"delete_one deleted {res.deleted_count}")
        finally:
            await client.close()

    await _retry("mongodb crud", deadline, crud)
    t_crud = time.monotonic()
    return (
        f"mongodb {url}: ping ok, server reports {version} ({t_ping - t0:.2f}s), "
        f"insert/find/delete in {MONGO_DB} ok ({t_crud - t_ping:.2f}s); total {t_crud - t0:.2f}s"
    )


async def main_async(wait_s: float, only: str | None) -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    url = os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017")
    deadline = time.monotonic() + wait_s
    checks = []
    if only in (None, "kafka"):
        checks.append(("kafka", check_kafka(bootstrap, deadline)))
    if only in (None, "mongodb"):
        checks.append(("mongodb", check_mongo(url, deadline)))
    results = await asyncio.gather(*(c for _, c in checks), return_exceptions=True)
    failed = 0
    for (name, _), res in zip(checks, results, strict=True):
        if isinstance(res, BaseException):
            failed += 1
            _log(f"FAIL {name}: {res}")
        else:
            _log(f"OK   {res}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("STACK_TIMEOUT", "90")),
        help="seconds to keep retrying (default: $STACK_TIMEOUT or 90)",
    )
    parser.add_argument("--only", choices=["kafka", "mongodb"], help="check one server only")
    parser.add_argument("-v", "--verbose", action="store_true", help="show client library logs")
    args = parser.parse_args()
    # While a server is still starting, the clients log every refused connection.
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.CRITICAL,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    t0 = time.monotonic()
    rc = asyncio.run(main_async(args.timeout, args.only))
    _log(f"{'all checks passed' if rc == 0 else 'FAILED'} in {time.monotonic() - t0:.2f}s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
