"""Congresses and conferences (Đại hội Thi đua yêu nước, Hội nghị điển hình tiên tiến): scheduled, rescheduled,
cancelled or held by TĐKT specialists (the role is the router's)."""

from __future__ import annotations

from datetime import date

from tdkt_reporting import store
from tdkt_reporting.domain import congresses as domain
from tdkt_reporting.domain.congresses import Congress
from tdkt_shared.contract.reporting import Honouree
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores


async def schedule(stores: Stores, command: domain.ScheduleCongress, ctx: CommandContext) -> Loaded[Congress]:
    congress, event = domain.schedule(command)
    return await store.congresses(stores).add(congress, event, ctx)


async def reschedule(
    stores: Stores, congress_id: str, version: int, held_on: date, venue: str | None, ctx: CommandContext
) -> Loaded[Congress]:
    return await store.congresses(stores).change(
        congress_id, version, lambda c: domain.reschedule(c, held_on, venue), ctx
    )


async def cancel(stores: Stores, congress_id: str, version: int, reason: str, ctx: CommandContext) -> Loaded[Congress]:
    return await store.congresses(stores).change(congress_id, version, lambda c: domain.cancel(c, reason), ctx)


async def hold(
    stores: Stores, congress_id: str, version: int, honourees: list[Honouree], ctx: CommandContext
) -> Loaded[Congress]:
    """It took place, with its honourees (within the quota)."""
    return await store.congresses(stores).change(congress_id, version, lambda c: domain.hold(c, honourees), ctx)
