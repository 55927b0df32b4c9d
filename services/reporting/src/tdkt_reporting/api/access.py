"""Who may call reporting's endpoints (docs/authorization.md).

Role checks are dependencies; checks that need stored data (the organisation of a report, a registration or a
scorecard) load the aggregate and decide before anything is written. "Own" is the caller's organisation or one in its
lineage in the directory built from the registry's events, so a merged unit's dossiers stay reachable for the
successor's officers and the other way round.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tdkt_reporting import handlers
from tdkt_shared.auth import Forbidden, Principal, Role, current_principal, ensure_acts_for, require
from tdkt_shared.store import AggregateStore, NotFound, Stored, VersionConflict

ANY_ORG = (Role.TDKT_SPECIALIST,)
"""Roles acting for every organisation (admins always do)."""

SPECIALIST = require(Role.TDKT_SPECIALIST)
OFFICER_OR_SPECIALIST = require(Role.UNIT_OFFICER, Role.TDKT_SPECIALIST)
ADMIN = require()
"""Nobody but admins."""

Specialist = Annotated[Principal, SPECIALIST]
OfficerOrSpecialist = Annotated[Principal, OFFICER_OR_SPECIALIST]

_bearer = HTTPBearer(auto_error=False)


async def _optional_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The caller, or None without a token (an invalid token is still 401)."""
    return None if credentials is None else await current_principal(request, credentials)


OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]
"""For reads that are public for some items (published scorecards) and not for others."""


def ensure_reader(principal: Principal | None) -> Principal:
    """What `OfficerOrSpecialist` checks, for a read whose token turned out to be needed: 401 without one, 403 for
    the other roles."""
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    if not principal.has(Role.UNIT_OFFICER, Role.TDKT_SPECIALIST):
        raise Forbidden(f"{principal.subject} may not read this")
    return principal


async def ensure_own(
    principal: Principal, organizations: AggregateStore, organization_id: str, *, field: str = "organization_id"
) -> None:
    """Admit the principal for `organization_id` (its own, or one in its lineage); specialists and admins for any.
    403 naming `field` otherwise."""
    if principal.has(*ANY_ORG) or principal.organization_id == organization_id:
        return  # no directory look-up needed
    lineage = await handlers.lineage(organizations, organization_id)
    ensure_acts_for(principal, organization_id, lineage, field=field, any_org=ANY_ORG)


async def ensure_party(
    principal: Principal, organizations: AggregateStore, organization_ids: Collection[str], *, field: str
) -> None:
    """Admit the principal when it may act for one of `organization_ids` (the parties of a pact)."""
    for organization_id in organization_ids:
        try:
            await ensure_own(principal, organizations, organization_id, field=field)
            return
        except Forbidden:
            continue
    raise Forbidden(f"{principal.organization_id} is not one of the parties", field=field)


async def load_own(
    principal: Principal,
    store: AggregateStore,
    aggregate_id: str,
    organizations: AggregateStore,
    version: int | None = None,
) -> Stored:
    """Load an aggregate owned by an organisation (`organization_id`) and admit the principal for it: 404 when
    missing, 403 when foreign, then 409 when `version` is not the stored one (so what was checked is exactly what
    the write replaces)."""
    stored = await store.get(aggregate_id)
    if stored is None:
        raise NotFound(aggregate_id)
    await ensure_own(principal, organizations, str(stored.state["organization_id"]))
    if version is not None and stored.version != version:
        raise VersionConflict(aggregate_id, version, stored.version)
    return stored


async def visible(principal: Principal, organizations: AggregateStore) -> list[str] | None:
    """The organisations whose items the principal may read: None for all (specialists, admins), else its own and
    its lineage (unit officers; other roles are refused by `OfficerOrSpecialist` before)."""
    if principal.has(*ANY_ORG):
        return None
    return [principal.organization_id, *await handlers.lineage(organizations, principal.organization_id)]


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
