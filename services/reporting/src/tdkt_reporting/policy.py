"""Who may do what to reporting's aggregates as loaded (docs/authorization.md).

Role requirements are the routers' dependencies; what needs stored data is decided here. "Own" is the acting
organisation or one in its lineage in the kit's `Directory` (sáp nhập: a merged unit's dossiers stay reachable for
the successor's officers and the other way round). The platform's own work (no principal) is always admitted.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from tdkt_shared.auth import Forbidden, Principal, Role, ensure_acts_for
from tdkt_shared.contract.reporting import ScoreKind
from tdkt_shared.kit import CommandContext
from tdkt_shared.kit.directory import Directory

ANY_ORG = (Role.TDKT_SPECIALIST,)
"""Roles acting for every organisation (admins always do)."""


async def ensure_own(
    directory: Directory, principal: Principal | None, organization_id: str, *, field: str = "organization_id"
) -> None:
    """Admit the principal for `organization_id` (its own, or one in its lineage); specialists and admins for any.
    403 naming `field` otherwise."""
    if principal is None or principal.has(*ANY_ORG) or principal.organization_id == organization_id:
        return  # no directory look-up needed
    lineage = await directory.lineage(organization_id)
    ensure_acts_for(principal, organization_id, lineage, field=field, any_org=ANY_ORG)


async def ensure_party(
    directory: Directory, principal: Principal | None, organization_ids: Collection[str], *, field: str
) -> None:
    """Admit the principal when it may act for one of `organization_ids` (the parties of a pact)."""
    for organization_id in organization_ids:
        try:
            await ensure_own(directory, principal, organization_id, field=field)
            return
        except Forbidden:
            continue
    raise Forbidden(f"{principal and principal.organization_id} is not one of the parties", field=field)


def ensure_may_score(principal: Principal | None, kind: ScoreKind) -> None:
    """Reviewer scores are the TĐKT specialists' (a unit officer self-scores only)."""
    if kind is ScoreKind.REVIEWER and principal is not None and not principal.has(Role.TDKT_SPECIALIST):
        raise Forbidden("only TĐKT specialists review scorecards", field="kind")


def acting_organization(ctx: CommandContext) -> str:
    """The organisation a command acts for: the principal's (such commands are never the platform's own)."""
    if ctx.organization_id is None:
        raise Forbidden("this command needs a signed-in principal")
    return ctx.organization_id


async def visible(directory: Directory, principal: Principal) -> list[str] | None:
    """The organisations whose items the principal may read: None for all (specialists, admins), else its own and
    its lineage (unit officers; other roles are refused by their router's dependency before)."""
    if principal.has(*ANY_ORG):
        return None
    return [principal.organization_id, *await directory.lineage(principal.organization_id)]


async def visible_query(
    directory: Directory, principal: Principal, query: dict[str, Any], organization_id: str | None
) -> dict[str, Any] | None:
    """`query` narrowed to what the principal may read (`visible`) and the requested organisation; None when nothing
    can match."""
    return scoped(query, await visible(directory, principal), organization_id)


def scoped(
    query: dict[str, Any], allowed: Collection[str] | None, organization_id: str | None
) -> dict[str, Any] | None:
    """`query` narrowed to the `allowed` organisations (None: all) and the requested one; None when nothing can
    match."""
    if organization_id is not None:
        if allowed is not None and organization_id not in allowed:
            return None
        return {**query, "organization_id": organization_id}
    if allowed is None:
        return query
    return {**query, "organization_id": {"$in": list(allowed)}}
