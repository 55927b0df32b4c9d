"""The registry's collections and their indexes."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

ORGANIZATIONS = "organizations"

COLLECTIONS = (ORGANIZATIONS,)
INDEXES = {ORGANIZATIONS: [IndexModel([("state.versions.parent_id", ASCENDING)])]}
