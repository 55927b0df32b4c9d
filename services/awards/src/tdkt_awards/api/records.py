"""What the eligibility engine reads about a person or a collective: the registry's records as awards received
them (cases, initiatives, assessments). For the TĐKT body and the council, who check a verdict against them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from tdkt_awards.api.deps import RepositoriesDep
from tdkt_awards.domain.records import KnownRecords
from tdkt_awards.policy import STAFF_AND_COUNCIL
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Principal, require
from tdkt_shared.contract.text import Identifier, Whole
from tdkt_shared.kit.http import versioned

router = APIRouter(prefix="/records", tags=["records"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, require(*STAFF_AND_COUNCIL)]


class RecordsView(KnownRecords):
    version: Whole


@router.get("/{subject_id}", response_model=RecordsView)
async def get_records(subject_id: Identifier, repositories: RepositoriesDep, _reader: Reader) -> RecordsView:
    """The records about one person or collective (404 until the registry has announced one)."""
    return versioned(RecordsView, await repositories.records.load(subject_id))
