"""Initiatives (sáng kiến) and scientific works, recorded by `initiative_officer` as their recognising body
certified them."""

from __future__ import annotations

from fastapi import APIRouter, status

from tdkt_registry.api.deps import InitiativesDep, StoresDep
from tdkt_registry.api.records import RecordReader, add_imports, add_list
from tdkt_registry.domain.records import Initiative, RecognizeInitiative
from tdkt_registry.handlers import initiatives
from tdkt_registry.store import INITIATIVES
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Role, require
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, versioned

router = APIRouter(prefix="/initiatives", tags=["initiatives"], responses=ERROR_RESPONSES)
WRITER = [require(Role.INITIATIVE_OFFICER)]
"""Every write of this router needs this role (admins always)."""


class InitiativeView(Initiative):
    version: Whole


@router.post("", dependencies=WRITER, status_code=status.HTTP_200_OK, response_model=InitiativeView)
async def recognize(command: RecognizeInitiative, stores: StoresDep, ctx: Context) -> InitiativeView:
    """Record (or correct) an initiative by its recognising body and certificate number; emits
    `tdkt.registry.initiative.recognized.v1` when the record changes."""
    return versioned(InitiativeView, await initiatives.recognize(command, stores, ctx))


add_imports(
    router,
    WRITER,
    initiatives.import_initiatives,
    about="Load initiatives (idempotent by recognising body and certificate number), a report line per refused row.",
    about_csv="The same from CSV; `author_ids` lists the authors separated by `;`.",
    lists=frozenset({"author_ids"}),
)


add_list(
    router,
    InitiativeView,
    INITIATIVES,
    initiatives.initiative_repository,
    filter_by="author_id",
    field="author_ids",
    sort="recognized_on",
)


@router.get("/{initiative_id}", response_model=InitiativeView)
async def get_initiative(initiative_id: str, store: InitiativesDep, _reader: RecordReader) -> InitiativeView:
    return versioned(InitiativeView, await initiatives.initiative_repository(store).load(initiative_id))
