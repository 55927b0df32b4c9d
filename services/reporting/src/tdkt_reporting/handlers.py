"""Reporting's handlers of commands and consumed events."""

from __future__ import annotations

from tdkt_reporting.domain.directory import from_registered
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import OrganizationRegistered
from tdkt_shared.store import AggregateStore, Stored


async def on_organization_registered(
    event: CloudEvent, data: OrganizationRegistered, organizations: AggregateStore
) -> bool:
    """Record the organisation once, whatever the number of deliveries; False for a repeat."""
    known = from_registered(data)

    def mutate(_current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        return known.model_dump(mode="json"), []

    return await organizations.apply_event(known.id, event.id, mutate)
