"""Read-side questions about organisations: as-of listings and lineage traversal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from pydantic import BaseModel, Field

from tdkt_registry.domain.organizations import (
    LineageLink,
    LinkKind,
    Organization,
    OrganizationStatus,
    OrganizationVersion,
)
from tdkt_registry.handlers.organizations import organization_repository
from tdkt_shared.contract.registry import OrganizationKind
from tdkt_shared.contract.text import Day, Whole
from tdkt_shared.kit import Loaded
from tdkt_shared.store import AggregateStore, NotFound

SCAN_LIMIT = 100_000
MAX_DEPTH = 64


class Filters(BaseModel):
    """The filters of the organisation list (its query string); one left out matches every organisation."""

    parent_id: str | None = None
    kind: OrganizationKind | None = None
    status: OrganizationStatus | None = None
    q: str | None = Field(default=None, description="Part of the name, any case")
    as_of: Day | None = Field(default=None, description="Only organisations in force on this date, as they were")


def version_for(org: Organization, as_of: date | None) -> OrganizationVersion | None:
    return org.as_of(as_of) if as_of else org.current


def _keep(filters: Filters) -> Callable[[Organization], bool]:
    needle = filters.q.casefold() if filters.q else None

    def keep(org: Organization) -> bool:
        version = version_for(org, filters.as_of)
        if version is None:
            return False
        if filters.parent_id is not None and version.parent_id != filters.parent_id:
            return False
        if filters.kind is not None and version.kind != filters.kind:
            return False
        if filters.status is not None and org.status != filters.status:
            return False
        return needle is None or needle in version.name.casefold()

    return keep


async def list_organizations(
    organizations: AggregateStore, filters: Filters, offset: int, limit: int
) -> tuple[list[Loaded[Organization]], int]:
    """One page of organisations matching `filters` (on the version in force on `as_of`, else the newest one)."""
    repo = organization_repository(organizations)
    if filters == Filters():
        return await repo.find({}, skip=offset, limit=limit), await repo.count({})
    prefilter: dict[str, object] = {}
    if filters.parent_id is not None:
        prefilter["versions.parent_id"] = filters.parent_id
    if filters.kind is not None:
        prefilter["versions.kind"] = str(filters.kind)
    if filters.status is not None:
        prefilter["status"] = str(filters.status)
    keep = _keep(filters)
    matching = [found for found in await repo.find(prefilter, limit=SCAN_LIMIT) if keep(found.aggregate)]
    return matching[offset : offset + limit], len(matching)


class LineageEntry(BaseModel):
    organization_id: str
    kind: LinkKind
    effective_date: Day
    legal_basis: str
    batch_id: str | None = None
    via: str
    """The organisation whose link this is (the start itself for direct links)."""
    depth: Whole


async def traverse(
    organizations: AggregateStore, organization_id: str, direction: str, *, transitive: bool
) -> list[LineageEntry]:
    """Predecessors (`direction="predecessors"`) or successors, breadth first, each organisation once."""
    repo = organization_repository(organizations)
    start = (await repo.load(organization_id)).aggregate
    entries: list[LineageEntry] = []
    seen = {organization_id}
    frontier: list[tuple[Organization, int]] = [(start, 1)]
    while frontier:
        org, depth = frontier.pop(0)
        links: list[LineageLink] = getattr(org, direction)
        for link in links:
            if link.organization_id in seen:
                continue
            seen.add(link.organization_id)
            entries.append(LineageEntry(**link.model_dump(exclude={"operation_id"}), via=org.id, depth=depth))
            if transitive and depth < MAX_DEPTH:
                nxt = await repo.get(link.organization_id)
                if nxt is not None:
                    frontier.append((nxt.aggregate, depth + 1))
    return entries


async def successors_in_force(
    organizations: AggregateStore, organization_id: str, on: date
) -> list[Loaded[Organization]]:
    """What stands for `organization_id` on `on`: itself while in force, else its successors' successors in force
    on that date, following merger and split chains (several organisations after a split; none after a
    dissolution without successor, or before the organisation existed)."""
    repo = organization_repository(organizations)
    found: dict[str, Loaded[Organization]] = {}
    seen: set[str] = set()

    async def follow(loaded: Loaded[Organization], depth: int) -> None:
        org = loaded.aggregate
        if org.id in seen or depth > MAX_DEPTH:
            return
        seen.add(org.id)
        if org.as_of(on) is not None:
            found.setdefault(org.id, loaded)
            return
        if org.ended_on is None or org.ended_on > on:
            return  # not yet in existence on that date, or a gap: no successor
        for link in org.successors:
            if link.effective_date <= on:
                successor = await repo.get(link.organization_id)
                if successor is not None:
                    await follow(successor, depth + 1)

    await follow(await repo.load(organization_id), 0)
    return list(found.values())


async def lineage_ids(organizations: AggregateStore, organization_id: str) -> set[str]:
    """Every organisation `organization_id` came from or went into, transitively (empty when it is unknown)."""
    try:
        entries = [
            *await traverse(organizations, organization_id, "predecessors", transitive=True),
            *await traverse(organizations, organization_id, "successors", transitive=True),
        ]
    except NotFound:
        return set()
    return {e.organization_id for e in entries}
