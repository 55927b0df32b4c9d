from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tdkt_registry.service import DEFINITION
from tdkt_registry.store import COLLECTIONS, ORGANIZATIONS
from tdkt_shared.contract import CloudEvent
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve


@pytest.fixture
def runtime() -> InMemoryRuntime:
    return InMemoryRuntime(DEFINITION)


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client


async def snapshot(runtime: InMemoryRuntime) -> dict[str, Any]:
    """Everything the registry has written: each aggregate's version, and every event, per collection."""
    result: dict[str, Any] = {}
    for name in COLLECTIONS:
        store = runtime.store(name)
        found = await store.find({}, limit=100_000)
        result[name] = ({s.id: s.version for s in found}, len(store.events))
    return result


def events(runtime: InMemoryRuntime, collection: str = ORGANIZATIONS) -> list[CloudEvent]:
    return runtime.store(collection).events


def all_events(runtime: InMemoryRuntime) -> list[CloudEvent]:
    return [e for name in COLLECTIONS for e in runtime.store(name).events]


async def org(
    client: httpx.AsyncClient,
    org_id: str,
    name: str | None = None,
    *,
    kind: str = "DEPARTMENT",
    parent_id: str | None = None,
    valid_from: str = "2008-01-01",
    **extra: Any,
) -> dict[str, Any]:
    body = {"id": org_id, "name": name or org_id, "kind": kind, "valid_from": valid_from, **extra}
    if parent_id:
        body["parent_id"] = parent_id
    response = await client.post("/organizations", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
