from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Response, status

from tdkt_reporting import handlers
from tdkt_reporting.api.access import SPECIALIST
from tdkt_reporting.api.deps import CongressesDep, CorrelationDep, Versioned
from tdkt_reporting.domain import congresses as domain
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.reporting import Honouree
from tdkt_shared.contract.text import Text

router = APIRouter(prefix="/congresses", tags=["congresses"], responses=ERROR_RESPONSES)
"""Reads: public."""
writes = APIRouter(prefix="/congresses", tags=["congresses"], responses=ERROR_RESPONSES, dependencies=[SPECIALIST])
"""Writes: TĐKT specialists."""


class CongressView(domain.Congress):
    version: int


def _view(congress: domain.Congress, version: int) -> CongressView:
    return CongressView(**congress.model_dump(), version=version)


class Reschedule(Versioned):
    held_on: date
    venue: Text | None = None


class Cancel(Versioned):
    reason: Text


class Hold(Versioned):
    honourees: list[Honouree]


@writes.post("", status_code=status.HTTP_201_CREATED, response_model=CongressView)
async def schedule(
    command: domain.ScheduleCongress, store: CongressesDep, response: Response, correlation: CorrelationDep = None
) -> CongressView:
    """Schedule a congress or conference; emits `tdkt.reporting.congress.scheduled.v1`."""
    congress, version = await handlers.schedule_congress(command, store, correlation)
    response.headers["Location"] = f"/congresses/{congress.id}"
    return _view(congress, version)


@router.get("/{congress_id}", response_model=CongressView)
async def get(congress_id: str, store: CongressesDep) -> CongressView:
    return _view(*await handlers.load(store, congress_id, domain.Congress))


@router.get("", response_model=Page[CongressView])
async def list_congresses(store: CongressesDep, page: PageQuery) -> Page[CongressView]:
    found = await store.find({}, skip=page.offset, limit=page.limit, sort="held_on")
    items = [_view(domain.Congress.model_validate(s.state), s.version) for s in found]
    return Page(items=items, total=await store.count({}), offset=page.offset, limit=page.limit)


@writes.post("/{congress_id}/reschedule", response_model=CongressView)
async def reschedule(
    congress_id: str, body: Reschedule, store: CongressesDep, correlation: CorrelationDep = None
) -> CongressView:
    """Move the date (and venue); emits `tdkt.reporting.congress.rescheduled.v1`."""
    return _view(
        *await handlers.transition(
            store,
            congress_id,
            body.version,
            domain.Congress,
            lambda c, _v: domain.reschedule(c, body.held_on, body.venue),
            correlation,
        )
    )


@writes.post("/{congress_id}/cancel", response_model=CongressView)
async def cancel(
    congress_id: str, body: Cancel, store: CongressesDep, correlation: CorrelationDep = None
) -> CongressView:
    """Emits `tdkt.reporting.congress.cancelled.v1`."""
    return _view(
        *await handlers.transition(
            store, congress_id, body.version, domain.Congress, lambda c, _v: domain.cancel(c, body.reason), correlation
        )
    )


@writes.post("/{congress_id}/hold", response_model=CongressView)
async def hold(congress_id: str, body: Hold, store: CongressesDep, correlation: CorrelationDep = None) -> CongressView:
    """Record that it took place, with its honourees (within the quota); emits `tdkt.reporting.congress.held.v1`."""
    return _view(
        *await handlers.transition(
            store, congress_id, body.version, domain.Congress, lambda c, _v: domain.hold(c, body.honourees), correlation
        )
    )
