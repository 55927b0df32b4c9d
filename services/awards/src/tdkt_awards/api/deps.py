"""Awards' API dependencies. All `async def`: FastAPI runs a plain `def` dependency in a worker thread, one hop per
request."""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import Depends, Request

from tdkt_awards.calendar_vn import VietnamCalendar
from tdkt_awards.domain.calendar import WorkingDays
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.handlers import rule_sets
from tdkt_awards.store import Repositories


async def repositories(request: Request) -> Repositories:
    return Repositories.of(request.app.state.runtime)


async def catalogue(request: Request) -> Catalogue:
    """The shipped seed and the rule-set versions published through the API."""
    return await rule_sets.published_catalogue(Repositories.of(request.app.state.runtime))


@cache
def _vietnam() -> VietnamCalendar:
    return VietnamCalendar()


async def calendar() -> WorkingDays:
    return _vietnam()


RepositoriesDep = Annotated[Repositories, Depends(repositories)]
CatalogueDep = Annotated[Catalogue, Depends(catalogue)]
CalendarDep = Annotated[WorkingDays, Depends(calendar)]
