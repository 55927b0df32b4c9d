from __future__ import annotations

from fastapi import APIRouter

from tdkt_awards.api.deps import OrganizationsDep
from tdkt_awards.domain.directory import KnownOrganization
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.store import NotFound

router = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES)


@router.get("/{organization_id}", response_model=KnownOrganization)
async def get(organization_id: str, organizations: OrganizationsDep) -> KnownOrganization:
    """An organisation as awards knows it from registry events, with the lineage chains follow."""
    stored = await organizations.get(organization_id)
    if stored is None:
        raise NotFound(organization_id)
    return KnownOrganization.model_validate(stored.state)
