"""An in-memory adapter of the aggregate store, for unit tests of handlers (no database)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store.aggregates import (
    AlreadyExists,
    Mutation,
    NotFound,
    OutboxListener,
    Pending,
    Query,
    Stored,
    VersionConflict,
)


def _values(value: Any, path: str) -> list[Any]:
    """Values at a dotted path, descending into lists as MongoDB does."""
    if isinstance(value, list):
        return [v for item in value for v in _values(item, path)]
    if not path:
        return [value]
    if not isinstance(value, dict):
        return []
    head, _, rest = path.partition(".")
    return _values(value.get(head), rest) if head in value else []


def _lookup(state: dict[str, Any], path: str) -> Any:
    found = _values(state, path)
    return found[0] if found else None


def _matches(stored: Stored, query: Query) -> bool:
    for key, expected in query.items():
        actual = [stored.id] if key == "_id" else _values(stored.state, key)
        wanted = expected["$in"] if isinstance(expected, dict) and "$in" in expected else [expected]
        if not any(a in wanted for a in actual):
            return False
    return True


class InMemoryAggregateStore:
    def __init__(self, collection: str = "aggregates", listener: OutboxListener | None = None) -> None:
        self.collection = collection
        self._docs: dict[str, Stored] = {}
        self.outboxes: dict[str, list[CloudEvent]] = {}
        """What each aggregate's outbox holds (what the relay has not published yet)."""
        self.events: list[CloudEvent] = []
        """Every event written, in write order."""
        self._listener = listener

    def listen(self, listener: OutboxListener) -> None:
        self._listener = listener

    def _write(self, stored: Stored, events: Sequence[CloudEvent]) -> Stored:
        outbox = self.outboxes.setdefault(stored.id, [])
        older_pending = bool(outbox)
        self._docs[stored.id] = copy.deepcopy(stored)
        outbox.extend(events)
        self.events.extend(events)
        if events and self._listener is not None:
            documents = tuple(e.to_document() for e in events)
            entry = None if older_pending else Pending(stored.id, stored.version, documents)
            self._listener(self.collection, stored.id, entry)
        return stored

    async def get(self, aggregate_id: str) -> Stored | None:
        stored = self._docs.get(aggregate_id)
        return copy.deepcopy(stored)

    def known(self, aggregate_id: str, version: int) -> Stored | None:
        """Everything is in memory here: the aggregate when it is at `version`."""
        stored = self._docs.get(aggregate_id)
        return copy.deepcopy(stored) if stored is not None and stored.version == version else None

    async def create(self, aggregate_id: str, state: dict[str, Any], events: Sequence[CloudEvent]) -> Stored:
        if aggregate_id in self._docs:
            raise AlreadyExists(aggregate_id)
        return self._write(Stored(aggregate_id, 1, state), events)

    async def update(
        self, aggregate_id: str, expected_version: int, state: dict[str, Any], events: Sequence[CloudEvent]
    ) -> Stored:
        current = self._docs.get(aggregate_id)
        if current is None:
            raise NotFound(aggregate_id)
        if current.version != expected_version:
            raise VersionConflict(aggregate_id, expected_version, current.version)
        return self._write(Stored(aggregate_id, expected_version + 1, state, current.processed), events)

    async def apply_event(self, aggregate_id: str, event_id: str, mutation: Mutation) -> bool:
        current = await self.get(aggregate_id)
        if current is not None and event_id in current.processed:
            return False
        change = mutation(current)
        if change is None and current is None:
            return True
        state, events = change if change is not None else (current.state, ())  # type: ignore[union-attr]
        version = 1 if current is None else current.version + 1
        processed = (current.processed if current else ()) + (event_id,)
        self._write(Stored(aggregate_id, version, state, processed), events)
        return True

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        found = sorted((s for s in self._docs.values() if _matches(s, query)), key=lambda s: s.id)
        if sort:
            field = sort.lstrip("-")
            found.sort(
                key=lambda s: (_lookup(s.state, field) is None, _lookup(s.state, field)), reverse=sort.startswith("-")
            )
        return [copy.deepcopy(s) for s in found[skip : skip + limit]]

    async def count(self, query: Query) -> int:
        return sum(1 for s in self._docs.values() if _matches(s, query))

    # ------------------------------------------------------------ the relay's side (OutboxStore)

    def _pending(self, aggregate_id: str) -> Pending | None:
        outbox = self.outboxes.get(aggregate_id)
        if not outbox:
            return None
        return Pending(aggregate_id, self._docs[aggregate_id].version, tuple(e.to_document() for e in outbox))

    async def pending(self, *, after: str, limit: int) -> list[Pending]:
        ids = sorted(i for i, outbox in self.outboxes.items() if outbox and i > after)[:limit]
        return [p for i in ids if (p := self._pending(i)) is not None]

    async def read_outboxes(self, aggregate_ids: Sequence[str]) -> list[Pending]:
        return [p for i in aggregate_ids if (p := self._pending(i)) is not None]

    async def mark_published(self, *entries: Pending) -> None:
        for entry in entries:
            published = {event["id"] for event in entry.events}
            outbox = self.outboxes.get(entry.aggregate_id, [])
            outbox[:] = [e for e in outbox if e.id not in published]
