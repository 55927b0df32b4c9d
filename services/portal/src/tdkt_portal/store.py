"""The portal's collections: read models only (it owns no aggregate; every write goes to a service's API)."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import ASCENDING, DESCENDING, IndexModel

from tdkt_portal.domain.honourees import Honouree, Publication
from tdkt_shared.kit import Repository
from tdkt_shared.kit.directory import Directory
from tdkt_shared.runtime import Stores

HONOUREES = "honourees"
"""One entry per grant, from `award.granted` and `award.revoked`."""
PUBLICATIONS = "publications"
"""Press bodies asked to publish, per source event, from `publication.requested`."""
ORGANIZATIONS = "organizations"
"""The kit's `Directory`: units' names for the roll and its filter."""

COLLECTIONS = (HONOUREES, PUBLICATIONS, ORGANIZATIONS)
READ_MODELS = COLLECTIONS
INDEXES = {
    HONOUREES: [
        IndexModel([("state.year", DESCENDING)]),
        IndexModel([("state.award_code", ASCENDING)]),
        IndexModel([("state.organization_id", ASCENDING)]),
        IndexModel([("state.terms", ASCENDING)]),
        IndexModel([("state.recipient_id", ASCENDING)]),
        IndexModel([("state.granted_event_id", ASCENDING)]),
    ],
    PUBLICATIONS: [IndexModel([("state.press.organization_id", ASCENDING)])],
}


@dataclass(frozen=True)
class Repositories:
    honourees: Repository[Honouree]
    publications: Repository[Publication]
    directory: Directory

    @classmethod
    def of(cls, stores: Stores) -> Repositories:
        return cls(
            honourees=Repository(stores.store(HONOUREES), Honouree),
            publications=Repository(stores.store(PUBLICATIONS), Publication),
            directory=Directory(stores.store(ORGANIZATIONS)),
        )
