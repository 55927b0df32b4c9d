"""Awards' API dependencies. All `async def`: FastAPI runs a plain `def` dependency in a worker thread, one hop per
request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Annotated

from fastapi import Depends, Request

from tdkt_awards.calendar_vn import VietnamCalendar
from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain.calendar import WorkingDays
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.handlers import AwardStores
from tdkt_awards.store import CONGRESSES, COUNCILS, DECISIONS, MOVEMENTS, NOMINATIONS, ORGANIZATIONS
from tdkt_shared.store import AggregateStore


def _store(request: Request, name: str) -> AggregateStore:
    store: AggregateStore = request.app.state.runtime.store(name)
    return store


async def nominations_store(request: Request) -> AggregateStore:
    return _store(request, NOMINATIONS)


async def decisions_store(request: Request) -> AggregateStore:
    return _store(request, DECISIONS)


async def organizations_store(request: Request) -> AggregateStore:
    return _store(request, ORGANIZATIONS)


async def councils_store(request: Request) -> AggregateStore:
    return _store(request, COUNCILS)


async def congresses_store(request: Request) -> AggregateStore:
    return _store(request, CONGRESSES)


async def movements_store(request: Request) -> AggregateStore:
    return _store(request, MOVEMENTS)


async def award_stores(request: Request) -> AwardStores:
    return AwardStores(
        nominations=_store(request, NOMINATIONS),
        decisions=_store(request, DECISIONS),
        organizations=_store(request, ORGANIZATIONS),
    )


async def catalogue() -> Catalogue:
    return default_catalogue()


@cache
def _vietnam() -> VietnamCalendar:
    return VietnamCalendar()


async def calendar() -> WorkingDays:
    return _vietnam()


async def now(request: Request) -> datetime:
    """The time of the request; a runtime may carry a `clock` (tests do) to fix it."""
    clock: Callable[[], datetime] | None = getattr(request.app.state.runtime, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


NominationsDep = Annotated[AggregateStore, Depends(nominations_store)]
DecisionsDep = Annotated[AggregateStore, Depends(decisions_store)]
OrganizationsDep = Annotated[AggregateStore, Depends(organizations_store)]
CouncilsDep = Annotated[AggregateStore, Depends(councils_store)]
CongressesDep = Annotated[AggregateStore, Depends(congresses_store)]
MovementsDep = Annotated[AggregateStore, Depends(movements_store)]
StoresDep = Annotated[AwardStores, Depends(award_stores)]
CatalogueDep = Annotated[Catalogue, Depends(catalogue)]
CalendarDep = Annotated[WorkingDays, Depends(calendar)]
NowDep = Annotated[datetime, Depends(now)]
