from __future__ import annotations

from typing import Annotated

from fastapi import Header
from pydantic import BaseModel, ConfigDict, Field

from tdkt_reporting.store import (
    CLUSTERS,
    CONGRESSES,
    CRITERIA_SETS,
    MOVEMENTS,
    ORGANIZATIONS,
    PACTS,
    RANKINGS,
    REGISTRATIONS,
    REPORTS,
    SCORECARDS,
)
from tdkt_shared.api import store_dependency
from tdkt_shared.store import AggregateStore

_store = store_dependency


OrganizationsDep = Annotated[AggregateStore, _store(ORGANIZATIONS)]
ClustersDep = Annotated[AggregateStore, _store(CLUSTERS)]
MovementsDep = Annotated[AggregateStore, _store(MOVEMENTS)]
ReportsDep = Annotated[AggregateStore, _store(REPORTS)]
CongressesDep = Annotated[AggregateStore, _store(CONGRESSES)]
CriteriaSetsDep = Annotated[AggregateStore, _store(CRITERIA_SETS)]
ScorecardsDep = Annotated[AggregateStore, _store(SCORECARDS)]
RankingsDep = Annotated[AggregateStore, _store(RANKINGS)]
RegistrationsDep = Annotated[AggregateStore, _store(REGISTRATIONS)]
PactsDep = Annotated[AggregateStore, _store(PACTS)]

CorrelationDep = Annotated[str | None, Header(alias="X-Correlation-Id")]


class Versioned(BaseModel):
    """A command on an existing aggregate carries the version the client read (optimistic concurrency)."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
