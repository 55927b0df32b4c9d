"""Reporting's collections, and the typed repositories over them."""

from __future__ import annotations

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


def directory(stores: Stores) -> Directory:
    return Directory(stores.store(ORGANIZATIONS))


def clusters(stores: Stores) -> Repository[KnownCluster]:
    return Repository(stores.store(CLUSTERS), KnownCluster)


def movements(stores: Stores) -> Repository[Movement]:
    return Repository(stores.store(MOVEMENTS), Movement)


def reports(stores: Stores) -> Repository[Report]:
    return Repository(stores.store(REPORTS), Report)


def congresses(stores: Stores) -> Repository[Congress]:
    return Repository(stores.store(CONGRESSES), Congress)


def criteria_sets(stores: Stores) -> Repository[CriteriaSet]:
    return Repository(stores.store(CRITERIA_SETS), CriteriaSet)


def scorecards(stores: Stores) -> Repository[Scorecard]:
    return Repository(stores.store(SCORECARDS), Scorecard)


def rankings(stores: Stores) -> Repository[Ranking]:
    return Repository(stores.store(RANKINGS), Ranking)


def registrations(stores: Stores) -> Repository[Registration]:
    return Repository(stores.store(REGISTRATIONS), Registration)


def pacts(stores: Stores) -> Repository[EmulationPact]:
    return Repository(stores.store(PACTS), EmulationPact)
