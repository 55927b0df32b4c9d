"""Commands on clusters and blocs (cụm, khối thi đua): form one, change its members, rotate its leader."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from tdkt_registry.domain import clusters as domain
from tdkt_registry.domain.clusters import Cluster, FormCluster, RemoveClusterMember, RotateLeader, SetClusterMember
from tdkt_registry.domain.organizations import Organization
from tdkt_registry.handlers.organizations import load_organization
from tdkt_registry.store import CLUSTERS, ORGANIZATIONS, repository
from tdkt_shared.contract.registry import ClusterMembershipChanged
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

cluster_repository = partial(repository, model=Cluster)


async def form_cluster(command: FormCluster, stores: Stores, ctx: CommandContext) -> Loaded[Cluster]:
    """Members (and the managing organisation) must be in force on `formed_on`; emits `cluster.formed.v1`."""
    organizations = stores.store(ORGANIZATIONS)
    ids = [m.organization_id for m in command.members]
    if command.managing_organization_id:
        ids.append(command.managing_organization_id)
    orgs: dict[str, Organization | None] = {i: await load_organization(organizations, i) for i in ids}
    cluster, formed = domain.form(command, orgs)
    return await cluster_repository(stores.store(CLUSTERS)).add(cluster, formed, ctx)


C = TypeVar("C", SetClusterMember, RotateLeader)
MemberStep = Callable[[Cluster, C, Organization | None], tuple[Cluster, ClusterMembershipChanged]]


async def _change_member(
    step: MemberStep[C], cluster_id: str, command: C, stores: Stores, ctx: CommandContext
) -> Loaded[Cluster]:
    """A change about the member organisation `command` names (which must be in force on its date)."""
    org = await load_organization(stores.store(ORGANIZATIONS), command.organization_id)
    return await cluster_repository(stores.store(CLUSTERS)).change(
        cluster_id, command.version, lambda cluster: step(cluster, command, org), ctx
    )


async def set_cluster_member(
    cluster_id: str, command: SetClusterMember, stores: Stores, ctx: CommandContext
) -> Loaded[Cluster]:
    """Add a member or change its role; emits `cluster.membership.changed.v1`."""
    return await _change_member(domain.set_member, cluster_id, command, stores, ctx)


async def rotate_cluster_leader(
    cluster_id: str, command: RotateLeader, stores: Stores, ctx: CommandContext
) -> Loaded[Cluster]:
    """A member becomes the leader, the previous leader a member."""
    return await _change_member(domain.rotate_leader, cluster_id, command, stores, ctx)


async def remove_cluster_member(
    cluster_id: str, organization_id: str, command: RemoveClusterMember, clusters: AggregateStore, ctx: CommandContext
) -> Loaded[Cluster]:
    return await cluster_repository(clusters).change(
        cluster_id, command.version, lambda cluster: domain.remove_member(cluster, organization_id, command), ctx
    )
