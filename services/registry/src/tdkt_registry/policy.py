"""Who may see a person as loaded (docs/authorization.md): the registry's only check that depends on the aggregate.

Role requirements stay with the routes (`tdkt_registry.api.access`); here, the scope a principal reads persons in:
every person for the readers of the whole province, only those ever employed by its organisation or one in its
lineage (mergers, splits) for a `unit_officer`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tdkt_registry import queries
from tdkt_registry.domain.people import Person
from tdkt_shared.auth import Forbidden, Principal, Role, ensure_acts_for
from tdkt_shared.store import AggregateStore

PERSON_READERS = (
    Role.REGISTRY_ADMIN,
    Role.TDKT_SPECIALIST,
    Role.COUNCIL_MEMBER,
    Role.COUNCIL_SECRETARY,
    Role.INSPECTION_OFFICER,
    Role.INITIATIVE_OFFICER,
)
"""Roles that see every person; a `unit_officer` sees only the persons of its own organisation (and lineage)."""


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


async def person_access(principal: Principal, organizations: AggregateStore) -> PersonAccess:
    """The scope `principal` reads persons in (its roles were checked by the route)."""
    if principal.has(*PERSON_READERS):
        return PersonAccess(None)
    own = principal.organization_id
    return PersonAccess(frozenset({own, *await queries.lineage_ids(organizations, own)}))


async def ensure_may_read_person(principal: Principal, person: Person, organizations: AggregateStore) -> None:
    (await person_access(principal, organizations)).check(person)


RECORD_READERS = PERSON_READERS
"""Roles that read the records kept on persons and collectives (cases, initiatives, assessments)."""


async def ensure_may_assess(principal: Principal | None, organization_id: str, organizations: AggregateStore) -> None:
    """Assessments are the employing organisation's: a `unit_officer` records them for its own organisation (or
    one in its lineage); admins always; the platform's own work (no principal) too."""
    if principal is None or principal.has():
        return
    lineage = await queries.lineage_ids(organizations, principal.organization_id)
    ensure_acts_for(principal, organization_id, lineage)


async def ensure_may_assess_rows(
    principal: Principal | None, rows: Iterable[Mapping[str, Any]], field: str, organizations: AggregateStore
) -> None:
    """An import naming (in `field`) an organisation the principal may not assess for is refused whole (403), before
    anything is written."""
    for organization_id in sorted({str(r[field]) for r in rows if isinstance(r.get(field), str)}):
        await ensure_may_assess(principal, organization_id, organizations)
