"""Reporting's collections, and the typed repositories over them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from pydantic import BaseModel
from pymongo import IndexModel

from tdkt_reporting.domain.clusters import KnownCluster
from tdkt_reporting.domain.congresses import Congress
from tdkt_reporting.domain.movements import Movement
from tdkt_reporting.domain.registrations import EmulationPact, Registration
from tdkt_reporting.domain.reports import Report
from tdkt_reporting.domain.scoring import CriteriaSet, Ranking, Scorecard
from tdkt_shared.kit import Repository
from tdkt_shared.kit.directory import ORGANIZATIONS as ORGANIZATIONS  # re-exported: the directory's collection
from tdkt_shared.kit.directory import Directory
from tdkt_shared.runtime import Stores

CLUSTERS = "clusters"
"""Read model of the registry's emulation clusters and blocs, with members and roles per year."""
MOVEMENTS = "movements"
REPORTS = "reports"
CONGRESSES = "congresses"
CRITERIA_SETS = "criteria_sets"
SCORECARDS = "scorecards"
RANKINGS = "rankings"
REGISTRATIONS = "registrations"
PACTS = "emulation_pacts"

A = TypeVar("A", bound=BaseModel)

COLLECTIONS = (
    ORGANIZATIONS,
    CLUSTERS,
    MOVEMENTS,
    REPORTS,
    CONGRESSES,
    CRITERIA_SETS,
    SCORECARDS,
    RANKINGS,
    REGISTRATIONS,
    PACTS,
)
READ_MODELS = (ORGANIZATIONS, CLUSTERS)
"""Built only from the registry's events (`tdkt replay reporting --reset` rebuilds them)."""
INDEXES: Mapping[str, Sequence[IndexModel]] = {}
"""None of reporting's own: every collection has the store's (the id, the pending outbox)."""


def directory(stores: Stores) -> Directory:
    return Directory(stores.store(ORGANIZATIONS))


def _typed(collection: str, model: type[A]) -> Callable[[Stores], Repository[A]]:
    """The repository of `model` over the runtime's store of `collection`."""
    return lambda stores: Repository(stores.store(collection), model)


clusters = _typed(CLUSTERS, KnownCluster)
movements = _typed(MOVEMENTS, Movement)
reports = _typed(REPORTS, Report)
congresses = _typed(CONGRESSES, Congress)
criteria_sets = _typed(CRITERIA_SETS, CriteriaSet)
scorecards = _typed(SCORECARDS, Scorecard)
rankings = _typed(RANKINGS, Ranking)
registrations = _typed(REGISTRATIONS, Registration)
pacts = _typed(PACTS, EmulationPact)
