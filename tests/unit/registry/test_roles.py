"""Functional roles by date (who holds role R on D) and contact points."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_registry.store import CONTACT_POINTS, ROLE_ASSIGNMENTS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.registry import ContactPointSet, RoleAssigned
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.registry.conftest import events, org, snapshot


async def setup(client: httpx.AsyncClient) -> None:
    await org(client, "bk", "UBND tỉnh Bắc Kạn", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "tn", "UBND tỉnh Thái Nguyên", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "snv-bk", "Sở Nội vụ Bắc Kạn", parent_id="bk")
    await org(client, "snv-tn", "Sở Nội vụ Thái Nguyên", parent_id="tn")
    await org(client, "bao-bk", "Báo Bắc Kạn", kind="PRESS", parent_id="bk")
    await org(client, "dai-bk", "Đài PT-TH Bắc Kạn", kind="PRESS", parent_id="bk")


async def assign(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/role-assignments", json=body)


async def holders(client: httpx.AsyncClient, role: str, on: str, scope: str | None = None) -> list[str]:
    params = {"on": on, **({"scope": scope} if scope else {})}
    response = await client.get(f"/roles/{role}/holders", params=params)
    assert response.status_code == 200, response.text
    return sorted(h["organization_id"] for h in response.json()["holders"])


async def test_who_holds_a_role_on_a_date_follows_the_assignments_and_the_scope_lineage(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    tdkt = "TDKT_STATE_MANAGEMENT"
    response = await assign(
        client,
        id="tdkt-bk",
        role=tdkt,
        organization_id="snv-bk",
        valid_from="2008-01-01",
        valid_to="2025-06-30",
        scope_organization_id="bk",
    )
    assert response.status_code == 201, response.text
    [event] = events(runtime, ROLE_ASSIGNMENTS)
    assert (event.type, event.partitionkey) == ("tdkt.registry.role.assigned.v1", "tdkt-bk")
    data = parse_data(event)
    assert isinstance(data, RoleAssigned)
    assert (data.assignment_id, data.role, str(data.valid_to)) == ("tdkt-bk", tdkt, "2025-06-30")
    await assign(client, role=tdkt, organization_id="snv-tn", valid_from="2008-01-01", scope_organization_id="tn")
    for press in ("bao-bk", "dai-bk"):
        await assign(
            client,
            role="PRESS_COMMUNICATION",
            organization_id=press,
            valid_from="2020-01-01",
            scope_organization_id="bk",
        )

    assert await holders(client, tdkt, "2024-06-01") == ["snv-bk", "snv-tn"]
    assert await holders(client, tdkt, "2024-06-01", scope="bk") == ["snv-bk"]
    assert await holders(client, tdkt, "2025-07-01") == ["snv-tn"]
    assert await holders(client, "PRESS_COMMUNICATION", "2024-06-01", scope="bk") == ["bao-bk", "dai-bk"]
    assert await holders(client, "COUNCIL_STANDING_BODY", "2024-06-01") == []

    # after Bắc Kạn merged into Thái Nguyên, "the TĐKT body for Bắc Kạn" is Thái Nguyên's
    for child in ("snv-bk", "bao-bk", "dai-bk"):
        merged = await client.post(
            "/lineage/mergers",
            json={
                "predecessor_ids": [child],
                "successor_id": "snv-tn" if child == "snv-bk" else "tn",
                "effective_date": "2025-07-01",
                "legal_basis": "NQ 202/2025/QH15",
            },
        )
        assert merged.status_code == 200, merged.text
    merged = await client.post(
        "/lineage/mergers",
        json={"predecessor_ids": ["bk"], "successor_id": "tn", "effective_date": "2025-07-01", "legal_basis": "NQ 202"},
    )
    assert merged.status_code == 200, merged.text
    assert await holders(client, tdkt, "2025-08-01", scope="bk") == ["snv-tn"]
    assert await holders(client, tdkt, "2025-06-30", scope="bk") == ["snv-bk"]


async def test_ending_an_assignment_needs_the_current_version(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    await assign(client, id="press", role="PRESS_COMMUNICATION", organization_id="bao-bk", valid_from="2020-01-01")
    ended = await client.post("/role-assignments/press/end", json={"version": 1, "valid_to": "2025-06-30"})
    assert ended.status_code == 200, ended.text
    assert (ended.json()["valid_to"], ended.json()["version"]) == ("2025-06-30", 2)
    assert [parse_data(e).valid_to.isoformat() for e in events(runtime, ROLE_ASSIGNMENTS)[1:]] == ["2025-06-30"]  # type: ignore[union-attr]
    before = await snapshot(runtime)
    stale = await client.post("/role-assignments/press/end", json={"version": 1, "valid_to": "2025-05-31"})
    assert stale.status_code == 409
    assert await snapshot(runtime) == before
    listed = (await client.get("/role-assignments", params={"organization_id": "bao-bk"})).json()
    assert [a["id"] for a in listed["items"]] == ["press"]


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"organization_id": "none"}, 422, "unknown_reference", "organization_id"),
        ({"scope_organization_id": "none"}, 422, "unknown_reference", "scope_organization_id"),
        ({"valid_from": "1990-01-01"}, 422, "not_in_force", "organization_id"),
        ({"valid_from": "2024-01-01", "valid_to": "2023-01-01"}, 422, "validation_error", None),
        ({"role": "MAYOR"}, 422, "validation_error", "role"),
        ({"valid_from": "2024-01-01"}, 422, "overlapping_validity", "valid_from"),
        ({"id": "existing", "valid_from": "2030-01-01"}, 409, "already_exists", "id"),
    ],
)
async def test_an_invalid_assignment_gets_4xx_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str | None,
) -> None:
    await setup(client)
    await assign(
        client,
        id="existing",
        role="TDKT_STATE_MANAGEMENT",
        organization_id="snv-bk",
        valid_from="2008-01-01",
        valid_to="2025-06-30",
    )
    before = await snapshot(runtime)
    response = await assign(
        client, **{"role": "TDKT_STATE_MANAGEMENT", "organization_id": "snv-bk", "valid_from": "2010-01-01", **body}
    )
    assert response.status_code == status, response.text
    assert (response.json()["error"], response.json()["field"]) == (error, field)
    assert await snapshot(runtime) == before


async def test_a_contact_point_is_set_then_replaced_with_its_version(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    url = "/organizations/bao-bk/contact-point"
    created = await client.put(url, json={"email": "toasoan@baobackan.example"})
    assert created.status_code == 200, created.text
    assert created.json()["version"] == 1
    replaced = await client.put(
        url, json={"email": "tdkt@baobackan.example", "webhook_url": "https://hooks.example/x", "version": 1}
    )
    assert replaced.status_code == 200, replaced.text
    emitted = events(runtime, CONTACT_POINTS)
    assert [(e.type, e.partitionkey) for e in emitted] == [("tdkt.registry.contact_point.set.v1", "bao-bk")] * 2
    data = parse_data(emitted[-1])
    assert isinstance(data, ContactPointSet)
    assert (data.owner_kind, data.email, data.webhook_url) == (
        "ORGANIZATION",
        "tdkt@baobackan.example",
        "https://hooks.example/x",
    )
    assert (await client.get(url)).json()["email"] == "tdkt@baobackan.example"

    before = await snapshot(runtime)
    for body, status, field in (
        ({"email": "a@b.example"}, 422, "version"),
        ({"email": "a@b.example", "version": 1}, 409, "version"),
        ({"email": "not an email", "version": 2}, 422, "email"),
        ({"webhook_url": "ftp://x", "version": 2}, 422, "webhook_url"),
        ({"version": 2}, 422, None),
    ):
        response = await client.put(url, json=body)
        assert (response.status_code, response.json()["field"]) == (status, field), response.text
    assert (await client.put("/organizations/none/contact-point", json={"email": "a@b.example"})).status_code == 404
    assert (await client.put("/persons/none/contact-point", json={"email": "a@b.example"})).status_code == 404
    assert await snapshot(runtime) == before


async def test_a_deciding_authority_is_assigned_with_the_authority_it_serves(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    deciding = "DECIDING_AUTHORITY"
    missing = await assign(client, role=deciding, organization_id="bk", valid_from="2020-01-01")
    assert missing.status_code == 422
    assert "authority" in missing.text
    stray = await assign(
        client,
        role="PRESS_COMMUNICATION",
        organization_id="bao-bk",
        valid_from="2020-01-01",
        authority="PROVINCE_CHAIRMAN",
    )
    assert stray.status_code == 422
    assert "only DECIDING_AUTHORITY" in stray.text
    assert events(runtime, ROLE_ASSIGNMENTS) == []

    for authority in ("PROVINCE_CHAIRMAN", "PROVINCE_COMMITTEE"):  # one office may serve several authorities
        r = await assign(
            client,
            id=f"qd-{authority.lower()}",
            role=deciding,
            organization_id="bk",
            valid_from="2020-01-01",
            authority=authority,
        )
        assert r.status_code == 201, r.text
        assert r.json()["authority"] == authority
    again = await assign(
        client, role=deciding, organization_id="bk", valid_from="2021-01-01", authority="PROVINCE_CHAIRMAN"
    )
    assert (again.status_code, again.json()["error"]) == (422, "overlapping_validity")
    data = [parse_data(e) for e in events(runtime, ROLE_ASSIGNMENTS)]
    assert [(d.role, d.authority) for d in data if isinstance(d, RoleAssigned)] == [
        (deciding, "PROVINCE_CHAIRMAN"),
        (deciding, "PROVINCE_COMMITTEE"),
    ]
    assert await holders(client, deciding, "2025-01-01") == ["bk", "bk"]
