from __future__ import annotations

from datetime import date

import httpx

from tdkt_reporting.service import DEFINITION
from tdkt_reporting.store import ORGANIZATIONS
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve


async def test_a_registered_organisation_is_known_once_however_often_delivered() -> None:
    runtime = InMemoryRuntime(DEFINITION)
    handle = runtime.handlers()[OrganizationRegistered.event_type]
    data = OrganizationRegistered(
        organization_id="bao-bac-kan", name="Báo Bắc Kạn", kind=OrganizationKind.PRESS, valid_from=date(1990, 1, 1)
    )
    event = make_event(data, partitionkey=data.organization_id)
    for _ in range(3):
        await handle(event, data)
    stored = await runtime.store(ORGANIZATIONS).get("bao-bac-kan")
    assert stored is not None
    assert (stored.version, stored.processed) == (1, (event.id,))

    async with serve(DEFINITION, runtime) as client:
        response = await client.get("/organizations/bao-bac-kan")
        listing = (await client.get("/organizations")).json()
    assert response.status_code == 200
    assert response.json() == {
        "id": "bao-bac-kan",
        "name": "Báo Bắc Kạn",
        "kind": "PRESS",
        "parent_id": None,
        "valid_from": "1990-01-01",
        "registry_version": 1,
        "successor_id": None,
        "merged_on": None,
    }
    assert listing["total"] == 1


async def test_unknown_organisation_is_404() -> None:
    async with serve(DEFINITION, InMemoryRuntime(DEFINITION)) as client:
        response: httpx.Response = await client.get("/organizations/x")
    assert response.status_code == 404
