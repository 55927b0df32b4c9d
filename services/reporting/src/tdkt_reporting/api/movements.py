from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import APIRouter, Response, status

from tdkt_reporting import handlers
from tdkt_reporting.api.access import SPECIALIST, Specialist
from tdkt_reporting.api.deps import CorrelationDep, MovementsDep, OrganizationsDep, Versioned
from tdkt_reporting.domain import movements as domain
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.reporting import MovementStatus
from tdkt_shared.contract.text import Text
from tdkt_shared.contract.types import EventData
from tdkt_shared.store import AggregateStore

router = APIRouter(prefix="/movements", tags=["movements"], responses=ERROR_RESPONSES)
"""Reads: public."""
writes = APIRouter(prefix="/movements", tags=["movements"], responses=ERROR_RESPONSES, dependencies=[SPECIALIST])
"""Writes: TĐKT specialists."""


class MovementView(domain.Movement):
    version: int


def _view(movement: domain.Movement, version: int) -> MovementView:
    return MovementView(**movement.model_dump(), version=version)


async def _move(
    store: AggregateStore,
    movement_id: str,
    version: int,
    step: Callable[[domain.Movement, int], tuple[domain.Movement, EventData]],
    correlation: str | None,
) -> MovementView:
    """Apply one lifecycle step to the movement at `version` and answer with its new view."""
    return _view(*await handlers.transition(store, movement_id, version, domain.Movement, step, correlation))


class Launch(Versioned):
    decision: domain.Decision | None = None
    """Needed unless the draft already carries it."""
    on: date | None = None


class Dated(Versioned):
    on: date | None = None


class Review(Versioned):
    on: date


class Cancel(Versioned):
    reason: Text
    on: date | None = None


@writes.post("", status_code=status.HTTP_201_CREATED, response_model=MovementView)
async def draft(
    command: domain.DraftMovement,
    store: MovementsDep,
    organizations: OrganizationsDep,
    response: Response,
    correlation: CorrelationDep = None,
) -> MovementView:
    """Draft a movement launched by an organisation known from the registry (422 on `launching_organization_id`
    otherwise); emits `tdkt.reporting.movement.drafted.v1`."""
    movement, version = await handlers.draft_movement(command, store, correlation, organizations)
    response.headers["Location"] = f"/movements/{movement.id}"
    return _view(movement, version)


@router.get("/{movement_id}", response_model=MovementView)
async def get(movement_id: str, store: MovementsDep) -> MovementView:
    return _view(*await handlers.load(store, movement_id, domain.Movement))


@router.get("", response_model=Page[MovementView])
async def list_movements(
    store: MovementsDep,
    page: PageQuery,
    status: MovementStatus | None = None,
    parent_movement_id: str | None = None,
) -> Page[MovementView]:
    query: dict[str, object] = {}
    if status is not None:
        query["status"] = status.value
    if parent_movement_id is not None:
        query["parent_movement_id"] = parent_movement_id
    found = await store.find(query, skip=page.offset, limit=page.limit)
    items = [_view(domain.Movement.model_validate(s.state), s.version) for s in found]
    return Page(items=items, total=await store.count(query), offset=page.offset, limit=page.limit)


@writes.post("/{movement_id}/launch", response_model=MovementView)
async def launch(
    movement_id: str,
    body: Launch,
    store: MovementsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> MovementView:
    """DRAFT -> LAUNCHED (phát động); emits `tdkt.reporting.movement.launched.v1`."""
    return await _move(
        store,
        movement_id,
        body.version,
        lambda m, v: domain.launch(m, v, body.decision, body.on, principal.organization_id),
        correlation,
    )


@writes.post("/{movement_id}/start", response_model=MovementView)
async def start(
    movement_id: str,
    body: Dated,
    store: MovementsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> MovementView:
    """LAUNCHED -> IN_PROGRESS; emits `tdkt.reporting.movement.started.v1`."""
    return await _move(
        store,
        movement_id,
        body.version,
        lambda m, v: domain.start(m, v, body.on, principal.organization_id),
        correlation,
    )


@writes.post("/{movement_id}/preliminary-reviews", response_model=MovementView)
async def preliminary_review(
    movement_id: str,
    body: Review,
    store: MovementsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> MovementView:
    """Hold a preliminary review (sơ kết), repeatable; emits `tdkt.reporting.movement.preliminary_reviewed.v1`."""
    return await _move(
        store,
        movement_id,
        body.version,
        lambda m, v: domain.review_preliminary(m, v, body.on, principal.organization_id),
        correlation,
    )


@writes.post("/{movement_id}/final-review", response_model=MovementView)
async def final_review(
    movement_id: str,
    body: Review,
    store: MovementsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> MovementView:
    """Hold the final review (tổng kết); emits `tdkt.reporting.movement.final_reviewed.v1`."""
    return await _move(
        store,
        movement_id,
        body.version,
        lambda m, v: domain.review_final(m, v, body.on, principal.organization_id),
        correlation,
    )


@writes.post("/{movement_id}/close", response_model=MovementView)
async def close(
    movement_id: str,
    body: Dated,
    store: MovementsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> MovementView:
    """FINAL_REVIEWED -> CLOSED; emits `tdkt.reporting.movement.closed.v1`."""
    return await _move(
        store,
        movement_id,
        body.version,
        lambda m, v: domain.close(m, v, body.on, principal.organization_id),
        correlation,
    )


@writes.post("/{movement_id}/cancel", response_model=MovementView)
async def cancel(
    movement_id: str,
    body: Cancel,
    store: MovementsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> MovementView:
    """Cancel a movement that is not closed; emits `tdkt.reporting.movement.cancelled.v1`."""
    return await _move(
        store,
        movement_id,
        body.version,
        lambda m, v: domain.cancel(m, v, body.reason, body.on, principal.organization_id),
        correlation,
    )
