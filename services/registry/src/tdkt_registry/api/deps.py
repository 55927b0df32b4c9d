"""The registry's collections as request dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from tdkt_registry import store
from tdkt_shared.api import store_dependency
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

OrganizationsDep = Annotated[AggregateStore, store_dependency(store.ORGANIZATIONS)]
ReorganizationsDep = Annotated[AggregateStore, store_dependency(store.REORGANIZATIONS)]
RoleAssignmentsDep = Annotated[AggregateStore, store_dependency(store.ROLE_ASSIGNMENTS)]
ContactPointsDep = Annotated[AggregateStore, store_dependency(store.CONTACT_POINTS)]
ClustersDep = Annotated[AggregateStore, store_dependency(store.CLUSTERS)]
PersonsDep = Annotated[AggregateStore, store_dependency(store.PERSONS)]
CouncilsDep = Annotated[AggregateStore, store_dependency(store.COUNCILS)]
CasesDep = Annotated[AggregateStore, store_dependency(store.CASES)]
InitiativesDep = Annotated[AggregateStore, store_dependency(store.INITIATIVES)]
AssessmentsDep = Annotated[AggregateStore, store_dependency(store.ASSESSMENTS)]
CollectiveAssessmentsDep = Annotated[AggregateStore, store_dependency(store.COLLECTIVE_ASSESSMENTS)]


async def _stores(request: Request) -> Stores:
    """The runtime's stores, for an import that checks its rows against several collections."""
    stores: Stores = request.app.state.runtime
    return stores


StoresDep = Annotated[Stores, Depends(_stores)]
