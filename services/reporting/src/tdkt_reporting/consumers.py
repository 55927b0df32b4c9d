"""Event type -> handler, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from tdkt_reporting import handlers, store
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import service_topic
from tdkt_shared.contract.registry import (
    ClusterFormed,
    ClusterMembershipChanged,
    OrganizationRegistered,
    OrganizationsMerged,
)
from tdkt_shared.runtime import Stores

TOPICS = (service_topic("registry"),)


def event_handlers(stores: Stores) -> Mapping[str, EventHandler]:
    organizations = stores.store(store.ORGANIZATIONS)
    cluster_store = stores.store(store.CLUSTERS)
    return {
        ClusterFormed.event_type: partial(handlers.on_cluster_formed, cluster_store=cluster_store),
        ClusterMembershipChanged.event_type: partial(
            handlers.on_cluster_membership_changed, cluster_store=cluster_store
        ),
        OrganizationRegistered.event_type: partial(handlers.on_organization_registered, organizations=organizations),
        OrganizationsMerged.event_type: partial(
            handlers.on_organizations_merged,
            organizations=organizations,
            report_store=stores.store(store.REPORTS),
            registration_store=stores.store(store.REGISTRATIONS),
        ),
    }
