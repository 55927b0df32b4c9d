"""Read models of reporting's congresses and movements, and the submission checks they allow.

- A congress (Đại hội thi đua yêu nước) fixes the last day to submit the honouree nominations linked to it.
- A movement's final review (tổng kết) opens its topic (chuyên đề) awards.
"""

from __future__ import annotations

from datetime import date

from tdkt_shared.contract.reporting import (
    CongressCancelled,
    CongressRescheduled,
    CongressScheduled,
    MovementFinalReviewed,
)
from tdkt_shared.contract.text import Day, Flag
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Value


class KnownCongress(Value):
    """Read model of a congress; `deadline` is the last day (inclusive) to submit a nomination linked to it."""

    id: str
    held_on: Day
    explicit_deadline: Day | None = None
    """The deadline reporting published; without one, nominations close on the day the congress is held."""
    cancelled: Flag = False
    cancel_reason: str | None = None

    @property
    def deadline(self) -> date:
        return self.explicit_deadline or self.held_on


def congress_scheduled(data: CongressScheduled) -> KnownCongress:
    return KnownCongress(id=data.congress_id, held_on=data.held_on, explicit_deadline=data.nomination_deadline)


def congress_rescheduled(current: KnownCongress | None, data: CongressRescheduled) -> KnownCongress:
    """A new date moves the default deadline; reporting never moves a congress before an explicit one."""
    base = current or KnownCongress(id=data.congress_id, held_on=data.held_on)
    return base.model_copy(update={"held_on": data.held_on})


def congress_cancelled(current: KnownCongress | None, data: CongressCancelled, on: date) -> KnownCongress:
    base = current or KnownCongress(id=data.congress_id, held_on=on)
    return base.model_copy(update={"cancelled": True, "cancel_reason": data.reason})


class KnownMovement(Value):
    id: str
    final_reviewed_on: Day | None = None


def movement_final_reviewed(current: KnownMovement | None, data: MovementFinalReviewed, on: date) -> KnownMovement:
    base = current or KnownMovement(id=data.movement_id)
    return base.model_copy(update={"final_reviewed_on": data.occurred_on or on})


class SubmissionLinks(Value):
    """The congress and movement a nomination refers to, as known when it is submitted (None: never heard of)."""

    congress: KnownCongress | None = None
    movement: KnownMovement | None = None


def check_links(
    congress_id: str | None, movement_id: str | None, topic: bool, links: SubmissionLinks, day: date
) -> None:
    """Refuse a submission outside its congress's window, or a topic award before its movement's final review."""
    if congress_id is not None:
        congress = links.congress
        if congress is None:
            raise DomainError(f"congress {congress_id} is not scheduled", field="congress_id", code="congress_unknown")
        if congress.cancelled:
            raise DomainError(
                f"congress {congress_id} was cancelled: nominations are closed",
                field="congress_id",
                code="congress_cancelled",
            )
        if day > congress.deadline:
            raise DomainError(
                f"nominations for congress {congress_id} closed on {congress.deadline}",
                field="congress_id",
                code="nomination_deadline_passed",
            )
    if topic and movement_id is not None and (links.movement is None or links.movement.final_reviewed_on is None):
        raise DomainError(
            f"movement {movement_id} has no accepted final review yet: no topic award",
            field="movement_id",
            code="movement_not_final_reviewed",
        )
