"""The aiokafka transport commits only dispatched records: all partitions in one request, at most once an interval,
and at once for partitions given up in a rebalance and when it stops."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError

from tdkt_shared.bus.codec import ConsumedRecord
from tdkt_shared.bus.consumer import AiokafkaConsumer, _CommitOnRevoke
from tdkt_shared.settings import load_settings

TOPIC = "tdkt.reporting.events"
P0, P1 = TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)


@dataclass
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None = b"k"
    value: bytes | None = b"{}"
    headers: list[tuple[str, bytes]] = field(default_factory=list)


def batch(tp: TopicPartition, *offsets: int) -> dict[TopicPartition, list[Message]]:
    return {tp: [Message(tp.topic, tp.partition, o) for o in offsets]}


class FakeKafka:
    """Hands out the given batches, one a call, then waits forever; records each commit request."""

    def __init__(
        self, batches: Sequence[dict[TopicPartition, list[Message]]], fail_commits: int = 0, gap_s: float = 0
    ) -> None:
        self.batches = list(batches)
        self.gap_s = gap_s
        self.commits: list[dict[TopicPartition, int]] = []
        self.fail_commits = fail_commits
        self.stopped = False
        self.drained = asyncio.Event()

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[Message]]:
        if self.batches:
            await asyncio.sleep(self.gap_s)
            return self.batches.pop(0)
        self.drained.set()
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    def highwater(self, tp: TopicPartition) -> int:
        return 100

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.fail_commits:
            self.fail_commits -= 1
            raise CommitFailedError("rebalanced")
        self.commits.append(dict(offsets))

    async def stop(self) -> None:
        self.stopped = True


class Dispatched:
    def __init__(self) -> None:
        self.offsets: list[tuple[int, int]] = []

    async def dispatch_batch(self, records: Sequence[ConsumedRecord]) -> list[Any]:
        self.offsets += [(r.partition, r.offset) for r in records]
        return []


def running(kafka: FakeKafka, interval_ms: int) -> tuple[AiokafkaConsumer, Dispatched]:
    settings = load_settings("notify", consumer_commit_interval_ms=interval_ms)
    dispatched = Dispatched()
    consumer = AiokafkaConsumer(settings, [TOPIC], dispatched)  # type: ignore[arg-type]
    consumer._consumer = kafka
    consumer._task = asyncio.create_task(consumer._run())
    return consumer, dispatched


async def test_batches_within_an_interval_are_committed_together_and_the_rest_on_stop() -> None:
    kafka = FakeKafka([batch(P0, 0, 1, 2), batch(P1, 0, 1), batch(P0, 3, 4) | batch(P1, 2)])
    consumer, dispatched = running(kafka, interval_ms=60_000)
    await asyncio.wait_for(kafka.drained.wait(), 5)

    assert len(dispatched.offsets) == 8
    assert kafka.commits == [{P0: 3}]  # the first batch; the next two wait for the interval
    await consumer.stop()
    assert kafka.commits == [{P0: 3}, {P0: 5, P1: 3}]  # one request, both partitions, each past its last record
    assert kafka.stopped


async def test_a_batch_after_the_interval_is_committed_at_once() -> None:
    kafka = FakeKafka([batch(P0, 0), batch(P0, 1), batch(P1, 0)], gap_s=0.01)
    consumer, _ = running(kafka, interval_ms=5)
    await asyncio.wait_for(kafka.drained.wait(), 5)

    assert kafka.commits == [{P0: 1}, {P0: 2}, {P1: 1}]
    await consumer.stop()
    assert len(kafka.commits) == 3  # nothing left to commit


async def test_partitions_given_up_are_committed_at_once_and_alone() -> None:
    kafka = FakeKafka([batch(P0, 0), batch(P0, 1) | batch(P1, 0, 1)])
    consumer, _ = running(kafka, interval_ms=60_000)
    await asyncio.wait_for(kafka.drained.wait(), 5)

    await _CommitOnRevoke(consumer).on_partitions_revoked({P1})
    assert kafka.commits == [{P0: 1}, {P1: 2}]
    await consumer.stop()
    assert kafka.commits == [{P0: 1}, {P1: 2}, {P0: 2}]  # P1 is not committed again


async def test_a_commit_lost_to_a_rebalance_is_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    kafka = FakeKafka([batch(P0, 0, 1)], fail_commits=1)
    consumer, dispatched = running(kafka, interval_ms=60_000)
    await asyncio.wait_for(kafka.drained.wait(), 5)
    await consumer.stop()

    assert dispatched.offsets == [(0, 0), (0, 1)]
    assert kafka.commits == []  # lost: the partition's next owner re-delivers, and the handlers absorb it
    assert "lost to a rebalance" in caplog.text
    assert kafka.stopped
