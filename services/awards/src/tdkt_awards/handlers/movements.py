"""Awards' read model of reporting's movements: a final review (tổng kết) opens the movement's topic awards."""

from __future__ import annotations

from tdkt_awards.domain.links import KnownMovement, movement_final_reviewed
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.reporting import MovementFinalReviewed
from tdkt_shared.kit import Repository


async def on_movement_final_reviewed(
    event: CloudEvent, data: MovementFinalReviewed, movements: Repository[KnownMovement]
) -> bool:
    """Reviewed on the day the event names, or the day it arrived."""
    return await movements.apply_once(
        data.movement_id, event, lambda m: (movement_final_reviewed(m, data, event.time.date()), ())
    )
