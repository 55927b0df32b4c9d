"""Events notify consumes: every type of every other service's topic, each routed by the stored rules.

Registry events also update the local read models first. The dispatcher needs the types up front, so the
subscription is every type in the contract plus every type named by a default rule: a new type (or a type a rule
names that is not in the contract yet) needs no code here, only a rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from tdkt_notify import handlers
from tdkt_notify.defaults import DEFAULT_RULES
from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.store import NotifyStores
from tdkt_shared.bus.consumer import EventHandler
from tdkt_shared.contract import CloudEvent, registered_types, service_topic
from tdkt_shared.contract.registry import (
    ClusterFormed,
    ClusterMembershipChanged,
    ContactPointSet,
    CouncilConstituted,
    CouncilMembershipChanged,
    OrganizationRegistered,
    PersonRegistered,
    RoleAssigned,
)
from tdkt_shared.runtime import Stores

TOPICS = tuple(service_topic(s) for s in ("registry", "reporting", "awards"))
"""Not `tdkt.notify.events`: notifications about notifications would loop."""

ReadModelHandler = Callable[[NotifyStores, CloudEvent, Any], Awaitable[None]]
READ_MODELS: dict[str, ReadModelHandler] = {
    OrganizationRegistered.event_type: handlers.on_organization_registered,
    RoleAssigned.event_type: handlers.on_role_assigned,
    ContactPointSet.event_type: handlers.on_contact_point_set,
    PersonRegistered.event_type: handlers.on_person_registered,
    ClusterFormed.event_type: handlers.on_cluster_formed,
    ClusterMembershipChanged.event_type: handlers.on_cluster_membership_changed,
    CouncilConstituted.event_type: handlers.on_council_constituted,
    CouncilMembershipChanged.event_type: handlers.on_council_membership_changed,
}


def consumed_types() -> list[str]:
    named = {t for rule in DEFAULT_RULES for t in rule.event_types if not t.endswith("*")}
    known = {t for t in registered_types() if not t.startswith("tdkt.notify.")}
    return sorted(known | named)


def event_handlers(
    stores: Stores, on_recorded: Callable[[list[Delivery]], None] = lambda _recorded: None, digest_hour: int = 8
) -> Mapping[str, EventHandler]:
    notify = NotifyStores.of(stores)

    async def handle(event: CloudEvent, data: Any) -> None:
        read_model = READ_MODELS.get(event.type)
        if read_model is not None:
            await read_model(notify, event, data)
        if recorded := await handlers.record_deliveries(notify, event, now=datetime.now(UTC), digest_hour=digest_hour):
            on_recorded(recorded)

    return dict.fromkeys(consumed_types(), handle)
