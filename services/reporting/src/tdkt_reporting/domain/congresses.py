"""Congresses and conferences (Đại hội Thi đua yêu nước, Hội nghị điển hình tiên tiến, review conferences).

SCHEDULED -> (rescheduled)* -> HELD, or CANCELLED.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import ConfigDict, Field, model_validator

from tdkt_reporting.domain.common import require_status
from tdkt_shared.contract.reporting import (
    CongressCancelled,
    CongressHeld,
    CongressRescheduled,
    CongressScheduled,
    Honouree,
    HonourEventKind,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.events import announce
from tdkt_shared.kit.models import Command


class CongressStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    HELD = "HELD"
    CANCELLED = "CANCELLED"


C = CongressStatus


class ScheduleCongress(Command):
    id: Identifier
    kind: HonourEventKind
    title: Text
    level: Text = Field(examples=["province"])
    organizer_id: Identifier
    held_on: Day
    venue: Text | None = None
    agenda: list[Text] = Field(default_factory=list)
    invited_organization_ids: list[Identifier] = Field(default_factory=list)
    honouree_quota: Whole | None = Field(default=None, ge=0)
    nomination_deadline: Day | None = None
    movement_id: Identifier | None = None

    @model_validator(mode="after")
    def _deadline_first(self) -> ScheduleCongress:
        if self.nomination_deadline is not None and self.nomination_deadline > self.held_on:
            raise ValueError("the nomination deadline falls after the congress")
        return self


class Congress(ScheduleCongress):
    model_config = ConfigDict(extra="ignore")

    status: CongressStatus = C.SCHEDULED
    honourees: list[Honouree] = Field(default_factory=list)
    cancel_reason: str | None = None
    history: list[dict[str, str]] = Field(default_factory=list)


def schedule(command: ScheduleCongress) -> tuple[Congress, CongressScheduled]:
    congress = Congress(**command.model_dump(), history=[{"status": C.SCHEDULED, "held_on": str(command.held_on)}])
    return congress, announce(CongressScheduled, congress, congress_id=congress.id)


def reschedule(congress: Congress, held_on: date, venue: str | None) -> tuple[Congress, CongressRescheduled]:
    require_status("congress", congress.status, [C.SCHEDULED], "reschedule")
    if held_on == congress.held_on and (venue is None or venue == congress.venue):
        raise DomainError("nothing changes: same date and venue", field="held_on")
    if congress.nomination_deadline is not None and held_on < congress.nomination_deadline:
        raise DomainError("the new date falls before the nomination deadline", field="held_on")
    entry = {"status": "RESCHEDULED", "held_on": held_on.isoformat()}
    moved = congress.model_copy(
        update={"held_on": held_on, "venue": venue or congress.venue, "history": [*congress.history, entry]}
    )
    return moved, CongressRescheduled(
        congress_id=congress.id, held_on=held_on, previous_held_on=congress.held_on, venue=moved.venue
    )


def cancel(congress: Congress, reason: str) -> tuple[Congress, CongressCancelled]:
    require_status("congress", congress.status, [C.SCHEDULED], "cancel")
    entry = {"status": C.CANCELLED, "reason": reason}
    cancelled = congress.model_copy(
        update={"status": C.CANCELLED, "cancel_reason": reason, "history": [*congress.history, entry]}
    )
    return cancelled, CongressCancelled(congress_id=congress.id, reason=reason)


def hold(congress: Congress, honourees: list[Honouree]) -> tuple[Congress, CongressHeld]:
    require_status("congress", congress.status, [C.SCHEDULED], "hold")
    if congress.honouree_quota is not None and len(honourees) > congress.honouree_quota:
        raise DomainError(
            f"{len(honourees)} honourees exceed the quota of {congress.honouree_quota}", field="honourees"
        )
    entry = {"status": C.HELD, "held_on": congress.held_on.isoformat()}
    held = congress.model_copy(update={"status": C.HELD, "honourees": honourees, "history": [*congress.history, entry]})
    return held, CongressHeld(congress_id=congress.id, held_on=congress.held_on, honourees=honourees)
