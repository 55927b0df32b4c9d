"""Running a bulk import of records: each row read, checked and applied on its own, a report line per refused row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import BaseModel

from tdkt_registry.domain.imports import ImportReport, Outcome, failed, read_row, refused, tally
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import CommandContext, Loaded, Repository
from tdkt_shared.kit.repository import Events
from tdkt_shared.store import AlreadyExists, VersionConflict

A = TypeVar("A", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)

Step = Callable[[A | None], tuple[A, Events] | None]
"""What a row does to the record as it stands (None when it is absent): the new record and its events, or None."""

Prepare = Callable[[R], Awaitable[tuple[str, Step[A]]]]
"""For a row that reads: the id of its record and its step (DomainError refuses the row)."""


async def apply_row(repo: Repository[A], record_id: str, step: Step[A], ctx: CommandContext) -> Outcome:
    """Create, change or leave one record; again on what a concurrent writer wrote."""
    while True:
        current = await repo.get(record_id)
        outcome = step(None if current is None else current.aggregate)
        if outcome is None:
            return "unchanged"
        aggregate, events = outcome
        try:
            if current is None:
                await repo.add(aggregate, events, ctx, aggregate_id=record_id)
                return "created"
            await repo.save(current, aggregate, events, ctx)
            return "changed"
        except (AlreadyExists, VersionConflict):
            continue


async def record_one(repo: Repository[A], prepared: tuple[str, Step[A]], ctx: CommandContext) -> Loaded[A]:
    """One record written through the API as an import writes it (`apply_row`); the record as it now stands."""
    record_id, step = prepared
    await apply_row(repo, record_id, step, ctx)
    return await repo.load(record_id)


async def run_import(
    rows: list[dict[str, Any]], model: type[R], prepare: Prepare[R, A], repo: Repository[A], ctx: CommandContext
) -> ImportReport:
    report = ImportReport(rows=len(rows))
    for number, raw in enumerate(rows, start=1):
        row = read_row(model, number, raw)
        if not isinstance(row, model):
            report = failed(report, row)  # type: ignore[arg-type]
            continue
        try:
            record_id, step = await prepare(row)
            outcome = await apply_row(repo, record_id, step, ctx)
        except DomainError as exc:
            report = failed(report, refused(number, exc))
            continue
        report = tally(report, outcome, record_id)
    return report
