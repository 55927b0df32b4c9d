"""The registry's collections and their indexes."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

ORGANIZATIONS = "organizations"
REORGANIZATIONS = "reorganizations"
ROLE_ASSIGNMENTS = "role_assignments"
CONTACT_POINTS = "contact_points"
CLUSTERS = "clusters"
PERSONS = "persons"
COUNCILS = "councils"

COLLECTIONS = (ORGANIZATIONS, REORGANIZATIONS, ROLE_ASSIGNMENTS, CONTACT_POINTS, CLUSTERS, PERSONS, COUNCILS)
INDEXES = {
    ORGANIZATIONS: [IndexModel([("state.versions.parent_id", ASCENDING)])],
    ROLE_ASSIGNMENTS: [IndexModel([("state.role", ASCENDING)]), IndexModel([("state.organization_id", ASCENDING)])],
    CLUSTERS: [IndexModel([("state.year", ASCENDING)]), IndexModel([("state.members.organization_id", ASCENDING)])],
    PERSONS: [IndexModel([("state.employments.organization_id", ASCENDING)])],
}
