"""Organisations: register, read (as of a date), new versions, dissolution, lineage."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from tdkt_registry import queries
from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import OrganizationsDep
from tdkt_registry.domain.lineage import DissolveOrganization
from tdkt_registry.domain.organizations import (
    ChangeOrganization,
    LineageLink,
    Organization,
    OrganizationStatus,
    OrganizationVersion,
    RegisterOrganization,
)
from tdkt_registry.handlers import organizations, reorganizations
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Day, Whole
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import Context
from tdkt_shared.store import AggregateStore

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class OrganizationView(BaseModel):
    id: str
    version: Whole
    """The registry's version of the record: send it back with a change (optimistic concurrency)."""
    as_of: Day | None = None
    current: OrganizationVersion | None
    """The version in force on `as_of`, or the newest version when no date was asked."""
    versions: list[OrganizationVersion]
    status: OrganizationStatus = OrganizationStatus.ACTIVE
    ended_on: Day | None = None
    predecessors: list[LineageLink] = []
    successors: list[LineageLink] = []


def organization_view(loaded: Loaded[Organization], as_of: date | None = None) -> OrganizationView:
    organization = loaded.aggregate
    return OrganizationView(
        id=organization.id,
        version=loaded.version,
        as_of=as_of,
        current=queries.version_for(organization, as_of),
        versions=organization.versions,
        status=organization.status,
        ended_on=organization.ended_on,
        predecessors=organization.predecessors,
        successors=organization.successors,
    )


async def read_organization(store: AggregateStore, organization_id: str, as_of: date | None = None) -> OrganizationView:
    return organization_view(await organizations.organization_repository(store).load(organization_id), as_of)


def _page(found: list[Loaded[Organization]], total: int, page: PageQuery, as_of: date | None) -> Page[OrganizationView]:
    items = [organization_view(f, as_of) for f in found]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrganizationView)
async def register(
    command: RegisterOrganization, store: OrganizationsDep, response: Response, ctx: Context
) -> OrganizationView:
    """Register an organisation; emits `tdkt.registry.organization.registered.v1`."""
    registered = await organizations.register_organization(command, store, ctx)
    response.headers["Location"] = f"/organizations/{registered.id}"
    response.headers["ETag"] = f'"{registered.version}"'
    return organization_view(registered)


@router.get("/{organization_id}", response_model=OrganizationView)
async def get(organization_id: str, store: OrganizationsDep, as_of: Day | None = None) -> OrganizationView:
    """One organisation; with `as_of`, `current` is the version in force on that date (null if none)."""
    return await read_organization(store, organization_id, as_of)


@router.get("", response_model=Page[OrganizationView])
async def list_organizations(
    store: OrganizationsDep, page: PageQuery, filters: Annotated[queries.Filters, Query()]
) -> Page[OrganizationView]:
    """Organisations, filtered on the version in force on `as_of` (or on the newest version without it)."""
    found, total = await queries.list_organizations(store, filters, page.offset, page.limit)
    return _page(found, total, page, filters.as_of)


@router.get("/{organization_id}/children", response_model=Page[OrganizationView])
async def children(
    organization_id: str, store: OrganizationsDep, page: PageQuery, as_of: Day | None = None
) -> Page[OrganizationView]:
    """The organisations directly under this one on `as_of` (or under it in their newest version)."""
    await organizations.organization_repository(store).load(organization_id)
    filters = queries.Filters(parent_id=organization_id, as_of=as_of)
    found, total = await queries.list_organizations(store, filters, page.offset, page.limit)
    return _page(found, total, page, as_of)


@router.post("/{organization_id}/versions", response_model=OrganizationView)
async def change(
    organization_id: str, command: ChangeOrganization, store: OrganizationsDep, response: Response, ctx: Context
) -> OrganizationView:
    """A new version from `effective_date` (rename, retype, reparent, recode); the one in force ends the day
    before. `version` must be the record's current version (409 otherwise, nothing written). Emits
    `tdkt.registry.organization.changed.v1`."""
    changed = await organizations.change_organization(organization_id, command, store, ctx)
    response.headers["ETag"] = f'"{changed.version}"'
    return organization_view(changed)


@router.post("/{organization_id}/dissolution", response_model=OrganizationView)
async def dissolve(
    organization_id: str, command: DissolveOrganization, store: OrganizationsDep, ctx: Context
) -> OrganizationView:
    """The organisation ends on `effective_date` with no successor (it must have nothing under it by then).
    Emits `tdkt.registry.organization.dissolved.v1`."""
    await reorganizations.dissolve_organization(organization_id, command, store, ctx)
    return await read_organization(store, organization_id)


class LineageView(BaseModel):
    organization_id: str
    entries: list[queries.LineageEntry]


@router.get("/{organization_id}/predecessors", response_model=LineageView)
async def predecessors(organization_id: str, store: OrganizationsDep, transitive: bool = True) -> LineageView:
    """What this organisation came from (through mergers and splits), nearest first."""
    entries = await queries.traverse(store, organization_id, "predecessors", transitive=transitive)
    return LineageView(organization_id=organization_id, entries=entries)


@router.get("/{organization_id}/successors", response_model=LineageView)
async def successors(organization_id: str, store: OrganizationsDep, transitive: bool = True) -> LineageView:
    """What this organisation went into (through mergers and splits), nearest first."""
    entries = await queries.traverse(store, organization_id, "successors", transitive=transitive)
    return LineageView(organization_id=organization_id, entries=entries)


class SuccessorView(BaseModel):
    organization_id: str
    on: Day
    successors: list[OrganizationView]
    """Itself while in force; else what it became, in force on `on` (several after a split, none after a
    dissolution)."""


@router.get("/{organization_id}/successor", response_model=SuccessorView)
async def successor_on(organization_id: str, on: Day, store: OrganizationsDep) -> SuccessorView:
    """The organisation(s) in force on `on` that stand for this one, following merger and split chains."""
    found = await queries.successors_in_force(store, organization_id, on)
    views = [organization_view(f, on) for f in found]
    return SuccessorView(organization_id=organization_id, on=on, successors=views)
