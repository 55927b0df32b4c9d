"""The MongoDB adapter of the aggregate store (PyMongo's AsyncMongoClient; MongoDB 7+ or FerretDB 1.24)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store.aggregates import (
    AlreadyExists,
    Mutation,
    NotFound,
    OutboxListener,
    Query,
    Stored,
    VersionConflict,
)

Document = dict[str, Any]
MAX_APPLY_ATTEMPTS = 20


def connect(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(url, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)


def state_query(query: Query) -> Document:
    return {key if key == "_id" else f"state.{key}": value for key, value in query.items()}


def _stored(doc: Document) -> Stored:
    return Stored(id=doc["_id"], version=doc["version"], state=doc["state"], processed=tuple(doc.get("processed", ())))


class MongoAggregateStore:
    """Aggregates of one kind in one collection."""

    def __init__(
        self, database: AsyncDatabase[Document], collection: str, listener: OutboxListener | None = None
    ) -> None:
        self.collection = collection
        self._coll: AsyncCollection[Document] = database[collection]
        self._listener = listener

    def listen(self, listener: OutboxListener) -> None:
        self._listener = listener

    def _written(self, aggregate_id: str, events: Sequence[CloudEvent]) -> None:
        if events and self._listener is not None:
            self._listener(self.collection, aggregate_id)

    async def get(self, aggregate_id: str) -> Stored | None:
        doc = await self._coll.find_one({"_id": aggregate_id}, {"outbox": 0})
        return None if doc is None else _stored(doc)

    async def create(self, aggregate_id: str, state: dict[str, Any], events: Sequence[CloudEvent]) -> Stored:
        doc = {
            "_id": aggregate_id,
            "version": 1,
            "state": state,
            "outbox": [e.to_document() for e in events],
            "processed": [],
        }
        try:
            await self._coll.insert_one(doc)
        except DuplicateKeyError as exc:
            raise AlreadyExists(aggregate_id) from exc
        self._written(aggregate_id, events)
        return Stored(aggregate_id, 1, state)

    async def update(
        self, aggregate_id: str, expected_version: int, state: dict[str, Any], events: Sequence[CloudEvent]
    ) -> Stored:
        result = await self._coll.update_one(
            {"_id": aggregate_id, "version": expected_version},
            {
                "$set": {"state": state, "version": expected_version + 1},
                "$push": {"outbox": {"$each": [e.to_document() for e in events]}},
            },
        )
        if result.matched_count == 0:
            current = await self._coll.find_one({"_id": aggregate_id}, {"version": 1})
            if current is None:
                raise NotFound(aggregate_id)
            raise VersionConflict(aggregate_id, expected_version, current["version"])
        self._written(aggregate_id, events)
        return Stored(aggregate_id, expected_version + 1, state)

    async def apply_event(self, aggregate_id: str, event_id: str, mutation: Mutation) -> bool:
        for _ in range(MAX_APPLY_ATTEMPTS):
            current = await self.get(aggregate_id)
            if current is not None and event_id in current.processed:
                return False
            change = mutation(current)
            if change is None and current is None:
                return True
            state, events = change if change is not None else (current.state, ())  # type: ignore[union-attr]
            outbox = [e.to_document() for e in events]
            if current is None:
                doc = {"_id": aggregate_id, "version": 1, "state": state, "outbox": outbox, "processed": [event_id]}
                try:
                    await self._coll.insert_one(doc)
                except DuplicateKeyError:
                    continue
            else:
                result = await self._coll.update_one(
                    {"_id": aggregate_id, "version": current.version, "processed": {"$ne": event_id}},
                    {
                        "$set": {"state": state, "version": current.version + 1},
                        "$push": {"outbox": {"$each": outbox}, "processed": event_id},
                    },
                )
                if result.matched_count == 0:
                    continue
            self._written(aggregate_id, events)
            return True
        raise VersionConflict(aggregate_id, -1, None)

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        cursor = self._coll.find(state_query(query), {"outbox": 0, "processed": 0}).skip(skip).limit(limit)
        if sort:
            field = sort.lstrip("-")
            cursor = cursor.sort([(f"state.{field}", -1 if sort.startswith("-") else 1), ("_id", 1)])
        else:
            cursor = cursor.sort("_id", 1)
        return [_stored(doc) async for doc in cursor]

    async def count(self, query: Query) -> int:
        return await self._coll.count_documents(state_query(query))
