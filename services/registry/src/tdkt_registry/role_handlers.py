"""Commands and questions on functional roles and contact points."""

from __future__ import annotations

import uuid
from datetime import date

from tdkt_registry.domain.roles import (
    AssignRole,
    ContactPoint,
    EndRole,
    OwnerKind,
    RoleAssignment,
    SetContactPoint,
    assign,
    contact_point_id,
    end_assignment,
)
from tdkt_registry.handlers import load_organization, to_event
from tdkt_registry.queries import successors_in_force
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.errors import DomainError
from tdkt_shared.store import AggregateStore, NotFound, VersionConflict

SCAN_LIMIT = 100_000


async def assign_role(
    command: AssignRole,
    assignments: AggregateStore,
    organizations: AggregateStore,
    *,
    correlation_id: str | None = None,
) -> tuple[RoleAssignment, int]:
    """Emits `role.assigned.v1` keyed by the holding organisation."""
    assignment_id = command.id or f"ra-{uuid.uuid4().hex[:16]}"
    holder = await load_organization(organizations, command.organization_id)
    scope_id = command.scope_organization_id
    scope = await load_organization(organizations, scope_id) if scope_id else None
    found = await assignments.find({"organization_id": command.organization_id, "role": command.role}, limit=SCAN_LIMIT)
    existing = [RoleAssignment.model_validate(s.state) for s in found]
    new = assign(assignment_id, command, holder, scope, existing)
    event = to_event(new.event(), new.id, f"role-assignments/{new.id}", correlation_id)
    stored = await assignments.create(new.id, new.model_dump(mode="json"), [event])
    return new, stored.version


async def end_role(
    assignment_id: str,
    command: EndRole,
    assignments: AggregateStore,
    *,
    correlation_id: str | None = None,
) -> tuple[RoleAssignment, int]:
    stored = await assignments.get(assignment_id)
    if stored is None:
        raise NotFound(assignment_id)
    if stored.version != command.version:
        raise VersionConflict(assignment_id, command.version, stored.version)
    new = end_assignment(RoleAssignment.model_validate(stored.state), command.valid_to)
    event = to_event(new.event(), new.id, f"role-assignments/{new.id}", correlation_id)
    result = await assignments.update(assignment_id, command.version, new.model_dump(mode="json"), [event])
    return new, result.version


async def holders(
    role: FunctionalRole,
    on: date,
    assignments: AggregateStore,
    organizations: AggregateStore,
    scope_organization_id: str | None = None,
) -> list[RoleAssignment]:
    """Who holds `role` on `on`. With a scope, the assignments made for it or, after a merger, for what it became
    (the scope is followed through its lineage to the organisations in force on that date)."""
    found = [RoleAssignment.model_validate(s.state) for s in await assignments.find({"role": role}, limit=SCAN_LIMIT)]
    in_force = [a for a in found if a.in_force_on(on)]
    if scope_organization_id is None:
        return in_force
    scopes = {scope_organization_id}
    if await organizations.get(scope_organization_id) is None:
        raise NotFound(scope_organization_id)
    scopes |= {o.id for o in await successors_in_force(organizations, scope_organization_id, on)}
    return [a for a in in_force if a.scope_organization_id in scopes]


async def set_contact_point(
    owner_kind: OwnerKind,
    owner_id: str,
    command: SetContactPoint,
    contact_points: AggregateStore,
    owners: AggregateStore,
    *,
    correlation_id: str | None = None,
) -> tuple[ContactPoint, int]:
    """Create or replace the owner's contact point; emits `contact_point.set.v1` keyed by the owner."""
    if await owners.get(owner_id) is None:
        raise NotFound(owner_id)
    key = contact_point_id(owner_kind, owner_id)
    point = ContactPoint(
        owner_id=owner_id,
        owner_kind=owner_kind,
        email=command.email,
        webhook_url=None if command.webhook_url is None else str(command.webhook_url),
    )
    event = to_event(point.event(), owner_id, f"contact-points/{key}", correlation_id)
    current = await contact_points.get(key)
    if current is None:
        if command.version is not None:
            raise VersionConflict(key, command.version, None)
        stored = await contact_points.create(key, point.model_dump(mode="json"), [event])
        return point, stored.version
    if command.version is None:
        raise DomainError(
            "a contact point exists: send its version to replace it", field="version", code="version_required"
        )
    if current.version != command.version:
        raise VersionConflict(key, command.version, current.version)
    if ContactPoint.model_validate(current.state) == point:
        raise DomainError("the contact point is unchanged", field="email", code="no_change")
    stored = await contact_points.update(key, command.version, point.model_dump(mode="json"), [event])
    return point, stored.version
