"""Clusters and blocks, persons, and Emulation–Commendation Councils."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response, status

from tdkt_registry import people_handlers as h
from tdkt_registry.api.access import AdminWrites, PersonAccessDep
from tdkt_registry.api.deps import ClustersDep, CorrelationId, CouncilsDep, OrganizationsDep, PersonsDep
from tdkt_registry.domain.clusters import Cluster, FormCluster, RemoveClusterMember, RotateLeader, SetClusterMember
from tdkt_registry.domain.people import (
    ConstituteCouncil,
    Council,
    EndEmployment,
    Person,
    RegisterPerson,
    SeatMember,
    StartEmployment,
    UnseatMember,
)
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Year
from tdkt_shared.store import AggregateStore, NotFound

clusters_router = APIRouter(prefix="/clusters", tags=["clusters"], responses=ERROR_RESPONSES, route_class=AdminWrites)
persons_router = APIRouter(prefix="/persons", tags=["persons"], responses=ERROR_RESPONSES, route_class=AdminWrites)
councils_router = APIRouter(prefix="/councils", tags=["councils"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class ClusterView(Cluster):
    version: int


class PersonView(Person):
    version: int


class CouncilView(Council):
    version: int


async def _get(store: AggregateStore, aggregate_id: str) -> tuple[dict[str, object], int]:
    stored = await store.get(aggregate_id)
    if stored is None:
        raise NotFound(aggregate_id)
    return stored.state, stored.version


# ---------------------------------------------------------------------------------------------------- clusters


@clusters_router.post("", status_code=status.HTTP_201_CREATED, response_model=ClusterView)
async def form_cluster(
    command: FormCluster,
    clusters: ClustersDep,
    organizations: OrganizationsDep,
    response: Response,
    x_correlation_id: CorrelationId = None,
) -> ClusterView:
    """Form a cluster or bloc for a year; members must be in force on `formed_on`. Emits
    `tdkt.registry.cluster.formed.v1`."""
    cluster, version = await h.form_cluster(command, clusters, organizations, x_correlation_id)
    response.headers["Location"] = f"/clusters/{cluster.id}"
    return ClusterView(**cluster.model_dump(), version=version)


@clusters_router.get("", response_model=Page[ClusterView])
async def list_clusters(
    clusters: ClustersDep, page: PageQuery, year: Year | None = None, organization_id: str | None = None
) -> Page[ClusterView]:
    """Clusters, by year and/or by member organisation."""
    query: dict[str, object] = {}
    if year is not None:
        query["year"] = year
    if organization_id is not None:
        query["members.organization_id"] = organization_id
    found = await clusters.find(query, skip=page.offset, limit=page.limit)
    items = [ClusterView(**s.state, version=s.version) for s in found]
    return Page(items=items, total=await clusters.count(query), offset=page.offset, limit=page.limit)


@clusters_router.get("/{cluster_id}", response_model=ClusterView)
async def get_cluster(cluster_id: str, clusters: ClustersDep) -> ClusterView:
    state, version = await _get(clusters, cluster_id)
    return ClusterView.model_validate({**state, "version": version})


@clusters_router.post("/{cluster_id}/members", response_model=ClusterView)
async def set_member(
    cluster_id: str,
    command: SetClusterMember,
    clusters: ClustersDep,
    organizations: OrganizationsDep,
    x_correlation_id: CorrelationId = None,
) -> ClusterView:
    """Add a member or change its role. Emits `tdkt.registry.cluster.membership.changed.v1`."""
    cluster, version = await h.change_cluster(cluster_id, command, clusters, organizations, x_correlation_id)
    return ClusterView(**cluster.model_dump(), version=version)


@clusters_router.post("/{cluster_id}/members/{organization_id}/removal", response_model=ClusterView)
async def remove_member(
    cluster_id: str,
    organization_id: str,
    command: RemoveClusterMember,
    clusters: ClustersDep,
    x_correlation_id: CorrelationId = None,
) -> ClusterView:
    cluster, version = await h.remove_cluster_member(cluster_id, organization_id, command, clusters, x_correlation_id)
    return ClusterView(**cluster.model_dump(), version=version)


@clusters_router.post("/{cluster_id}/leader", response_model=ClusterView)
async def rotate_leader(
    cluster_id: str,
    command: RotateLeader,
    clusters: ClustersDep,
    organizations: OrganizationsDep,
    x_correlation_id: CorrelationId = None,
) -> ClusterView:
    """A member becomes the leader, the previous leader a member (reason `LEADER_ROTATED`)."""
    cluster, version = await h.change_cluster(cluster_id, command, clusters, organizations, x_correlation_id)
    return ClusterView(**cluster.model_dump(), version=version)


# ---------------------------------------------------------------------------------------------------- persons


@persons_router.post("", status_code=status.HTTP_201_CREATED, response_model=PersonView)
async def register_person(
    command: RegisterPerson, persons: PersonsDep, response: Response, x_correlation_id: CorrelationId = None
) -> PersonView:
    """Register a person; emits `tdkt.registry.person.registered.v1`."""
    person, version = await h.register(command, persons, x_correlation_id)
    response.headers["Location"] = f"/persons/{person.id}"
    return PersonView(**person.model_dump(), version=version)


@persons_router.get("", response_model=Page[PersonView])
async def list_persons(
    persons: PersonsDep,
    access: PersonAccessDep,
    page: PageQuery,
    organization_id: str | None = None,
    on: date | None = None,
) -> Page[PersonView]:
    """Persons, optionally those employed in `organization_id` (on `on` if given, else at any time). A unit officer
    sees only the persons ever employed by its organisation or one in its lineage."""
    query = {} if organization_id is None else {"employments.organization_id": organization_id}
    stored = await persons.find(query, limit=100_000)
    found = [p for p in (Person.model_validate(s.state) for s in stored) if access.admits(p)]
    versions = {s.id: s.version for s in stored}
    if on is not None:
        found = [p for p in found if any(organization_id in (None, e.organization_id) for e in p.employed_on(on))]
    items = [
        PersonView(**p.model_dump(), version=versions[p.id]) for p in found[page.offset : page.offset + page.limit]
    ]
    return Page(items=items, total=len(found), offset=page.offset, limit=page.limit)


@persons_router.get("/{person_id}", response_model=PersonView)
async def get_person(person_id: str, persons: PersonsDep, access: PersonAccessDep) -> PersonView:
    """One person; 403 for a unit officer when the person was never employed by its organisation (or lineage)."""
    state, version = await _get(persons, person_id)
    access.check(Person.model_validate(state))
    return PersonView.model_validate({**state, "version": version})


@persons_router.post("/{person_id}/employments", response_model=PersonView)
async def start_employment(
    person_id: str,
    command: StartEmployment,
    persons: PersonsDep,
    organizations: OrganizationsDep,
    x_correlation_id: CorrelationId = None,
) -> PersonView:
    """Start a position (a transfer when `close_previous`); emits `tdkt.registry.person.employment.changed.v1`
    with the whole history."""
    person, version = await h.change_employment(person_id, command, persons, organizations, x_correlation_id)
    return PersonView(**person.model_dump(), version=version)


@persons_router.post("/{person_id}/employments/end", response_model=PersonView)
async def end_employment(
    person_id: str,
    command: EndEmployment,
    persons: PersonsDep,
    organizations: OrganizationsDep,
    x_correlation_id: CorrelationId = None,
) -> PersonView:
    person, version = await h.change_employment(person_id, command, persons, organizations, x_correlation_id)
    return PersonView(**person.model_dump(), version=version)


# ---------------------------------------------------------------------------------------------------- councils


@councils_router.post("", status_code=status.HTTP_201_CREATED, response_model=CouncilView)
async def constitute(
    command: ConstituteCouncil,
    councils: CouncilsDep,
    organizations: OrganizationsDep,
    persons: PersonsDep,
    response: Response,
    x_correlation_id: CorrelationId = None,
) -> CouncilView:
    """Constitute a council for a term with its members; emits `tdkt.registry.council.constituted.v1`."""
    council, version = await h.constitute_council(command, councils, organizations, persons, x_correlation_id)
    response.headers["Location"] = f"/councils/{council.id}"
    return CouncilView(**council.model_dump(), version=version)


@councils_router.get("", response_model=Page[CouncilView])
async def list_councils(
    councils: CouncilsDep, page: PageQuery, organization_id: str | None = None
) -> Page[CouncilView]:
    query = {} if organization_id is None else {"organization_id": organization_id}
    found = await councils.find(query, skip=page.offset, limit=page.limit)
    items = [CouncilView(**s.state, version=s.version) for s in found]
    return Page(items=items, total=await councils.count(query), offset=page.offset, limit=page.limit)


@councils_router.get("/{council_id}", response_model=CouncilView)
async def get_council(council_id: str, councils: CouncilsDep) -> CouncilView:
    state, version = await _get(councils, council_id)
    return CouncilView.model_validate({**state, "version": version})


@councils_router.post("/{council_id}/members", response_model=CouncilView)
async def seat_member(
    council_id: str,
    command: SeatMember,
    councils: CouncilsDep,
    persons: PersonsDep,
    x_correlation_id: CorrelationId = None,
) -> CouncilView:
    """Seat a person (or give a member a new role) from `valid_from`; emits
    `tdkt.registry.council.membership.changed.v1`."""
    council, version = await h.change_council(
        council_id, command.person_id, h.seat_change(command), command.version, councils, persons, x_correlation_id
    )
    return CouncilView(**council.model_dump(), version=version)


@councils_router.post("/{council_id}/members/{person_id}/end", response_model=CouncilView)
async def unseat_member(
    council_id: str,
    person_id: str,
    command: UnseatMember,
    councils: CouncilsDep,
    persons: PersonsDep,
    x_correlation_id: CorrelationId = None,
) -> CouncilView:
    council, version = await h.change_council(
        council_id, person_id, h.unseat_change(person_id, command), command.version, councils, persons, x_correlation_id
    )
    return CouncilView(**council.model_dump(), version=version)
