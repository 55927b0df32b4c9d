"""Award processing's collections and their indexes."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

NOMINATIONS = "nominations"
DECISIONS = "decisions"
"""Decisions and imported batches, each holding its grants (the source of truth for chains)."""
ORGANIZATIONS = "organizations"
"""Read model of the registry's organisations and merger lineage."""
PERSONS = "persons"
"""Read model of the registry's persons."""

COUNCILS = "councils"
"""Read model of the registry's councils (Hội đồng TĐKT) and their members: who may vote on a dossier."""

CONGRESSES = "congresses"
"""Read model of reporting's congresses: the deadline of the nominations linked to each."""
MOVEMENTS = "movements"
"""Read model of reporting's movements: whether the final review was held (opens topic awards)."""

COLLECTIONS = (NOMINATIONS, DECISIONS, ORGANIZATIONS, PERSONS, COUNCILS, CONGRESSES, MOVEMENTS)
INDEXES = {
    NOMINATIONS: [IndexModel([("state.status", ASCENDING)]), IndexModel([("state.relied_on_grants", ASCENDING)])],
    DECISIONS: [
        IndexModel([("state.grants.recipient_id", ASCENDING)]),
        IndexModel([("state.grants.grant_id", ASCENDING)]),
    ],
}
