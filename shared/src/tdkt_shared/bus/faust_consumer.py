"""The faust-streaming transport: one agent taking batches of events, no tables, at-least-once acknowledgements.

faust has no pydantic support, so values are consumed as raw bytes and decoded by the shared dispatcher. The agent
has concurrency 1 and takes events in batches (`take_events`), which faust acknowledges only once the batch is
settled; the dispatcher handles a batch's keys concurrently.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Sequence
from typing import Any

import faust
from faust.types.auth import CredentialsT

from tdkt_shared.bus.codec import ConsumedRecord
from tdkt_shared.bus.consumer import Dispatcher, record_lag
from tdkt_shared.bus.kafka import MAX_FETCH_BYTES_PER_PARTITION, ssl_context
from tdkt_shared.settings import Settings

log = logging.getLogger(__name__)

STREAM_BUFFER_BATCHES = 2
"""Batches faust may hold ahead of the agent. Its default, 4,096 records, held 6 MiB more for a consumer 30,000
records behind (`python -m bench.buffer`)."""


def broker_credentials(settings: Settings) -> CredentialsT | None:
    """faust's form of the Kafka security settings (faust turns it back into aiokafka's keyword arguments)."""
    context = ssl_context(settings)
    if settings.kafka_security_protocol.startswith("SASL_"):
        assert settings.kafka_sasl_password is not None  # the settings refuse SASL without credentials
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password.get_secret_value(),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=context,  # None: SASL_PLAINTEXT
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


class FaustConsumer:
    def __init__(self, settings: Settings, topics: Sequence[str], dispatch: Dispatcher) -> None:
        self._dispatch = dispatch
        brokers = [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap_servers.split(",")]
        batch_max, batch_wait = settings.consumer_batch_max, settings.consumer_batch_wait_ms / 1000
        # faust keeps table state in `<id>-data` under the working directory by default; there are no tables here
        self._datadir = tempfile.mkdtemp(prefix=f"{settings.group_id}-faust-")
        self.app = faust.App(
            settings.group_id,
            datadir=self._datadir,
            broker=brokers,
            broker_credentials=broker_credentials(settings),
            value_serializer="raw",
            key_serializer="raw",
            store="memory://",
            processing_guarantee="at_least_once",
            consumer_auto_offset_reset="earliest",
            topic_allow_declare=False,
            topic_disable_leader=True,
            web_enabled=False,
            autodiscover=False,
            broker_session_timeout=10,
            broker_heartbeat_interval=1,
            broker_rebalance_timeout=10,
            broker_commit_interval=settings.consumer_commit_interval_ms / 1000,
            stream_wait_empty=False,
            stream_buffer_maxsize=STREAM_BUFFER_BATCHES * batch_max,
            consumer_max_fetch_size=MAX_FETCH_BYTES_PER_PARTITION,
        )
        channel = self.app.topic(*topics, value_serializer="raw", key_serializer="raw")

        async def consume(stream: Any) -> None:
            async for events in stream.take_events(batch_max, within=batch_wait):
                records = [
                    ConsumedRecord(m.topic, m.partition, m.offset, m.key, m.value, list(m.headers or []))
                    for m in (event.message for event in events)
                ]
                await self._dispatch.dispatch_batch(records)
                last = {m.tp: m.offset for m in (event.message for event in events)}
                for tp, offset in last.items():
                    record_lag(settings.group_id, tp.topic, tp.partition, self._highwater(tp), offset)

        self.agent = self.app.agent(channel, name=f"{settings.group_id}.dispatch", concurrency=1)(consume)

    def _highwater(self, tp: Any) -> int | None:
        try:
            highwater: int | None = self.app.consumer.highwater(tp)
        except Exception:  # the consumer is restarting: the next batch measures
            return None
        return highwater

    async def start(self) -> None:
        await self.app.start()

    async def stop(self) -> None:
        try:
            await self.app.stop()
        finally:
            shutil.rmtree(self._datadir, ignore_errors=True)
