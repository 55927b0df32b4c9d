"""The faust-streaming transport: one agent with concurrency=1, no tables, at-least-once acknowledgements.

faust has no pydantic support, so values are consumed as raw bytes and decoded by the shared dispatcher.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import faust

from tdkt_shared.bus.codec import ConsumedRecord
from tdkt_shared.bus.consumer import Dispatcher
from tdkt_shared.settings import Settings

log = logging.getLogger(__name__)


class FaustConsumer:
    def __init__(self, settings: Settings, topics: Sequence[str], dispatch: Dispatcher) -> None:
        self._dispatch = dispatch
        brokers = [f"kafka://{host.strip()}" for host in settings.kafka_bootstrap_servers.split(",")]
        self.app = faust.App(
            settings.group_id,
            broker=brokers,
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
            broker_commit_interval=0.5,
            stream_wait_empty=False,
        )
        channel = self.app.topic(*topics, value_serializer="raw", key_serializer="raw")

        async def consume(stream: Any) -> None:
            async for event in stream.events():
                msg = event.message
                record = ConsumedRecord(
                    msg.topic, msg.partition, msg.offset, msg.key, msg.value, list(msg.headers or [])
                )
                await self._dispatch(record)

        self.agent = self.app.agent(channel, name=f"{settings.group_id}.dispatch", concurrency=1)(consume)

    async def start(self) -> None:
        await self.app.start()

    async def stop(self) -> None:
        await self.app.stop()
