from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from tdkt_reporting.api.deps import OrganizationsDep
from tdkt_reporting.domain.directory import KnownOrganization
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.store import NotFound

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES)
MERGER_FIELDS = ("successor_id", "merged_on")


def _view(state: dict[str, Any]) -> KnownOrganization:
    """The merger fields appear only once the organisation has merged."""
    return KnownOrganization.model_validate({k: v for k, v in state.items() if k not in MERGER_FIELDS or v is not None})


@router.get("/{organization_id}", response_model=KnownOrganization, response_model_exclude_unset=True)
async def get(organization_id: str, organizations: OrganizationsDep) -> KnownOrganization:
    """An organisation as reporting knows it from the registry's events."""
    stored = await organizations.get(organization_id)
    if stored is None:
        raise NotFound(organization_id)
    return _view(stored.state)


@router.get("", response_model=Page[KnownOrganization], response_model_exclude_unset=True)
async def list_organizations(organizations: OrganizationsDep, page: PageQuery) -> Page[KnownOrganization]:
    found = await organizations.find({}, skip=page.offset, limit=page.limit)
    return Page(
        items=[_view(s.state) for s in found],
        total=await organizations.count({}),
        offset=page.offset,
        limit=page.limit,
    )
