"""Who may use the registry's API (docs/authorization.md).

Every write needs `registry_admin` (admins always): the routers build their routes with `AdminWrites`, so a new write
endpoint is guarded without anyone remembering to. Organisations, lineage, clusters, councils, role assignments and
organisations' contact points are public. Persons and their contact points need a token: `PersonAccess`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from fastapi.routing import APIRoute

from tdkt_registry import queries
from tdkt_registry.api.deps import OrganizationsDep
from tdkt_registry.domain.people import Person
from tdkt_shared.auth import CurrentPrincipal, Forbidden, Role, require

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PERSON_READERS = (Role.REGISTRY_ADMIN, Role.TDKT_SPECIALIST, Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)
"""Roles that see every person; a `unit_officer` sees only the persons of its own organisation (and lineage)."""


class AdminWrites(APIRoute):
    """A route that, when it writes, first requires `registry_admin` (admins always)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if WRITE_METHODS & {m.upper() for m in kwargs.get("methods") or ()}:
            kwargs["dependencies"] = [require(Role.REGISTRY_ADMIN), *(kwargs.get("dependencies") or ())]
        super().__init__(path, endpoint, **kwargs)


@dataclass(frozen=True)
class PersonAccess:
    """The persons a principal may read: every one (`organization_ids is None`), or those ever employed by one of
    `organization_ids` (the officer's organisation and its lineage)."""

    organization_ids: frozenset[str] | None

    def admits(self, person: Person) -> bool:
        scope = self.organization_ids
        return scope is None or any(e.organization_id in scope for e in person.employments)

    def check(self, person: Person) -> None:
        if not self.admits(person):
            raise Forbidden(f"{person.id} is not employed by the caller's organisation", field="person_id")


async def person_access(principal: CurrentPrincipal, organizations: OrganizationsDep) -> PersonAccess:
    if principal.has(*PERSON_READERS):
        return PersonAccess(None)
    if Role.UNIT_OFFICER in principal.roles:
        own = principal.organization_id
        return PersonAccess(frozenset({own, *await queries.lineage_ids(organizations, own)}))
    raise Forbidden("reading persons requires one of: " + ", ".join((*PERSON_READERS, Role.UNIT_OFFICER)))


PersonAccessDep = Annotated[PersonAccess, Depends(person_access)]
