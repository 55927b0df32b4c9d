"""Reporting's collections and their indexes."""

from __future__ import annotations

ORGANIZATIONS = "organizations"
"""Read model of the registry's organisations."""
MOVEMENTS = "movements"
REPORTS = "reports"
CONGRESSES = "congresses"
CRITERIA_SETS = "criteria_sets"
SCORECARDS = "scorecards"
RANKINGS = "rankings"
REGISTRATIONS = "registrations"
PACTS = "emulation_pacts"

COLLECTIONS = (ORGANIZATIONS, MOVEMENTS, REPORTS, CONGRESSES, CRITERIA_SETS, SCORECARDS, RANKINGS, REGISTRATIONS, PACTS)
