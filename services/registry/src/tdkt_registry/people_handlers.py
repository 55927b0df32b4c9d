"""Commands on clusters, persons and councils: each one aggregate, one write guarded by the client's version."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from tdkt_registry.domain.clusters import (
    Cluster,
    FormCluster,
    RemoveClusterMember,
    RotateLeader,
    SetClusterMember,
    form,
    remove_member,
    rotate_leader,
    set_member,
)
from tdkt_registry.domain.organizations import Organization
from tdkt_registry.domain.people import (
    ConstituteCouncil,
    Council,
    EndEmployment,
    Person,
    RegisterPerson,
    SeatMember,
    StartEmployment,
    UnseatMember,
    constitute,
    end_employment,
    register_person,
    seat,
    start_employment,
    unseat,
)
from tdkt_registry.handlers import load_organization, to_event
from tdkt_shared.contract.types import EventData
from tdkt_shared.store import AggregateStore, NotFound, VersionConflict

M = TypeVar("M", bound=BaseModel)


async def _load(store: AggregateStore, aggregate_id: str, model: type[M], version: int) -> M:
    stored = await store.get(aggregate_id)
    if stored is None:
        raise NotFound(aggregate_id)
    if stored.version != version:
        raise VersionConflict(aggregate_id, version, stored.version)
    return model.model_validate(stored.state)


async def _save(
    store: AggregateStore,
    aggregate_id: str,
    version: int | None,
    state: BaseModel,
    data: EventData,
    subject: str,
    correlation_id: str | None,
) -> int:
    key = getattr(data, data.key_description)
    event = to_event(data, key, subject, correlation_id)
    if version is None:
        return (await store.create(aggregate_id, state.model_dump(mode="json"), [event])).version
    return (await store.update(aggregate_id, version, state.model_dump(mode="json"), [event])).version


# ---------------------------------------------------------------------------------------------------- clusters


async def form_cluster(
    command: FormCluster, clusters: AggregateStore, organizations: AggregateStore, correlation_id: str | None = None
) -> tuple[Cluster, int]:
    ids = [m.organization_id for m in command.members]
    if command.managing_organization_id:
        ids.append(command.managing_organization_id)
    orgs: dict[str, Organization | None] = {i: await load_organization(organizations, i) for i in ids}
    cluster, event = form(command, orgs)
    return cluster, await _save(clusters, cluster.id, None, cluster, event, f"clusters/{cluster.id}", correlation_id)


async def change_cluster(
    cluster_id: str,
    command: SetClusterMember | RotateLeader,
    clusters: AggregateStore,
    organizations: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[Cluster, int]:
    cluster = await _load(clusters, cluster_id, Cluster, command.version)
    org = await load_organization(organizations, command.organization_id)
    if isinstance(command, RotateLeader):
        new, event = rotate_leader(cluster, command, org)
    else:
        new, event = set_member(cluster, command, org)
    version = await _save(clusters, cluster_id, command.version, new, event, f"clusters/{cluster_id}", correlation_id)
    return new, version


async def remove_cluster_member(
    cluster_id: str,
    organization_id: str,
    command: RemoveClusterMember,
    clusters: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[Cluster, int]:
    cluster = await _load(clusters, cluster_id, Cluster, command.version)
    new, event = remove_member(cluster, organization_id, command)
    version = await _save(clusters, cluster_id, command.version, new, event, f"clusters/{cluster_id}", correlation_id)
    return new, version


# ---------------------------------------------------------------------------------------------------- persons


async def register(
    command: RegisterPerson, persons: AggregateStore, correlation_id: str | None = None
) -> tuple[Person, int]:
    person, event = register_person(command)
    return person, await _save(persons, person.id, None, person, event, f"persons/{person.id}", correlation_id)


async def change_employment(
    person_id: str,
    command: StartEmployment | EndEmployment,
    persons: AggregateStore,
    organizations: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[Person, int]:
    """Emits `person.employment.changed.v1` with the whole history."""
    person = await _load(persons, person_id, Person, command.version)
    if isinstance(command, StartEmployment):
        new = start_employment(person, command, await load_organization(organizations, command.organization_id))
    else:
        new = end_employment(person, command)
    event = new.employment_event()
    version = await _save(persons, person_id, command.version, new, event, f"persons/{person_id}", correlation_id)
    return new, version


# ---------------------------------------------------------------------------------------------------- councils


async def constitute_council(
    command: ConstituteCouncil,
    councils: AggregateStore,
    organizations: AggregateStore,
    persons: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[Council, int]:
    owner = await load_organization(organizations, command.organization_id)
    known = {m.person_id for m in command.members if await persons.get(m.person_id) is not None}
    council, event = constitute(command, owner, known)
    return council, await _save(councils, council.id, None, council, event, f"councils/{council.id}", correlation_id)


async def change_council(
    council_id: str,
    person_id: str,
    change: Callable[[Council, bool], Council],
    version: int,
    councils: AggregateStore,
    persons: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[Council, int]:
    """Emits `council.membership.changed.v1` with the whole member list."""
    council = await _load(councils, council_id, Council, version)
    new = change(council, await persons.get(person_id) is not None)
    event = new.event(person_id)
    return new, await _save(councils, council_id, version, new, event, f"councils/{council_id}", correlation_id)


def seat_change(command: SeatMember) -> Callable[[Council, bool], Council]:
    return lambda council, known: seat(council, command, known)


def unseat_change(person_id: str, command: UnseatMember) -> Callable[[Council, bool], Council]:
    return lambda council, _known: unseat(council, person_id, command)
