"""Emulation–Commendation Councils (Hội đồng Thi đua – Khen thưởng) and their members."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response, status

from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import CouncilsDep, StoresDep
from tdkt_registry.domain.people import ConstituteCouncil, Council, SeatMember, UnseatMember
from tdkt_registry.handlers import councils
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.filters import where
from tdkt_shared.kit.http import Context, page_of, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/councils", tags=["councils"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class CouncilView(Council):
    version: Whole


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CouncilView)
async def constitute(command: ConstituteCouncil, stores: StoresDep, response: Response, ctx: Context) -> CouncilView:
    """Constitute a council for a term with its members; emits `tdkt.registry.council.constituted.v1`."""
    constituted = await councils.constitute_council(command, stores, ctx)
    return created(response, f"/councils/{constituted.id}", versioned(CouncilView, constituted))


@router.get("", response_model=Page[CouncilView])
async def list_councils(store: CouncilsDep, page: PageQuery, organization_id: str | None = None) -> Page[CouncilView]:
    query = where({"organization_id": organization_id})
    return await page_of(councils.council_repository(store), query, page, partial(versioned, CouncilView))


@router.get("/{council_id}", response_model=CouncilView)
async def get_council(council_id: str, store: CouncilsDep) -> CouncilView:
    return versioned(CouncilView, await councils.council_repository(store).load(council_id))


@router.post("/{council_id}/members", response_model=CouncilView)
async def seat_member(council_id: str, command: SeatMember, stores: StoresDep, ctx: Context) -> CouncilView:
    """Seat a person (or give a member a new role) from `valid_from`; emits
    `tdkt.registry.council.membership.changed.v1`."""
    return versioned(CouncilView, await councils.seat_member(council_id, command, stores, ctx))


@router.post("/{council_id}/members/{person_id}/end", response_model=CouncilView)
async def unseat_member(
    council_id: str, person_id: str, command: UnseatMember, store: CouncilsDep, ctx: Context
) -> CouncilView:
    return versioned(CouncilView, await councils.unseat_member(council_id, person_id, command, store, ctx))
