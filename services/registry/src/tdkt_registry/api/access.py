"""Who may use the registry's API (docs/authorization.md): the role requirements of its routes.

Every write needs `registry_admin` (admins always): the routers build their routes with `AdminWrites`, so a new write
endpoint is guarded without anyone remembering to. Organisations, lineage, clusters, councils, role assignments and
organisations' contact points are public. Persons and their contact points need a reader's role (`PersonReader`);
which persons a `unit_officer` sees depends on the person as loaded (`tdkt_registry.policy`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from fastapi.routing import APIRoute

from tdkt_registry.policy import PERSON_READERS
from tdkt_shared.auth import CurrentPrincipal, Forbidden, Principal, Role, require

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class AdminWrites(APIRoute):
    """A route that, when it writes, first requires `registry_admin` (admins always)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if WRITE_METHODS & {m.upper() for m in kwargs.get("methods") or ()}:
            kwargs["dependencies"] = [require(Role.REGISTRY_ADMIN), *(kwargs.get("dependencies") or ())]
        super().__init__(path, endpoint, **kwargs)


async def person_reader(principal: CurrentPrincipal) -> Principal:
    """A principal who may read persons: the readers of every person, and unit officers (within their scope)."""
    if principal.has(*PERSON_READERS, Role.UNIT_OFFICER):
        return principal
    raise Forbidden("reading persons requires one of: " + ", ".join((*PERSON_READERS, Role.UNIT_OFFICER)))


PersonReader = Annotated[Principal, Depends(person_reader)]
