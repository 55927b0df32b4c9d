"""The read model of the registry's emulation clusters and blocs (cụm, khối thi đua), kept from its events."""

from __future__ import annotations

from tdkt_reporting import store
from tdkt_reporting.domain import clusters as domain
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import ClusterFormed, ClusterMembershipChanged
from tdkt_shared.errors import UnknownReference
from tdkt_shared.runtime import Stores


async def on_cluster_formed(stores: Stores, event: CloudEvent, data: ClusterFormed) -> bool:
    """Record the cluster's year once, whatever the number of deliveries; False for a repeat."""
    return await store.clusters(stores).apply_once(
        data.cluster_id, event, lambda current: (domain.formed(current, data), ())
    )


async def on_cluster_membership_changed(stores: Stores, event: CloudEvent, data: ClusterMembershipChanged) -> bool:
    """Replace the year's member list once, whatever the number of deliveries; False for a repeat."""
    return await store.clusters(stores).apply_once(
        data.cluster_id, event, lambda current: (domain.membership_changed(current, data), ())
    )


async def cluster_members(stores: Stores, cluster_id: str, year: int) -> list[str]:
    """The cluster's members for `year` from the read model; 422 naming the field when it is unknown."""
    found = await store.clusters(stores).get(cluster_id)
    if found is None:
        raise UnknownReference(f"unknown cluster {cluster_id}", field="cluster_id")
    members = found.aggregate.member_ids(year)
    if members is None:
        raise UnknownReference(f"cluster {cluster_id} has no membership for {year}", field="year")
    return members
