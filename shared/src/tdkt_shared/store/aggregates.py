"""The aggregate store port.

One aggregate is one document: `{_id, version, state, processed, outbox, pending}`. A command is one read and one
conditional write: the write matches the version it read (a compare-and-set) and, in the same single-document
update, sets the new state and appends the events it causes to the embedded `outbox`, so state and events succeed
or fail together (no multi-document transaction, no change stream). The relay later publishes the outbox and
removes what it published.

`processed` holds the ids of the consumed events already applied to this aggregate; it is appended in the same
update, which makes applying an event idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tdkt_shared.contract import CloudEvent


class StoreError(Exception):
    pass


SHOWN_ID_CHARS = 120


def _shown(aggregate_id: str) -> str:
    """The id as a message shows it: an answer never repeats a path of thousands of characters."""
    return aggregate_id if len(aggregate_id) <= SHOWN_ID_CHARS else f"{aggregate_id[:SHOWN_ID_CHARS]}…"


class AlreadyExists(StoreError):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(f"{_shown(aggregate_id)} already exists")
        self.aggregate_id = aggregate_id


class NotFound(StoreError):
    def __init__(self, aggregate_id: str) -> None:
        super().__init__(f"{_shown(aggregate_id)} not found")
        self.aggregate_id = aggregate_id


class VersionConflict(StoreError):
    def __init__(self, aggregate_id: str, expected: int, actual: int | None) -> None:
        super().__init__(f"{_shown(aggregate_id)} is at version {actual}, not {expected}")
        self.aggregate_id = aggregate_id
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class Stored:
    id: str
    version: int
    state: dict[str, Any]
    processed: tuple[str, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Pending:
    """Events waiting in one aggregate's outbox, in the order they were written, as of `version`."""

    aggregate_id: str
    version: int
    events: tuple[dict[str, Any], ...]


Mutation = Callable[[Stored | None], tuple[dict[str, Any], Sequence[CloudEvent]] | None]
"""Given the current aggregate (None if absent), the new state and its events, or None to change nothing."""

OutboxListener = Callable[[str, str, Pending | None], bool]
"""Called after a write that added outbox entries, with (collection, aggregate id, what is now pending). The pending
entry is None when the outbox held older entries before the write: the relay then reads the outbox back, so one
aggregate's events keep their order. True when a relay in this process took them over."""

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

    def known(self, aggregate_id: str, version: int) -> Stored | None:
        """The aggregate at `version` when this process knows it without a read (it wrote or read that version
        last), else None. A state at a version never changes, so a compare-and-set on `version` writes only if
        the stored aggregate is still exactly this one."""
        ...

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        """Aggregates whose state matches `query`: equality or `$in` on state paths; `sort` is a state path,
        with a leading `-` for descending."""
        ...

    async def count(self, query: Query) -> int: ...


class OutboxStore(Protocol):
    """What the relay asks of a store: the outboxes still pending, and marking what it published."""

    collection: str

    async def pending(self, *, after: str, limit: int) -> list[Pending]:
        """Aggregates with a pending outbox and an id above `after`, in id order (an indexed query)."""
        ...

    async def read_outboxes(self, aggregate_ids: Sequence[str]) -> list[Pending]:
        """The pending outboxes of these aggregates (those with none are left out)."""
        ...

    async def mark_published(self, *entries: Pending) -> None:
        """Remove each entry's events from its outbox (in as few commands as the adapter can); an aggregate stops
        being pending once its outbox is empty."""
        ...
