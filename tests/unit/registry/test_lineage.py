"""Lineage: merge, split, dissolve, traversal, successor in force, and the bulk reorganisation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_registry.domain.lineage import ReorganizationBatch
from tdkt_registry.handlers.reorganizations import apply_reorganization
from tdkt_registry.store import ORGANIZATIONS, REORGANIZATIONS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.registry import OrganizationsMerged, ReorganizationApplied
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import InMemoryRuntime
from tdkt_shared.store import InMemoryAggregateStore
from tests.helpers import failing_call
from tests.unit.registry.conftest import all_events, org, snapshot

NQ202 = "Nghị quyết 202/2025/QH15"


async def provinces(client: httpx.AsyncClient) -> None:
    await org(client, "bk", "UBND tỉnh Bắc Kạn", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "tn", "UBND tỉnh Thái Nguyên", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "snv-bk", "Sở Nội vụ Bắc Kạn", parent_id="bk")
    await org(client, "snv-tn", "Sở Nội vụ Thái Nguyên", parent_id="tn")
    await org(client, "ba-be", "UBND huyện Ba Bể", kind="PEOPLES_COMMITTEE", parent_id="bk")
    await org(client, "nam-mau", "UBND xã Nam Mẫu", kind="PEOPLES_COMMITTEE", parent_id="ba-be")
    await org(client, "khang-ninh", "UBND xã Khang Ninh", kind="PEOPLES_COMMITTEE", parent_id="ba-be")


BATCH: dict[str, Any] = {
    "batch_id": "reorg-2025-07-01",
    "title": "Sắp xếp đơn vị hành chính 1/7/2025 (minh họa)",
    "legal_basis": NQ202,
    "effective_date": "2025-07-01",
    "mappings": [
        {"kind": "CHANGE", "from_ids": ["nam-mau"], "changes": {"parent_id": "tn", "name": "UBND xã Ba Bể"}},
        {"kind": "MERGE", "from_ids": ["khang-ninh"], "to_ids": ["nam-mau"]},
        {"kind": "DISSOLVE", "from_ids": ["ba-be"], "legal_basis": "Luật 72/2025/QH15"},
        {"kind": "MERGE", "from_ids": ["snv-bk"], "to_ids": ["snv-tn"]},
        {"kind": "MERGE", "from_ids": ["bk"], "to_ids": ["tn"]},
    ],
}


async def merge(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/lineage/mergers", json={"effective_date": "2025-07-01", "legal_basis": NQ202, **body})


async def test_a_merger_cut_short_is_finished_by_the_same_request_without_an_operation_id(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await provinces(client)
    store = runtime.store(ORGANIZATIONS)
    # the predecessor is closed; the successor's write, which carries the event, is not done
    died = "the process died between the two organisations"
    monkeypatch.setattr(store, "apply_event", failing_call(store.apply_event, 2, died))
    with pytest.raises(ConnectionError):
        await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn")

    again = await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn")
    assert again.status_code == 200, again.text
    successor = (await client.get("/organizations/snv-tn")).json()
    assert [p["organization_id"] for p in successor["predecessors"]] == ["snv-bk"]
    assert [e.type for e in store.events if e.type == OrganizationsMerged.event_type] == [
        OrganizationsMerged.event_type
    ]
    other = await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn", legal_basis="another basis")
    assert other.status_code == 409, other.text  # another request over the same predecessor is refused as before


async def test_a_merger_closes_the_predecessors_and_emits_one_event_keyed_by_the_successor(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await provinces(client)
    before = len(all_events(runtime))
    response = await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn")
    assert response.status_code == 200, response.text
    [event] = all_events(runtime)[before:]
    assert (event.type, event.partitionkey) == ("tdkt.registry.organizations.merged.v1", "snv-tn")
    data = parse_data(event)
    assert isinstance(data, OrganizationsMerged)
    assert (data.predecessor_ids, data.legal_basis, str(data.effective_date)) == (["snv-bk"], NQ202, "2025-07-01")
    bk = (await client.get("/organizations/snv-bk")).json()
    assert (bk["status"], bk["ended_on"], bk["versions"][-1]["valid_to"]) == ("MERGED", "2025-07-01", "2025-06-30")
    assert bk["successors"][0]["organization_id"] == "snv-tn"
    tn = (await client.get("/organizations/snv-tn")).json()
    assert [p["organization_id"] for p in tn["predecessors"]] == ["snv-bk"]


@pytest.mark.parametrize(
    ("body", "status", "error", "field"),
    [
        ({"predecessor_ids": ["snv-bk"], "successor_id": "ba-be"}, 422, "not_in_force", "successor_id"),
        ({"predecessor_ids": ["snv-bk"], "successor_id": "none"}, 422, "unknown_reference", "successor_id"),
        (
            {"predecessor_ids": ["snv-bk", "none"], "successor_id": "snv-tn"},
            422,
            "unknown_reference",
            "predecessor_ids.1",
        ),
        ({"predecessor_ids": ["bk"], "successor_id": "tn"}, 422, "has_children", "predecessor_ids.0"),
        ({"predecessor_ids": ["snv-tn"], "successor_id": "snv-tn"}, 422, "validation_error", None),
        ({"predecessor_ids": [], "successor_id": "snv-tn"}, 422, "validation_error", "predecessor_ids"),
        ({"predecessor_ids": ["snv-bk", "snv-bk"], "successor_id": "snv-tn"}, 422, "validation_error", None),
        (
            {"predecessor_ids": ["snv-bk"], "successor_id": "snv-tn", "effective_date": "2008-01-01"},
            422,
            "overlapping_validity",
            "effective_date",
        ),
        (
            {"predecessor_ids": ["snv-bk"], "successor_id": "snv-tn", "legal_basis": ""},
            422,
            "validation_error",
            "legal_basis",
        ),
    ],
)
async def test_an_invalid_merger_gets_4xx_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    body: dict[str, Any],
    status: int,
    error: str,
    field: str | None,
) -> None:
    await provinces(client)
    # ba-be is dissolved from 2025-01-01: merging into it on 2025-07-01 is merging into a dissolved organisation
    await client.post(
        "/organizations/nam-mau/versions", json={"version": 1, "effective_date": "2024-12-01", "parent_id": "tn"}
    )
    await client.post(
        "/organizations/khang-ninh/versions", json={"version": 1, "effective_date": "2024-12-01", "parent_id": "tn"}
    )
    dissolved = await client.post(
        "/organizations/ba-be/dissolution", json={"effective_date": "2025-01-01", "legal_basis": "QĐ"}
    )
    assert dissolved.status_code == 200, dissolved.text
    before = await snapshot(runtime)
    response = await merge(client, **body)
    assert response.status_code == status, response.text
    assert (response.json()["error"], response.json()["field"]) == (error, field)
    assert await snapshot(runtime) == before


async def test_an_ended_organisation_cannot_change_or_end_again(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await provinces(client)
    assert (await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn")).status_code == 200
    before = await snapshot(runtime)
    again = await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn", effective_date="2025-08-01")
    assert (again.status_code, again.json()["field"]) == (409, "predecessor_ids.0")
    version = (await client.get("/organizations/snv-bk")).json()["version"]
    renamed = await client.post(
        "/organizations/snv-bk/versions", json={"version": version, "effective_date": "2025-08-01", "name": "X"}
    )
    assert renamed.status_code == 409
    dissolve = await client.post(
        "/organizations/snv-bk/dissolution", json={"effective_date": "2025-09-01", "legal_basis": "QĐ"}
    )
    assert dissolve.status_code == 409
    assert await snapshot(runtime) == before


async def test_a_split_and_the_successor_in_force_through_a_chain(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await provinces(client)
    await org(client, "a", "Sở A", parent_id="tn", valid_from="2025-07-01")
    await org(client, "b", "Sở B", parent_id="tn", valid_from="2025-07-01")
    await org(client, "c", "Sở C", parent_id="tn", valid_from="2026-01-01")
    assert (await merge(client, predecessor_ids=["snv-bk"], successor_id="snv-tn")).status_code == 200
    before = len(all_events(runtime))
    split = await client.post(
        "/lineage/splits",
        json={
            "predecessor_id": "snv-tn",
            "successor_ids": ["a", "b"],
            "effective_date": "2025-07-01",
            "legal_basis": "QĐ",
        },
    )
    assert split.status_code == 200, split.text
    [event] = all_events(runtime)[before:]
    assert (event.type, event.partitionkey) == ("tdkt.registry.organization.split.v1", "snv-tn")
    assert (
        await merge(client, predecessor_ids=["a"], successor_id="c", effective_date="2026-01-01")
    ).status_code == 200

    async def successor(org_id: str, on: str) -> list[str]:
        response = await client.get(f"/organizations/{org_id}/successor", params={"on": on})
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()["successors"]]

    assert await successor("snv-bk", "2025-06-30") == ["snv-bk"]
    assert await successor("snv-bk", "2025-07-01") == ["a", "b"]
    assert await successor("snv-bk", "2026-03-01") == ["c", "b"]
    assert await successor("snv-bk", "1990-01-01") == []

    preds = (await client.get("/organizations/c/predecessors")).json()["entries"]
    assert [(e["organization_id"], e["kind"], e["depth"]) for e in preds] == [
        ("a", "MERGED_FROM", 1),
        ("snv-tn", "SPLIT_FROM", 2),
        ("snv-bk", "MERGED_FROM", 3),
    ]
    direct = (await client.get("/organizations/c/predecessors", params={"transitive": "false"})).json()["entries"]
    assert [e["organization_id"] for e in direct] == ["a"]
    succ = (await client.get("/organizations/snv-bk/successors")).json()["entries"]
    assert [e["organization_id"] for e in succ] == ["snv-tn", "a", "b", "c"]


async def test_the_reorganisation_batch_applies_every_mapping_with_one_event_each(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await provinces(client)
    before = len(all_events(runtime))
    response = await client.post("/reorganizations", json=BATCH, headers={"X-Correlation-Id": "c-reorg"})
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["applied_now"]) == ("APPLIED", True)
    emitted = all_events(runtime)[before:]
    assert [(e.type.split(".")[2:4], e.partitionkey) for e in emitted] == [
        (["organization", "changed"], "nam-mau"),
        (["organizations", "merged"], "nam-mau"),
        (["organization", "dissolved"], "ba-be"),
        (["organizations", "merged"], "snv-tn"),
        (["organizations", "merged"], "tn"),
        (["reorganization", "applied"], "reorg-2025-07-01"),
    ]
    assert {e.correlationid for e in emitted} == {"c-reorg"}
    assert all(e.data.get("batch_id") == "reorg-2025-07-01" for e in emitted)
    applied = parse_data(emitted[-1])
    assert isinstance(applied, ReorganizationApplied)
    assert len(applied.steps) == 5

    # as-of before and after the merger
    bk_before = (await client.get("/organizations/bk", params={"as_of": "2025-06-30"})).json()
    bk_after = (await client.get("/organizations/bk", params={"as_of": "2025-07-01"})).json()
    assert (bk_before["current"]["name"], bk_after["current"]) == ("UBND tỉnh Bắc Kạn", None)
    children_before = (await client.get("/organizations/bk/children", params={"as_of": "2025-06-30"})).json()
    assert [o["id"] for o in children_before["items"]] == ["ba-be", "snv-bk"]
    children_after = (await client.get("/organizations/tn/children", params={"as_of": "2025-07-01"})).json()
    assert [o["id"] for o in children_after["items"]] == ["nam-mau", "snv-tn"]
    in_force_after = (await client.get("/organizations", params={"as_of": "2025-07-01"})).json()
    assert [o["id"] for o in in_force_after["items"]] == ["nam-mau", "snv-tn", "tn"]
    for old, new in (("bk", "tn"), ("khang-ninh", "nam-mau"), ("snv-bk", "snv-tn")):
        got = (await client.get(f"/organizations/{old}/successor", params={"on": "2025-07-01"})).json()
        assert [o["id"] for o in got["successors"]] == [new]
    assert (await client.get("/organizations/ba-be/successor", params={"on": "2025-07-01"})).json()["successors"] == []
    record = (await client.get("/reorganizations/reorg-2025-07-01")).json()
    assert (record["status"], len(record["mappings"])) == ("APPLIED", 5)


async def test_the_same_batch_twice_changes_and_emits_nothing_the_second_time(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await provinces(client)
    assert (await client.post("/reorganizations", json=BATCH)).status_code == 201
    before = await snapshot(runtime)
    again = await client.post("/reorganizations", json=BATCH)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["applied_now"]) == ("APPLIED", False)
    assert await snapshot(runtime) == before
    other = await client.post("/reorganizations", json={**BATCH, "mappings": BATCH["mappings"][:1]})
    assert (other.status_code, other.json()["error"], other.json()["field"]) == (409, "batch_mismatch", "batch_id")
    assert await snapshot(runtime) == before


@pytest.mark.parametrize(
    ("mapping_index", "bad", "error", "field"),
    [
        (2, {"kind": "DISSOLVE", "from_ids": ["bk"]}, "has_children", "mappings.2.from_ids.0"),
        (4, {"kind": "MERGE", "from_ids": ["bk"], "to_ids": ["none"]}, "unknown_reference", "mappings.4.to_ids.0"),
        (0, {"kind": "CHANGE", "from_ids": ["nam-mau"], "changes": {"parent_id": "khang-ninh"}}, "cycle", None),
        # merging into an organisation dissolved by an earlier step
        (3, {"kind": "MERGE", "from_ids": ["snv-bk"], "to_ids": ["ba-be"]}, "not_in_force", "mappings.3.to_ids.0"),
        (
            3,
            {"kind": "MERGE", "from_ids": ["snv-bk", "snv-tn"], "to_ids": ["snv-tn"]},
            "validation_error",
            "mappings.3",
        ),
        (4, {"kind": "SPLIT", "from_ids": ["bk"]}, "validation_error", "mappings.4"),
    ],
)
async def test_one_invalid_mapping_refuses_the_whole_batch_and_writes_nothing(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    mapping_index: int,
    bad: dict[str, Any],
    error: str,
    field: str | None,
) -> None:
    await provinces(client)
    if error == "cycle":  # nam-mau under khang-ninh, then khang-ninh under nam-mau (through the batch)
        bad_batch = {
            **BATCH,
            "mappings": [
                {"kind": "CHANGE", "from_ids": ["khang-ninh"], "changes": {"parent_id": "nam-mau"}},
                {"kind": "CHANGE", "from_ids": ["nam-mau"], "changes": {"parent_id": "khang-ninh"}},
            ],
        }
        field = "mappings.1.changes.parent_id"
    else:
        mappings = list(BATCH["mappings"])
        mappings[mapping_index] = bad
        bad_batch = {**BATCH, "mappings": mappings}
    before = await snapshot(runtime)
    response = await client.post("/reorganizations", json=bad_batch)
    assert 400 <= response.status_code < 500, response.text
    assert (response.json()["error"], response.json()["field"]) == (error, field)
    assert await snapshot(runtime) == before


class CrashAfter(InMemoryAggregateStore):
    """Dies (like a killed process) after `writes` successful writes."""

    def __init__(self, inner: InMemoryAggregateStore, writes: int) -> None:
        self.__dict__ = inner.__dict__
        self.left = writes

    async def apply_event(self, aggregate_id: str, event_id: str, mutation: Any) -> bool:
        if self.left == 0:
            raise RuntimeError("killed")
        result = await super().apply_event(aggregate_id, event_id, mutation)
        if result:
            self.left -= 1
        return result


@pytest.mark.parametrize("crash_after", [0, 1, 2, 3, 5, 7])
async def test_a_batch_interrupted_midway_finishes_when_re_sent_with_each_event_once(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, crash_after: int
) -> None:
    await provinces(client)
    organizations = runtime.store(ORGANIZATIONS)
    reorganizations = runtime.store(REORGANIZATIONS)
    before = len(all_events(runtime))
    batch = ReorganizationBatch.model_validate(BATCH)
    ctx = CommandContext.system(correlation_id="crashed")
    with pytest.raises(RuntimeError, match="killed"):
        await apply_reorganization(batch, CrashAfter(organizations, crash_after), reorganizations, ctx)
    record = await reorganizations.get(BATCH["batch_id"])
    assert record is not None
    assert record.state["status"] == "APPLYING"

    response = await client.post("/reorganizations", json=BATCH)
    assert response.status_code == 201, response.text
    types = [e.type.split(".")[2] for e in all_events(runtime)[before:]]
    assert sorted(types) == sorted(
        ["organization", "organizations", "organization", "organizations", "organizations", "reorganization"]
    )
    ids = [e.id for e in all_events(runtime)[before:]]
    assert len(ids) == len(set(ids))
    tn = (await client.get("/organizations/tn")).json()
    assert [p["organization_id"] for p in tn["predecessors"]] == ["bk"]
