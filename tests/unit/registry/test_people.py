"""Clusters with leader rotation, persons with employment history, councils with members and roles."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_registry.store import CLUSTERS, COUNCILS, PERSONS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.registry import ClusterMembershipChanged, CouncilMembershipChanged, PersonEmploymentChanged
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.registry.conftest import events, org, snapshot

DISTRICTS = ("ba-be", "na-ri", "cho-moi")


async def setup(client: httpx.AsyncClient) -> None:
    await org(client, "bk", "UBND tỉnh Bắc Kạn", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "tn", "UBND tỉnh Thái Nguyên", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "snv", "Sở Nội vụ", parent_id="bk")
    await org(client, "stc", "Sở Tài chính", parent_id="bk")
    for district in DISTRICTS:
        await org(client, district, f"UBND huyện {district}", kind="PEOPLES_COMMITTEE", parent_id="bk")


CLUSTER: dict[str, Any] = {
    "id": "cum-huyen-2024",
    "name": "Cụm thi đua các huyện",
    "kind": "CLUSTER",
    "year": 2024,
    "formed_on": "2024-01-15",
    "managing_organization_id": "bk",
    "members": [
        {"organization_id": "ba-be", "role": "LEADER"},
        {"organization_id": "na-ri", "role": "DEPUTY"},
        {"organization_id": "cho-moi", "role": "MEMBER"},
    ],
}


async def test_a_cluster_is_formed_and_its_leader_rotates(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    await setup(client)
    formed = await client.post("/clusters", json=CLUSTER)
    assert formed.status_code == 201, formed.text
    rotated = await client.post(
        "/clusters/cum-huyen-2024/leader",
        json={"version": 1, "organization_id": "na-ri", "effective_date": "2024-12-20"},
    )
    assert rotated.status_code == 200, rotated.text
    roles = {m["organization_id"]: m["role"] for m in rotated.json()["members"]}
    assert roles == {"ba-be": "MEMBER", "na-ri": "LEADER", "cho-moi": "MEMBER"}
    added = await client.post(
        "/clusters/cum-huyen-2024/members",
        json={"version": 2, "organization_id": "snv", "role": "DEPUTY", "effective_date": "2024-12-21"},
    )
    assert added.status_code == 200, added.text
    removed = await client.post(
        "/clusters/cum-huyen-2024/members/snv/removal", json={"version": 3, "effective_date": "2024-12-22"}
    )
    assert removed.status_code == 200, removed.text
    emitted = events(runtime, CLUSTERS)
    assert [(e.type.split(".")[2:4], e.partitionkey) for e in emitted] == [
        (["cluster", "formed"], "cum-huyen-2024"),
        (["cluster", "membership"], "cum-huyen-2024"),
        (["cluster", "membership"], "cum-huyen-2024"),
        (["cluster", "membership"], "cum-huyen-2024"),
    ]
    reasons = [d.reason for d in map(parse_data, emitted[1:]) if isinstance(d, ClusterMembershipChanged)]
    assert reasons == ["LEADER_ROTATED", "MEMBER_ADDED", "MEMBER_REMOVED"]
    listed = (await client.get("/clusters", params={"year": 2024, "organization_id": "na-ri"})).json()
    assert [c["id"] for c in listed["items"]] == ["cum-huyen-2024"]


async def test_clusters_are_re_formed_after_a_merger_with_organisations_then_in_force(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    merged = await client.post(
        "/lineage/mergers",
        json={"predecessor_ids": ["stc"], "successor_id": "snv", "effective_date": "2025-07-01", "legal_basis": "QĐ"},
    )
    assert merged.status_code == 200
    before = await snapshot(runtime)
    stale = {
        **CLUSTER,
        "id": "khoi-2025",
        "year": 2025,
        "formed_on": "2025-08-01",
        "members": [{"organization_id": "stc", "role": "MEMBER"}],
    }
    response = await client.post("/clusters", json=stale)
    assert (response.status_code, response.json()["error"], response.json()["field"]) == (
        422,
        "not_in_force",
        "members.0.organization_id",
    )
    assert await snapshot(runtime) == before
    fresh = {**stale, "members": [{"organization_id": "snv", "role": "LEADER"}]}
    assert (await client.post("/clusters", json=fresh)).status_code == 201


@pytest.mark.parametrize(
    ("url", "body", "status", "error", "field"),
    [
        ("/clusters", {**CLUSTER, "id": "x", "formed_on": "2023-12-31"}, 422, "validation_error", None),
        (
            "/clusters",
            {**CLUSTER, "id": "x", "members": [{"organization_id": "ba-be", "role": "LEADER"}] * 2},
            422,
            "validation_error",
            None,
        ),
        (
            "/clusters",
            {
                **CLUSTER,
                "id": "x",
                "members": [
                    {"organization_id": "ba-be", "role": "LEADER"},
                    {"organization_id": "na-ri", "role": "LEADER"},
                ],
            },
            422,
            "validation_error",
            None,
        ),
        (
            "/clusters",
            {**CLUSTER, "id": "x", "members": [{"organization_id": "none", "role": "MEMBER"}]},
            422,
            "unknown_reference",
            "members.0.organization_id",
        ),
        ("/clusters", {**CLUSTER, "id": "x", "kind": "GROUP"}, 422, "validation_error", "kind"),
        ("/clusters", CLUSTER, 409, "already_exists", "id"),
        (
            "/clusters/cum-huyen-2024/leader",
            {"version": 1, "organization_id": "snv", "effective_date": "2024-06-01"},
            422,
            "not_a_member",
            "organization_id",
        ),
        (
            "/clusters/cum-huyen-2024/leader",
            {"version": 1, "organization_id": "ba-be", "effective_date": "2024-06-01"},
            422,
            "no_change",
            "organization_id",
        ),
        (
            "/clusters/cum-huyen-2024/leader",
            {"version": 1, "organization_id": "na-ri", "effective_date": "2025-01-01"},
            422,
            "out_of_period",
            "effective_date",
        ),
        (
            "/clusters/cum-huyen-2024/leader",
            {"version": 7, "organization_id": "na-ri", "effective_date": "2024-06-01"},
            409,
            "version_conflict",
            "version",
        ),
        (
            "/clusters/cum-huyen-2024/members",
            {"version": 1, "organization_id": "snv", "role": "LEADER", "effective_date": "2024-06-01"},
            422,
            "leader_taken",
            "role",
        ),
        (
            "/clusters/cum-huyen-2024/members",
            {"version": 1, "organization_id": "none", "effective_date": "2024-06-01"},
            422,
            "unknown_reference",
            "organization_id",
        ),
        (
            "/clusters/cum-huyen-2024/members/snv/removal",
            {"version": 1, "effective_date": "2024-06-01"},
            422,
            "not_a_member",
            "organization_id",
        ),
        (
            "/clusters/none/leader",
            {"version": 1, "organization_id": "na-ri", "effective_date": "2024-06-01"},
            404,
            "not_found",
            None,
        ),
    ],
)
async def test_an_invalid_cluster_command_gets_4xx_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    url: str,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str | None,
) -> None:
    await setup(client)
    assert (await client.post("/clusters", json=CLUSTER)).status_code == 201
    before = await snapshot(runtime)
    response = await client.post(url, json=body)
    assert response.status_code == status, response.text
    assert (response.json()["error"], response.json()["field"]) == (error, field)
    assert await snapshot(runtime) == before


async def test_a_person_is_followed_across_a_transfer_with_the_whole_history_in_each_event(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    created = await client.post("/persons", json={"id": "p-ha", "full_name": "Nguyễn Thị Hà", "gender": "FEMALE"})
    assert created.status_code == 201, created.text
    first = await client.post(
        "/persons/p-ha/employments",
        json={"version": 1, "organization_id": "snv", "position": "Chuyên viên", "valid_from": "2015-01-01"},
    )
    assert first.status_code == 200, first.text
    transfer = await client.post(
        "/persons/p-ha/employments",
        json={"version": 2, "organization_id": "stc", "position": "Phó phòng", "valid_from": "2021-01-01"},
    )
    assert transfer.status_code == 200, transfer.text
    emitted = events(runtime, PERSONS)
    assert [(e.type, e.partitionkey) for e in emitted] == [
        ("tdkt.registry.person.registered.v1", "p-ha"),
        ("tdkt.registry.person.employment.changed.v1", "p-ha"),
        ("tdkt.registry.person.employment.changed.v1", "p-ha"),
    ]
    history = parse_data(emitted[-1])
    assert isinstance(history, PersonEmploymentChanged)
    assert [(e.organization_id, str(e.valid_from), e.valid_to and str(e.valid_to)) for e in history.employments] == [
        ("snv", "2015-01-01", "2020-12-31"),
        ("stc", "2021-01-01", None),
    ]
    at_snv = (await client.get("/persons", params={"organization_id": "snv", "on": "2020-06-01"})).json()
    assert [p["id"] for p in at_snv["items"]] == ["p-ha"]
    assert (await client.get("/persons", params={"organization_id": "snv", "on": "2022-06-01"})).json()["total"] == 0
    ended = await client.post("/persons/p-ha/employments/end", json={"version": 3, "valid_to": "2024-12-31"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["employments"][-1]["valid_to"] == "2024-12-31"

    before = await snapshot(runtime)
    for body, status, error in (
        (
            {"version": 4, "organization_id": "snv", "position": "X", "valid_from": "2024-06-01"},
            422,
            "overlapping_validity",
        ),
        (
            {"version": 4, "organization_id": "none", "position": "X", "valid_from": "2025-06-01"},
            422,
            "unknown_reference",
        ),
        ({"version": 4, "organization_id": "snv", "position": "X", "valid_from": "1990-06-01"}, 422, "not_in_force"),
        (
            {"version": 3, "organization_id": "snv", "position": "X", "valid_from": "2025-06-01"},
            409,
            "version_conflict",
        ),
    ):
        response = await client.post("/persons/p-ha/employments", json=body)
        assert (response.status_code, response.json()["error"]) == (status, error), response.text
    again = await client.post("/persons", json={"id": "p-ha", "full_name": "X"})
    assert again.status_code == 409
    assert await snapshot(runtime) == before


COUNCIL: dict[str, Any] = {
    "id": "hd-tdkt-bk",
    "name": "Hội đồng Thi đua – Khen thưởng tỉnh Bắc Kạn",
    "level": "PROVINCE",
    "organization_id": "bk",
    "term_from": "2021-07-01",
    "term_to": "2025-06-30",
    "members": [{"person_id": "p-1", "role": "CHAIR"}, {"person_id": "p-2", "role": "STANDING_VICE_CHAIR"}],
}


async def people(client: httpx.AsyncClient) -> None:
    for i in range(1, 5):
        assert (await client.post("/persons", json={"id": f"p-{i}", "full_name": f"Người {i}"})).status_code == 201


async def test_a_council_is_constituted_and_its_members_change(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    await people(client)
    created = await client.post("/councils", json=COUNCIL)
    assert created.status_code == 201, created.text
    seated = await client.post(
        "/councils/hd-tdkt-bk/members",
        json={"version": 1, "person_id": "p-3", "role": "MEMBER", "valid_from": "2022-01-01"},
    )
    assert seated.status_code == 200, seated.text
    unseated = await client.post("/councils/hd-tdkt-bk/members/p-1/end", json={"version": 2, "valid_to": "2023-12-31"})
    assert unseated.status_code == 200, unseated.text
    new_chair = await client.post(
        "/councils/hd-tdkt-bk/members",
        json={"version": 3, "person_id": "p-3", "role": "CHAIR", "valid_from": "2024-01-01"},
    )
    assert new_chair.status_code == 200, new_chair.text
    members = [(m["person_id"], m["role"], m["valid_from"], m["valid_to"]) for m in new_chair.json()["members"]]
    assert members == [
        ("p-1", "CHAIR", "2021-07-01", "2023-12-31"),
        ("p-2", "STANDING_VICE_CHAIR", "2021-07-01", None),
        ("p-3", "MEMBER", "2022-01-01", "2023-12-31"),
        ("p-3", "CHAIR", "2024-01-01", None),
    ]
    emitted = events(runtime, COUNCILS)
    assert [e.type.split(".")[2:4] for e in emitted] == [["council", "constituted"]] + [["council", "membership"]] * 3
    last = parse_data(emitted[-1])
    assert isinstance(last, CouncilMembershipChanged)
    assert (last.person_id, len(last.members)) == ("p-3", 4)


@pytest.mark.parametrize(
    ("url", "body", "status", "error", "field"),
    [
        (
            "/councils",
            {**COUNCIL, "id": "x", "members": [{"person_id": "none", "role": "MEMBER"}]},
            422,
            "unknown_reference",
            "members.0.person_id",
        ),
        ("/councils", {**COUNCIL, "id": "x", "organization_id": "none"}, 422, "unknown_reference", "organization_id"),
        (
            "/councils",
            {
                **COUNCIL,
                "id": "x",
                "members": [{"person_id": "p-1", "role": "CHAIR"}, {"person_id": "p-2", "role": "CHAIR"}],
            },
            422,
            "validation_error",
            None,
        ),
        ("/councils", {**COUNCIL, "id": "x", "term_to": "2020-01-01"}, 422, "validation_error", None),
        (
            "/councils/hd-tdkt-bk/members",
            {"version": 1, "person_id": "p-3", "role": "CHAIR", "valid_from": "2022-01-01"},
            422,
            "role_taken",
            "role",
        ),
        (
            "/councils/hd-tdkt-bk/members",
            {"version": 1, "person_id": "p-3", "role": "MEMBER", "valid_from": "2026-01-01"},
            422,
            "out_of_period",
            "valid_from",
        ),
        (
            "/councils/hd-tdkt-bk/members",
            {"version": 1, "person_id": "none", "role": "MEMBER", "valid_from": "2022-01-01"},
            422,
            "unknown_reference",
            "person_id",
        ),
        (
            "/councils/hd-tdkt-bk/members",
            {"version": 1, "person_id": "p-1", "role": "CHAIR", "valid_from": "2022-01-01"},
            422,
            "no_change",
            "role",
        ),
        (
            "/councils/hd-tdkt-bk/members",
            {"version": 2, "person_id": "p-3", "role": "MEMBER", "valid_from": "2022-01-01"},
            409,
            "version_conflict",
            "version",
        ),
        (
            "/councils/hd-tdkt-bk/members/p-4/end",
            {"version": 1, "valid_to": "2022-01-01"},
            422,
            "not_a_member",
            "person_id",
        ),
    ],
)
async def test_an_invalid_council_command_gets_4xx_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    url: str,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str | None,
) -> None:
    await setup(client)
    await people(client)
    assert (await client.post("/councils", json=COUNCIL)).status_code == 201
    before = await snapshot(runtime)
    response = await client.post(url, json=body)
    assert response.status_code == status, response.text
    assert (response.json()["error"], response.json()["field"]) == (error, field)
    assert await snapshot(runtime) == before
