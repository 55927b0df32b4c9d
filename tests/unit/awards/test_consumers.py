"""Registry events build awards' read models once per event, whatever the number of deliveries; the read API
shows them."""

from __future__ import annotations

from datetime import date

from tdkt_awards.service import DEFINITION
from tdkt_awards.store import ORGANIZATIONS, PERSONS
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import (
    Employment,
    OrganizationKind,
    OrganizationRegistered,
    OrganizationsMerged,
    PersonEmploymentChanged,
)
from tdkt_shared.kit.directory import Directory, Predecessor
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import serve


async def test_mergers_build_a_transitive_lineage_idempotently() -> None:
    runtime = InMemoryRuntime(DEFINITION)
    handlers = runtime.handlers()
    registered = OrganizationRegistered(
        organization_id="stn",
        name="Sở Nội vụ Thái Nguyên",
        kind=OrganizationKind.DEPARTMENT,
        valid_from=date(2008, 1, 1),
    )
    first = OrganizationsMerged(
        predecessor_ids=["phong-a"], successor_id="sbk", effective_date=date(2020, 1, 1), legal_basis="QĐ 1"
    )
    second = OrganizationsMerged(
        predecessor_ids=["sbk"], successor_id="stn", effective_date=date(2025, 7, 1), legal_basis="NQ 202/2025/QH15"
    )
    for data in (registered, first, second):
        event = make_event(data, partitionkey="k")
        assert await handlers[data.event_type](event, data) is True
        assert await handlers[data.event_type](event, data) is False  # a redelivery changes nothing

    organizations = runtime.store(ORGANIZATIONS)
    stn = await organizations.get("stn")
    assert stn is not None
    assert stn.state["name"] == "Sở Nội vụ Thái Nguyên"
    assert stn.state["predecessors"] == [{"organization_id": "sbk", "until": "2025-06-30"}]
    sbk = await organizations.get("sbk")
    assert sbk is not None
    assert sbk.state["successor_id"] == "stn"
    assert await Directory(organizations).predecessors("stn") == [
        Predecessor(organization_id="sbk", until=date(2025, 6, 30)),
        Predecessor(organization_id="phong-a", until=date(2019, 12, 31)),
    ]


async def test_person_read_model_keeps_the_employment_history() -> None:
    runtime = InMemoryRuntime(DEFINITION)
    data = PersonEmploymentChanged(
        person_id="p-1",
        full_name="Nguyễn Thị Hà",
        employments=[
            Employment(
                organization_id="sbk", position="Chuyên viên", valid_from=date(2015, 1, 1), valid_to=date(2025, 6, 30)
            ),
            Employment(organization_id="stn", position="Chuyên viên", valid_from=date(2025, 7, 1)),
        ],
    )
    handler = runtime.handlers()[data.event_type]
    assert await handler(make_event(data, partitionkey="p-1"), data) is True
    stored = await runtime.store(PERSONS).get("p-1")
    assert stored is not None
    assert [e["organization_id"] for e in stored.state["employments"]] == ["sbk", "stn"]


async def test_the_organisation_read_api_answers_the_shared_organization() -> None:
    """`GET /organizations/{id}` is the kit's directory: a merged unit names its `successor_id` (was `merged_into`)."""
    runtime = InMemoryRuntime(DEFINITION)
    handlers = runtime.handlers()
    registered = OrganizationRegistered(
        organization_id="stn",
        name="Sở Nội vụ Thái Nguyên",
        kind=OrganizationKind.DEPARTMENT,
        valid_from=date(2008, 1, 1),
    )
    merged = OrganizationsMerged(
        predecessor_ids=["sbk"], successor_id="stn", effective_date=date(2025, 7, 1), legal_basis="NQ 202/2025/QH15"
    )
    for data in (registered, merged):
        assert await handlers[data.event_type](make_event(data, partitionkey="k"), data) is True
    async with serve(DEFINITION, runtime, headers={}) as client:
        successor = (await client.get("/organizations/stn")).json()
        predecessor = (await client.get("/organizations/sbk")).json()
        listed = (await client.get("/organizations")).json()
    assert successor["name"] == "Sở Nội vụ Thái Nguyên"
    assert successor["kind"] == "DEPARTMENT"
    assert successor["predecessors"] == [{"organization_id": "sbk", "until": "2025-06-30"}]
    assert (predecessor["successor_id"], predecessor["merged_on"]) == ("stn", "2025-07-01")
    assert "merged_into" not in predecessor
    assert listed["total"] == 2
