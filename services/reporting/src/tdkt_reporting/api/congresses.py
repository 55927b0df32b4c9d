from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Response, status

from tdkt_reporting import store
from tdkt_reporting.api.access import SPECIALIST
from tdkt_reporting.api.deps import StoresDep
from tdkt_reporting.domain import congresses as domain
from tdkt_reporting.handlers import congresses as handlers
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.reporting import Honouree
from tdkt_shared.contract.text import Day, Text, Whole
from tdkt_shared.kit.http import Context, Versioned, page_of, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/congresses", tags=["congresses"], responses=ERROR_RESPONSES)
"""Reads: public."""
writes = APIRouter(prefix="/congresses", tags=["congresses"], responses=ERROR_RESPONSES, dependencies=[SPECIALIST])
"""Writes: TĐKT specialists."""


class CongressView(domain.Congress):
    version: Whole


_view = partial(versioned, CongressView)


class Reschedule(Versioned):
    held_on: Day
    venue: Text | None = None


class Cancel(Versioned):
    reason: Text


class Hold(Versioned):
    honourees: list[Honouree]


@writes.post("", status_code=status.HTTP_201_CREATED, response_model=CongressView)
async def schedule(
    command: domain.ScheduleCongress, stores: StoresDep, ctx: Context, response: Response
) -> CongressView:
    """Schedule a congress or conference; emits `tdkt.reporting.congress.scheduled.v1`."""
    congress = await handlers.schedule(stores, command, ctx)
    return created(response, f"/congresses/{congress.id}", _view(congress))


@router.get("/{congress_id}", response_model=CongressView)
async def get(congress_id: str, stores: StoresDep) -> CongressView:
    return _view(await store.congresses(stores).load(congress_id))


@router.get("", response_model=Page[CongressView])
async def list_congresses(stores: StoresDep, page: PageQuery) -> Page[CongressView]:
    congresses = store.congresses(stores)
    return await page_of(congresses, {}, page, _view, sort="held_on")


@writes.post("/{congress_id}/reschedule", response_model=CongressView)
async def reschedule(congress_id: str, body: Reschedule, stores: StoresDep, ctx: Context) -> CongressView:
    """Move the date (and venue); emits `tdkt.reporting.congress.rescheduled.v1`."""
    return _view(await handlers.reschedule(stores, congress_id, body.version, body.held_on, body.venue, ctx))


@writes.post("/{congress_id}/cancel", response_model=CongressView)
async def cancel(congress_id: str, body: Cancel, stores: StoresDep, ctx: Context) -> CongressView:
    """Emits `tdkt.reporting.congress.cancelled.v1`."""
    return _view(await handlers.cancel(stores, congress_id, body.version, body.reason, ctx))


@writes.post("/{congress_id}/hold", response_model=CongressView)
async def hold(congress_id: str, body: Hold, stores: StoresDep, ctx: Context) -> CongressView:
    """Record that it took place, with its honourees (within the quota); emits `tdkt.reporting.congress.held.v1`."""
    return _view(await handlers.hold(stores, congress_id, body.version, body.honourees, ctx))
