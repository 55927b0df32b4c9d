from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Header, Response, status
from pydantic import BaseModel

from tdkt_registry.api.deps import OrganizationsDep
from tdkt_registry.domain.organizations import Organization, OrganizationVersion, RegisterOrganization
from tdkt_registry.handlers import register_organization
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.store import NotFound

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES)


class OrganizationView(BaseModel):
    id: str
    version: int
    as_of: date | None = None
    current: OrganizationVersion | None
    versions: list[OrganizationVersion]


def _view(organization: Organization, version: int, as_of: date | None) -> OrganizationView:
    current = organization.as_of(as_of) if as_of else organization.current
    return OrganizationView(
        id=organization.id, version=version, as_of=as_of, current=current, versions=organization.versions
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrganizationView)
async def register(
    command: RegisterOrganization,
    organizations: OrganizationsDep,
    response: Response,
    x_correlation_id: str | None = Header(default=None),
) -> OrganizationView:
    """Register an organisation; emits `tdkt.registry.organization.registered.v1`."""
    organization, version = await register_organization(command, organizations, correlation_id=x_correlation_id)
    response.headers["Location"] = f"/organizations/{organization.id}"
    response.headers["ETag"] = f'"{version}"'
    return _view(organization, version, None)


@router.get("/{organization_id}", response_model=OrganizationView)
async def get(organization_id: str, organizations: OrganizationsDep, as_of: date | None = None) -> OrganizationView:
    """One organisation; with `as_of`, `current` is the version in force on that date (null if none)."""
    stored = await organizations.get(organization_id)
    if stored is None:
        raise NotFound(organization_id)
    return _view(Organization.model_validate(stored.state), stored.version, as_of)


@router.get("", response_model=Page[OrganizationView])
async def list_organizations(
    organizations: OrganizationsDep, page: PageQuery, parent_id: str | None = None
) -> Page[OrganizationView]:
    query = {} if parent_id is None else {"versions.parent_id": parent_id}
    found = await organizations.find(query, skip=page.offset, limit=page.limit)
    items = [_view(Organization.model_validate(s.state), s.version, None) for s in found]
    return Page(items=items, total=await organizations.count(query), offset=page.offset, limit=page.limit)
