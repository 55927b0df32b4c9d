from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_reporting.store import PACTS, REGISTRATIONS
from tdkt_shared.auth import Role
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.reporting import RegistrationReassigned, RegistrationSubmitted
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers as token
from tests.unit.reporting.conftest import merge, register

REGISTRATION: dict[str, Any] = {
    "id": "dk-ba-be-2025",
    "organization_id": "ubnd-huyen-ba-be",
    "year": 2025,
    "targets": ["Xóa 100% nhà tạm"],
    "requested_titles": [{"award_code": "co-thi-dua-tinh", "count": 1}, {"award_code": "bang-khen-tinh", "count": 3}],
}
BA_BE = token(Role.UNIT_OFFICER, "ubnd-huyen-ba-be")


@pytest.fixture
async def registration(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    await register(runtime, "ubnd-huyen-ba-be")
    response = await client.post("/registrations", json=REGISTRATION)
    assert response.status_code == 201, response.text


async def test_submit_return_resubmit_accept(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, registration: None
) -> None:
    steps = [
        ("submit", {"version": 1}, BA_BE, "SUBMITTED"),
        ("return", {"version": 2, "reason": "Chưa có chỉ tiêu cụ thể"}, {}, "RETURNED"),
        ("submit", {"version": 3}, BA_BE, "SUBMITTED"),
        ("accept", {"version": 4}, {}, "ACCEPTED"),
    ]
    for path, body, headers, expected in steps:
        response = await client.post(f"/registrations/dk-ba-be-2025/{path}", json=body, headers=headers)
        assert (response.status_code, response.json()["status"]) == (200, expected), response.text
    events = runtime.store(REGISTRATIONS).events
    assert [e.type.split(".")[3] for e in events] == ["drafted", "submitted", "returned", "submitted", "accepted"]
    last = parse_data(events[3])
    assert isinstance(last, RegistrationSubmitted)
    assert (last.revision, [t.count for t in last.requested_titles]) == (2, [1, 3])
    again = await client.post("/registrations/dk-ba-be-2025/return", json={"version": 5, "reason": "x"})
    assert again.status_code == 409


async def test_only_the_organisation_or_its_successor_submits(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, registration: None
) -> None:
    other = await client.post(
        "/registrations/dk-ba-be-2025/submit", json={"version": 1}, headers=token(Role.UNIT_OFFICER, "so-y-te")
    )
    assert other.status_code == 403
    await register(runtime, "ubnd-xa-cho-ra")
    assert await merge(runtime, ["ubnd-huyen-ba-be"], "ubnd-xa-cho-ra")
    moved = (await client.get("/registrations/dk-ba-be-2025")).json()
    assert (moved["organization_id"], moved["version"]) == ("ubnd-xa-cho-ra", 2)
    assert moved["history"][0] == {"status": "DRAFT", "organization_id": "ubnd-huyen-ba-be"}
    drafted, event = runtime.store(REGISTRATIONS).events
    assert drafted.type == "tdkt.reporting.registration.drafted.v1"
    assert isinstance(parse_data(event), RegistrationReassigned)
    response = await client.post(
        "/registrations/dk-ba-be-2025/submit", json={"version": 2}, headers=token(Role.UNIT_OFFICER, "ubnd-xa-cho-ra")
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization_id": "nobody"}, "organization_id"),
        ({"requested_titles": [{"award_code": "co", "count": 0}]}, "requested_titles.0.count"),
        ({"year": 1990}, "year"),
    ],
)
async def test_bad_registrations_are_422(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, change: dict[str, Any], field: str
) -> None:
    await register(runtime, "ubnd-huyen-ba-be")
    response = await client.post("/registrations", json={**REGISTRATION, **change})
    assert (response.status_code, response.json()["field"]) == (422, field)


async def test_a_pact_is_signed_once_per_cluster_and_year(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    pact = {"cluster_id": "cum-1", "year": 2025, "signed_on": "2025-02-20", "signatory_organization_ids": ["a", "b"]}
    first = await client.post("/emulation-pacts", json=pact)
    assert (first.status_code, first.json()["id"]) == (201, "cum-1.2025")
    assert (await client.post("/emulation-pacts", json=pact)).status_code == 409
    assert (await client.get("/emulation-pacts/cum-1/2025")).json()["signatory_organization_ids"] == ["a", "b"]
    duplicate = await client.post(
        "/emulation-pacts", json={**pact, "year": 2026, "signatory_organization_ids": ["a", "a"]}
    )
    assert duplicate.status_code == 422
    assert [e.type for e in runtime.store(PACTS).events] == ["tdkt.reporting.emulation_pact.signed.v1"]
