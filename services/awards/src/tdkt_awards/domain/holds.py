"""Holds from the registry's cases (tạm dừng xét): a case opened about a nominee puts each of its open dossiers
ON_HOLD, at any stage before the decision; when the last case holding a dossier ends, it returns to where it was.

A specialist may also hold a dossier by hand (`held_by_hand`): the two holds stand side by side. Cases attach to a
dossier held by hand, a release by hand is refused while any case holds it, and a case's end leaves a dossier held
by hand waiting for its release.

Nothing may be proposed or awarded while a discipline, inspection, investigation, complaint or denunciation case
about the nominee is open (Decree 152/2025); the dossier waits instead of ending.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tdkt_awards.domain.eligibility import Evaluation
from tdkt_awards.domain.nominations import (
    APPRAISED,
    HOLDABLE,
    Actor,
    Events,
    Nomination,
    Status,
    put_on_hold,
    reevaluate,
    release_hold,
    stay_on_hold,
)


def hold_for_cases(
    n: Nomination, case_ids: Sequence[str], who: Actor, at: datetime
) -> tuple[Nomination, Events] | None:
    """ON_HOLD for `case_ids` (the reason names them). A dossier already on hold (by cases, by hand, or both) keeps
    its hold and the cases attach to it, so a release by hand is refused until they end; None when nothing changes
    (decided or closed, or already held for them)."""
    new = [c for c in case_ids if c not in n.held_by_cases]
    if not new:
        return None
    reason = who.model_copy(update={"reason": f"open case(s): {', '.join(new)}"})
    if n.status is Status.ON_HOLD:
        by_hand = n.held_by_hand or not n.held_by_cases  # on hold with no case: a specialist's hold
        return stay_on_hold(n, "case_hold", reason, at, held_by_cases=[*n.held_by_cases, *new], held_by_hand=by_hand)
    if n.status not in HOLDABLE:
        return None
    held, events = put_on_hold(n, reason, at)
    return held.model_copy(update={"held_by_cases": new, "held_by_hand": False}), events


def release_for_case(n: Nomination, case_id: str, who: Actor, at: datetime) -> tuple[Nomination, Events] | None:
    """The case ended: the dossier no longer waits for it, and returns to where it was once no case holds it and
    no specialist holds it by hand."""
    if case_id not in n.held_by_cases:
        return None
    remaining = [c for c in n.held_by_cases if c != case_id]
    reason = who.model_copy(update={"reason": f"case {case_id} ended"})
    if n.status is Status.ON_HOLD and (remaining or n.held_by_hand):
        return stay_on_hold(n, "case_release", reason, at, held_by_cases=remaining)
    n = n.model_copy(update={"held_by_cases": remaining})
    if n.status is not Status.ON_HOLD:
        return n, []
    return release_hold(n, reason, at)


def returns_to_appraised(n: Nomination, case_id: str) -> bool:
    """Whether ending `case_id` sends the dossier back to a state whose verdict must be re-run."""
    return (
        n.status is Status.ON_HOLD and n.held_by_cases == [case_id] and not n.held_by_hand and n.held_from in APPRAISED
    )


def end_case(
    n: Nomination, case_id: str, who: Actor, at: datetime, evaluations: list[Evaluation] | None
) -> tuple[Nomination, Events] | None:
    """Release for the ended case; back in an appraised state, the verdict is re-run on the records
    (`evaluations`, judged now)."""
    released = release_for_case(n, case_id, who, at)
    if released is None:
        return None
    after, events = released
    if evaluations is None or after.status not in APPRAISED or after.status is n.status:
        return after, events
    again, more = reevaluate(after, evaluations, who, at)
    return again, [*events, *more]
