"""Lineage operations on existing organisations: mergers (sáp nhập) and splits (chia tách)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import OrganizationsDep
from tdkt_registry.api.organizations import OrganizationView, read_organization
from tdkt_registry.domain.lineage import MergeOrganizations, SplitOrganization
from tdkt_registry.handlers import reorganizations
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.kit.http import Context
from tdkt_shared.store import AggregateStore

router = APIRouter(prefix="/lineage", tags=["lineage"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class OperationResult(BaseModel):
    organizations: list[OrganizationView]


async def _result(store: AggregateStore, ids: list[str]) -> OperationResult:
    return OperationResult(organizations=[await read_organization(store, i) for i in ids])


@router.post("/mergers", response_model=OperationResult)
async def merge(command: MergeOrganizations, store: OrganizationsDep, ctx: Context) -> OperationResult:
    """Merge predecessors into an existing successor in force on `effective_date`; the predecessors end the day
    before. Emits one `tdkt.registry.organizations.merged.v1`, keyed by the successor."""
    return await _result(store, await reorganizations.merge_organizations(command, store, ctx))


@router.post("/splits", response_model=OperationResult)
async def split(command: SplitOrganization, store: OrganizationsDep, ctx: Context) -> OperationResult:
    """Split a predecessor into existing successors. Emits one `tdkt.registry.organization.split.v1`."""
    return await _result(store, await reorganizations.split_organization(command, store, ctx))
