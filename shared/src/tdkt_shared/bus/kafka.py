"""aiokafka plumbing shared by the relay, the DLQ and the consumers."""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import for_code
from aiokafka.helpers import create_ssl_context
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from tdkt_shared.contract.topics import DLQ_SUFFIX
from tdkt_shared.settings import Settings

log = logging.getLogger(__name__)

MAX_FETCH_BYTES_PER_PARTITION = 64 * 1024
"""What a consumer prefetches per partition: several hundred of our records, more than a batch takes. aiokafka's
default (1 MiB) held 17 MiB for a consumer 30,000 records behind (`python -m bench.buffer`)."""


TOPIC_CREATED, TOPIC_ALREADY_EXISTS = 0, 36
"""Per-topic error codes of a CreateTopics response that leave the topic there."""


class TopicCreationError(RuntimeError):
    """The broker refused to create a topic (e.g. a replication factor larger than its brokers)."""


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context of SSL and SASL_SSL: the configured CA file, or the system's CAs."""
    if not settings.kafka_security_protocol.endswith("SSL"):
        return None
    context: ssl.SSLContext = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    return context


def client_security(settings: Settings) -> dict[str, Any]:
    """The security keyword arguments of every aiokafka client (producer, consumer, admin)."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if settings.kafka_security_protocol.startswith("SASL_"):
        assert settings.kafka_sasl_password is not None  # the settings refuse SASL without credentials
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    return options


def make_consumer(settings: Settings, **options: Any) -> AIOKafkaConsumer:
    """A consumer of the configured cluster, with its security; `options` go to aiokafka as they are."""
    return AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, **client_security(settings), **options)


def make_admin(settings: Settings) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=f"{settings.kafka_client_id_prefix}-{settings.service_name}-admin",
        **client_security(settings),
    )


def make_producer(settings: Settings, role: str) -> AIOKafkaProducer:
    """A producer that loses nothing the broker acknowledged: acks from all replicas, idempotent retries."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        **client_security(settings),
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
    admin = make_admin(settings)
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
        created = _created_topics(await admin.create_topics(new))
        await _wait_for_leaders(admin, missing)
        if concurrently := sorted(set(missing) - set(created)):
            log.info("topics created concurrently by another service: %s", ", ".join(concurrently))
        if created:
            log.info("created topics %s", ", ".join(created))
        return created
    finally:
        await admin.close()


def _created_topics(response: Any) -> list[str]:
    """The topics a CreateTopics response reports created; raises for any it refused.

    aiokafka does not raise for these: each topic carries its own error code (and, from v1, a message)."""
    created, refused = [], []
    for entry in response.topic_errors:
        topic, code = entry[0], entry[1]
        message = entry[2] if len(entry) > 2 else None
        if code == TOPIC_CREATED:
            created.append(topic)
        elif code != TOPIC_ALREADY_EXISTS:
            refused.append(f"{topic}: {for_code(code).__name__} (error {code}){f': {message}' if message else ''}")
    if refused:
        raise TopicCreationError(f"the broker refused to create {len(refused)} topic(s): {'; '.join(refused)}")
    return sorted(created)


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
