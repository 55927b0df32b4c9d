"""Clusters and blocs (cụm, khối thi đua)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response, status

from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import ClustersDep, StoresDep
from tdkt_registry.domain.clusters import Cluster, FormCluster, RemoveClusterMember, RotateLeader, SetClusterMember
from tdkt_registry.handlers import clusters
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Whole, Year
from tdkt_shared.kit.filters import where
from tdkt_shared.kit.http import Context, page_of, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/clusters", tags=["clusters"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class ClusterView(Cluster):
    version: Whole


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClusterView)
async def form_cluster(command: FormCluster, stores: StoresDep, response: Response, ctx: Context) -> ClusterView:
    """Form a cluster or bloc for a year; members must be in force on `formed_on`. Emits
    `tdkt.registry.cluster.formed.v1`."""
    formed = await clusters.form_cluster(command, stores, ctx)
    return created(response, f"/clusters/{formed.id}", versioned(ClusterView, formed))


@router.get("", response_model=Page[ClusterView])
async def list_clusters(
    store: ClustersDep, page: PageQuery, year: Year | None = None, organization_id: str | None = None
) -> Page[ClusterView]:
    """Clusters, by year and/or by member organisation."""
    query = where({"year": year, "members.organization_id": organization_id})
    return await page_of(clusters.cluster_repository(store), query, page, partial(versioned, ClusterView))


@router.get("/{cluster_id}", response_model=ClusterView)
async def get_cluster(cluster_id: str, store: ClustersDep) -> ClusterView:
    return versioned(ClusterView, await clusters.cluster_repository(store).load(cluster_id))


@router.post("/{cluster_id}/members", response_model=ClusterView)
async def set_member(cluster_id: str, command: SetClusterMember, stores: StoresDep, ctx: Context) -> ClusterView:
    """Add a member or change its role. Emits `tdkt.registry.cluster.membership.changed.v1`."""
    return versioned(ClusterView, await clusters.set_cluster_member(cluster_id, command, stores, ctx))


@router.post("/{cluster_id}/members/{organization_id}/removal", response_model=ClusterView)
async def remove_member(
    cluster_id: str, organization_id: str, command: RemoveClusterMember, store: ClustersDep, ctx: Context
) -> ClusterView:
    return versioned(
        ClusterView, await clusters.remove_cluster_member(cluster_id, organization_id, command, store, ctx)
    )


@router.post("/{cluster_id}/leader", response_model=ClusterView)
async def rotate_leader(cluster_id: str, command: RotateLeader, stores: StoresDep, ctx: Context) -> ClusterView:
    """A member becomes the leader, the previous leader a member (reason `LEADER_ROTATED`)."""
    return versioned(ClusterView, await clusters.rotate_cluster_leader(cluster_id, command, stores, ctx))
