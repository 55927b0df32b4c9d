from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from tdkt_reporting.service import DEFINITION
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered, OrganizationsMerged
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve


@pytest.fixture
def runtime() -> InMemoryRuntime:
    return InMemoryRuntime(DEFINITION)


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client


async def register(runtime: InMemoryRuntime, organization_id: str, name: str | None = None) -> None:
    """Deliver a registry event, as the consumer would."""
    data = OrganizationRegistered(
        organization_id=organization_id,
        name=name or organization_id,
        kind=OrganizationKind.PEOPLES_COMMITTEE,
        valid_from=date(2000, 1, 1),
    )
    await runtime.handlers()[OrganizationRegistered.event_type](make_event(data, partitionkey=organization_id), data)


async def merge(runtime: InMemoryRuntime, predecessors: list[str], successor: str) -> str:
    data = OrganizationsMerged(
        predecessor_ids=predecessors,
        successor_id=successor,
        effective_date=date(2025, 7, 1),
        legal_basis="Nghị quyết 1683/NQ-UBTVQH15",
    )
    event = make_event(data, partitionkey=successor)
    await runtime.handlers()[OrganizationsMerged.event_type](event, data)
    return event.id
