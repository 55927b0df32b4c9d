"""Registrations (đăng ký thi đua) and emulation pacts (giao ước thi đua): a registration is drafted and submitted
by its organisation (or one in its lineage) or a specialist, returned and accepted by specialists, and moved to the
successor when its organisation merges; a pact is signed by one of its parties or a specialist."""

from __future__ import annotations

from tdkt_reporting import policy, store
from tdkt_reporting.domain import registrations as domain
from tdkt_reporting.domain.registrations import EmulationPact, Registration
from tdkt_reporting.handlers.common import ensure_may_file, move_open, submit_own
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores


async def draft(stores: Stores, command: domain.DraftRegistration, ctx: CommandContext) -> Loaded[Registration]:
    """For an organisation the principal acts for (403) and the registry announced (422)."""
    await ensure_may_file(stores, ctx, command.organization_id, command.movement_id)
    registration, event = domain.draft(command)
    return await store.registrations(stores).add(registration, event, ctx)


async def submit(stores: Stores, registration_id: str, version: int, ctx: CommandContext) -> Loaded[Registration]:
    return await submit_own(stores, store.registrations(stores), domain.submit, ctx, registration_id, version)


async def return_registration(
    stores: Stores, registration_id: str, version: int, reason: str, ctx: CommandContext
) -> Loaded[Registration]:
    return await store.registrations(stores).change(
        registration_id, version, lambda r: domain.return_(r, reason, ctx.now), ctx
    )


async def accept(stores: Stores, registration_id: str, version: int, ctx: CommandContext) -> Loaded[Registration]:
    return await store.registrations(stores).change(registration_id, version, lambda r: domain.accept(r, ctx.now), ctx)


async def move_to_successor(stores: Stores, event: CloudEvent, merger: OrganizationsMerged) -> int:
    """The open registrations of the merged organisations pass to the successor, keeping their history."""
    return await move_open(store.registrations(stores), event, merger, domain.OPEN, domain.reassign)


async def sign_pact(stores: Stores, command: domain.SignPact, ctx: CommandContext) -> Loaded[EmulationPact]:
    """Once per cluster and year, by one of the parties (403 on `signatory_organization_ids`) or a specialist."""
    await policy.ensure_party(
        store.directory(stores), ctx.principal, command.signatory_organization_ids, field="signatory_organization_ids"
    )
    pact, event = domain.sign(command)
    return await store.pacts(stores).add(pact, event, ctx)
