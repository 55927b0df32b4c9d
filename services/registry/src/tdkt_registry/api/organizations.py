from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from tdkt_registry import handlers, queries
from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import CorrelationId, OrganizationsDep, ReorganizationsDep
from tdkt_registry.domain.lineage import (
    DissolveOrganization,
    MergeOrganizations,
    ReorganizationBatch,
    SplitOrganization,
)
from tdkt_registry.domain.organizations import (
    ChangeOrganization,
    LineageLink,
    Organization,
    OrganizationStatus,
    OrganizationVersion,
    RegisterOrganization,
)
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.registry import OrganizationKind
from tdkt_shared.contract.text import Day
from tdkt_shared.store import AggregateStore, NotFound

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES, route_class=AdminWrites)
lineage_router = APIRouter(prefix="/lineage", tags=["lineage"], responses=ERROR_RESPONSES, route_class=AdminWrites)
reorganizations_router = APIRouter(
    prefix="/reorganizations", tags=["lineage"], responses=ERROR_RESPONSES, route_class=AdminWrites
)


class OrganizationView(BaseModel):
    id: str
    version: int
    """The registry's version of the record: send it back with a change (optimistic concurrency)."""
    as_of: date | None = None
    current: OrganizationVersion | None
    """The version in force on `as_of`, or the newest version when no date was asked."""
    versions: list[OrganizationVersion]
    status: OrganizationStatus = OrganizationStatus.ACTIVE
    ended_on: date | None = None
    predecessors: list[LineageLink] = []
    successors: list[LineageLink] = []


def _view(organization: Organization, version: int, as_of: date | None) -> OrganizationView:
    return OrganizationView(
        id=organization.id,
        version=version,
        as_of=as_of,
        current=queries.version_for(organization, as_of),
        versions=organization.versions,
        status=organization.status,
        ended_on=organization.ended_on,
        predecessors=organization.predecessors,
        successors=organization.successors,
    )


async def _read(organizations: AggregateStore, organization_id: str, as_of: date | None = None) -> OrganizationView:
    stored = await organizations.get(organization_id)
    if stored is None:
        raise NotFound(organization_id)
    return _view(Organization.model_validate(stored.state), stored.version, as_of)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrganizationView)
async def register(
    command: RegisterOrganization,
    organizations: OrganizationsDep,
    response: Response,
    x_correlation_id: CorrelationId = None,
) -> OrganizationView:
    """Register an organisation; emits `tdkt.registry.organization.registered.v1`."""
    organization, version = await handlers.register_organization(
        command, organizations, correlation_id=x_correlation_id
    )
    response.headers["Location"] = f"/organizations/{organization.id}"
    response.headers["ETag"] = f'"{version}"'
    return _view(organization, version, None)


@router.get("/{organization_id}", response_model=OrganizationView)
async def get(organization_id: str, organizations: OrganizationsDep, as_of: Day | None = None) -> OrganizationView:
    """One organisation; with `as_of`, `current` is the version in force on that date (null if none)."""
    return await _read(organizations, organization_id, as_of)


@router.get("", response_model=Page[OrganizationView])
async def list_organizations(
    organizations: OrganizationsDep,
    page: PageQuery,
    parent_id: str | None = None,
    kind: OrganizationKind | None = None,
    status: OrganizationStatus | None = None,
    q: str | None = Query(default=None, description="Part of the name, any case"),
    as_of: Day | None = Query(default=None, description="Only organisations in force on this date, as they were"),
) -> Page[OrganizationView]:
    """Organisations, filtered on the version in force on `as_of` (or on the newest version without it)."""
    filters = queries.Filters(parent_id=parent_id, kind=kind, status=status, q=q, as_of=as_of)
    found, total = await queries.list_organizations(organizations, filters, page.offset, page.limit)
    items = [_view(org, version, as_of) for org, version in found]
    return Page(items=items, total=total, offset=page.offset, limit=page.limit)


@router.get("/{organization_id}/children", response_model=Page[OrganizationView])
async def children(
    organization_id: str, organizations: OrganizationsDep, page: PageQuery, as_of: Day | None = None
) -> Page[OrganizationView]:
    """The organisations directly under this one on `as_of` (or under it in their newest version)."""
    await _read(organizations, organization_id)
    filters = queries.Filters(parent_id=organization_id, as_of=as_of)
    found, total = await queries.list_organizations(organizations, filters, page.offset, page.limit)
    return Page(items=[_view(o, v, as_of) for o, v in found], total=total, offset=page.offset, limit=page.limit)


@router.post("/{organization_id}/versions", response_model=OrganizationView)
async def change(
    organization_id: str,
    command: ChangeOrganization,
    organizations: OrganizationsDep,
    response: Response,
    x_correlation_id: CorrelationId = None,
) -> OrganizationView:
    """A new version from `effective_date` (rename, retype, reparent, recode); the one in force ends the day
    before. `version` must be the record's current version (409 otherwise, nothing written). Emits
    `tdkt.registry.organization.changed.v1`."""
    organization, version = await handlers.change_organization(
        organization_id, command, organizations, correlation_id=x_correlation_id
    )
    response.headers["ETag"] = f'"{version}"'
    return _view(organization, version, None)


@router.post("/{organization_id}/dissolution", response_model=OrganizationView)
async def dissolve(
    organization_id: str,
    command: DissolveOrganization,
    organizations: OrganizationsDep,
    x_correlation_id: CorrelationId = None,
) -> OrganizationView:
    """The organisation ends on `effective_date` with no successor (it must have nothing under it by then).
    Emits `tdkt.registry.organization.dissolved.v1`."""
    await handlers.dissolve_organization(organization_id, command, organizations, correlation_id=x_correlation_id)
    return await _read(organizations, organization_id)


class LineageView(BaseModel):
    organization_id: str
    entries: list[queries.LineageEntry]


@router.get("/{organization_id}/predecessors", response_model=LineageView)
async def predecessors(organization_id: str, organizations: OrganizationsDep, transitive: bool = True) -> LineageView:
    """What this organisation came from (through mergers and splits), nearest first."""
    entries = await queries.traverse(organizations, organization_id, "predecessors", transitive=transitive)
    return LineageView(organization_id=organization_id, entries=entries)


@router.get("/{organization_id}/successors", response_model=LineageView)
async def successors(organization_id: str, organizations: OrganizationsDep, transitive: bool = True) -> LineageView:
    """What this organisation went into (through mergers and splits), nearest first."""
    entries = await queries.traverse(organizations, organization_id, "successors", transitive=transitive)
    return LineageView(organization_id=organization_id, entries=entries)


class SuccessorView(BaseModel):
    organization_id: str
    on: date
    successors: list[OrganizationView]
    """Itself while in force; else what it became, in force on `on` (several after a split, none after a
    dissolution)."""


@router.get("/{organization_id}/successor", response_model=SuccessorView)
async def successor_on(organization_id: str, on: Day, organizations: OrganizationsDep) -> SuccessorView:
    """The organisation(s) in force on `on` that stand for this one, following merger and split chains."""
    found = await queries.successors_in_force(organizations, organization_id, on)
    views = [await _read(organizations, org.id, on) for org in found]
    return SuccessorView(organization_id=organization_id, on=on, successors=views)


class OperationResult(BaseModel):
    organizations: list[OrganizationView]


async def _result(organizations: AggregateStore, ids: list[str]) -> OperationResult:
    return OperationResult(organizations=[await _read(organizations, i) for i in ids])


@lineage_router.post("/mergers", response_model=OperationResult)
async def merge(
    command: MergeOrganizations, organizations: OrganizationsDep, x_correlation_id: CorrelationId = None
) -> OperationResult:
    """Merge predecessors into an existing successor in force on `effective_date`; the predecessors end the day
    before. Emits one `tdkt.registry.organizations.merged.v1`, keyed by the successor."""
    ids = await handlers.merge_organizations(command, organizations, correlation_id=x_correlation_id)
    return await _result(organizations, ids)


@lineage_router.post("/splits", response_model=OperationResult)
async def split(
    command: SplitOrganization, organizations: OrganizationsDep, x_correlation_id: CorrelationId = None
) -> OperationResult:
    """Split a predecessor into existing successors. Emits one `tdkt.registry.organization.split.v1`."""
    ids = await handlers.split_organization(command, organizations, correlation_id=x_correlation_id)
    return await _result(organizations, ids)


class ReorganizationView(BaseModel):
    batch_id: str
    status: str
    applied_now: bool
    """False when this request found the batch already applied (and changed nothing)."""
    title: str | None = None
    legal_basis: str
    effective_date: date
    mappings: list[dict[str, object]]


@reorganizations_router.post("", response_model=ReorganizationView)
async def reorganize(
    batch: ReorganizationBatch,
    organizations: OrganizationsDep,
    reorganizations: ReorganizationsDep,
    response: Response,
    x_correlation_id: CorrelationId = None,
) -> ReorganizationView:
    """Apply many mappings (merge, split, change, dissolve) in order, once per `batch_id`.

    Each step emits its own event (with the `batch_id`), then `tdkt.registry.reorganization.applied.v1` closes
    the batch. Re-sending an applied batch changes and emits nothing (200, `applied_now: false`); re-sending an
    interrupted one finishes it. Any invalid mapping refuses the whole batch before anything is written.
    """
    record, applied_now = await handlers.apply_reorganization(
        batch, organizations, reorganizations, correlation_id=x_correlation_id
    )
    response.status_code = status.HTTP_201_CREATED if applied_now else status.HTTP_200_OK
    return ReorganizationView(**record, applied_now=applied_now)


@reorganizations_router.get("/{batch_id}", response_model=ReorganizationView)
async def get_reorganization(batch_id: str, reorganizations: ReorganizationsDep) -> ReorganizationView:
    stored = await reorganizations.get(batch_id)
    if stored is None:
        raise NotFound(batch_id)
    return ReorganizationView(**stored.state, applied_now=False)
