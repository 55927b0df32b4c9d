"""Test helpers shared by unit and integration tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

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


PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
"""A tiny PDF: what a dossier's checklist items are filed with in tests."""


async def attach_files(
    client: httpx.AsyncClient, nomination_id: str, items: list[str], headers: dict[str, str] | None = None
) -> httpx.Response:
    """File a PDF under each checklist item of a nomination; the last answer (or the nomination when none)."""
    answer = await client.get(f"/nominations/{nomination_id}", headers=headers)
    for item in items:
        version = answer.json()["version"]
        answer = await client.post(
            f"/nominations/{nomination_id}/files/{item}?version={version}&filename={item}.pdf",
            content=PDF_BYTES,
            headers={**(headers or {}), "content-type": "application/pdf"},
        )
        assert answer.status_code == 201, answer.text
    return answer


async def post_draft(
    client: httpx.AsyncClient, json: dict[str, object], headers: dict[str, str] | None = None
) -> httpx.Response:
    """Draft a nomination; its `attachments` (checklist items) are then filed as PDFs, as the proposer would.

    The answer is the draft's when it failed, else the nomination after the last file (status 201)."""
    body = dict(json)
    items = body.pop("attachments", None)
    drafted = await client.post("/nominations", json=body, headers=headers)
    if drafted.status_code != 201 or not items:
        return drafted
    assert isinstance(items, list)
    filed = await attach_files(client, str(body["id"]), [str(i) for i in items], headers)
    return httpx.Response(201, json=filed.json(), headers=drafted.headers, request=drafted.request)


def record_calls(monkeypatch: Any, target: object, method: str) -> list[tuple[Any, ...]]:
    """The arguments of every call to the async `target.method` from now on (the calls still go through)."""
    calls: list[tuple[Any, ...]] = []
    real = getattr(target, method)

    async def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return await real(*args, **kwargs)

    monkeypatch.setattr(target, method, recorded)
    return calls


@contextlib.asynccontextmanager
async def loop_ticks() -> AsyncIterator[Callable[[], int]]:
    """Counts turns of a 10 ms ticker while the block runs: a call that blocks the event loop lets none happen."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    beat = asyncio.create_task(ticker())
    try:
        yield lambda: ticks
    finally:
        beat.cancel()


def failing_call(real: Callable[..., Awaitable[Any]], n: int, message: str) -> Callable[..., Awaitable[Any]]:
    """`real`, except that its `n`-th call raises ConnectionError(message): a process dying, a connection lost."""
    calls = 0

    async def call(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == n:
            raise ConnectionError(message)
        return await real(*args, **kwargs)

    return call
