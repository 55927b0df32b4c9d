"""The shared organisation directory: projection from registry events, lineage across mergers, its read API."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from tdkt_shared.api import install_error_handlers
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered, OrganizationsMerged
from tdkt_shared.kit import directory
from tdkt_shared.kit.directory import Directory, Predecessor
from tdkt_shared.store import InMemoryAggregateStore


def registered(org_id: str, name: str) -> tuple[object, OrganizationRegistered]:
    data = OrganizationRegistered(
        organization_id=org_id, name=name, kind=OrganizationKind.PEOPLES_COMMITTEE, valid_from=date(2020, 1, 1)
    )
    return make_event(data, partitionkey=org_id), data


def merged(predecessors: list[str], successor: str, on: date) -> tuple[object, OrganizationsMerged]:
    data = OrganizationsMerged(
        predecessor_ids=predecessors, successor_id=successor, effective_date=on, legal_basis="NQ 202/2025/QH15"
    )
    return make_event(data, partitionkey=successor), data


@pytest.fixture
def dir_() -> Directory:
    return Directory(InMemoryAggregateStore("organizations"))


async def test_registration_is_recorded_once_and_keeps_a_merger_learnt_first(dir_: Directory) -> None:
    event, data = merged(["bac-kan"], "thai-nguyen", date(2025, 7, 1))
    assert await dir_.on_merged(event, data)  # type: ignore[arg-type]
    assert not await dir_.is_registered("bac-kan")
    reg_event, reg = registered("bac-kan", "Tỉnh Bắc Kạn")
    assert await dir_.on_registered(reg_event, reg)  # type: ignore[arg-type]
    assert not await dir_.on_registered(reg_event, reg)  # type: ignore[arg-type]
    found = await dir_.get("bac-kan")
    assert found is not None
    assert found.registered
    assert (found.name, found.successor_id, found.merged_on) == ("Tỉnh Bắc Kạn", "thai-nguyen", date(2025, 7, 1))


async def test_lineage_follows_mergers_both_ways_transitively(dir_: Directory) -> None:
    for event, data in (
        merged(["xa-a", "xa-b"], "xa-ab", date(2020, 1, 1)),
        merged(["xa-ab"], "tinh-moi", date(2025, 7, 1)),
    ):
        await dir_.on_merged(event, data)  # type: ignore[arg-type]
    assert await dir_.successors("xa-a") == ["xa-ab", "tinh-moi"]
    assert await dir_.predecessors("tinh-moi") == [
        Predecessor(organization_id="xa-ab", until=date(2025, 6, 30)),
        Predecessor(organization_id="xa-a", until=date(2019, 12, 31)),
        Predecessor(organization_id="xa-b", until=date(2019, 12, 31)),
    ]
    assert await dir_.lineage("xa-ab") == ["tinh-moi", "xa-a", "xa-b"]


async def test_a_merger_cycle_in_bad_data_ends(dir_: Directory) -> None:
    await dir_.on_merged(*merged(["a"], "b", date(2024, 1, 1)))  # type: ignore[arg-type]
    await dir_.on_merged(*merged(["b"], "a", date(2025, 1, 1)))  # type: ignore[arg-type]
    assert await dir_.successors("a") == ["b"]
    assert [p.organization_id for p in await dir_.predecessors("a")] == ["b"]


def test_an_older_read_model_document_still_reads() -> None:
    """Awards kept `merged_into`; the directory reads it as `successor_id`."""
    org = directory.Organization.model_validate({"id": "x", "name": "X", "merged_into": "y", "predecessors": []})
    assert org.successor_id == "y"
    assert not org.registered


async def test_the_read_api_answers_404_and_pages() -> None:
    store = InMemoryAggregateStore("organizations")
    await Directory(store).on_registered(*registered("bac-kan", "Tỉnh Bắc Kạn"))  # type: ignore[arg-type]

    class Runtime:
        def store(self, _: str) -> InMemoryAggregateStore:
            return store

    app = FastAPI()
    app.state.runtime = Runtime()
    install_error_handlers(app)
    app.include_router(directory.router())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        one = await client.get("/organizations/bac-kan")
        assert one.status_code == 200
        assert one.json() == {
            "id": "bac-kan",
            "name": "Tỉnh Bắc Kạn",
            "kind": "PEOPLES_COMMITTEE",
            "valid_from": "2020-01-01",
            "registry_version": 1,
        }
        assert (await client.get("/organizations/nope")).status_code == 404
        page = (await client.get("/organizations?limit=1")).json()
        assert (page["total"], [o["id"] for o in page["items"]]) == (1, ["bac-kan"])
