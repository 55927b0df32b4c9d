"""The outbox relay: the only code that produces domain events to Kafka.

It publishes the events of pending version documents and clears their `pending` flag only after the broker
acknowledged them. A crash between the write and the publish delays an event; a crash after the publish and
before the flag is cleared publishes it again, which idempotent consumers absorb. Events of one aggregate keep
their order.

Three ways in, cheapest first:

- Writers in the same process hint the relay with the version document's id and its events, so most events go out
  at once, in batches, without reading the document back.
- Writers without a relay (an API-only process, a script) note the document's id in the small `<versions>_outbox`
  collection; the relay reads it often (less and less often while it finds nothing, up to `SWEEP_BACKOFF_LIMIT`
  times the configured interval), publishes, then removes the notes.
- A full sweep reads every version document still `pending`: what a crash left between a write and its hint or
  note. FerretDB cannot push that filter down, so it scans whole collections (about 0.3 ms a document: 12.5 s
  for 40,000 report versions), and runs only at start and every `RELAY_FULL_SWEEP_INTERVAL_S` (30 minutes): a
  relay that restarts after a crash sweeps at once, so the timer only matters for a process that dies and is not
  restarted while another one keeps running.

Sweeps leave hinted documents, and published ones whose flag is still being cleared, alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from pymongo.asynchronous.database import AsyncDatabase

from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent
from tdkt_shared.store.mongo import outbox_collection, version_id, when_not_busy

log = logging.getLogger(__name__)
Document = dict[str, Any]
T = TypeVar("T")
R = TypeVar("R")


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
"""Flags cleared at once after a publish. On an idle FerretDB two already overlap the round trips (update_one by
`_id`, 600 documents: 247/s at 1, 337/s at 2, 317/s at 16 with p99 693 ms); under load the relay competes with the
API's requests for the same database, and at 2 it fell behind a full-speed API (see docs/benchmarks.md)."""
READ_BACK_CONCURRENCY = 4
"""Version documents read back at once, for hints without their events and for notes."""
MAX_HINTS_WITH_EVENTS = 5000
"""Hints held with their events (about 1.6 KB of RSS each); past this backlog (writers outrunning the relay) a hint
keeps only the document's id and the relay reads the events back when it gets there, so memory stays bounded
(100,000 reports at full speed left 28,000 hints behind, and reporting at 219 MB)."""
MAX_UNCLEARED = 5000
"""Published documents whose flags may wait to be cleared before publishing waits for them."""
SWEEP_BACKOFF_LIMIT = 10
"""An idle relay sweeps at most this many times less often than configured."""
SWEEP_PAGE = 1000
"""Pending documents a sweep reads at a time: on FerretDB every page is a scan of the collection, so pages are large
(a sweep after 5,000 writes of another process reads 5 pages, not 25)."""
FULL_SWEEP_INTERVAL_S = 1800.0
"""How often the relay scans every version document for pending ones a crash left without a hint or a note."""


async def concurrently(items: Sequence[T], action: Callable[[T], Awaitable[R]], limit: int) -> list[R]:
    """`action` over `items`, at most `limit` at a time (a few workers, not a task per item); the results in the
    items' order. The first failure cancels the rest and is raised."""
    results: list[Any] = [None] * len(items)
    indexes = iter(range(len(items)))

    async def worker() -> None:
        for i in indexes:
            results[i] = await action(items[i])

    workers = [asyncio.ensure_future(worker()) for _ in range(min(limit, len(items)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for w in workers:
            w.cancel()
        raise
    return results


def next_sweep_interval(current: float, found: int, base: float) -> float:
    """Back off while sweeps of the notes find nothing (what this process writes goes out by hint anyway); back to
    `base` as soon as one finds something (another process is writing)."""
    if found:
        return base
    return min(current * 2, base * SWEEP_BACKOFF_LIMIT)


def oldest_hints(hinted: dict[str, Any], size: int) -> list[str]:
    """The `size` oldest hints (a dict keeps the order they came in), each with the hinted earlier versions of its
    aggregate, in id order: `<aggregate>|<zero-padded version>` sorts one aggregate's versions as they were written.

    Oldest first keeps a backlog fair: in id order alone, new hints of low-sorting aggregates went out before old
    ones of high-sorting aggregates, which waited for the whole backlog (p99 2,886 s against p50 321 s in the
    100,000-report run)."""
    chosen = set(itertools.islice(hinted, size))
    for doc_id in list(chosen):
        aggregate, _, version = doc_id.rpartition("|")
        if not version.isdigit():
            continue
        earlier = int(version) - 1
        while earlier >= 1 and (older := version_id(aggregate, earlier)) in hinted:
            chosen.add(older)  # written before, hinted after (its writer resumed late, or its publish failed)
            earlier -= 1
    return sorted(chosen)


class OutboxRelay:
    def __init__(
        self,
        database: AsyncDatabase[dict[str, Any]],
        collections: Sequence[str],
        publisher: Publisher,
        *,
        sweep_interval_s: float = 0.5,
        batch_size: int = 200,
        sweep_page: int = SWEEP_PAGE,
        full_sweep_interval_s: float = FULL_SWEEP_INTERVAL_S,
        after_publish: Callable[[list[str]], None] | None = None,
    ) -> None:
        self._db = database
        self._collections = list(collections)
        self._publisher = publisher
        self._sweep_interval = sweep_interval_s
        self._batch_size = batch_size
        self._sweep_page = sweep_page
        self._full_sweep_interval = full_sweep_interval_s
        self._after_publish = after_publish
        self._hinted: dict[str, dict[str, Document | None]] = {c: {} for c in self._collections}
        """collection -> version document id -> the document as written (None: read it back)"""
        self._uncleared: dict[str, set[str]] = {c: set() for c in self._collections}
        """collection -> ids of hinted documents being published, or published with their flag not cleared yet
        (sweeps leave them alone)"""
        self._clearing: set[asyncio.Task[None]] = set()
        self._clear_slots = asyncio.Semaphore(CLEARING_CONCURRENCY)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0

    def hint(self, collection: str, doc_id: str, events: Sequence[Document] | None = None) -> bool:
        """`doc_id` in `collection` was written with `events` (as documents) pending; None: read them back.
        True: this relay takes them over (an `OutboxListener`)."""
        if events is not None and sum(map(len, self._hinted.values())) >= MAX_HINTS_WITH_EVENTS:
            events = None
        self._hinted.setdefault(collection, {})[doc_id] = (
            None if events is None else {"_id": doc_id, "events": list(events), "pending": True}
        )
        self._wake.set()
        return True

    async def _publish_documents(self, collection: str, docs: Sequence[dict[str, Any]]) -> int:
        """Publish the events of `docs` (in the order given) as one batch, then clear their flags.

        One broker round trip per batch instead of one per document. The producer
        keeps one aggregate's events in order (one key, one partition, idempotent retries), and nothing is cleared
        unless the whole batch was acknowledged: a failure republishes the batch, which consumers absorb.
        """
        docs = [doc for doc in docs if doc.get("pending")]
        if not docs:
            return 0
        events = [CloudEvent.model_validate(e) for doc in docs for e in doc.get("events") or []]
        await self._publisher.publish(events)
        if self._after_publish is not None:
            self._after_publish([e.id for e in events])
        # Version documents are immutable but for this flag, and only relays clear it: no lost update. The flags
        # are cleared in the background while the next batch goes out (a crash before then publishes again).
        ids = [doc["_id"] for doc in docs]
        self._uncleared.setdefault(collection, set()).update(ids)
        task = asyncio.create_task(self._clear(collection, ids), name="outbox-relay-clear")
        self._clearing.add(task)
        task.add_done_callback(self._clearing.discard)
        while sum(map(len, self._uncleared.values())) > MAX_UNCLEARED and self._clearing:
            await asyncio.wait(self._clearing, return_when=asyncio.FIRST_COMPLETED)
        self.published += len(events)
        return len(events)

    async def _clear(self, collection: str, ids: list[str]) -> None:
        """Clear the flags of published documents: one `update_one` by `_id` each, `CLEARING_CONCURRENCY` at a
        time. Not `update_many` with `$in` (FerretDB 1.24 runs it as a scan: 1.6 s for 20 flags among 20,000
        documents), and not one update command of many statements (FerretDB 1.24 holds a pooled SQLite connection
        per statement until the command ends: one of 200 statements never finished, and one such command left the
        database answering nothing, not even `ping`, until it was restarted). One that cannot be cleared is left
        for a later sweep to publish again, which consumers absorb."""
        coll = self._db[collection]
        uncleared = self._uncleared[collection]

        async def clear(doc_id: str) -> None:
            try:
                async with self._clear_slots:
                    await when_not_busy(coll.update_one, {"_id": doc_id}, {"$unset": {"pending": ""}})
            except Exception as exc:
                log.warning("could not clear the outbox flag of %s (%s); a sweep publishes it again", doc_id, exc)
            finally:
                uncleared.discard(doc_id)

        try:
            await concurrently(ids, clear, CLEARING_CONCURRENCY)
        finally:
            uncleared.difference_update(ids)  # cancelled: what was not cleared is left to a sweep

    async def _read_back(self, collection: str, ids: Sequence[str]) -> list[Document | None]:
        """The events and flags of version documents `ids` (None: gone), `READ_BACK_CONCURRENCY` reads at a time:
        one `find_one` by `_id` each, not one `$in` query (a scan on FerretDB 1.24)."""
        versions = self._db[collection]

        async def read(doc_id: str) -> Document | None:
            return await when_not_busy(versions.find_one, {"_id": doc_id}, {"events": 1, "pending": 1})

        return await concurrently(ids, read, READ_BACK_CONCURRENCY)

    async def flush(self) -> None:
        """Wait until every published document's flag is cleared."""
        while self._clearing:
            await asyncio.gather(*self._clearing, return_exceptions=True)

    async def _sweep_batch(self, collection: str, after: str) -> tuple[int, str | None]:
        """Publish the next batch of pending documents with `_id` > `after` that no hint covers: (events
        published, the last `_id` read, or None when the collection has no more)."""
        # Read the batch whole first: an open cursor would hold FerretDB's SQLite read lock against our updates.
        # A single batch, so no server-side cursor outlives this call (see MongoAggregateStore.find).
        cursor = (
            self._db[collection]
            .find({"pending": True, "_id": {"$gt": after}}, {"events": 1, "pending": 1})
            .sort("_id", 1)
            .limit(self._sweep_page)
            .batch_size(self._sweep_page)
        )
        docs = await cursor.to_list(None)
        if not docs:
            return 0, None
        hinted, uncleared = self._hinted.get(collection, {}), self._uncleared.get(collection, set())
        unseen = [d for d in docs if d["_id"] not in hinted and d["_id"] not in uncleared]
        published = await self._publish_documents(collection, unseen)
        return published, docs[-1]["_id"]

    async def drain_hinted(self) -> int:
        """Publish up to a batch of hinted documents per collection, and wait for their flags to be cleared."""
        count = await self._drain_hinted()
        await self.flush()
        return count

    async def _drain_hinted(self) -> int:
        count = 0
        for collection, hinted in self._hinted.items():
            batch = oldest_hints(hinted, self._batch_size)
            if not batch:
                continue
            docs = {i: hinted.pop(i) for i in batch}
            taken = self._uncleared.setdefault(collection, set())
            taken.update(docs)  # in flight: a concurrent sweep must not publish them too
            try:
                missing = [i for i, doc in docs.items() if doc is None]
                docs.update(zip(missing, await self._read_back(collection, missing), strict=True))
                count += await self._publish_documents(collection, [d for d in docs.values() if d is not None])
            except BaseException:
                taken.difference_update(docs)
                waiting = dict(hinted)  # not published: first in line again
                hinted.clear()
                hinted.update(docs)
                hinted.update(waiting)
                raise
            taken.difference_update(i for i, d in docs.items() if d is None or not d.get("pending"))
        return count

    async def sweep_notes(self) -> int:
        """Publish what writers without a relay noted in the outbox collections; returns how many went out."""
        total = 0
        for collection in self._collections:
            notes = self._db[outbox_collection(collection)]
            while True:
                found = await (
                    notes.find({}, {"_id": 1}).sort("_id", 1).limit(self._sweep_page).batch_size(self._sweep_page)
                ).to_list(None)
                hinted, uncleared = self._hinted.get(collection, {}), self._uncleared.get(collection, set())
                ids = [n["_id"] for n in found if n["_id"] not in hinted and n["_id"] not in uncleared]
                if not ids:
                    break
                docs = await self._read_back(collection, ids)
                total += await self._publish_documents(collection, [d for d in docs if d is not None])
                # published (or published before: no longer pending): the notes are done with
                await when_not_busy(notes.delete_many, {"_id": {"$in": ids}})
                if len(found) < self._sweep_page:
                    break
        await self.flush()
        return total

    async def sweep(self) -> int:
        """Publish every pending event no hint covers, noted or not, in every collection (a full scan on FerretDB);
        returns how many went out."""
        total = await self.sweep_notes()
        for collection in self._collections:
            after: str | None = ""
            while after is not None:
                moved, after = await self._sweep_batch(collection, after)
                total += moved
        await self.flush()
        return total

    async def run(self) -> None:
        last_full = last_notes = -self._full_sweep_interval
        interval = self._sweep_interval
        full: asyncio.Task[int] | None = None  # the full sweep runs beside the hints, which must not wait for it
        try:
            while True:
                if full is not None and full.done():
                    if not full.cancelled() and full.exception() is not None:
                        log.error("full sweep failed; retrying at the next one", exc_info=full.exception())
                    full = None
                if full is None and time.monotonic() - last_full >= self._full_sweep_interval:
                    last_full = last_notes = time.monotonic()
                    full = asyncio.create_task(self.sweep(), name="outbox-relay-full-sweep")
                notes_due = time.monotonic() - last_notes >= interval
                found = await self._round(notes_due)
                if notes_due:
                    last_notes = time.monotonic()
                    interval = next_sweep_interval(interval, found, self._sweep_interval)
        finally:
            if full is not None:
                full.cancel()

    async def _round(self, notes_due: bool) -> int:
        """Drain the hints, read the notes when due, then wait for a hint or the next interval; the events the
        notes brought."""
        while True:
            try:
                while await self._drain_hinted():
                    pass
                found = await self.sweep_notes() if notes_due else 0
                self._wake.clear()
                if not any(self._hinted.values()):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._sweep_interval)
                return found
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("relay round failed; retrying")
                await asyncio.sleep(1)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self, *, drain_within_s: float = 5.0) -> None:
        """Stop after publishing what this process wrote (bounded: anything left goes out on the next start)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            async with asyncio.timeout(drain_within_s):
                while await self.drain_hinted():
                    pass
                await self.flush()
        except Exception:
            log.warning("relay stopped with events still pending; they are published on the next start")
