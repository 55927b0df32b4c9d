"""The registry's collections and their indexes."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from pymongo import ASCENDING, IndexModel

from tdkt_shared.kit import Repository
from tdkt_shared.store import AggregateStore

ORGANIZATIONS = "organizations"
REORGANIZATIONS = "reorganizations"
ROLE_ASSIGNMENTS = "role_assignments"
CONTACT_POINTS = "contact_points"
CLUSTERS = "clusters"
PERSONS = "persons"
COUNCILS = "councils"
CASES = "cases"
INITIATIVES = "initiatives"
ASSESSMENTS = "assessments"
COLLECTIVE_ASSESSMENTS = "collective_assessments"

COLLECTIONS = (
    ORGANIZATIONS,
    REORGANIZATIONS,
    ROLE_ASSIGNMENTS,
    CONTACT_POINTS,
    CLUSTERS,
    PERSONS,
    COUNCILS,
    CASES,
    INITIATIVES,
    ASSESSMENTS,
    COLLECTIVE_ASSESSMENTS,
)
INDEXES = {
    ORGANIZATIONS: [IndexModel([("state.versions.parent_id", ASCENDING)])],
    ROLE_ASSIGNMENTS: [IndexModel([("state.role", ASCENDING)]), IndexModel([("state.organization_id", ASCENDING)])],
    CLUSTERS: [IndexModel([("state.year", ASCENDING)]), IndexModel([("state.members.organization_id", ASCENDING)])],
    PERSONS: [IndexModel([("state.employments.organization_id", ASCENDING)])],
    CASES: [IndexModel([("state.subject_id", ASCENDING)])],
    INITIATIVES: [IndexModel([("state.author_ids", ASCENDING)])],
    ASSESSMENTS: [IndexModel([("state.person_id", ASCENDING)])],
    COLLECTIVE_ASSESSMENTS: [IndexModel([("state.organization_id", ASCENDING)])],
}

SUBJECTS = {ROLE_ASSIGNMENTS: "role-assignments", CONTACT_POINTS: "contact-points"}
"""Events name their aggregate as the API does (`role-assignments/<id>`) where that differs from the collection."""

A = TypeVar("A", bound=BaseModel)


def repository(store: AggregateStore, model: type[A]) -> Repository[A]:
    """The typed repository over `store`, its events' subjects as the registry has always written them."""
    return Repository(store, model, subject=SUBJECTS.get(store.collection))
