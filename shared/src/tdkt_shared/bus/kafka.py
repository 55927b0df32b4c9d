"""aiokafka plumbing shared by the relay, the DLQ and the consumers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from tdkt_shared.contract.topics import DLQ_SUFFIX
from tdkt_shared.settings import Settings

log = logging.getLogger(__name__)

MAX_FETCH_BYTES_PER_PARTITION = 64 * 1024
"""What a consumer prefetches per partition: several hundred of our records, more than a batch takes. aiokafka's
default (1 MiB) held 17 MiB for a consumer 30,000 records behind (`python -m bench.buffer`)."""


def make_producer(settings: Settings, role: str) -> AIOKafkaProducer:
    """A producer that loses nothing the broker acknowledged: acks from all replicas, idempotent retries."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.kafka_client_id_prefix}-{settings.service_name}-{role}",
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        request_timeout_ms=15000,
    )


async def start_with_retry(producer: AIOKafkaProducer, *, within_s: float = 60) -> None:
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(within_s),
        wait=wait_exponential(multiplier=0.2, max=3),
        retry=retry_if_exception_type(Exception),
        reraise=True,
    ):
        with attempt:
            await producer.start()


def retention_ms(settings: Settings, topic: str) -> int:
    """Event topics keep their history (subscribers may read from the earliest offset); dead letters expire."""
    return settings.kafka_dlq_retention_ms if topic.endswith(DLQ_SUFFIX) else settings.kafka_events_retention_ms


async def ensure_topics(settings: Settings, topics: Iterable[str]) -> list[str]:
    """Create the topics that do not exist yet, with their retention; returns the ones it created."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.kafka_client_id_prefix}-{settings.service_name}-admin",
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = sorted(set(topics) - existing)
        if not missing:
            return []
        new = [
            NewTopic(
                name,
                settings.kafka_topic_partitions,
                settings.kafka_replication_factor,
                topic_configs={"retention.ms": str(retention_ms(settings, name))},
            )
            for name in missing
        ]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            log.info("topics created concurrently by another service")
        await _wait_for_leaders(admin, missing)
        log.info("created topics %s", ", ".join(missing))
        return missing
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, topics: list[str], within_s: float = 30) -> None:
    """A new topic's partitions answer NotLeaderForPartition until their leaders are elected: wait for them."""
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        described = await admin.describe_topics(topics)
        if all(t["partitions"] and all(p["leader"] >= 0 for p in t["partitions"]) for t in described):
            return
        if asyncio.get_running_loop().time() > deadline:
            log.warning("partition leaders of %s not elected within %ss", ", ".join(topics), within_s)
            return
        await asyncio.sleep(0.1)


async def topic_partitions(consumer: AIOKafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of `topics`, from fresh cluster metadata (a consumer that has not subscribed knows none)."""
    cluster = await consumer._client.fetch_all_metadata()
    return [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or [])]
