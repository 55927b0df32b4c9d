"""Plain aiokafka helpers for reading what is really on a topic."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from tdkt_shared.bus.kafka import ensure_topics, topic_partitions
from tdkt_shared.contract import ALL_DLQ_TOPICS, ALL_TOPICS
from tdkt_shared.settings import load_settings

T = TypeVar("T")


async def read_topic(
    bootstrap: str, topic: str, keep: Callable[[ConsumerRecord[bytes, bytes]], bool] = lambda _r: True
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record now on `topic` (from the beginning up to the current end) that `keep` accepts."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, [topic])
        assert partitions, f"topic {topic} does not exist"
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[ConsumerRecord[bytes, bytes]] = []

        async def behind() -> bool:
            return any([await consumer.position(tp) < end[tp] for tp in partitions])

        while await behind():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                found.extend(r for r in records if keep(r))
        return found
    finally:
        await consumer.stop()


async def wait_for_records(
    bootstrap: str,
    topic: str,
    keep: Callable[[ConsumerRecord[bytes, bytes]], bool],
    *,
    count: int = 1,
    timeout_s: float = 30,
) -> list[ConsumerRecord[bytes, bytes]]:
    deadline = time.monotonic() + timeout_s
    while True:
        found = await read_topic(bootstrap, topic, keep)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout_s: float = 30, what: str = "condition") -> T:
    """Poll `check` until it returns something truthy; fail after `timeout_s` (a generous bound, not a timing)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout_s}s")
        await asyncio.sleep(0.1)


async def commit_group_at_end(bootstrap: str, group: str, topics: list[str]) -> None:
    """Commit `group`'s offsets at the current end of `topics`, so a test's consumer reads only what the test sends
    (the shared topics keep every earlier test's records)."""
    await ensure_topics(load_settings("registry", kafka_bootstrap_servers=bootstrap), [*ALL_TOPICS, *ALL_DLQ_TOPICS])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer, topics)
        consumer.assign(partitions)
        end = await consumer.end_offsets(partitions)
        await consumer.commit({tp: offset for tp, offset in end.items()})
    finally:
        await consumer.stop()
