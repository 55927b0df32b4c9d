from __future__ import annotations

from fastapi import APIRouter

from tdkt_reporting.api.deps import ClustersDep
from tdkt_reporting.domain.clusters import KnownCluster
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.store import NotFound

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=ERROR_RESPONSES)


@router.get("/{cluster_id}", response_model=KnownCluster)
async def get(cluster_id: str, cluster_store: ClustersDep) -> KnownCluster:
    """A cluster or bloc (cụm, khối thi đua) as reporting knows it from the registry's events: members and their
    roles (leader, deputy, member) per year."""
    stored = await cluster_store.get(cluster_id)
    if stored is None:
        raise NotFound(cluster_id)
    return KnownCluster.model_validate(stored.state)


@router.get("", response_model=Page[KnownCluster])
async def list_clusters(cluster_store: ClustersDep, page: PageQuery) -> Page[KnownCluster]:
    found = await cluster_store.find({}, skip=page.offset, limit=page.limit)
    return Page(
        items=[KnownCluster.model_validate(s.state) for s in found],
        total=await cluster_store.count({}),
        offset=page.offset,
        limit=page.limit,
    )
