from __future__ import annotations

from datetime import date

import httpx

from tdkt_reporting.service import DEFINITION
from tdkt_reporting.store import ORGANIZATIONS
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve
from tests.unit.reporting.conftest import merge, register


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
    # the kit's directory router: fields at their default (no parent, no merger) are left out
    assert response.json() == {
        "id": "bao-bac-kan",
        "name": "Báo Bắc Kạn",
        "kind": "PRESS",
        "valid_from": "1990-01-01",
        "registry_version": 1,
    }
    assert listing["total"] == 1


async def test_unknown_organisation_is_404() -> None:
    async with serve(DEFINITION, InMemoryRuntime(DEFINITION)) as client:
        response: httpx.Response = await client.get("/organizations/x")
    assert response.status_code == 404


async def test_a_merged_organisation_shows_its_successor_whatever_the_order_of_events() -> None:
    runtime = InMemoryRuntime(DEFINITION)
    await merge(runtime, ["huyen-ba-be"], "xa-cho-ra")  # unknown yet: nothing to mark
    await register(runtime, "huyen-ba-be")
    await merge(runtime, ["huyen-ba-be"], "xa-cho-ra")
    await register(runtime, "huyen-ba-be")  # a later registration event keeps the merger
    async with serve(DEFINITION, runtime) as client:
        body = (await client.get("/organizations/huyen-ba-be")).json()
    assert (body["successor_id"], body["merged_on"]) == ("xa-cho-ra", "2025-07-01")
