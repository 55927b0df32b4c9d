"""Event type -> handler, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from tdkt_reporting import store
from tdkt_reporting.handlers import clusters, registrations, reports
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import CloudEvent, service_topic
from tdkt_shared.contract.registry import ClusterFormed, ClusterMembershipChanged, OrganizationsMerged
from tdkt_shared.runtime import Stores

TOPICS = (service_topic("registry"),)


async def on_organizations_merged(stores: Stores, event: CloudEvent, data: OrganizationsMerged) -> int:
    """The directory learns the merger; the open reports and registrations pass to the successor. The number of
    dossiers moved."""
    await store.directory(stores).on_merged(event, data)
    moved = await reports.move_to_successor(stores, event, data)
    return moved + await registrations.move_to_successor(stores, event, data)


def event_handlers(stores: Stores) -> Mapping[str, EventHandler]:
    return {
        **store.directory(stores).event_handlers(),
        ClusterFormed.event_type: partial(clusters.on_cluster_formed, stores),
        ClusterMembershipChanged.event_type: partial(clusters.on_cluster_membership_changed, stores),
        OrganizationsMerged.event_type: partial(on_organizations_merged, stores),
    }
