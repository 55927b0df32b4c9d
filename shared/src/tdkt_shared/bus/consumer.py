"""Consuming events: one dispatcher (decode, route by type, retry, dead-letter) behind two transports.

Handlers only see typed events. Parsing, retries, DLQ routing and offset commits live here, once. The dispatcher
never raises: every record ends HANDLED, IGNORED (a type this service does not subscribe to) or DEAD_LETTERED,
and only then is its offset committed, so a crash re-delivers and idempotent handlers absorb the repeat.

Records come in batches. The records of one key (one aggregate) are handled in order; different keys at once, up
to `concurrency`. Kafka orders records only within a partition, and one topic has several, so no handler could
rely on an order across keys before either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from enum import StrEnum
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError
from pydantic import ValidationError
from tenacity import AsyncRetrying, RetryCallState, wait_exponential

from tdkt_shared.bus.codec import ConsumedRecord, decode
from tdkt_shared.bus.kafka import MAX_FETCH_BYTES_PER_PARTITION, make_consumer
from tdkt_shared.contract import CloudEvent, EventData, dlq_topic, parse_data
from tdkt_shared.observability.logs import bound
from tdkt_shared.observability.metrics import CONSUMER_LAG, DEAD_LETTERS, EVENTS_CONSUMED
from tdkt_shared.observability.tracing import consuming
from tdkt_shared.settings import Settings
from tdkt_shared.store.mongo import is_unavailable

log = logging.getLogger(__name__)

EventHandler = Callable[[CloudEvent, Any], Awaitable[object]]
"""`async def handle(event, data)`: data is the event's typed data model; the result is ignored."""


class Outcome(StrEnum):
    HANDLED = "handled"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


class DeadLetterSink(Protocol):
    async def send(self, record: ConsumedRecord, *, reason: str, error: str, attempts: int, group: str) -> None: ...


class KafkaDeadLetters:
    """Sends the original key and value to `<topic>.dlq`, with why in the headers."""

    def __init__(self, producer: Any) -> None:
        self._producer = producer

    async def send(self, record: ConsumedRecord, *, reason: str, error: str, attempts: int, group: str) -> None:
        headers = [
            *[(k, v) for k, v in record.headers if not k.startswith("dlq-")],
            ("dlq-reason", reason.encode()),
            ("dlq-error", error[:4000].encode()),
            ("dlq-consumer-group", group.encode()),
            ("dlq-attempts", str(attempts).encode()),
            ("dlq-original-topic", record.topic.encode()),
            ("dlq-original-partition", str(record.partition).encode()),
            ("dlq-original-offset", str(record.offset).encode()),
        ]
        await self._producer.send_and_wait(dlq_topic(record.topic), record.value, key=record.key, headers=headers)


class Dispatcher:
    def __init__(
        self,
        handlers: Mapping[str, EventHandler],
        dead_letters: DeadLetterSink,
        *,
        group: str,
        max_attempts: int = 3,
        backoff_s: float = 0.2,
        concurrency: int = 8,
    ) -> None:
        self._handlers = dict(handlers)
        self._dead_letters = dead_letters
        self._group = group
        self._max_attempts = max_attempts
        self._backoff_s = backoff_s
        self.outcomes: Counter[Outcome] = Counter()
        self._slots = asyncio.Semaphore(concurrency)

    @property
    def types(self) -> Sequence[str]:
        return sorted(self._handlers)

    async def _dead_letter(self, record: ConsumedRecord, reason: str, error: str, attempts: int) -> Outcome:
        log.warning("dead-lettering %s[%s]@%s: %s: %s", record.topic, record.partition, record.offset, reason, error)
        DEAD_LETTERS.labels(self._group, record.topic, reason).inc()
        await self._dead_letters.send(record, reason=reason, error=error, attempts=attempts, group=self._group)
        return Outcome.DEAD_LETTERED

    async def _dispatch(self, record: ConsumedRecord) -> Outcome:
        try:
            event = decode(record.value)
        except ValidationError as exc:
            return await self._dead_letter(record, "unparseable", _short(exc), 0)
        outcome = await self._handle(record, event)
        EVENTS_CONSUMED.labels(self._group, event.type, outcome.value).inc()
        return outcome

    async def _handle(self, record: ConsumedRecord, event: CloudEvent) -> Outcome:
        handler = self._handlers.get(event.type)
        if handler is None:
            return Outcome.IGNORED
        try:
            data: EventData | None = parse_data(event)
        except ValidationError as exc:
            return await self._dead_letter(record, "invalid-data", _short(exc), 0)
        attempts = 0  # the handler's own failures; an unavailable store never counts as one

        def gives_up(state: RetryCallState) -> bool:
            nonlocal attempts
            failure = state.outcome.exception() if state.outcome is not None else None
            if failure is not None and is_unavailable(failure):  # not the event's fault: retried until it is back
                log.warning("store unavailable (%s); retrying until it is back", type(failure).__name__)
                return False
            attempts += 1
            return attempts >= self._max_attempts

        try:
            with (
                bound(event_id=event.id, event_type=event.type, correlation_id=event.correlationid),
                consuming(event.type, event.id, _trace_of(event), self._group),
            ):
                async for attempt in AsyncRetrying(
                    stop=gives_up,
                    wait=wait_exponential(multiplier=self._backoff_s, max=5),
                    reraise=True,
                ):
                    with attempt:
                        await handler(event, data)
        except Exception as exc:
            return await self._dead_letter(record, "handler-failed", f"{type(exc).__name__}: {exc}", attempts)
        return Outcome.HANDLED

    async def __call__(self, record: ConsumedRecord) -> Outcome:
        """Dispatch until the record is settled; only a failing dead-letter send can make it wait."""
        while True:
            try:
                outcome = await self._dispatch(record)
            except Exception:
                log.exception("could not settle %s[%s]@%s; retrying", record.topic, record.partition, record.offset)
                await asyncio.sleep(1)
                continue
            self.outcomes[outcome] += 1
            return outcome

    async def dispatch_batch(self, records: Sequence[ConsumedRecord]) -> list[Outcome]:
        """Settle every record of a batch: one key's records in order, different keys at once (bounded)."""
        lanes: dict[bytes | None, list[int]] = {}
        for i, record in enumerate(records):
            lanes.setdefault(record.key, []).append(i)
        outcomes: list[Outcome] = [Outcome.IGNORED] * len(records)

        async def lane(indexes: list[int]) -> None:
            async with self._slots:
                for i in indexes:
                    outcomes[i] = await self(records[i])

        await asyncio.gather(*(lane(indexes) for indexes in lanes.values()))
        return outcomes


def _trace_of(event: CloudEvent) -> dict[str, str]:
    return {k: v for k, v in (("traceparent", event.traceparent), ("tracestate", event.tracestate)) if v}


def _short(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in exc.errors()[:5])


def record_lag(group: str, topic: str, partition: int, highwater: int | None, last_offset: int) -> None:
    """The partition's lag after a batch: records between the last one handled and the end of the log."""
    if highwater is not None:
        CONSUMER_LAG.labels(group, topic, str(partition)).set(max(0, highwater - last_offset - 1))


class ConsumerPort(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


FETCH_MIN_BYTES = MAX_FETCH_BYTES_PER_PARTITION
"""While records come, the broker answers a fetch once this much is there or `consumer_batch_wait_ms` has passed.
aiokafka's default (1 byte) answered each record as it came: at 100 reports/s every consumer fetched one at a time."""
IDLE_FETCH_WAIT_MS = 500
"""While nothing comes, a fetch waits on the broker this long for the first byte (aiokafka's default), and the first
record is answered at once. A fetch held for 64 KiB or 50 ms while idle tripled the broker's idle CPU."""


class AiokafkaConsumer:
    """A plain aiokafka consumer group member.

    While records come, a fetch waits up to `consumer_batch_wait_ms` for them to gather (one fetch for several
    records: at 100 reports/s this took 1.6 ms of platform CPU a report off); while none come, it waits for the
    first. Offsets are committed only for records already dispatched, all partitions in one request, at most every
    `consumer_commit_interval_ms` (a commit is a write to the broker's offsets log: one per partition per batch cost
    the broker more than fetching the records), and at once when partitions are given up or the consumer stops.
    """

    def __init__(self, settings: Settings, topics: Sequence[str], dispatch: Dispatcher) -> None:
        self._settings = settings
        self._topics = list(topics)
        self._dispatch = dispatch
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None
        self._handled: dict[TopicPartition, int] = {}
        """partition -> the next offset to commit: its records before it are dispatched"""
        self._interval = settings.consumer_commit_interval_ms / 1000
        self._committed_at = 0.0

    async def start(self) -> None:
        self._consumer = make_consumer(
            self._settings,
            group_id=self._settings.group_id,
            client_id=f"{self._settings.kafka_client_id_prefix}-{self._settings.service_name}-consumer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=10000,
            heartbeat_interval_ms=1000,
            max_poll_interval_ms=300000,
            max_partition_fetch_bytes=MAX_FETCH_BYTES_PER_PARTITION,
        )
        self._consumer.subscribe(self._topics, listener=_CommitOnRevoke(self))
        await self._consumer.start()
        self._fetch_for(busy=False)
        self._task = asyncio.create_task(self._run(), name="aiokafka-consumer")

    async def _run(self) -> None:
        assert self._consumer is not None
        consumer = self._consumer
        loop = asyncio.get_running_loop()
        while True:
            batches = await consumer.getmany(
                timeout_ms=IDLE_FETCH_WAIT_MS, max_records=self._settings.consumer_batch_max
            )
            self._fetch_for(busy=bool(batches))
            await self._dispatch.dispatch_batch(
                [
                    ConsumedRecord(msg.topic, msg.partition, msg.offset, msg.key, msg.value, msg.headers)
                    for messages in batches.values()
                    for msg in messages
                ]
            )
            for tp, messages in batches.items():
                self._handled[TopicPartition(tp.topic, tp.partition)] = messages[-1].offset + 1
                record_lag(self._settings.group_id, tp.topic, tp.partition, consumer.highwater(tp), messages[-1].offset)
            if self._handled and loop.time() - self._committed_at >= self._interval:
                await self.commit()

    def _fetch_for(self, *, busy: bool) -> None:
        """Fetches that gather records while they come, and a long poll for the first byte while none do. aiokafka
        reads both from its fetcher for each fetch it sends; they have no public setter (aiokafka is pinned, and
        tests/integration/test_bus.py checks both states on the real broker)."""
        fetcher = getattr(self._consumer, "_fetcher", None)
        if fetcher is not None:
            fetcher._fetch_min_bytes = FETCH_MIN_BYTES if busy else 1
            fetcher._fetch_max_wait_ms = self._settings.consumer_batch_wait_ms if busy else IDLE_FETCH_WAIT_MS

    async def commit(self, partitions: Collection[TopicPartition] | None = None) -> None:
        """Commit what is dispatched (of `partitions`, or all) in one request; a commit lost to a rebalance is
        logged, and the new owner re-delivers those records."""
        assert self._consumer is not None
        offsets = {tp: o for tp, o in self._handled.items() if partitions is None or tp in partitions}
        for tp in offsets:
            del self._handled[tp]
        self._committed_at = asyncio.get_running_loop().time()
        if not offsets:
            return
        try:
            await self._consumer.commit(offsets)
        except CommitFailedError:
            log.warning("commit of %s lost to a rebalance; those records will be re-delivered", sorted(offsets))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            try:
                await self.commit()
            except Exception:  # the broker is gone: the next owner re-delivers, and the handlers absorb it
                log.warning("could not commit on stop; the records since the last commit will be re-delivered")
            await self._consumer.stop()


class _CommitOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """Partitions given up in a rebalance get their dispatched offsets committed first, so the next owner does
    not repeat them."""

    def __init__(self, consumer: AiokafkaConsumer) -> None:
        self._consumer = consumer

    async def on_partitions_revoked(self, revoked: Collection[TopicPartition]) -> None:
        await self._consumer.commit(revoked)

    async def on_partitions_assigned(self, assigned: Collection[TopicPartition]) -> None:
        return None
