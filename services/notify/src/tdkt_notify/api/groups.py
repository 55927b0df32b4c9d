"""Clusters, councils and role holders as notify knows them from registry events: who routing reaches on a date.

Public, as the registry data they mirror is."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tdkt_notify.api.deps import ClustersDep, CouncilsDep, RolesDep
from tdkt_notify.domain.directory import holders_on
from tdkt_notify.handlers.groups import assignments_of
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.contract.registry import ClusterRole, FunctionalRole
from tdkt_shared.contract.text import Day, Whole

router = APIRouter(tags=["clusters, councils and roles"], responses=ERROR_RESPONSES)


class ClusterMembersView(BaseModel):
    cluster_id: str
    year: Whole
    on: Day
    organization_ids: list[str]
    leader_ids: list[str]


class CouncilMembersView(BaseModel):
    council_id: str
    organization_id: str | None
    on: Day
    person_ids: list[str]


@router.get("/clusters/{cluster_id}/members", response_model=ClusterMembersView)
async def cluster_members(cluster_id: str, on: Day, clusters: ClustersDep) -> ClusterMembersView:
    """The members and leader of a cluster or bloc (cụm, khối thi đua) on a date."""
    cluster = (await clusters.load(cluster_id)).aggregate
    members = cluster.members_on(on)
    return ClusterMembersView(
        cluster_id=cluster.cluster_id,
        year=cluster.year,
        on=on,
        organization_ids=[m.organization_id for m in members],
        leader_ids=[m.organization_id for m in members if m.role == ClusterRole.LEADER],
    )


@router.get("/councils/{council_id}/members", response_model=CouncilMembersView)
async def council_members(council_id: str, on: Day, councils: CouncilsDep) -> CouncilMembersView:
    """The persons sitting on a council (Hội đồng Thi đua – Khen thưởng) on a date."""
    council = (await councils.load(council_id)).aggregate
    return CouncilMembersView(
        council_id=council.council_id, organization_id=council.organization_id, on=on, person_ids=council.members_on(on)
    )


class Holders(BaseModel):
    role: FunctionalRole
    on: Day
    organization_ids: list[str]


@router.get("/roles/{role}/holders", response_model=Holders)
async def role_holders(role: FunctionalRole, on: Day, roles: RolesDep) -> Holders:
    """Who holds a functional role on a date, as far as the registry events consumed so far say."""
    return Holders(role=role, on=on, organization_ids=holders_on(await assignments_of(roles, role), role, on))
