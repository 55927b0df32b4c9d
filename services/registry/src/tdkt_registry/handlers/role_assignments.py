"""Commands on functional role assignments (an organisation holds a role for a period), and who holds a role."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial

from tdkt_registry import queries
from tdkt_registry.domain.roles import AssignRole, EndRole, RoleAssignment, assign, end_assignment
from tdkt_registry.handlers.organizations import load_organization
from tdkt_registry.store import ORGANIZATIONS, ROLE_ASSIGNMENTS, repository
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

SCAN_LIMIT = 100_000


assignment_repository = partial(repository, model=RoleAssignment)


async def assign_role(command: AssignRole, stores: Stores, ctx: CommandContext) -> Loaded[RoleAssignment]:
    """Emits `role.assigned.v1` keyed by the assignment."""
    repo = assignment_repository(stores.store(ROLE_ASSIGNMENTS))
    organizations = stores.store(ORGANIZATIONS)
    holder = await load_organization(organizations, command.organization_id)
    scope_id = command.scope_organization_id
    scope = await load_organization(organizations, scope_id) if scope_id else None
    held = await repo.find({"organization_id": command.organization_id, "role": command.role}, limit=SCAN_LIMIT)
    new = assign(command.id or f"ra-{uuid.uuid4().hex[:16]}", command, holder, scope, [h.aggregate for h in held])
    return await repo.add(new, new.event(), ctx)


async def end_role(
    assignment_id: str, command: EndRole, assignments: AggregateStore, ctx: CommandContext
) -> Loaded[RoleAssignment]:
    """Set the last day of an assignment; emits `role.assigned.v1` with its `valid_to`."""
    repo = assignment_repository(assignments)
    loaded = await repo.load(assignment_id, command.version)
    new = end_assignment(loaded.aggregate, command.valid_to)
    return await repo.save(loaded, new, new.event(), ctx)


async def holders(
    role: FunctionalRole,
    on: date,
    assignments: AggregateStore,
    organizations: AggregateStore,
    scope_organization_id: str | None = None,
) -> list[Loaded[RoleAssignment]]:
    """Who holds `role` on `on`. With a scope, the assignments made for it or, after a merger, for what it became
    (the scope is followed through its lineage to the organisations in force on that date)."""
    found = await assignment_repository(assignments).find({"role": role}, limit=SCAN_LIMIT)
    in_force = [a for a in found if a.aggregate.in_force_on(on)]
    if scope_organization_id is None:
        return in_force
    scopes = {scope_organization_id} | {
        o.id for o in await queries.successors_in_force(organizations, scope_organization_id, on)
    }
    return [a for a in in_force if a.aggregate.scope_organization_id in scopes]
