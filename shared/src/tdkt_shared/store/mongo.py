"""The MongoDB adapter of the aggregate store (PyMongo's AsyncMongoClient; MongoDB 7+, or FerretDB 1.24 on
PostgreSQL with the project's patches, which make a filter-guarded update atomic).

One aggregate is one document in `collection`:

    {_id, version, state, processed: [event ids], outbox: [events], pending: true (while the outbox is not empty)}

- A command reads the document once and writes it once, with `{_id, version}` as the filter: the compare-and-set.
  The same update sets the state, bumps the version and appends the events to `outbox`.
- A consumed event does the same and appends its id to `processed`, and the filter also requires that id to be
  absent, so an event is applied once however often it is delivered.
- A store may remember, per aggregate, the state at the version this process last wrote or read (`remember`, a
  bounded LRU): a command at that version then skips its read, and its compare-and-set on the version still
  guarantees that it changes exactly the state it checked.
- The relay finds pending outboxes through its in-process hints and the indexed query `{pending: true}`, and removes
  what it published with a conditional update (see `tdkt_shared.bus.relay`).
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from typing import Any

from cachetools import LRUCache
from pymongo import ASCENDING, AsyncMongoClient, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure

from tdkt_shared.aio import concurrently
from tdkt_shared.contract import CloudEvent
from tdkt_shared.observability.metrics import STORE_TIMER
from tdkt_shared.store import profiling
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
from tdkt_shared.store.gathered import GatheredInserts

Document = dict[str, Any]
MAX_APPLY_ATTEMPTS = 50
READ_CONCURRENCY = 4
"""Outboxes the relay reads back at once."""
PENDING_INDEX = IndexModel([("pending", ASCENDING)], name="outbox_pending", partialFilterExpression={"pending": True})
WITHOUT_OUTBOX = {"outbox": 0}
OUTBOX_ONLY = {"outbox": 1, "version": 1}


UNAVAILABLE_CODES = frozenset({6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436})
"""MongoDB's codes for a server that is unreachable, shutting down or not primary (its retryable errors)."""
UNAVAILABLE_BACKEND = ("failed to connect to", "SQLSTATE 57P0", "SQLSTATE 08", "connection refused")
"""FerretDB's words when its PostgreSQL is down, restarting or dropped the connection (code 1, InternalError)."""


def is_unavailable(exc: BaseException) -> bool:
    """The store cannot serve anything right now (down, restarting, unselectable): not the request's or the event's
    fault, and nothing was written, so the same operation can be tried again once it is back."""
    if isinstance(exc, ConnectionFailure):  # AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError
        return True
    if isinstance(exc, OperationFailure):
        return exc.code in UNAVAILABLE_CODES or any(words in str(exc) for words in UNAVAILABLE_BACKEND)
    return False


def connect(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        event_listeners=[STORE_TIMER, *profiling.listeners()],
    )


async def ensure_indexes(collection: AsyncCollection[Document], models: Sequence[IndexModel]) -> list[str]:
    """Create the indexes that do not exist yet, one per command; returns the names created.

    FerretDB 1.24 panics (and drops the connection) on a `createIndexes` naming two or more indexes that already
    exist, so a restarting service must neither batch them nor re-create them.
    """
    existing = set(await collection.index_information())
    created = []
    for model in models:
        name = model.document["name"]
        if name not in existing:
            await collection.create_indexes([model])
            created.append(name)
    return created


def state_query(query: Query) -> Document:
    return {key if key == "_id" else f"state.{key}": value for key, value in query.items()}


def _stored(doc: Document) -> Stored:
    return Stored(id=doc["_id"], version=doc["version"], state=doc["state"], processed=tuple(doc.get("processed", ())))


def _pending(doc: Document) -> Pending:
    return Pending(doc["_id"], doc["version"], tuple(doc.get("outbox") or ()))


def _write(version: int, state: dict[str, Any], events: list[Document], event_id: str | None = None) -> Document:
    """The update of a compare-and-set write that leaves the aggregate at `version`."""
    update: Document = {"$set": {"version": version, "state": state}}
    pushes: Document = {}
    if events:
        update["$set"]["pending"] = True
        pushes["outbox"] = {"$each": events}
    if event_id is not None:
        pushes["processed"] = event_id
    if pushes:
        update["$push"] = pushes
    return update


CLEARED = {"$set": {"outbox": []}, "$unset": {"pending": ""}}
"""An outbox emptied: the update of a relay's clear."""


def _ids(entry: Pending) -> list[str]:
    return [event["id"] for event in entry.events]


class MongoAggregateStore:
    """Aggregates of one kind, one document each, in `collection`."""

    def __init__(
        self,
        database: AsyncDatabase[Document],
        collection: str,
        listener: OutboxListener | None = None,
        *,
        remember: int = 0,
    ) -> None:
        self.collection = collection
        self.database = database
        self._docs: AsyncCollection[Document] = database[collection]
        self._listener = listener
        self._inserts = GatheredInserts(self._docs)
        # id -> (version, pickled state): what this process last wrote or read of each aggregate, up to `remember`
        self._known: LRUCache[str, tuple[int, bytes]] | None = LRUCache(remember) if remember > 0 else None

    def listen(self, listener: OutboxListener) -> None:
        self._listener = listener

    def _remember(self, aggregate_id: str, version: int, state: dict[str, Any]) -> None:
        if self._known is not None:
            self._known[aggregate_id] = (version, pickle.dumps(state, pickle.HIGHEST_PROTOCOL))

    def _forget(self, aggregate_id: str) -> None:
        if self._known is not None:
            self._known.pop(aggregate_id, None)

    def known(self, aggregate_id: str, version: int) -> Stored | None:
        entry = None if self._known is None else self._known.get(aggregate_id)
        if entry is None or entry[0] != version:
            return None
        return Stored(aggregate_id, version, pickle.loads(entry[1]))

    async def create_indexes(self) -> None:
        """The relay's query `{pending: true}`: a partial index, which holds only the aggregates with unpublished
        events (a handful among many)."""
        await ensure_indexes(self._docs, [PENDING_INDEX])

    def _hint(self, aggregate_id: str, version: int, events: list[Document], older_pending: bool) -> None:
        if events and self._listener is not None:
            entry = None if older_pending else Pending(aggregate_id, version, tuple(events))
            self._listener(self.collection, aggregate_id, entry)

    async def _conflict(self, aggregate_id: str, expected_version: int) -> VersionConflict | NotFound:
        current = await self._docs.find_one({"_id": aggregate_id}, {"version": 1})
        if current is None:
            return NotFound(aggregate_id)
        return VersionConflict(aggregate_id, expected_version, current["version"])

    async def get(self, aggregate_id: str) -> Stored | None:
        doc = await self._docs.find_one({"_id": aggregate_id}, WITHOUT_OUTBOX)
        if doc is None:
            self._forget(aggregate_id)
            return None
        self._remember(aggregate_id, doc["version"], doc["state"])
        return _stored(doc)

    async def create(self, aggregate_id: str, state: dict[str, Any], events: Sequence[CloudEvent]) -> Stored:
        outbox = [e.to_document() for e in events]
        doc: Document = {"_id": aggregate_id, "version": 1, "state": state, "processed": [], "outbox": outbox}
        if outbox:
            doc["pending"] = True
        try:
            await self._inserts.insert(doc)
        except DuplicateKeyError as exc:
            raise AlreadyExists(aggregate_id) from exc
        self._remember(aggregate_id, 1, state)
        self._hint(aggregate_id, 1, outbox, older_pending=False)
        return Stored(aggregate_id, 1, state)

    async def update(
        self, aggregate_id: str, expected_version: int, state: dict[str, Any], events: Sequence[CloudEvent]
    ) -> Stored:
        outbox = [e.to_document() for e in events]
        version = expected_version + 1
        # no projection: FerretDB 1.24 does not implement one on findAndModify
        before = await self._docs.find_one_and_update(
            {"_id": aggregate_id, "version": expected_version},
            _write(version, state, outbox),
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            self._forget(aggregate_id)
            raise await self._conflict(aggregate_id, expected_version)
        self._remember(aggregate_id, version, state)
        self._hint(aggregate_id, version, outbox, older_pending=bool(before.get("pending")))
        return Stored(aggregate_id, version, state, tuple(before.get("processed", ())))

    async def apply_event(self, aggregate_id: str, event_id: str, mutation: Mutation) -> bool:
        self._forget(aggregate_id)
        for _ in range(MAX_APPLY_ATTEMPTS):
            doc = await self._docs.find_one({"_id": aggregate_id}, WITHOUT_OUTBOX)
            current = None if doc is None else _stored(doc)
            if current is not None and event_id in current.processed:
                return False
            change = mutation(current)
            if change is None and current is None:
                return True
            state, events = change if change is not None else (current.state, ())  # type: ignore[union-attr]
            outbox = [e.to_document() for e in events]
            if current is None:
                new: Document = {"_id": aggregate_id, "version": 1, "state": state, "processed": [event_id]}
                new["outbox"] = outbox
                if outbox:
                    new["pending"] = True
                try:
                    await self._docs.insert_one(new)
                except DuplicateKeyError:
                    continue  # another writer created it: read again and decide again
                self._hint(aggregate_id, 1, outbox, older_pending=False)
                return True
            version = current.version + 1
            written = await self._docs.update_one(
                {"_id": aggregate_id, "version": current.version, "processed": {"$ne": event_id}},
                _write(version, state, outbox, event_id),
            )
            if written.matched_count == 1:
                # a relay may have cleared `pending` since the read: a stale True only costs it a read back
                self._hint(aggregate_id, version, outbox, older_pending=bool(doc and doc.get("pending")))
                return True
        raise VersionConflict(aggregate_id, -1, None)

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        # One batch of `limit` documents: the server closes the cursor at once, so a caller cancelled mid-read
        # never leaves a server-side cursor behind.
        projection = {"outbox": 0, "processed": 0}
        cursor = self._docs.find(state_query(query), projection).skip(skip).limit(limit).batch_size(limit)
        if sort:
            field = sort.lstrip("-")
            cursor = cursor.sort([(f"state.{field}", -1 if sort.startswith("-") else 1), ("_id", 1)])
        else:
            cursor = cursor.sort("_id", 1)
        return [_stored(doc) for doc in await cursor.to_list(None)]

    async def count(self, query: Query) -> int:
        return await self._docs.count_documents(state_query(query))

    # ------------------------------------------------------------ the relay's side (OutboxStore)

    async def pending(self, *, after: str, limit: int) -> list[Pending]:
        cursor = (
            self._docs.find({"pending": True, "_id": {"$gt": after}}, OUTBOX_ONLY)
            .sort("_id", 1)
            .limit(limit)
            .batch_size(limit)
        )
        return [_pending(doc) for doc in await cursor.to_list(None)]

    async def read_outboxes(self, aggregate_ids: Sequence[str]) -> list[Pending]:
        async def read(aggregate_id: str) -> Document | None:
            return await self._docs.find_one({"_id": aggregate_id, "pending": True}, OUTBOX_ONLY)

        # point reads by `_id`, a few at a time: FerretDB serves `_id` equality from its index, not an `$in`
        docs = await concurrently(aggregate_ids, read, READ_CONCURRENCY)
        return [_pending(doc) for doc in docs if doc is not None]

    async def mark_published(self, *entries: Pending) -> None:
        if not entries:
            return
        # Usually nothing was written since: empty each outbox as of the version read, all in one bulk write.
        emptied = await self._docs.bulk_write(
            [
                UpdateOne(
                    {"_id": e.aggregate_id, "version": e.version}, {"$set": {"outbox": []}, "$unset": {"pending": ""}}
                )
                for e in entries
            ],
            ordered=False,
        )
        if emptied.matched_count == len(entries):
            return
        # Later writes appended events of their own: remove only those published, and stop being pending only where
        # nothing else is left (both harmless where the first update matched).
        await self._docs.bulk_write(
            [
                UpdateOne(
                    {"_id": e.aggregate_id}, {"$pull": {"outbox": {"id": {"$in": [ev["id"] for ev in e.events]}}}}
                )
                for e in entries
            ],
            ordered=False,
        )
        await self._docs.bulk_write(
            [
                UpdateOne({"_id": e.aggregate_id, "pending": True, "outbox": {"$size": 0}}, {"$unset": {"pending": ""}})
                for e in entries
            ],
            ordered=False,
        )

    async def outbox(self, aggregate_id: str) -> list[Document]:
        """The events still waiting in one aggregate's outbox (for tests and tools)."""
        doc = await self._docs.find_one({"_id": aggregate_id}, {"outbox": 1})
        return list(doc.get("outbox") or ()) if doc else []
