from __future__ import annotations

from fastapi import APIRouter

from tdkt_reporting import store
from tdkt_reporting.api.deps import StoresDep
from tdkt_reporting.domain.clusters import KnownCluster
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.kit.http import page_of

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=ERROR_RESPONSES)


@router.get("/{cluster_id}", response_model=KnownCluster)
async def get(cluster_id: str, stores: StoresDep) -> KnownCluster:
    """A cluster or bloc (cụm, khối thi đua) as reporting knows it from the registry's events: members and their
    roles (leader, deputy, member) per year."""
    return (await store.clusters(stores).load(cluster_id)).aggregate


@router.get("", response_model=Page[KnownCluster])
async def list_clusters(stores: StoresDep, page: PageQuery) -> Page[KnownCluster]:
    clusters = store.clusters(stores)
    return await page_of(clusters, {}, page, lambda c: c.aggregate)
