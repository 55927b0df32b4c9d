"""A typed repository over the aggregate store.

`load` gives the aggregate and the version it was read at; `save` writes the new state and the events it causes in
one compare-and-set on that version. Each event's envelope follows from the event registry: its source and topic
from the type, its partition key from the data field the type names (`key=` in `@event_type`), its subject from
the collection and the aggregate id, and its correlation and causation from the command's context.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from tdkt_shared.contract import CloudEvent, EventData, make_event
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.context import CommandContext
from tdkt_shared.store import AggregateStore, NotFound, Stored, VersionConflict
from tdkt_shared.store.aggregates import Query
from tdkt_shared.store.cached import CachedStore

A = TypeVar("A", bound=BaseModel)
T = TypeVar("T")

Events = EventData | Sequence[EventData]
"""What a domain function returns beside the new aggregate: one event's data, or several (or none)."""

Change = Callable[[A], tuple[A, Events]]
"""A pure domain step: the aggregate as loaded -> the new aggregate and its events."""


def as_list(events: Events) -> list[EventData]:
    return [events] if isinstance(events, EventData) else list(events)


@dataclass(frozen=True)
class Loaded(Generic[A]):
    """An aggregate as read, with the version a save must match."""

    id: str
    aggregate: A
    version: int

    def expect(self, version: int) -> None:
        """VersionConflict unless this is the version the client read (after a policy check that must come first)."""
        if self.version != version:
            raise VersionConflict(self.id, version, self.version)


class Repository(Generic[A]):
    """The aggregates of one collection, as `model` instances. Events name their aggregate `<subject>/<id>`; the
    subject is the collection's name unless given (the API's name of the resource, e.g. `role-assignments`)."""

    def __init__(self, store: AggregateStore, model: type[A], *, subject: str | None = None) -> None:
        self.store = store
        self.model = model
        self.subject = subject or store.collection

    @property
    def collection(self) -> str:
        return self.store.collection

    def _loaded(self, stored: Stored) -> Loaded[A]:
        return Loaded(stored.id, self.model.model_validate(stored.state), stored.version)

    async def _read(self, key: str, read: Callable[[], Awaitable[T]]) -> T:
        """A cached store's reads come out validated once, shared while the cache keeps them (models are frozen)."""
        if isinstance(self.store, CachedStore):
            return await self.store.shared(f"{self.model.__module__}.{self.model.__qualname__} {key}", read)
        return await read()

    async def _get(self, aggregate_id: str) -> Loaded[A] | None:
        stored = await self.store.get(aggregate_id)
        return None if stored is None else self._loaded(stored)

    async def get(self, aggregate_id: str) -> Loaded[A] | None:
        return await self._read(f"get {aggregate_id}", lambda: self._get(aggregate_id))

    async def load(self, aggregate_id: str, version: int | None = None) -> Loaded[A]:
        """The aggregate (NotFound if absent); with `version`, VersionConflict unless it is still at that version,
        so a stale command is refused before the policy or the domain runs."""
        loaded = await self.get(aggregate_id)
        if loaded is None:
            raise NotFound(aggregate_id)
        if version is not None:
            loaded.expect(version)
        return loaded

    async def exists(self, aggregate_id: str) -> bool:
        return await self.store.get(aggregate_id) is not None

    async def _find(self, query: Query, skip: int, limit: int, sort: str | None) -> tuple[Loaded[A], ...]:
        return tuple(self._loaded(s) for s in await self.store.find(query, skip=skip, limit=limit, sort=sort))

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Loaded[A]]:
        key = "find " + json.dumps([query, skip, limit, sort], sort_keys=True, default=str)
        return list(await self._read(key, lambda: self._find(query, skip, limit, sort)))

    async def find_all(self, query: Query, *, batch: int = 200) -> list[Loaded[A]]:
        """Every match, read in batches (for bounded sets: a cluster's scorecards, a person's grants)."""
        found: list[Loaded[A]] = []
        while page := await self.find(query, skip=len(found), limit=batch):
            found.extend(page)
            if len(page) < batch:
                break
        return found

    async def count(self, query: Query) -> int:
        return await self.store.count(query)

    async def page(
        self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None
    ) -> tuple[list[Loaded[A]], int]:
        """One page of matches and how many match in all; the count costs a second query only when the page is
        full or empty past the start (a short page ends the set, so it tells the total itself)."""
        found = await self.find(query, skip=skip, limit=limit, sort=sort)
        if len(found) < limit and (found or skip == 0):
            return found, skip + len(found)
        return found, await self.count(query)

    def envelope(
        self, data: EventData, aggregate_id: str, ctx: CommandContext, *, event_id: str | None = None
    ) -> CloudEvent:
        """`data` in its envelope, keyed by the field its type names (the aggregate id when that field is absent)."""
        key = getattr(data, data.key_description, None)
        return make_event(
            data,
            partitionkey=key if isinstance(key, str) and key else aggregate_id,
            subject=f"{self.subject}/{aggregate_id}",
            correlationid=ctx.correlation_id,
            causationid=ctx.causation_id,
            event_id=event_id,
        )

    def envelopes(self, events: Events, aggregate_id: str, ctx: CommandContext) -> list[CloudEvent]:
        return [self.envelope(d, aggregate_id, ctx) for d in as_list(events)]

    @staticmethod
    def state(aggregate: BaseModel) -> dict[str, Any]:
        return aggregate.model_dump(mode="json")

    async def add(
        self, aggregate: A, events: Events, ctx: CommandContext, *, aggregate_id: str | None = None
    ) -> Loaded[A]:
        """Create the aggregate at version 1 with its events (AlreadyExists if the id is taken). The id is the
        aggregate's `id` unless given."""
        key = aggregate_id or str(getattr(aggregate, "id"))  # noqa: B009 (models without `id` pass aggregate_id)
        stored = await self.store.create(key, self.state(aggregate), self.envelopes(events, key, ctx))
        return Loaded(key, aggregate, stored.version)

    async def save(self, loaded: Loaded[A], aggregate: A, events: Events, ctx: CommandContext) -> Loaded[A]:
        """Write the new state and its events if the aggregate is still at the version it was loaded at."""
        stored = await self.store.update(
            loaded.id, loaded.version, self.state(aggregate), self.envelopes(events, loaded.id, ctx)
        )
        return Loaded(loaded.id, aggregate, stored.version)

    async def save_with(self, loaded: Loaded[A], aggregate: A, envelopes: Sequence[CloudEvent]) -> Loaded[A]:
        """`save` with envelopes built by the caller (events with ids of their own, such as reminders)."""
        stored = await self.store.update(loaded.id, loaded.version, self.state(aggregate), envelopes)
        return Loaded(loaded.id, aggregate, stored.version)

    async def change_known(
        self,
        aggregate_id: str,
        version: int,
        step: Change[A],
        ctx: CommandContext,
        admit: Callable[[A], Awaitable[None]] | None = None,
    ) -> Loaded[A] | None:
        """The command without a read, when the store knows the aggregate at `version` (it wrote or read it last):
        `admit` (the policy), the pure step, and a compare-and-set on `version`, which writes only if the stored
        aggregate is still the one checked. None, with nothing written, when the store does not know it, when
        `admit` or the step refuse, or when the aggregate moved on: the caller then reads and decides on the
        stored aggregate, so every answer (404, 403, 409, 422) is the one the reading path gives."""
        stored = self.store.known(aggregate_id, version)
        if stored is None:
            return None
        known = self._loaded(stored)
        try:
            if admit is not None:
                await admit(known.aggregate)
            aggregate, events = step(known.aggregate)
        except DomainError:
            return None
        try:
            return await self.save(known, aggregate, events, ctx)
        except (VersionConflict, NotFound):
            return None

    async def change(self, aggregate_id: str, version: int, step: Change[A], ctx: CommandContext) -> Loaded[A]:
        """The common command: load at the version the client read, apply one pure step, save (without the load
        when the store knows the aggregate at that version: `change_known`)."""
        if (changed := await self.change_known(aggregate_id, version, step, ctx)) is not None:
            return changed
        loaded = await self.load(aggregate_id, version)
        aggregate, events = step(loaded.aggregate)
        return await self.save(loaded, aggregate, events, ctx)

    async def change_latest(
        self, aggregate_id: str, step: Callable[[A], tuple[A, Events] | None], ctx: CommandContext
    ) -> A:
        """A command that carries no version (a worker's, a recipient's own setting) applies to the latest: load,
        step, save, and after a concurrent write again on what it wrote. `step` returns None to write nothing."""
        while True:
            loaded = await self.load(aggregate_id)
            outcome = step(loaded.aggregate)
            if outcome is None:
                return loaded.aggregate
            aggregate, events = outcome
            try:
                await self.save(loaded, aggregate, events, ctx)
            except VersionConflict:
                continue
            return aggregate

    async def apply_once(
        self,
        aggregate_id: str,
        event: CloudEvent,
        change: Callable[[A | None], tuple[A, Events] | None],
        ctx: CommandContext | None = None,
    ) -> bool:
        """Apply a consumed event to one aggregate once, whatever the number of deliveries: False when this
        aggregate already applied it. `change` gets the aggregate (None if absent) and returns None to change
        nothing. Events it causes carry the consumed event as their cause."""
        context = ctx or CommandContext.caused_by(event)

        def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]] | None:
            before = None if current is None else self.model.model_validate(current.state)
            outcome = change(before)
            if outcome is None:
                return None
            aggregate, events = outcome
            return self.state(aggregate), self.envelopes(events, aggregate_id, context)

        return await self.store.apply_event(aggregate_id, event.id, mutate)
