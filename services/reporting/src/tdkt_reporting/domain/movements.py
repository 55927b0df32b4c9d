"""Movements (phong trào thi đua) and their lifecycle.

DRAFT -> LAUNCHED -> IN_PROGRESS -> PRELIMINARY_REVIEWED (repeatable) -> FINAL_REVIEWED -> CLOSED, or CANCELLED
from any state before CLOSED.
"""

from __future__ import annotations

from datetime import date

from pydantic import ConfigDict, Field, model_validator

from tdkt_reporting.domain.common import require_status
from tdkt_shared.contract.reporting import (
    MovementCancelled,
    MovementChange,
    MovementClosed,
    MovementDrafted,
    MovementFinalReviewed,
    MovementKind,
    MovementLaunched,
    MovementPreliminaryReviewed,
    MovementStarted,
    MovementStatus,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Command, Value

S = MovementStatus


class Decision(Value):
    """The launching decision (quyết định / kế hoạch phát động)."""

    number: Text = Field(examples=["645/KH-UBND"])
    date: Day


class Scope(Value):
    organization_ids: list[Identifier] = Field(default_factory=list)
    cluster_ids: list[Identifier] = Field(default_factory=list)
    area_codes: list[Text] = Field(default_factory=list)


class Period(Value):
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")
        return self


class RewardLine(Value):
    """One title or form the movement rewards, with its quota (None: no fixed quota)."""

    award_code: Text = Field(examples=["CO_THI_DUA_TINH"])
    name: Text | None = None
    quota: Whole | None = Field(default=None, ge=0)


class DraftMovement(Command):
    """What a movement is made of when it is drafted."""

    id: Identifier
    title: Text
    kind: MovementKind
    level: Text = Field(examples=["province"])
    launching_organization_id: Identifier
    decision: Decision | None = None
    slogan: Text | None = None
    scope: Scope = Field(default_factory=Scope)
    period: Period
    parent_movement_id: Identifier | None = None
    criteria_set_id: Identifier | None = None
    reward_plan: list[RewardLine] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_own_parent(self) -> DraftMovement:
        if self.parent_movement_id == self.id:
            raise ValueError("a movement cannot be its own parent")
        return self


class Movement(DraftMovement):
    model_config = ConfigDict(extra="ignore")

    status: MovementStatus = S.DRAFT
    preliminary_reviews: list[date] = Field(default_factory=list)
    final_reviewed_on: Day | None = None
    cancel_reason: str | None = None
    history: list[dict[str, str]] = Field(default_factory=list)
    """Each transition: status, on, by."""


def draft(command: DraftMovement, parent: Movement | None) -> tuple[Movement, MovementDrafted]:
    if command.parent_movement_id is not None and parent is None:
        raise DomainError(
            f"unknown parent movement {command.parent_movement_id}",
            field="parent_movement_id",
            code="unknown_reference",
        )
    movement = Movement(**command.model_dump(), history=[{"status": S.DRAFT}])
    event = MovementDrafted(
        movement_id=movement.id,
        status=S.DRAFT,
        version=1,
        title=movement.title,
        kind=movement.kind,
        level=movement.level,
        launching_organization_id=movement.launching_organization_id,
        period_start=movement.period.start,
        period_end=movement.period.end,
        parent_movement_id=movement.parent_movement_id,
        scope_organization_ids=movement.scope.organization_ids,
        scope_cluster_ids=movement.scope.cluster_ids,
        scope_area_codes=movement.scope.area_codes,
    )
    return movement, event


def _moved(movement: Movement, status: MovementStatus, on: date | None, by: str | None, **changes: object) -> Movement:
    entry = {"status": str(status)} | ({"on": on.isoformat()} if on else {}) | ({"by": by} if by else {})
    return movement.model_copy(update={"status": status, "history": [*movement.history, entry], **changes})


def launch(
    movement: Movement, version: int, decision: Decision | None, on: date | None, by: str | None
) -> tuple[Movement, MovementChange]:
    require_status("movement", movement.status, [S.DRAFT], "launch")
    decision = decision or movement.decision
    if decision is None:
        raise DomainError("launching needs the decision number and date", field="decision")
    moved = _moved(movement, S.LAUNCHED, on or decision.date, by, decision=decision)
    return moved, MovementLaunched(
        movement_id=movement.id,
        status=S.LAUNCHED,
        version=version + 1,
        occurred_on=on or decision.date,
        by=by,
        decision_number=decision.number,
        decision_date=decision.date,
        period_start=movement.period.start,
        period_end=movement.period.end,
        scope_organization_ids=movement.scope.organization_ids,
        scope_cluster_ids=movement.scope.cluster_ids,
        scope_area_codes=movement.scope.area_codes,
    )


def start(movement: Movement, version: int, on: date | None, by: str | None) -> tuple[Movement, MovementChange]:
    require_status("movement", movement.status, [S.LAUNCHED], "start")
    event = MovementStarted(movement_id=movement.id, status=S.IN_PROGRESS, version=version + 1, occurred_on=on, by=by)
    return _moved(movement, S.IN_PROGRESS, on, by), event


def review_preliminary(movement: Movement, version: int, on: date, by: str | None) -> tuple[Movement, MovementChange]:
    require_status("movement", movement.status, [S.IN_PROGRESS, S.PRELIMINARY_REVIEWED], "hold a preliminary review of")
    reviews = [*movement.preliminary_reviews, on]
    moved = _moved(movement, S.PRELIMINARY_REVIEWED, on, by, preliminary_reviews=reviews)
    event = MovementPreliminaryReviewed(
        movement_id=movement.id,
        status=S.PRELIMINARY_REVIEWED,
        version=version + 1,
        occurred_on=on,
        by=by,
        review_number=len(reviews),
    )
    return moved, event


def review_final(movement: Movement, version: int, on: date, by: str | None) -> tuple[Movement, MovementChange]:
    require_status("movement", movement.status, [S.IN_PROGRESS, S.PRELIMINARY_REVIEWED], "hold the final review of")
    moved = _moved(movement, S.FINAL_REVIEWED, on, by, final_reviewed_on=on)
    event = MovementFinalReviewed(
        movement_id=movement.id, status=S.FINAL_REVIEWED, version=version + 1, occurred_on=on, by=by
    )
    return moved, event


def close(movement: Movement, version: int, on: date | None, by: str | None) -> tuple[Movement, MovementChange]:
    require_status("movement", movement.status, [S.FINAL_REVIEWED], "close")
    event = MovementClosed(movement_id=movement.id, status=S.CLOSED, version=version + 1, occurred_on=on, by=by)
    return _moved(movement, S.CLOSED, on, by), event


def cancel(
    movement: Movement, version: int, reason: str, on: date | None, by: str | None
) -> tuple[Movement, MovementChange]:
    open_states = [s for s in S if s not in (S.CLOSED, S.CANCELLED)]
    require_status("movement", movement.status, open_states, "cancel")
    moved = _moved(movement, S.CANCELLED, on, by, cancel_reason=reason)
    event = MovementCancelled(
        movement_id=movement.id, status=S.CANCELLED, version=version + 1, occurred_on=on, by=by, reason=reason
    )
    return moved, event
