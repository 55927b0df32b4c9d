"""What a broker restart did to the relay in the broker-restart fault test (the failure is timing-dependent, so it
is replayed here): its idempotent producer got OutOfOrderSequenceNumber on every send until a new one replaced it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import OutOfOrderSequenceNumber

from tdkt_shared import runtime as runtime_module
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.runtime import CurrentProducer, RenewingPublisher, Runtime, ServiceDefinition
from tdkt_shared.settings import load_settings


class FakeProducer:
    def __init__(self, broken: bool) -> None:
        self.broken = broken
        self.sent: list[bytes] = []
        self.stopped = False

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.stopped = True

    async def send(self, _topic: str, value: bytes, **_kwargs: Any) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.broken:
            future.set_exception(OutOfOrderSequenceNumber())
        else:
            self.sent.append(value)
            future.set_result(None)
        return future

    async def send_and_wait(self, topic: str, value: bytes, **kwargs: Any) -> None:
        await (await self.send(topic, value, **kwargs))


async def test_a_producer_the_broker_no_longer_accepts_is_replaced_and_the_send_retried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh = FakeProducer(broken=False)
    monkeypatch.setattr(runtime_module, "make_producer", lambda *_args: fresh)
    runtime = Runtime(ServiceDefinition(name="registry", title="t", collections=()), load_settings("registry"))
    broken = FakeProducer(broken=True)
    runtime._producer = broken
    data = OrganizationRegistered(
        organization_id="so-noi-vu", name="Sở Nội vụ", kind=OrganizationKind.PRESS, valid_from="2024-01-01"
    )
    event = make_event(data, partitionkey="so-noi-vu")
    publisher = RenewingPublisher(runtime)

    with pytest.raises(OutOfOrderSequenceNumber):
        await publisher.publish([event])  # the relay logs this round as failed and tries again
    assert runtime.producer is fresh
    assert broken.stopped
    await publisher.publish([event])
    await CurrentProducer(runtime).send_and_wait("tdkt.registry.events.dlq", b"letter")
    assert len(fresh.sent) == 2
    await runtime.client.close()
