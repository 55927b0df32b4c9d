"""What the scenario sees on the bus: every event of its run, and the waits for the ones a step expects."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import TypeVar

from aiokafka import AIOKafkaConsumer

from tdkt_shared.bus.kafka import client_security, topic_partitions
from tdkt_shared.contract import ALL_TOPICS, CloudEvent
from tdkt_shared.settings import load_settings

T = TypeVar("T")


class ScenarioError(AssertionError):
    """A step did not have the effect or the events it should have."""


async def eventually(check: Callable[[], Awaitable[T | None]], *, what: str, timeout_s: float = 120) -> T:
    """Poll `check` until it returns something truthy (a generous bound, not a timing)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise ScenarioError(f"{what}: not reached within {timeout_s}s")
        await asyncio.sleep(0.2)


def short_type(event_type: str) -> str:
    """`tdkt.<svc>.x.y.v1` without the `tdkt.` prefix."""
    return event_type.split(".", 1)[1]


class EventLog:
    """Every event of this run on the service topics, in the order each partition delivered it."""

    def __init__(self, bootstrap: str, run_id: str) -> None:
        self.bootstrap, self.run_id = bootstrap, run_id
        self.events: list[CloudEvent] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            **client_security(load_settings("registry")),  # the services' KAFKA_SECURITY_* settings
        )
        await consumer.start()
        partitions = await topic_partitions(consumer, list(ALL_TOPICS))
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end now: later records are this run's
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._collect(consumer))

    async def _collect(self, consumer: AIOKafkaConsumer) -> None:
        marker = self.run_id.encode()
        while True:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if record.value is not None and marker in record.value:
                        try:
                            self.events.append(CloudEvent.model_validate_json(record.value))
                        except ValueError:
                            continue

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    def count(self, key: str) -> int:
        """How many events were seen for one aggregate key so far."""
        return len([e for e in self.events if e.partitionkey == key])

    def of(self, key: str, prefix: str = "") -> list[str]:
        """The types seen for one aggregate key, in order (short names, `tdkt.<svc>.` cut off)."""
        return [short_type(e.type) for e in self.events if e.partitionkey == key and e.type.startswith(prefix)]

    async def expect(self, key: str, types: list[str], *, timeout_s: float = 120) -> list[CloudEvent]:
        """Wait until `types` (short names) were seen for `key` in this order (other types may come between)."""

        async def seen() -> list[CloudEvent] | None:
            found = [e for e in self.events if e.partitionkey == key]
            position, matched = 0, []
            for event in found:
                if position < len(types) and short_type(event.type) == types[position]:
                    matched.append(event)
                    position += 1
            return matched if position == len(types) else None

        try:
            return await eventually(seen, what=f"events {types} for {key}", timeout_s=timeout_s)
        except ScenarioError as exc:
            raise ScenarioError(f"{exc}; seen for {key}: {self.of(key)}") from None
