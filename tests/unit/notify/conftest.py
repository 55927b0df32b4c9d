from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx
import pytest

from tdkt_notify.handlers import seed_defaults
from tdkt_notify.service import DEFINITION
from tdkt_notify.store import NotifyStores
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import CloudEvent, parse_data
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve


@pytest.fixture
async def runtime() -> InMemoryRuntime:
    runtime = InMemoryRuntime(DEFINITION)
    await seed_defaults(NotifyStores.of(runtime))
    return runtime


@pytest.fixture
def stores(runtime: InMemoryRuntime) -> NotifyStores:
    return NotifyStores.of(runtime)


class Feed:
    """Hands events to the service's consumers, as the bus would."""

    def __init__(self, handlers: Mapping[str, EventHandler]) -> None:
        self.handlers = handlers

    async def __call__(self, *events: CloudEvent) -> None:
        for event in events:
            await self.handlers[event.type](event, parse_data(event))


@pytest.fixture
def feed(runtime: InMemoryRuntime) -> Feed:
    return Feed(runtime.handlers())


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client
