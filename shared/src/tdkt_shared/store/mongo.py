"""The MongoDB adapter of the aggregate store (PyMongo's AsyncMongoClient; MongoDB 7+ or FerretDB 1.24).

FerretDB 1.24 on SQLite runs every update as a read, then a write by `_id` in another transaction, so two
conditional updates of one document can both match and one silently overwrites the other. Only inserts are atomic,
through the unique `_id`. The store therefore never updates an aggregate in place:

- `<collection>_versions` holds one immutable document per version, `_id` = `<aggregate id>|<version>`, with the
  full state, the ids of the consumed events applied so far, and the events this version caused. Inserting
  version N+1 is the compare-and-set: exactly one writer wins it, the others get a conflict. The state change and
  its events are in that ONE insert, which the relay later publishes (it clears the `pending` flag, nothing else).
- `<collection>` holds one head document per aggregate, `{_id, version, state}`, for reads and queries. It is a
  projection written after each version; every writer re-checks for a newer version after writing it, so the last
  one to finish leaves the newest state there.

Every lookup that must be fast filters on `_id` alone, the only filter FerretDB pushes down to SQLite. Because
versions never change, a store remembers which ones it has seen (and their `processed`), so an update of a version
it just read needs no second read to know its base exists.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure
from tenacity import AsyncRetrying, retry_if_exception, stop_after_delay, wait_random_exponential

from tdkt_shared.contract import CloudEvent
from tdkt_shared.store import profiling
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
T = TypeVar("T")
VERSIONS_SUFFIX = "_versions"
OUTBOX_SUFFIX = "_outbox"
MAX_APPLY_ATTEMPTS = 50
KNOWN_VERSIONS = 4096
"""Version documents a store remembers having seen (id -> processed), most recent first."""


def connect(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[Document]:
    return AsyncMongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        event_listeners=profiling.listeners(),
    )


def is_busy(exc: BaseException) -> bool:
    """FerretDB's SQLite answers `database is locked (SQLITE_BUSY)` when writers queue past its busy timeout.
    Nothing was written; the operation can be sent again."""
    return isinstance(exc, OperationFailure) and "SQLITE_BUSY" in str(exc)


async def when_not_busy(operation: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_busy),
        wait=wait_random_exponential(0.05, max=2),
        stop=stop_after_delay(120),
        reraise=True,
    ):
        with attempt:
            return await operation(*args, **kwargs)
    raise AssertionError("unreachable")


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


def outbox_collection(versions_collection: str) -> str:
    """Where a writer without a relay of its own notes the version documents it left pending."""
    return versions_collection + OUTBOX_SUFFIX


def version_id(aggregate_id: str, version: int) -> str:
    return f"{aggregate_id}|{version:010d}"


def state_query(query: Query) -> Document:
    return {key if key == "_id" else f"state.{key}": value for key, value in query.items()}


def _stored(doc: Document, aggregate_id: str | None = None) -> Stored:
    return Stored(
        id=aggregate_id or doc["_id"],
        version=doc["version"],
        state=doc["state"],
        processed=tuple(doc.get("processed", ())),
    )


class MongoAggregateStore:
    """Aggregates of one kind: heads in `collection`, immutable versions in `collection_versions`."""

    def __init__(
        self, database: AsyncDatabase[Document], collection: str, listener: OutboxListener | None = None
    ) -> None:
        self.collection = collection
        self.versions_collection = collection + VERSIONS_SUFFIX
        self.database = database
        self._heads: AsyncCollection[Document] = database[collection]
        self._versions: AsyncCollection[Document] = database[self.versions_collection]
        self._outbox: AsyncCollection[Document] = database[outbox_collection(self.versions_collection)]
        self._listener = listener
        self._known: OrderedDict[str, list[str]] = OrderedDict()

    def _remember(self, aggregate_id: str, version: int, processed: Sequence[str]) -> None:
        key = version_id(aggregate_id, version)
        self._known[key] = list(processed)
        self._known.move_to_end(key)
        while len(self._known) > KNOWN_VERSIONS:
            self._known.popitem(last=False)

    def listen(self, listener: OutboxListener) -> None:
        self._listener = listener

    async def create_indexes(self) -> None:
        """Indexes MongoDB uses; FerretDB accepts them (and scans anyway)."""
        await ensure_indexes(
            self._versions,
            [IndexModel([("aggregate_id", ASCENDING), ("version", ASCENDING)]), IndexModel("pending", sparse=True)],
        )

    async def _version(self, aggregate_id: str, version: int) -> Document | None:
        return await when_not_busy(self._versions.find_one, {"_id": version_id(aggregate_id, version)})

    async def _latest(self, aggregate_id: str) -> Document | None:
        """The newest version (its document, or the head, which holds the same state and `processed`): start from
        the head, then look for anything newer."""
        head = await when_not_busy(self._heads.find_one, {"_id": aggregate_id})
        latest = head
        version = head["version"] if head else 0
        while (newer := await self._version(aggregate_id, version + 1)) is not None:
            latest, version = newer, version + 1
        if latest is not None:
            self._remember(aggregate_id, version, latest.get("processed", ()))
        if latest is not None and (head is None or head["version"] < version):
            # a writer died between its version insert and the head projection: finish its projection, or a
            # redelivered event (already in `processed`) would leave the head missing or stale for good
            await self._project(aggregate_id, latest)
        return latest

    async def _append(
        self, aggregate_id: str, version: int, state: dict[str, Any], events: Sequence[CloudEvent], processed: list[str]
    ) -> None:
        """Insert version `version`; DuplicateKeyError if another writer has it already."""
        doc: Document = {
            "_id": version_id(aggregate_id, version),
            "aggregate_id": aggregate_id,
            "version": version,
            "state": state,
            "processed": processed,
            "events": [e.to_document() for e in events],
            "written_at": datetime.now(UTC),
        }
        if events:
            doc["pending"] = True
        await when_not_busy(self._versions.insert_one, doc)
        self._remember(aggregate_id, version, processed)
        if events and not (self._listener and self._listener(self.versions_collection, doc["_id"], doc["events"])):
            # No relay here (an API-only process, a script): note the document where relays look often. A crash
            # before this line leaves it to a relay's full sweep (at its start, then every RELAY_FULL_SWEEP_INTERVAL_S).
            await when_not_busy(self._outbox.insert_one, {"_id": doc["_id"], "written_at": doc["written_at"]})
        await self._project(aggregate_id, doc)

    async def _project(self, aggregate_id: str, doc: Document) -> None:
        while True:
            head = {
                "_id": aggregate_id,
                "version": doc["version"],
                "state": doc["state"],
                "processed": doc["processed"],
            }
            try:
                await when_not_busy(self._heads.replace_one, {"_id": aggregate_id}, head, upsert=True)
            except DuplicateKeyError:
                continue  # a concurrent first write created the head: replace it now
            newer = await self._version(aggregate_id, doc["version"] + 1)
            if newer is None:
                return
            doc = newer

    async def get(self, aggregate_id: str) -> Stored | None:
        head = await when_not_busy(self._heads.find_one, {"_id": aggregate_id})
        if head is None:
            return None
        self._remember(aggregate_id, head["version"], head.get("processed", ()))
        return _stored(head)

    async def create(self, aggregate_id: str, state: dict[str, Any], events: Sequence[CloudEvent]) -> Stored:
        try:
            await self._append(aggregate_id, 1, state, events, [])
        except DuplicateKeyError as exc:
            # the id is taken; if its writer died before projecting the head (a client retrying after a crash
            # lands here), finish the projection so the aggregate can be read
            await self._latest(aggregate_id)
            raise AlreadyExists(aggregate_id) from exc
        return Stored(aggregate_id, 1, state)

    async def update(
        self, aggregate_id: str, expected_version: int, state: dict[str, Any], events: Sequence[CloudEvent]
    ) -> Stored:
        processed = self._known.get(version_id(aggregate_id, expected_version)) if expected_version >= 1 else None
        if processed is None:
            base = await self._version(aggregate_id, expected_version) if expected_version >= 1 else None
            if base is None:
                latest = await self._latest(aggregate_id)
                if latest is None:
                    raise NotFound(aggregate_id)
                raise VersionConflict(aggregate_id, expected_version, latest["version"])
            processed = base.get("processed", [])
        try:
            await self._append(aggregate_id, expected_version + 1, state, events, processed)
        except DuplicateKeyError as exc:
            latest = await self._latest(aggregate_id)
            raise VersionConflict(aggregate_id, expected_version, latest["version"] if latest else None) from exc
        return Stored(aggregate_id, expected_version + 1, state, tuple(processed))

    async def apply_event(self, aggregate_id: str, event_id: str, mutation: Mutation) -> bool:
        for _ in range(MAX_APPLY_ATTEMPTS):
            latest = await self._latest(aggregate_id)
            current = None if latest is None else _stored(latest, aggregate_id)
            if current is not None and event_id in current.processed:
                return False
            change = mutation(current)
            if change is None and current is None:
                return True
            state, events = change if change is not None else (current.state, ())  # type: ignore[union-attr]
            version = 1 if current is None else current.version + 1
            processed = [*(current.processed if current else ()), event_id]
            try:
                await self._append(aggregate_id, version, state, events, processed)
            except DuplicateKeyError:
                continue  # another writer took this version: re-read and decide again
            return True
        raise VersionConflict(aggregate_id, -1, None)

    async def find(self, query: Query, *, skip: int = 0, limit: int = 50, sort: str | None = None) -> list[Stored]:
        # One batch of `limit` documents: the server closes the cursor at once, so a caller cancelled mid-read
        # never leaves a server-side cursor behind (FerretDB 1.24 keeps those, each holding a SQLite connection,
        # and hangs the database once 100 have leaked).
        cursor = self._heads.find(state_query(query), {"processed": 0}).skip(skip).limit(limit).batch_size(limit)
        if sort:
            field = sort.lstrip("-")
            cursor = cursor.sort([(f"state.{field}", -1 if sort.startswith("-") else 1), ("_id", 1)])
        else:
            cursor = cursor.sort("_id", 1)
        return [_stored(doc) for doc in await cursor.to_list(None)]

    async def count(self, query: Query) -> int:
        return await self._heads.count_documents(state_query(query))

    async def history(self, aggregate_id: str) -> list[Document]:
        """Every version of one aggregate, oldest first, with the events each caused."""
        found: list[Document] = []
        while (doc := await self._version(aggregate_id, len(found) + 1)) is not None:
            found.append(doc)
        return found
