"""The Bắc Kạn seed: the 2024 province, then the 1/7/2025 reorganisation; loading it twice changes nothing."""

from __future__ import annotations

import httpx

from tdkt_registry.seed import load, read_seed
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.registry.conftest import all_events, snapshot

DISTRICTS = {
    "ubnd-thanh-pho-bac-kan",
    "ubnd-huyen-ba-be",
    "ubnd-huyen-bach-thong",
    "ubnd-huyen-cho-don",
    "ubnd-huyen-cho-moi",
    "ubnd-huyen-na-ri",
    "ubnd-huyen-ngan-son",
    "ubnd-huyen-pac-nam",
}


async def ids(client: httpx.AsyncClient, url: str, **params: str) -> set[str]:
    response = await client.get(url, params={"limit": "500", **params})
    assert response.status_code == 200, response.text
    return {o["id"] for o in response.json()["items"]}


async def test_the_seed_loads_the_province_before_and_after_the_merger(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    report = await load(read_seed(), runtime)
    assert report.created["reorganizations"] == 2
    province = "ubnd-tinh-bac-kan"

    in_2024 = await ids(client, f"/organizations/{province}/children", as_of="2024-06-01")
    assert in_2024 >= DISTRICTS
    assert {"so-noi-vu-bac-kan", "so-tttt-bac-kan", "dai-ptth-bac-kan"} <= in_2024
    assert await ids(client, f"/organizations/{province}/children", as_of="2025-07-01") == set()
    communes_after = await ids(client, "/organizations/ubnd-tinh-thai-nguyen/children", as_of="2025-07-01")
    assert {"ubnd-phuong-duc-xuan", "ubnd-xa-nam-mau", "ubnd-thi-tran-cho-ra"} <= communes_after
    assert not DISTRICTS & await ids(client, "/organizations", as_of="2025-07-01")

    for old, new in (
        (province, ["ubnd-tinh-thai-nguyen"]),
        ("so-tttt-bac-kan", ["so-khcn-thai-nguyen"]),  # 1/3/2025 then 1/7/2025
        ("bao-bac-kan", ["bao-va-ptth-thai-nguyen"]),
        ("ubnd-xa-khang-ninh", ["ubnd-xa-nam-mau"]),
        ("ubnd-huyen-ba-be", []),
    ):
        response = await client.get(f"/organizations/{old}/successor", params={"on": "2025-08-01"})
        assert [o["id"] for o in response.json()["successors"]] == new, old
    march = (await client.get("/organizations/so-tttt-bac-kan/successor", params={"on": "2025-03-15"})).json()
    assert [o["id"] for o in march["successors"]] == ["so-khcn-bac-kan"]

    async def holder(role: str, on: str) -> list[str]:
        response = await client.get(f"/roles/{role}/holders", params={"on": on, "scope": province})
        return sorted(h["organization_id"] for h in response.json()["holders"])

    assert await holder("TDKT_STATE_MANAGEMENT", "2024-06-01") == ["so-noi-vu-bac-kan"]
    assert await holder("PRESS_COMMUNICATION", "2024-06-01") == ["bao-bac-kan", "dai-ptth-bac-kan", "so-tttt-bac-kan"]
    assert await holder("TDKT_STATE_MANAGEMENT", "2025-08-01") == ["so-noi-vu-thai-nguyen"]
    assert await holder("PRESS_COMMUNICATION", "2025-08-01") == ["bao-va-ptth-thai-nguyen"]

    clusters_2024 = (await client.get("/clusters", params={"year": "2024"})).json()
    assert clusters_2024["total"] == 5
    leaders = {}
    for cluster_id in ("cum-huyen-thanh-pho-bac-kan-2024", "cum-huyen-thanh-pho-bac-kan-2025"):
        cluster = (await client.get(f"/clusters/{cluster_id}")).json()
        leaders[cluster["year"]] = next(m["organization_id"] for m in cluster["members"] if m["role"] == "LEADER")
    assert leaders == {2024: "ubnd-thanh-pho-bac-kan", 2025: "ubnd-huyen-cho-moi"}
    council = (await client.get("/councils/hd-tdkt-tinh-bac-kan")).json()
    assert {m["role"] for m in council["members"]} == {"CHAIR", "STANDING_VICE_CHAIR", "MEMBER"}
    lan = (await client.get("/persons/p-hoang-thi-lan")).json()
    assert [(e["organization_id"], e["valid_to"]) for e in lan["employments"]] == [
        ("so-noi-vu-bac-kan", "2025-06-30"),
        ("so-noi-vu-thai-nguyen", None),
    ]

    before, emitted = await snapshot(runtime), len(all_events(runtime))
    again = await load(read_seed(), runtime)
    assert again.created == {}
    assert await snapshot(runtime) == before
    assert len(all_events(runtime)) == emitted
