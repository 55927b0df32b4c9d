"""Events notify consumes: every type of every other service's topic, each routed by the stored rules.

Registry events also update the local read models first (the organisation directory with its mergers, recipients,
role assignments, clusters and councils). The dispatcher needs the types up front, so the subscription is every type
in the contract plus every type named by a default rule: a new type (or a type a rule names that is not in the
contract yet) needs no code here, only a rule.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any

from tdkt_notify.defaults import DEFAULT_RULES
from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.handlers import deliveries, groups, recipients
from tdkt_notify.repositories import NotifyRepositories
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
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import Stores

TOPICS = tuple(service_topic(s) for s in ("registry", "reporting", "awards"))
"""Not `tdkt.notify.events`: notifications about notifications would loop."""

ReadModelHandler = Callable[[CloudEvent, Any], Awaitable[object]]


def consumed_types() -> list[str]:
    named = {t for rule in DEFAULT_RULES for t in rule.event_types if not t.endswith("*")}
    known = {t for t in registered_types() if not t.startswith("tdkt.notify.")}
    return sorted(known | named)


def read_models(repositories: NotifyRepositories) -> dict[str, list[ReadModelHandler]]:
    """Event type -> the read models it changes, in order."""
    found: dict[str, list[ReadModelHandler]] = {}
    for event_type, handler in [
        *repositories.directory.event_handlers().items(),
        (OrganizationRegistered.event_type, partial(recipients.on_organization_registered, repositories.recipients)),
        (PersonRegistered.event_type, partial(recipients.on_person_registered, repositories.recipients)),
        (ContactPointSet.event_type, partial(recipients.on_contact_point_set, repositories.recipients)),
        (RoleAssigned.event_type, partial(groups.on_role_assigned, repositories.roles)),
        (ClusterFormed.event_type, partial(groups.on_cluster_changed, repositories.clusters)),
        (ClusterMembershipChanged.event_type, partial(groups.on_cluster_changed, repositories.clusters)),
        (CouncilConstituted.event_type, partial(groups.on_council_changed, repositories.councils)),
        (CouncilMembershipChanged.event_type, partial(groups.on_council_changed, repositories.councils)),
    ]:
        found.setdefault(event_type, []).append(handler)
    return found


def event_handlers(
    stores: Stores, on_recorded: Callable[[list[Delivery]], None] = lambda _recorded: None, digest_hour: int = 8
) -> Mapping[str, EventHandler]:
    repositories = NotifyRepositories.of(stores)
    projections = read_models(repositories)

    def handler(projecting: Sequence[ReadModelHandler]) -> EventHandler:
        async def handle(event: CloudEvent, data: Any) -> None:
            for project in projecting:
                await project(event, data)
            ctx = CommandContext.caused_by(event)
            if recorded := await deliveries.record_deliveries(repositories, event, ctx, digest_hour=digest_hour):
                on_recorded(recorded)

        return handle

    return {event_type: handler(projections.get(event_type, ())) for event_type in consumed_types()}
