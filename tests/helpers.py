"""Test helpers shared by unit and integration tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from asgi_lifespan import LifespanManager

from tdkt_shared.auth import dev_headers
from tdkt_shared.runtime import AnyRuntime, Role, ServiceDefinition, create_app


@contextlib.asynccontextmanager
async def serve(
    definition: ServiceDefinition,
    runtime: AnyRuntime,
    role: Role = "all",
    headers: dict[str, str] | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """The service's app, started with its lifespan, behind an in-process HTTP client.

    The client sends an admin development token unless `headers` says otherwise; authorisation tests pass their own
    token per request."""
    app = create_app(definition, runtime, role)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=60) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        sent = dev_headers() if headers is None else headers
        async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=sent) as client:
            yield client
