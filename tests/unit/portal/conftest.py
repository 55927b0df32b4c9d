"""The portal over in-memory stores, calling the four real services' apps (in memory too) through in-process HTTP."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from asgi_lifespan import LifespanManager

from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_notify.service import DEFINITION as NOTIFY
from tdkt_portal.backend import SERVICES, Backend, Service
from tdkt_portal.service import DEFINITION, create_portal
from tdkt_portal.settings import PortalSettings
from tdkt_registry.service import DEFINITION as REGISTRY
from tdkt_reporting.service import DEFINITION as REPORTING
from tdkt_shared.contract import EventData, make_event, parse_data
from tdkt_shared.runtime import InMemoryRuntime, ServiceDefinition, create_app

BACKENDS: dict[Service, ServiceDefinition] = {
    "registry": REGISTRY,
    "reporting": REPORTING,
    "awards": AWARDS,
    "notify": NOTIFY,
}


@dataclass
class Stack:
    """The portal's client (a browser without JavaScript: it follows no redirect by itself) and every runtime."""

    portal: httpx.AsyncClient
    runtime: InMemoryRuntime
    services: dict[Service, InMemoryRuntime]
    clients: dict[Service, httpx.AsyncClient]

    delivered: set[str] = field(default_factory=set)

    async def deliver(self, data: EventData, key: str = "k") -> None:
        """An event as the portal's consumer gets it, through the portal's own handlers."""
        await self.runtime.handlers()[data.event_type](make_event(data, partitionkey=key), data)

    async def pump(self) -> int:
        """The bus in memory: every event the services wrote so far, delivered once to every other consumer that
        handles its type (the portal included); until nothing new. How many were delivered."""
        count = 0
        while True:
            fresh = [
                (name, event)
                for name, runtime in self.services.items()
                for collection in runtime.definition.collections
                for event in runtime.store(collection).events
                if event.id not in self.delivered
            ]
            if not fresh:
                return count
            consumers = [(n, r.handlers()) for n, r in self.services.items()] + [("portal", self.runtime.handlers())]
            for source, event in fresh:
                self.delivered.add(event.id)
                data = parse_data(event)
                for name, handlers in consumers:
                    if name != source and event.type in handlers:
                        await handlers[event.type](event, data)
                        count += 1

    async def sign_in(self, subject: str, organization_id: str, *roles: str) -> None:
        page = await self.portal.get("/dang-nhap")
        answer = await self.portal.post(
            "/dang-nhap",
            data={
                "csrf_token": csrf_of(page.text),
                "subject": subject,
                "organization_id": organization_id,
                "role": list(roles),
            },
        )
        assert answer.status_code == 303, answer.text

    async def csrf(self, path: str = "/vinh-danh") -> str:
        return csrf_of((await self.portal.get(path)).text)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
async def stack() -> AsyncIterator[Stack]:
    services = {name: InMemoryRuntime(definition) for name, definition in BACKENDS.items()}
    runtime = InMemoryRuntime(DEFINITION)
    async with contextlib.AsyncExitStack() as stack:
        clients: dict[Service, httpx.AsyncClient] = {}
        for name in SERVICES:
            app = create_app(BACKENDS[name], services[name])
            manager = await stack.enter_async_context(LifespanManager(app, startup_timeout=120))
            transport = httpx.ASGITransport(app=manager.app)
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=f"http://{name}")
            )
        # no roll cache here: each test sees an event's effect at once (test_honourees tests the cache itself)
        portal = create_portal(runtime, PortalSettings(roll_cache_ttl_s=0), Backend(clients))
        manager = await stack.enter_async_context(LifespanManager(portal))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://portal")
        )
        yield Stack(client, runtime, services, clients)
