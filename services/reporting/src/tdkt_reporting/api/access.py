"""Who may call reporting's endpoints (docs/authorization.md): the role requirements, as router dependencies.

What needs stored data (the organisation of a report, a registration or a scorecard, and its lineage) is
`tdkt_reporting.policy`, called by the handlers on what they loaded and by the reads.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tdkt_shared.auth import Forbidden, Principal, Role, current_principal, require

SPECIALIST = require(Role.TDKT_SPECIALIST)
OFFICER_OR_SPECIALIST = require(Role.UNIT_OFFICER, Role.TDKT_SPECIALIST)
ADMIN = require()
"""Nobody but admins."""

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
