"""An agenda: the ids of open work items and when each falls due, kept apart from the items themselves.

A sweep that looks for due work in a collection that keeps every item forever (deliveries, say) reads all of it:
FerretDB pushes no filter but `_id` down to SQLite, so it scans, and the scan grows with the history. An agenda
holds only the open items, so the sweep reads only those. It is a hint, never the truth: the caller writes the
entry before the item, removes it after the item is final, and on reading an entry checks the item itself, so a
crash in between leaves at most an entry the next sweep drops.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection

from tdkt_shared.store.mongo import ensure_indexes

Document = dict[str, Any]


class Agenda(Protocol):
    name: str

    async def schedule(self, item_id: str, at: datetime) -> None:
        """Open the item (or move it) to fall due at `at`."""
        ...

    async def due(self, now: datetime, limit: int) -> list[tuple[str, datetime]]:
        """Open items due at `now`, earliest first (then by id), with their due times."""
        ...

    async def done(self, item_id: str) -> None:
        """Close the item; closing an unknown one is no error."""
        ...

    async def size(self) -> int: ...


class MongoAgenda:
    """One small document per open item: `{_id, at}`; every write is by `_id`."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.name = collection.name
        self._collection = collection

    async def create_indexes(self) -> None:
        await ensure_indexes(self._collection, [IndexModel([("at", ASCENDING)])])

    async def schedule(self, item_id: str, at: datetime) -> None:
        await self._collection.replace_one({"_id": item_id}, {"_id": item_id, "at": at}, upsert=True)

    async def due(self, now: datetime, limit: int) -> list[tuple[str, datetime]]:
        async def read() -> list[Document]:
            # one batch: no server-side cursor is left open (FerretDB 1.24 hangs once 100 have leaked)
            cursor = self._collection.find({"at": {"$lte": now}}, sort=[("at", ASCENDING), ("_id", ASCENDING)])
            return await cursor.limit(limit).batch_size(limit).to_list(None)

        return [(doc["_id"], doc["at"]) for doc in await read()]

    async def done(self, item_id: str) -> None:
        await self._collection.delete_one({"_id": item_id})

    async def size(self) -> int:
        return await self._collection.count_documents({})


class InMemoryAgenda:
    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, datetime] = {}

    async def schedule(self, item_id: str, at: datetime) -> None:
        self._items[item_id] = at

    async def due(self, now: datetime, limit: int) -> list[tuple[str, datetime]]:
        found = sorted((at, item_id) for item_id, at in self._items.items() if at <= now)
        return [(item_id, at) for at, item_id in found[:limit]]

    async def done(self, item_id: str) -> None:
        self._items.pop(item_id, None)

    async def size(self) -> int:
        return len(self._items)
