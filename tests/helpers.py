"""Test helpers shared by unit and integration tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from asgi_lifespan import LifespanManager

from tdkt_shared.runtime import AnyRuntime, Role, ServiceDefinition, create_app


@contextlib.asynccontextmanager
async def serve(
    definition: ServiceDefinition, runtime: AnyRuntime, role: Role = "all"
) -> AsyncIterator[httpx.AsyncClient]:
    """The service's app, started with its lifespan, behind an in-process HTTP client."""
    app = create_app(definition, runtime, role)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client
