"""Reporting's collections and their indexes."""

from __future__ import annotations

ORGANIZATIONS = "organizations"
"""Read model of the registry's organisations."""
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
