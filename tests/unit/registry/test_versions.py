"""Organisations over time: effective-dated changes, optimistic concurrency, as-of reads, no cycles."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tdkt_shared.contract import parse_data
from tdkt_shared.contract.registry import OrganizationChanged
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.registry.conftest import events, org, snapshot


async def tree(client: httpx.AsyncClient) -> None:
    await org(client, "ubnd-tinh", "UBND tỉnh Bắc Kạn", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "ubnd-tinh-tn", "UBND tỉnh Thái Nguyên", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "so-tttt", "Sở Thông tin và Truyền thông", parent_id="ubnd-tinh")
    await org(client, "huyen", "UBND huyện Ba Bể", kind="PEOPLES_COMMITTEE", parent_id="ubnd-tinh")
    await org(client, "xa", "UBND xã Nam Mẫu", kind="PEOPLES_COMMITTEE", parent_id="huyen")


async def change(client: httpx.AsyncClient, org_id: str, **body: Any) -> httpx.Response:
    return await client.post(f"/organizations/{org_id}/versions", json=body)


async def test_a_change_opens_a_version_and_closes_the_previous_one_the_day_before(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await tree(client)
    before = len(events(runtime))
    response = await change(
        client,
        "so-tttt",
        version=1,
        effective_date="2025-03-01",
        name="Sở Khoa học và Công nghệ",
        legal_basis="QĐ hợp nhất (minh họa)",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'
    assert [(v["name"], v["valid_from"], v["valid_to"]) for v in body["versions"]] == [
        ("Sở Thông tin và Truyền thông", "2008-01-01", "2025-02-28"),
        ("Sở Khoa học và Công nghệ", "2025-03-01", None),
    ]
    [event] = events(runtime)[before:]
    assert (event.type, event.partitionkey) == ("tdkt.registry.organization.changed.v1", "so-tttt")
    data = parse_data(event)
    assert isinstance(data, OrganizationChanged)
    assert (data.name, data.changed, data.version, data.parent_id) == (
        "Sở Khoa học và Công nghệ",
        ["name"],
        2,
        "ubnd-tinh",
    )


async def test_reads_as_of_a_date_see_the_version_then_in_force(client: httpx.AsyncClient) -> None:
    await tree(client)
    await change(client, "xa", version=1, effective_date="2025-07-01", parent_id="ubnd-tinh-tn", name="UBND xã Ba Bể")

    async def name_on(day: str) -> str | None:
        current = (await client.get("/organizations/xa", params={"as_of": day})).json()["current"]
        return None if current is None else str(current["name"])

    assert await name_on("2025-06-30") == "UBND xã Nam Mẫu"
    assert await name_on("2025-07-01") == "UBND xã Ba Bể"
    assert await name_on("2000-01-01") is None

    async def children(parent: str, day: str | None) -> list[str]:
        params = {"as_of": day} if day else {}
        page = (await client.get(f"/organizations/{parent}/children", params=params)).json()
        return [o["id"] for o in page["items"]]

    assert await children("huyen", "2025-06-30") == ["xa"]
    assert await children("huyen", "2025-07-01") == []
    assert await children("ubnd-tinh-tn", "2025-07-01") == ["xa"]
    assert await children("ubnd-tinh-tn", None) == ["xa"]
    listed = (await client.get("/organizations", params={"parent_id": "huyen", "as_of": "2024-01-01"})).json()
    assert (listed["total"], listed["items"][0]["current"]["name"]) == (1, "UBND xã Nam Mẫu")
    named = (await client.get("/organizations", params={"q": "ba bể", "as_of": "2025-07-01"})).json()
    assert [o["id"] for o in named["items"]] == ["huyen", "xa"]
    kinds = (await client.get("/organizations", params={"kind": "DEPARTMENT"})).json()
    assert [o["id"] for o in kinds["items"]] == ["so-tttt"]


async def test_a_stale_version_gets_409_and_nothing_is_written(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await tree(client)
    first = await change(client, "so-tttt", version=1, effective_date="2020-01-01", name="Sở TT&TT")
    assert first.status_code == 200
    before = await snapshot(runtime)
    stale = await change(client, "so-tttt", version=1, effective_date="2021-01-01", name="Lost update")
    assert stale.status_code == 409
    assert (stale.json()["error"], stale.json()["field"]) == ("version_conflict", "version")
    assert await snapshot(runtime) == before


async def test_concurrent_edits_of_one_version_let_exactly_one_win(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await tree(client)
    responses = await asyncio.gather(
        *(change(client, "so-tttt", version=1, effective_date="2020-01-01", name=f"Tên {i}") for i in range(5))
    )
    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409, 409]
    stored = (await client.get("/organizations/so-tttt")).json()
    assert (stored["version"], len(stored["versions"])) == (2, 2)
    assert [e.type for e in events(runtime)].count("tdkt.registry.organization.changed.v1") == 1


@pytest.mark.parametrize(
    ("org_id", "body", "status", "error", "field"),
    [
        # a cycle: the province under its own grandchild
        ("ubnd-tinh", {"parent_id": "xa", "effective_date": "2024-01-01"}, 422, "cycle", "parent_id"),
        ("huyen", {"parent_id": "xa", "effective_date": "2024-01-01"}, 422, "cycle", "parent_id"),
        ("huyen", {"parent_id": "huyen", "effective_date": "2024-01-01"}, 422, "cycle", "parent_id"),
        ("huyen", {"parent_id": "none", "effective_date": "2024-01-01"}, 422, "unknown_reference", "parent_id"),
        # the new parent did not exist yet on the effective date
        ("huyen", {"parent_id": "ubnd-tinh-tn", "effective_date": "1990-01-01"}, 422, "rule_violated", "parent_id"),
        (
            "xa",
            {"parent_id": "ubnd-tinh", "effective_date": "1998-01-01"},
            422,
            "overlapping_validity",
            "effective_date",
        ),
        # on or before the start of the version in force: would overlap it
        ("so-tttt", {"name": "X", "effective_date": "2008-01-01"}, 422, "overlapping_validity", "effective_date"),
        ("so-tttt", {"name": "Sở Thông tin và Truyền thông", "effective_date": "2024-01-01"}, 422, "no_change", "name"),
        ("so-tttt", {"name": None, "effective_date": "2024-01-01"}, 422, "validation_error", None),
        ("so-tttt", {"kind": "DISTRICT", "effective_date": "2024-01-01"}, 422, "validation_error", "kind"),
        ("so-tttt", {"effective_date": "2024-01-01", "colour": "red"}, 422, "validation_error", "colour"),
        ("none", {"name": "X", "effective_date": "2024-01-01"}, 404, "not_found", None),
    ],
)
async def test_an_invalid_change_gets_4xx_with_the_field_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    org_id: str,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str | None,
) -> None:
    await tree(client)
    before = await snapshot(runtime)
    response = await change(client, org_id, version=1, **body)
    assert response.status_code == status, response.text
    assert (response.json()["error"], response.json()["field"]) == (error, field)
    assert await snapshot(runtime) == before


async def test_a_cycle_through_a_later_version_of_an_ancestor_is_refused(client: httpx.AsyncClient) -> None:
    await tree(client)
    await org(client, "a", parent_id="ubnd-tinh")
    await org(client, "b", parent_id="ubnd-tinh")
    # from 2026, a goes under b; putting b under a from 2025 would make a cycle in 2026
    assert (await change(client, "a", version=1, effective_date="2026-01-01", parent_id="b")).status_code == 200
    response = await change(client, "b", version=1, effective_date="2025-01-01", parent_id="a")
    assert (response.status_code, response.json()["error"]) == (422, "cycle")


async def test_an_organisation_can_be_moved_to_the_root(client: httpx.AsyncClient) -> None:
    await tree(client)
    response = await change(client, "so-tttt", version=1, effective_date="2024-01-01", parent_id=None)
    assert response.status_code == 200, response.text
    assert response.json()["current"]["parent_id"] is None
