from __future__ import annotations

from typing import Annotated

from fastapi import Header

from tdkt_registry import store as collections
from tdkt_shared.api import store_dependency
from tdkt_shared.store import AggregateStore

_store = store_dependency


OrganizationsDep = Annotated[AggregateStore, _store(collections.ORGANIZATIONS)]
ReorganizationsDep = Annotated[AggregateStore, _store(collections.REORGANIZATIONS)]
RoleAssignmentsDep = Annotated[AggregateStore, _store(collections.ROLE_ASSIGNMENTS)]
ContactPointsDep = Annotated[AggregateStore, _store(collections.CONTACT_POINTS)]
ClustersDep = Annotated[AggregateStore, _store(collections.CLUSTERS)]
PersonsDep = Annotated[AggregateStore, _store(collections.PERSONS)]
CouncilsDep = Annotated[AggregateStore, _store(collections.COUNCILS)]
CorrelationId = Annotated[str | None, Header(alias="X-Correlation-Id")]
