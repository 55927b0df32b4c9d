"""Event type -> handler, and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from tdkt_awards import handlers, store
from tdkt_awards.catalogue_data import default_catalogue
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import service_topic
from tdkt_shared.contract.registry import (
    CouncilConstituted,
    CouncilMembershipChanged,
    OrganizationRegistered,
    OrganizationsMerged,
    PersonEmploymentChanged,
)
from tdkt_shared.contract.reporting import (
    ClusterRankingPublished,
    CongressCancelled,
    CongressRescheduled,
    CongressScheduled,
    MovementFinalReviewed,
)
from tdkt_shared.runtime import Stores

TOPICS = (service_topic("registry"), service_topic("reporting"))


def event_handlers(stores: Stores) -> Mapping[str, EventHandler]:
    organizations = stores.store(store.ORGANIZATIONS)
    congresses = stores.store(store.CONGRESSES)
    councils = stores.store(store.COUNCILS)
    return {
        OrganizationRegistered.event_type: partial(handlers.on_organization_registered, organizations=organizations),
        OrganizationsMerged.event_type: partial(handlers.on_organizations_merged, organizations=organizations),
        PersonEmploymentChanged.event_type: partial(
            handlers.on_person_employment_changed, persons=stores.store(store.PERSONS)
        ),
        CouncilConstituted.event_type: partial(handlers.on_council_constituted, councils=councils),
        CouncilMembershipChanged.event_type: partial(handlers.on_council_membership_changed, councils=councils),
        ClusterRankingPublished.event_type: partial(
            handlers.on_cluster_ranking_published,
            nominations=stores.store(store.NOMINATIONS),
            organizations=organizations,
            catalogue=default_catalogue(),
        ),
        CongressScheduled.event_type: partial(handlers.on_congress_scheduled, congresses=congresses),
        CongressRescheduled.event_type: partial(handlers.on_congress_rescheduled, congresses=congresses),
        CongressCancelled.event_type: partial(handlers.on_congress_cancelled, congresses=congresses),
        MovementFinalReviewed.event_type: partial(
            handlers.on_movement_final_reviewed, movements=stores.store(store.MOVEMENTS)
        ),
    }
