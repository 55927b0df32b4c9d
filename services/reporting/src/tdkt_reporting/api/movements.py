from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from tdkt_reporting import store
from tdkt_reporting.api.access import SPECIALIST
from tdkt_reporting.api.deps import StoresDep
from tdkt_reporting.domain import movements as domain
from tdkt_reporting.handlers import movements as handlers
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.reporting import MovementStatus
from tdkt_shared.contract.text import Day, Text, Whole
from tdkt_shared.kit.filters import Filters
from tdkt_shared.kit.http import Context, Versioned, page_of, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/movements", tags=["movements"], responses=ERROR_RESPONSES)
"""Reads: public."""
writes = APIRouter(prefix="/movements", tags=["movements"], responses=ERROR_RESPONSES, dependencies=[SPECIALIST])
"""Writes: TĐKT specialists."""


class MovementView(domain.Movement):
    version: Whole


_view = partial(versioned, MovementView)


class Launch(Versioned):
    decision: domain.Decision | None = None
    """Needed unless the draft already carries it."""
    on: Day | None = None


class Dated(Versioned):
    on: Day | None = None


class Review(Versioned):
    on: Day


class Cancel(Versioned):
    reason: Text
    on: Day | None = None


@writes.post("", status_code=status.HTTP_201_CREATED, response_model=MovementView)
async def draft(command: domain.DraftMovement, stores: StoresDep, ctx: Context, response: Response) -> MovementView:
    """Draft a movement launched by an organisation known from the registry (422 on `launching_organization_id`
    otherwise); emits `tdkt.reporting.movement.drafted.v1`."""
    movement = await handlers.draft_movement(stores, command, ctx)
    return created(response, f"/movements/{movement.id}", _view(movement))


@router.get("/{movement_id}", response_model=MovementView)
async def get(movement_id: str, stores: StoresDep) -> MovementView:
    return _view(await store.movements(stores).load(movement_id))


class MovementFilters(Filters):
    status: MovementStatus | None = None
    parent_movement_id: str | None = Field(default=None, description="Only the sub-movements of this movement")


@router.get("", response_model=Page[MovementView])
async def list_movements(
    stores: StoresDep, page: PageQuery, filters: Annotated[MovementFilters, Query()]
) -> Page[MovementView]:
    return await page_of(store.movements(stores), filters.query(), page, _view)


@writes.post("/{movement_id}/launch", response_model=MovementView)
async def launch(movement_id: str, body: Launch, stores: StoresDep, ctx: Context) -> MovementView:
    """DRAFT -> LAUNCHED (phát động); emits `tdkt.reporting.movement.launched.v1`."""
    return _view(await handlers.launch(stores, movement_id, body.version, body.decision, body.on, ctx))


@writes.post("/{movement_id}/start", response_model=MovementView)
async def start(movement_id: str, body: Dated, stores: StoresDep, ctx: Context) -> MovementView:
    """LAUNCHED -> IN_PROGRESS; emits `tdkt.reporting.movement.started.v1`."""
    return _view(await handlers.start(stores, movement_id, body.version, body.on, ctx))


@writes.post("/{movement_id}/preliminary-reviews", response_model=MovementView)
async def preliminary_review(movement_id: str, body: Review, stores: StoresDep, ctx: Context) -> MovementView:
    """Hold a preliminary review (sơ kết), repeatable; emits `tdkt.reporting.movement.preliminary_reviewed.v1`."""
    return _view(await handlers.review_preliminary(stores, movement_id, body.version, body.on, ctx))


@writes.post("/{movement_id}/final-review", response_model=MovementView)
async def final_review(movement_id: str, body: Review, stores: StoresDep, ctx: Context) -> MovementView:
    """Hold the final review (tổng kết); emits `tdkt.reporting.movement.final_reviewed.v1`."""
    return _view(await handlers.review_final(stores, movement_id, body.version, body.on, ctx))


@writes.post("/{movement_id}/close", response_model=MovementView)
async def close(movement_id: str, body: Dated, stores: StoresDep, ctx: Context) -> MovementView:
    """FINAL_REVIEWED -> CLOSED; emits `tdkt.reporting.movement.closed.v1`."""
    return _view(await handlers.close(stores, movement_id, body.version, body.on, ctx))


@writes.post("/{movement_id}/cancel", response_model=MovementView)
async def cancel(movement_id: str, body: Cancel, stores: StoresDep, ctx: Context) -> MovementView:
    """Cancel a movement that is not closed; emits `tdkt.reporting.movement.cancelled.v1`."""
    return _view(await handlers.cancel(stores, movement_id, body.version, body.reason, body.on, ctx))
