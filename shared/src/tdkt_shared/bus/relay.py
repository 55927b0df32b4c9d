"""The outbox relay: the only code that produces domain events to Kafka.

It publishes the events waiting in aggregates' outboxes and removes them from the outbox only after the broker
acknowledged them. A crash between the write and the publish delays an event; a crash after the publish and before
the removal publishes it again, which idempotent consumers absorb. Events of one aggregate keep their order: an
aggregate's whole outbox goes out in one batch, in the order it was written.

It asks its stores (`OutboxStore`) for two things, cheapest first:

- Hints: writers in the same process tell the relay what they appended, so most events go out at once, in batches,
  without reading anything back. A hint without events (the outbox held older entries) is read back.
- The pending query: at start, then every `poll_interval_s` (less and less often while it finds nothing, up to
  `SWEEP_BACKOFF_LIMIT` times) the relay asks each store for aggregates still pending. That finds what processes
  without a relay wrote (an API-only process, a script) and what a crash left between a write and its hint.

The query leaves alone aggregates hinted or in flight (being published, or published with their outbox not cleared
yet), and the running relay publishes an aggregate only when two queries in a row found it pending: a write of
this process is in the database a moment before its hint reaches the relay, and a query in that moment would
publish its events a second time (a service's first requests race its first query, at start).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from tdkt_shared.aio import concurrently
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent
from tdkt_shared.observability.metrics import RELAY_BACKLOG, RELAY_LATENCY, RELAY_PUBLISHED
from tdkt_shared.store.aggregates import OutboxStore, Pending

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, events: Sequence[CloudEvent]) -> None:
        """Return only when the broker has acknowledged every event."""
        ...


class KafkaPublisher:
    def __init__(self, producer: Any) -> None:
        self._producer = producer

    async def publish(self, events: Sequence[CloudEvent]) -> None:
        pending = []
        for event in events:
            record = encode(event)
            pending.append(
                await self._producer.send(record.topic, record.value, key=record.key, headers=record.headers)
            )
        await asyncio.gather(*pending)


CLEARING_CONCURRENCY = 4
"""Bulk clears at once after a publish, in the background while the next batch goes out."""
CLEARING_BATCH = 50
"""Outboxes cleared by one bulk write: one database command for a batch instead of one per aggregate."""
CLEARING_DELAY_S = 0.1
"""How long published outboxes wait to be cleared together. At a hundred reports a second a publish carries one or
two aggregates, and each clear is a database command (about 1 ms of database CPU); the clears of the publishes of
100 ms go out as one bulk write (20 ms until 6 Dec 2026: 0.35 clears a report at full speed). Events are published
before: only a later event of the same aggregate waits, at most this long."""
MAX_HINTS_WITH_EVENTS = 5000
"""Hints held with their events (about 1.6 KB of RSS each); past this backlog (writers outrunning the relay) a hint
keeps only the aggregate's id and the relay reads the outbox back when it gets there, so memory stays bounded."""
MAX_UNCLEARED = 5000
"""Published outboxes that may wait to be cleared before publishing waits for them."""
SWEEP_BACKOFF_LIMIT = 50
"""An idle relay runs the pending query at most this many times less often than configured (every 10 s at the
default 200 ms): each one is a command per collection (16% of an idle reporting's py-spy samples at 2 s). What
this process writes goes out by hint at once; the query is for what a crashed or another process left."""
SWEEP_PAGE = 1000
"""Pending aggregates the query reads at a time."""


def next_sweep_interval(current: float, found: int, base: float) -> float:
    """Back off while the pending query finds nothing (what this process writes goes out by hint anyway); back to
    `base` as soon as it finds something (another process is writing)."""
    if found:
        return base
    return min(current * 2, base * SWEEP_BACKOFF_LIMIT)


def merge(older: Pending | None, newer: Pending | None) -> Pending | None:
    """Two hints of one aggregate: both sets of events in order, or None (read back) if either lacks them."""
    if older is None or newer is None:
        return None
    return Pending(newer.aggregate_id, max(older.version, newer.version), older.events + newer.events)


class OutboxRelay:
    def __init__(
        self,
        stores: Sequence[OutboxStore],
        publisher: Publisher,
        *,
        poll_interval_s: float = 0.5,
        batch_size: int = 200,
        sweep_page: int = SWEEP_PAGE,
        after_publish: Callable[[list[str]], None] | None = None,
        name: str = "relay",
        clearing_delay_s: float = CLEARING_DELAY_S,
    ) -> None:
        self._stores = {store.collection: store for store in stores}
        self._clearing_delay = clearing_delay_s
        self._to_clear: dict[str, list[Pending]] = {c: [] for c in self._stores}
        """collection -> published outboxes waiting for the next bulk clear"""
        self._clearers: dict[str, asyncio.Task[None]] = {}
        self._publisher = publisher
        self._poll_interval = poll_interval_s
        self._batch_size = batch_size
        self._sweep_page = sweep_page
        self._after_publish = after_publish
        self._hinted: dict[str, dict[str, Pending | None]] = {c: {} for c in self._stores}
        """collection -> aggregate id -> its pending events as hinted (None: read them back), oldest hint first"""
        self._with_events = 0
        self._in_flight: dict[str, set[str]] = {c: set() for c in self._stores}
        """collection -> aggregates being published, or published with their outbox not cleared yet"""
        self._clearing: set[asyncio.Task[None]] = set()
        self._sighted: dict[str, set[str]] = {c: set() for c in self._stores}
        """collection -> aggregates the last query found pending and left for the next one to confirm"""
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        self._published_metric = RELAY_PUBLISHED.labels(name)
        self._latency = RELAY_LATENCY.labels(name)
        RELAY_BACKLOG.labels(name).set_function(self.backlog)

    def hint(self, collection: str, aggregate_id: str, entry: Pending | None) -> bool:
        """Writers' `OutboxListener`: `aggregate_id` in `collection` now has `entry` pending (None: read it back).
        True: this relay takes it over."""
        hinted = self._hinted.get(collection)
        if hinted is None:
            return False
        if entry is not None and self._with_events >= MAX_HINTS_WITH_EVENTS:
            entry = None
        if aggregate_id in hinted:
            older = hinted[aggregate_id]
            entry = merge(older, entry)
            self._with_events -= older is not None
        hinted[aggregate_id] = entry
        self._with_events += entry is not None
        self._wake.set()
        return True

    def hinted(self) -> int:
        return sum(map(len, self._hinted.values()))

    def backlog(self) -> int:
        """Aggregates known to have events waiting: hinted, or published and not cleared yet."""
        return self.hinted() + sum(map(len, self._in_flight.values()))

    async def _publish(self, collection: str, entries: Sequence[Pending]) -> int:
        """Publish the events of `entries` (in the order given) as one batch, then clear their outboxes.

        One broker round trip per batch instead of one per aggregate. The producer keeps one aggregate's events in
        order (one key, one partition, idempotent retries), and nothing is cleared unless the whole batch was
        acknowledged: a failure republishes the batch, which consumers absorb.
        """
        entries = [entry for entry in entries if entry.events]
        if not entries:
            return 0
        events = [CloudEvent.model_validate(e) for entry in entries for e in entry.events]
        await self._publisher.publish(events)
        acknowledged = datetime.now(UTC)
        for event in events:
            self._latency.observe(max(0.0, (acknowledged - event.time).total_seconds()))
        self._published_metric.inc(len(events))
        if self._after_publish is not None:
            self._after_publish([e.id for e in events])
        in_flight = self._in_flight[collection]
        in_flight.update(entry.aggregate_id for entry in entries)
        self._to_clear[collection].extend(entries)
        if collection not in self._clearers:
            task = asyncio.create_task(self._clear_soon(collection), name="outbox-relay-clear")
            self._clearers[collection] = task
            self._clearing.add(task)
            task.add_done_callback(self._clearing.discard)
        while sum(map(len, self._in_flight.values())) > MAX_UNCLEARED and self._clearing:
            await asyncio.wait(self._clearing, return_when=asyncio.FIRST_COMPLETED)
        self.published += len(events)
        return len(events)

    def _take_to_clear(self, collection: str) -> list[Pending]:
        self._clearers.pop(collection, None)
        entries, self._to_clear[collection] = self._to_clear[collection], []
        return entries

    async def _clear_soon(self, collection: str) -> None:
        """Clear what the publishes of the next `clearing_delay_s` add too, in as few bulk writes as that takes."""
        try:
            await asyncio.sleep(self._clearing_delay)
        except asyncio.CancelledError:
            self._in_flight[collection].difference_update(e.aggregate_id for e in self._take_to_clear(collection))
            raise
        await self._clear(collection, self._take_to_clear(collection))

    async def _clear(self, collection: str, entries: list[Pending]) -> None:
        """Remove published events from their outboxes, a bulk write per `CLEARING_BATCH` aggregates. Those that
        cannot be cleared stay pending: the next query publishes them again, which consumers absorb."""
        store, in_flight = self._stores[collection], self._in_flight[collection]
        batches = [entries[i : i + CLEARING_BATCH] for i in range(0, len(entries), CLEARING_BATCH)]

        async def clear(batch: list[Pending]) -> None:
            try:
                await store.mark_published(*batch)
            except Exception as exc:
                log.warning("could not clear %d outboxes (%s); they are published again", len(batch), exc)
            finally:
                in_flight.difference_update(entry.aggregate_id for entry in batch)

        try:
            await concurrently(batches, clear, CLEARING_CONCURRENCY)
        finally:
            in_flight.difference_update(entry.aggregate_id for entry in entries)  # cancelled: left to the query
            self._wake.set()

    async def flush(self) -> None:
        """Wait until every published outbox is cleared."""
        while self._clearing:
            await asyncio.gather(*self._clearing, return_exceptions=True)

    async def drain_hinted(self) -> int:
        """Publish up to a batch of hinted aggregates per collection, and wait for their outboxes to be cleared."""
        count = await self._drain_hinted()
        await self.flush()
        return count

    async def _drain_hinted(self) -> int:
        count = 0
        for collection, hinted in self._hinted.items():
            in_flight = self._in_flight[collection]
            # oldest first: a backlog stays fair; an aggregate still being cleared waits for the next round
            batch = list(itertools.islice((i for i in hinted if i not in in_flight), self._batch_size))
            if not batch:
                continue
            taken = {i: hinted.pop(i) for i in batch}
            self._with_events -= sum(entry is not None for entry in taken.values())
            in_flight.update(taken)  # a concurrent query must not publish them too
            try:
                missing = [i for i, entry in taken.items() if entry is None]
                read = {p.aggregate_id: p for p in await self._stores[collection].read_outboxes(missing)}
                entries = [entry or read[i] for i, entry in taken.items() if entry is not None or i in read]
                count += await self._publish(collection, entries)
                published = {entry.aggregate_id for entry in entries if entry.events}
            except BaseException:
                in_flight.difference_update(taken)
                waiting = dict(hinted)  # not published: first in line again
                hinted.clear()
                hinted.update(taken)
                hinted.update(waiting)
                self._with_events += sum(entry is not None for entry in taken.values())
                raise
            in_flight.difference_update(i for i in taken if i not in published)  # nothing was pending
        return count

    async def sweep(self, *, confirmed: bool = False) -> int:
        """Publish every pending outbox that no hint covers, in every store. `confirmed`: only those the previous
        confirmed sweep found pending too; the others wait for the next. Returns how many events went out, plus how
        many aggregates wait to be confirmed (so that the caller polls again soon)."""
        total = 0
        for collection, store in self._stores.items():
            after = ""
            sighted, self._sighted[collection] = self._sighted[collection], set()
            while True:
                found = await store.pending(after=after, limit=self._sweep_page)
                if not found:
                    break
                hinted, in_flight = self._hinted[collection], self._in_flight[collection]
                unseen = [p for p in found if p.aggregate_id not in hinted and p.aggregate_id not in in_flight]
                if confirmed:
                    self._sighted[collection].update(p.aggregate_id for p in unseen if p.aggregate_id not in sighted)
                    unseen = [p for p in unseen if p.aggregate_id in sighted]
                total += await self._publish(collection, unseen)
                if len(found) < self._sweep_page:
                    break
                after = found[-1].aggregate_id
        await self.flush()
        return total + sum(map(len, self._sighted.values()))

    async def run(self) -> None:
        interval = self._poll_interval
        loop = asyncio.get_running_loop()
        last_sweep = -interval
        while not self._stopping:
            try:
                while await self._drain_hinted():
                    pass
                if loop.time() - last_sweep >= interval:
                    found = await self.sweep(confirmed=True)
                    last_sweep = loop.time()
                    interval = next_sweep_interval(interval, found, self._poll_interval)
                self._wake.clear()
                if not any(self._hinted.values()) and not self._stopping:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("relay round failed; retrying")
                await asyncio.sleep(1)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self, *, drain_within_s: float = 5.0) -> None:
        """Stop after publishing what this process wrote (bounded: anything left goes out on the next start).

        The loop ends its round first: cancelled in the middle of a publish, it would put back events the broker may
        already have, and the last drain would publish them again."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + drain_within_s
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            done, _ = await asyncio.wait([self._task], timeout=drain_within_s)
            if not done:
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            async with asyncio.timeout(max(0.0, deadline - loop.time())):
                while await self.drain_hinted():
                    pass
                await self.flush()
        except Exception:
            log.warning("relay stopped with events still pending; they are published on the next start")
