from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from tdkt_registry.domain.organizations import Organization, OrganizationVersion
from tdkt_registry.service import DEFINITION
from tdkt_registry.store import ORGANIZATIONS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve

PROVINCE = {
    "id": "ubnd-tinh-bac-kan",
    "name": "UBND tỉnh Bắc Kạn",
    "kind": "PEOPLES_COMMITTEE",
    "valid_from": "1997-01-01",
}


@pytest.fixture
def runtime() -> InMemoryRuntime:
    return InMemoryRuntime(DEFINITION)


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client


def test_a_version_is_in_force_between_its_dates_inclusive() -> None:
    v = OrganizationVersion(
        name="Huyện Ba Bể",
        kind=OrganizationKind.PEOPLES_COMMITTEE,
        valid_from=date(2000, 1, 1),
        valid_to=date(2025, 6, 30),
    )
    org = Organization(id="ba-be", versions=[v])
    assert org.as_of(date(2025, 6, 30)) == v
    assert org.as_of(date(2025, 7, 1)) is None
    assert org.as_of(date(1999, 12, 31)) is None


async def test_register_emits_exactly_one_event(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    response = await client.post("/organizations", json=PROVINCE, headers={"X-Correlation-Id": "corr-1"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["id"], body["version"], body["current"]["name"]) == ("ubnd-tinh-bac-kan", 1, "UBND tỉnh Bắc Kạn")
    assert response.headers["location"] == "/organizations/ubnd-tinh-bac-kan"
    [event] = runtime.store(ORGANIZATIONS).events
    assert (event.type, event.partitionkey, event.correlationid) == (
        "tdkt.registry.organization.registered.v1",
        "ubnd-tinh-bac-kan",
        "corr-1",
    )
    data = parse_data(event)
    assert isinstance(data, OrganizationRegistered)
    assert (data.name, data.kind, data.valid_from) == ("UBND tỉnh Bắc Kạn", "PEOPLES_COMMITTEE", date(1997, 1, 1))


async def test_get_as_of_a_date_before_the_organisation_existed(client: httpx.AsyncClient) -> None:
    await client.post("/organizations", json=PROVINCE)
    before = await client.get("/organizations/ubnd-tinh-bac-kan", params={"as_of": "1990-01-01"})
    assert before.status_code == 200
    assert before.json()["current"] is None
    after = await client.get("/organizations/ubnd-tinh-bac-kan", params={"as_of": "2024-01-01"})
    assert after.json()["current"]["name"] == "UBND tỉnh Bắc Kạn"


async def test_list_by_parent_is_paged(client: httpx.AsyncClient) -> None:
    await client.post("/organizations", json=PROVINCE)
    for name in ("so-noi-vu", "so-tai-chinh", "so-y-te"):
        child = {
            "id": name,
            "name": name,
            "kind": "DEPARTMENT",
            "parent_id": PROVINCE["id"],
            "valid_from": "2008-01-01",
        }
        assert (await client.post("/organizations", json=child)).status_code == 201
    page = (await client.get("/organizations", params={"parent_id": PROVINCE["id"], "limit": 2, "offset": 1})).json()
    assert (page["total"], page["offset"], page["limit"]) == (3, 1, 2)
    assert [o["id"] for o in page["items"]] == ["so-tai-chinh", "so-y-te"]


@pytest.mark.parametrize(
    ("change", "status", "error", "field"),
    [
        ({"parent_id": "khong-ton-tai"}, 422, "unknown_reference", "parent_id"),
        ({"parent_id": "ubnd-tinh-bac-kan", "valid_from": "1990-01-01"}, 422, "rule_violated", "parent_id"),
        ({"name": "   "}, 422, "validation_error", "name"),
        ({"kind": "DISTRICT_LEVEL"}, 422, "validation_error", "kind"),
        ({"id": "Bad Id!"}, 422, "validation_error", "id"),
        ({"valid_from": "2025-02-30"}, 422, "validation_error", "valid_from"),
        ({"unexpected": 1}, 422, "validation_error", "unexpected"),
        ({"id": "x", "parent_id": "x"}, 422, "validation_error", None),
        ({"id": "ubnd-tinh-bac-kan"}, 409, "already_exists", "id"),
    ],
)
async def test_invalid_input_is_refused_with_the_field_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    change: dict[str, str],
    status: int,
    error: str,
    field: str | None,
) -> None:
    await client.post("/organizations", json=PROVINCE)
    store = runtime.store(ORGANIZATIONS)
    before = (await store.count({}), len(store.events))
    body = {"id": "so-noi-vu", "name": "Sở Nội vụ", "kind": "DEPARTMENT", "valid_from": "2008-01-01", **change}
    response = await client.post("/organizations", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.json()["field"] == field
    assert (await store.count({}), len(store.events)) == before


async def test_unknown_organisation_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/organizations/none")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "none not found", "field": None}
    long = await client.get(f"/organizations/{'x' * 20_000}")
    assert long.status_code == 404
    assert long.json()["detail"] == f"{'x' * 120}… not found"  # the answer does not repeat the whole path


async def test_health_endpoints(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    assert (await client.get("/readyz")).json() == {"status": "ready", "checks": {"memory": True}}
