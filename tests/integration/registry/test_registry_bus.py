"""The registry on the real stack (Kafka + FerretDB): exactly one event per change on the bus, the bulk batch
applied twice emits nothing the second time, and concurrent edits of one version let exactly one win."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tdkt_registry.service import DEFINITION as REGISTRY
from tdkt_shared.contract import service_topic
from tdkt_shared.runtime import Runtime
from tests.helpers import serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import read_topic, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
TOPIC = service_topic("registry")


@pytest.fixture
async def registry(make_settings: SettingsFactory) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    settings = make_settings("registry")
    async with serve(REGISTRY, Runtime(REGISTRY, settings)) as client:
        yield client, settings.kafka_bootstrap_servers


async def post(client: httpx.AsyncClient, url: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = await client.post(url, json=body)
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def types_by_key(records: list[Any]) -> list[tuple[str, str]]:
    return [(r.key.decode(), json.loads(r.value)["type"].removeprefix("tdkt.registry.")) for r in records]


async def test_every_change_puts_exactly_one_event_on_the_bus_and_a_batch_twice_adds_none(
    registry: tuple[httpx.AsyncClient, str], run_id: str
) -> None:
    client, bootstrap = registry
    bk, tn, snv_bk, snv_tn, huyen, xa = (f"{n}-{run_id}" for n in ("bk", "tn", "snv-bk", "snv-tn", "huyen", "xa"))
    keys = {bk, tn, snv_bk, snv_tn, huyen, xa}
    batch_id = f"reorg-{run_id}"

    def ours(record: Any) -> bool:
        return record.key is not None and record.key.decode() in keys | {batch_id}

    for org_id, parent, kind in (
        (bk, None, "PEOPLES_COMMITTEE"),
        (tn, None, "PEOPLES_COMMITTEE"),
        (snv_bk, bk, "DEPARTMENT"),
        (snv_tn, tn, "DEPARTMENT"),
        (huyen, bk, "PEOPLES_COMMITTEE"),
        (xa, huyen, "PEOPLES_COMMITTEE"),
    ):
        body = {"id": org_id, "name": f"Đơn vị {org_id}", "kind": kind, "valid_from": "2000-01-01"}
        await post(client, "/organizations", {**body, "parent_id": parent} if parent else body)
    await post(
        client,
        f"/organizations/{snv_bk}/versions",
        {"version": 1, "effective_date": "2020-01-01", "name": "Sở Nội vụ tỉnh Bắc Kạn"},
        200,
    )
    role = await post(
        client,
        "/role-assignments",
        {
            "role": "TDKT_STATE_MANAGEMENT",
            "organization_id": snv_bk,
            "valid_from": "2008-01-01",
            "valid_to": "2025-06-30",
        },
    )
    keys.add(role["id"])
    batch = {
        "batch_id": batch_id,
        "legal_basis": "Nghị quyết 202/2025/QH15",
        "effective_date": "2025-07-01",
        "mappings": [
            {"kind": "CHANGE", "from_ids": [xa], "changes": {"parent_id": tn}},
            {"kind": "DISSOLVE", "from_ids": [huyen]},
            {"kind": "MERGE", "from_ids": [snv_bk], "to_ids": [snv_tn]},
            {"kind": "MERGE", "from_ids": [bk], "to_ids": [tn]},
        ],
    }
    assert (await post(client, "/reorganizations", batch))["applied_now"] is True
    expected = [
        (bk, "organization.registered.v1"),
        (tn, "organization.registered.v1"),
        (snv_bk, "organization.registered.v1"),
        (snv_tn, "organization.registered.v1"),
        (huyen, "organization.registered.v1"),
        (xa, "organization.registered.v1"),
        (snv_bk, "organization.changed.v1"),
        (role["id"], "role.assigned.v1"),
        (xa, "organization.changed.v1"),
        (huyen, "organization.dissolved.v1"),
        (snv_tn, "organizations.merged.v1"),
        (tn, "organizations.merged.v1"),
        (batch_id, "reorganization.applied.v1"),
    ]
    records = await wait_for_records(bootstrap, TOPIC, ours, count=len(expected), timeout_s=60)
    assert sorted(types_by_key(records)) == sorted(expected)
    # per aggregate, in the order of the changes (a role assignment is its own aggregate, keyed by its holder)
    for key in keys:
        assert [t for k, t in types_by_key(records) if k == key and not t.startswith("role.")] == [
            t for k, t in expected if k == key and not t.startswith("role.")
        ]
    assert len({json.loads(r.value)["id"] for r in records}) == len(expected)

    again = await post(client, "/reorganizations", batch, 200)
    assert again["applied_now"] is False
    await asyncio.sleep(1.5)  # several relay sweeps: anything written would be published by now
    assert len(await read_topic(bootstrap, TOPIC, ours)) == len(expected)

    after = (await client.get(f"/organizations/{bk}/successor", params={"on": "2025-07-01"})).json()
    assert [o["id"] for o in after["successors"]] == [tn]
    assert (await client.get(f"/organizations/{bk}", params={"as_of": "2025-06-30"})).json()["current"] is not None
    assert (await client.get(f"/organizations/{bk}", params={"as_of": "2025-07-01"})).json()["current"] is None


async def test_concurrent_edits_of_one_version_on_the_real_store_let_exactly_one_win(
    registry: tuple[httpx.AsyncClient, str], run_id: str
) -> None:
    client, bootstrap = registry
    org_id = f"so-{run_id}"
    await post(client, "/organizations", {"id": org_id, "name": "Sở", "kind": "DEPARTMENT", "valid_from": "2000-01-01"})
    responses = await asyncio.gather(
        *(
            client.post(
                f"/organizations/{org_id}/versions",
                json={"version": 1, "effective_date": f"20{10 + i}-01-01", "name": f"Sở {i}"},
            )
            for i in range(6)
        )
    )
    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    stored = (await client.get(f"/organizations/{org_id}")).json()
    assert (stored["version"], len(stored["versions"])) == (2, 2)
    records = await wait_for_records(bootstrap, TOPIC, lambda r: r.key == org_id.encode(), count=2)
    await asyncio.sleep(1)
    records = await read_topic(bootstrap, TOPIC, lambda r: r.key == org_id.encode())
    assert [t for _k, t in types_by_key(records)] == ["organization.registered.v1", "organization.changed.v1"]


async def test_roles_contacts_persons_clusters_and_councils_each_put_one_event_on_the_bus(
    registry: tuple[httpx.AsyncClient, str], run_id: str
) -> None:
    client, bootstrap = registry
    province, dept, district = (f"{n}-{run_id}" for n in ("tinh", "snv", "huyen"))
    person, cluster, council = (f"{n}-{run_id}" for n in ("p", "cum", "hd"))
    keys = {province, dept, district, person, cluster, council}
    await post(
        client,
        "/organizations",
        {"id": province, "name": "UBND tỉnh", "kind": "PEOPLES_COMMITTEE", "valid_from": "2000-01-01"},
    )
    for org_id, kind in ((dept, "DEPARTMENT"), (district, "PEOPLES_COMMITTEE")):
        body = {
            "id": org_id,
            "name": f"Đơn vị {org_id}",
            "kind": kind,
            "parent_id": province,
            "valid_from": "2000-01-01",
        }
        await post(client, "/organizations", body)
    role = await post(
        client,
        "/role-assignments",
        {
            "role": "COUNCIL_STANDING_BODY",
            "organization_id": dept,
            "valid_from": "2020-01-01",
            "scope_organization_id": province,
        },
    )
    keys.add(role["id"])
    response = await client.put(f"/organizations/{dept}/contact-point", json={"email": "tdkt@snv.example"})
    assert response.status_code == 200, response.text
    await post(client, "/persons", {"id": person, "full_name": "Nguyễn Văn A"})
    await post(
        client,
        f"/persons/{person}/employments",
        {"version": 1, "organization_id": dept, "position": "Chuyên viên", "valid_from": "2020-01-01"},
        200,
    )
    members = [{"organization_id": dept, "role": "LEADER"}, {"organization_id": district, "role": "MEMBER"}]
    await post(
        client,
        "/clusters",
        {"id": cluster, "name": "Cụm", "kind": "CLUSTER", "year": 2024, "formed_on": "2024-01-15", "members": members},
    )
    await post(
        client,
        f"/clusters/{cluster}/leader",
        {"version": 1, "organization_id": district, "effective_date": "2024-12-01"},
        200,
    )
    await post(
        client,
        "/councils",
        {
            "id": council,
            "name": "Hội đồng",
            "level": "PROVINCE",
            "organization_id": province,
            "term_from": "2021-01-01",
            "members": [{"person_id": person, "role": "CHAIR"}],
        },
    )

    expected = [
        (province, "organization.registered.v1"),
        (dept, "organization.registered.v1"),
        (district, "organization.registered.v1"),
        (role["id"], "role.assigned.v1"),
        (dept, "contact_point.set.v1"),
        (person, "person.registered.v1"),
        (person, "person.employment.changed.v1"),
        (cluster, "cluster.formed.v1"),
        (cluster, "cluster.membership.changed.v1"),
        (council, "council.constituted.v1"),
    ]

    def ours(record: Any) -> bool:
        return record.key is not None and record.key.decode() in keys

    records = await wait_for_records(bootstrap, TOPIC, ours, count=len(expected), timeout_s=60)
    assert sorted(types_by_key(records)) == sorted(expected)

    # the queries behind them work on the real store
    holders = (
        await client.get("/roles/COUNCIL_STANDING_BODY/holders", params={"on": "2024-01-01", "scope": province})
    ).json()
    assert [h["organization_id"] for h in holders["holders"]] == [dept]
    staff = (await client.get("/persons", params={"organization_id": dept, "on": "2024-01-01"})).json()
    assert [p["id"] for p in staff["items"]] == [person]
    clusters = (await client.get("/clusters", params={"year": 2024, "organization_id": district})).json()
    assert [c["id"] for c in clusters["items"]] == [cluster]
    children = (await client.get(f"/organizations/{province}/children", params={"as_of": "2024-01-01"})).json()
    assert sorted(o["id"] for o in children["items"]) == sorted([dept, district])
