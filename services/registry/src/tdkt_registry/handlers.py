"""Registry commands: load, ask the domain, write state and events in one update."""

from __future__ import annotations

from tdkt_registry.domain.organizations import Organization, RegisterOrganization, register
from tdkt_shared.contract import make_event
from tdkt_shared.store import AggregateStore


async def load_organization(organizations: AggregateStore, organization_id: str) -> Organization | None:
    stored = await organizations.get(organization_id)
    return None if stored is None else Organization.model_validate(stored.state)


async def register_organization(
    command: RegisterOrganization, organizations: AggregateStore, *, correlation_id: str | None = None
) -> tuple[Organization, int]:
    parent = await load_organization(organizations, command.parent_id) if command.parent_id else None
    organization, data = register(command, parent)
    event = make_event(
        data,
        partitionkey=organization.id,
        subject=f"organizations/{organization.id}",
        correlationid=correlation_id,
    )
    stored = await organizations.create(organization.id, organization.model_dump(mode="json"), [event])
    return organization, stored.version
