"""Role assignments, emulation clusters and blocs (cụm, khối thi đua) and councils (Hội đồng Thi đua – Khen thưởng):
the groups routing resolves recipients through, kept from registry events."""

from __future__ import annotations

from collections.abc import Sequence

from tdkt_notify.domain import routing
from tdkt_notify.domain.directory import (
    Cluster,
    ClusterEvent,
    Council,
    CouncilEvent,
    RoleAssignment,
    with_cluster_event,
    with_council_event,
)
from tdkt_notify.domain.routing import RoutingRule, cluster_organizations_needed, councils_needed, roles_needed
from tdkt_notify.repositories import NotifyRepositories
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import FunctionalRole, RoleAssigned
from tdkt_shared.kit import Repository

MAX_ASSIGNMENTS = 1000
MAX_CLUSTERS = 200
MAX_COUNCILS = 50


# --- from registry events --------------------------------------------------------------------------------------------


async def on_role_assigned(roles: Repository[RoleAssignment], event: CloudEvent, data: RoleAssigned) -> None:
    """The assignment replaces an earlier one with the same id (e.g. one ended by a reassignment)."""
    await roles.apply_once(data.assignment_id, event, lambda _current: (RoleAssignment.from_event(data), ()))


async def on_cluster_changed(clusters: Repository[Cluster], event: CloudEvent, data: ClusterEvent) -> None:
    await clusters.apply_once(data.cluster_id, event, lambda current: (with_cluster_event(current, data), ()))


async def on_council_changed(councils: Repository[Council], event: CloudEvent, data: CouncilEvent) -> None:
    await councils.apply_once(data.council_id, event, lambda current: (with_council_event(current, data), ()))


# --- reads for routing -----------------------------------------------------------------------------------------------


async def assignments_of(roles: Repository[RoleAssignment], role: FunctionalRole) -> list[RoleAssignment]:
    return [loaded.aggregate for loaded in await roles.find({"role": role.value}, limit=MAX_ASSIGNMENTS)]


async def routing_directory(
    repositories: NotifyRepositories, rules: Sequence[RoutingRule], event: CloudEvent
) -> routing.Directory:
    """Load only what the matching rules need to resolve their recipients."""
    assignments = {role: await assignments_of(repositories.roles, role) for role in roles_needed(rules, event.type)}
    clusters: list[Cluster] = []
    if organizations := sorted(cluster_organizations_needed(rules, event)):
        found = await repositories.clusters.find({"member_ids": {"$in": organizations}}, limit=MAX_CLUSTERS)
        clusters = [loaded.aggregate for loaded in found]
    councils: dict[str, Council] = {}
    if keys := sorted(councils_needed(rules, event)):
        for key in keys:
            if (loaded := await repositories.councils.get(key)) is not None:
                councils[loaded.id] = loaded.aggregate
        for loaded in await repositories.councils.find({"organization_id": {"$in": keys}}, limit=MAX_COUNCILS):
            councils[loaded.id] = loaded.aggregate
    return routing.Directory(assignments=assignments, clusters=clusters, councils=list(councils.values()))
