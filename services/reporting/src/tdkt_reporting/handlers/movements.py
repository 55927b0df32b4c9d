"""Movements (phong trào thi đua): drafted, then launched, started, reviewed, closed or cancelled by TĐKT
specialists (the role is the router's). The acting organisation signs each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from tdkt_reporting import store
from tdkt_reporting.domain import movements as domain
from tdkt_reporting.domain.movements import Movement
from tdkt_reporting.handlers.common import ensure_registered
from tdkt_shared.contract.reporting import MovementChange
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores


async def draft_movement(
    stores: Stores, command: domain.DraftMovement, ctx: CommandContext, *, known_launcher: bool = True
) -> Loaded[Movement]:
    """Draft a movement. Its launching organisation must be known from the registry's events, unless
    `known_launcher` is False (the seed, which may run before any registry event)."""
    if known_launcher:
        await ensure_registered(
            store.directory(stores), command.launching_organization_id, field="launching_organization_id"
        )
    parent = None
    if command.parent_movement_id is not None:
        found = await store.movements(stores).get(command.parent_movement_id)
        parent = None if found is None else found.aggregate
    movement, event = domain.draft(command, parent)
    return await store.movements(stores).add(movement, event, ctx)


async def launch(
    stores: Stores,
    movement_id: str,
    version: int,
    decision: domain.Decision | None,
    on: date | None,
    ctx: CommandContext,
    *,
    by: str | None = None,
) -> Loaded[Movement]:
    """DRAFT -> LAUNCHED (phát động), signed by `by` or else the acting organisation."""
    launched = partial(domain.launch, decision=decision, on=on)
    return await _step(stores, movement_id, version, launched, ctx, by=by)


async def start(
    stores: Stores, movement_id: str, version: int, on: date | None, ctx: CommandContext
) -> Loaded[Movement]:
    """LAUNCHED -> IN_PROGRESS."""
    return await _step(stores, movement_id, version, partial(domain.start, on=on), ctx)


async def review_preliminary(
    stores: Stores, movement_id: str, version: int, on: date, ctx: CommandContext
) -> Loaded[Movement]:
    """A preliminary review (sơ kết), repeatable."""
    return await _step(stores, movement_id, version, partial(domain.review_preliminary, on=on), ctx)


async def cancel(
    stores: Stores, movement_id: str, version: int, reason: str, on: date | None, ctx: CommandContext
) -> Loaded[Movement]:
    """From any state before CLOSED, with a reason."""
    return await _step(stores, movement_id, version, partial(domain.cancel, reason=reason, on=on), ctx)


async def review_final(
    stores: Stores, movement_id: str, version: int, on: date, ctx: CommandContext
) -> Loaded[Movement]:
    """The final review (tổng kết)."""
    return await _step(stores, movement_id, version, partial(domain.review_final, on=on), ctx)


async def close(
    stores: Stores, movement_id: str, version: int, on: date | None, ctx: CommandContext
) -> Loaded[Movement]:
    """FINAL_REVIEWED -> CLOSED."""
    return await _step(stores, movement_id, version, partial(domain.close, on=on), ctx)


async def _step(
    stores: Stores,
    movement_id: str,
    version: int,
    step: Callable[..., tuple[Movement, MovementChange]],
    ctx: CommandContext,
    *,
    by: str | None = None,
) -> Loaded[Movement]:
    """One lifecycle step at the version the client read, signed by `by` or the acting organisation."""
    signed_by = by or ctx.organization_id
    return await store.movements(stores).change(movement_id, version, lambda m: step(m, version, by=signed_by), ctx)
