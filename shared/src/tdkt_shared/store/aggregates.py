"""The aggregate store port.

One aggregate is one document: `{_id, version, state, outbox, processed}`. A change to the state and the events
it causes are written in ONE single-document update, so they succeed or fail together on MongoDB and on FerretDB
alike (neither multi-document transactions nor change streams are needed). The relay later publishes the outbox.

`processed` holds the ids of the consumed events already applied to this aggregate; it is checked in the same
update, which makes applying an event idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tdkt_shared.contract import CloudEvent


class StoreError(Exception):
    pass


class AlreadyExists(StoreError):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(f"{aggregate_id} already exists")
        self.aggregate_id = aggregate_id


class NotFound(StoreError):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(f"{aggregate_id} not found")
        self.aggregate_id = aggregate_id


class VersionConflict(StoreError):
    def __init__(self, aggregate_id: str, expected: int, actual: int | None) -> None:
        super().__init__(f"{aggregate_id} is at version {actual}, not {expected}")
        self.aggregate_id = aggregate_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class Stored:
    id: str
    version: int
    state: dict[str, Any]
    processed: tuple[str, ...] = field(default=(), repr=False)


Mutation = Callable[[Stored | None], tuple[dict[str, Any], Sequence[CloudEvent]] | None]
"""Given the current aggregate (None if absent), the new state and its events, or None to change nothing."""

OutboxListener = Callable[[str, str, Sequence[dict[str, Any]]], bool]
"""Called after a write that added outbox entries, with (collection, id of the written document, its events as
documents); True when a relay in this process took them over."""

Query = Mapping[str, Any]


class AggregateStore(Protocol):
    collection: str

    async def get(self, aggregate_id: str) -> Stored | None: ...

    async def create(self, aggregate_id: str, state: dict[str, Any], events: Sequence[CloudEvent]) -> Stored:
        """Insert version 1; AlreadyExists if the id is taken."""
        ...

    async def update(
        self, aggregate_id: str, expected_version: int, state: dict[str, Any], events: Sequence[CloudEvent]
    ) -> Stored:
        """Replace the state if the version still matches; VersionConflict or NotFound otherwise."""
        ...

    async def apply_event(self, aggregate_id: str, event_id: str, mutation: Mutation) -> bool:
        """Apply a consumed event once: False when this aggregate has already applied `event_id`."""
        ...

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        """Aggregates whose state matches `query`: equality or `$in` on state paths; `sort` is a state path,
        with a leading `-` for descending."""
        ...

    async def count(self, query: Query) -> int: ...
