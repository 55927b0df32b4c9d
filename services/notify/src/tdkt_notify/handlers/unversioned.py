"""Commands that carry no version (the delivery worker's, a recipient's own settings): they apply to the latest."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from tdkt_shared.kit import CommandContext, Events, Repository
from tdkt_shared.store import VersionConflict

A = TypeVar("A", bound=BaseModel)


async def change_latest(
    repository: Repository[A], aggregate_id: str, step: Callable[[A], tuple[A, Events] | None], ctx: CommandContext
) -> A:
    """Load, step and save; after a concurrent write, again on what it wrote. `step` returns None to write nothing
    (the aggregate is returned as loaded). NotFound when the aggregate is absent."""
    while True:
        loaded = await repository.load(aggregate_id)
        outcome = step(loaded.aggregate)
        if outcome is None:
            return loaded.aggregate
        aggregate, events = outcome
        try:
            await repository.save(loaded, aggregate, events, ctx)
        except VersionConflict:
            continue
        return aggregate
