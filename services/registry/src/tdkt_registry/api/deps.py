from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from tdkt_registry import store as collections
from tdkt_shared.store import AggregateStore


def _store(name: str) -> object:
    def dependency(request: Request) -> AggregateStore:
        store: AggregateStore = request.app.state.runtime.store(name)
        return store

    return Depends(dependency)


OrganizationsDep = Annotated[AggregateStore, _store(collections.ORGANIZATIONS)]
ReorganizationsDep = Annotated[AggregateStore, _store(collections.REORGANIZATIONS)]
RoleAssignmentsDep = Annotated[AggregateStore, _store(collections.ROLE_ASSIGNMENTS)]
ContactPointsDep = Annotated[AggregateStore, _store(collections.CONTACT_POINTS)]
ClustersDep = Annotated[AggregateStore, _store(collections.CLUSTERS)]
PersonsDep = Annotated[AggregateStore, _store(collections.PERSONS)]
CouncilsDep = Annotated[AggregateStore, _store(collections.COUNCILS)]
CorrelationId = Annotated[str | None, Header(alias="X-Correlation-Id")]
