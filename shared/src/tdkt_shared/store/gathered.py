"""Inserts that arrive together, written as one unordered `insert_many` (a group commit).

A consumer handles the records of a batch concurrently, one lane per key, and each lane ends in the create of its
own document (notify's delivery of an event, for one). Sent one by one, every create is a database command of its
own. Gathered, the creates made in one turn of the event loop go out together in the next: the lanes of a batch
run through their (cached) reads without waiting, so they reach their creates in the same turn, and a create that
comes alone goes out at once. Inserts in flight do not hold the next ones back (the lanes stay in step).

Each document keeps its own outcome: an `_id` that exists already fails only that create (`DuplicateKeyError`), and
a failure of the whole command fails every create it carried, each caller deciding for itself as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError

Document = dict[str, Any]
DUPLICATE_KEY = 11000
MAX_GATHERED = 100
"""Documents in one insert at the most (a burst beyond goes in the next)."""


class GatheredInserts:
    """`insert` one document; those inserted in the same turn of the event loop share one command."""

    def __init__(self, collection: AsyncCollection[Document], *, most: int = MAX_GATHERED) -> None:
        self._collection = collection
        self._most = most
        self._waiting: list[tuple[Document, asyncio.Future[None]]] = []
        self._writers: set[asyncio.Task[None]] = set()

    async def insert(self, doc: Document) -> None:
        """Insert `doc`; `DuplicateKeyError` when its `_id` exists."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.add_done_callback(_retrieved)
        if not self._waiting:  # the first of this turn: a writer takes it, and what follows it, next turn
            writer = asyncio.create_task(self._write(), name=f"gathered-inserts-{self._collection.name}")
            self._writers.add(writer)
            writer.add_done_callback(self._writers.discard)
        self._waiting.append((doc, done))
        await asyncio.shield(done)  # a cancelled caller leaves the insert to finish for the others

    async def _write(self) -> None:
        batch, self._waiting = self._waiting, []
        try:
            for start in range(0, len(batch), self._most):
                await self._send(batch[start : start + self._most])
        finally:
            for _doc, done in batch:  # the writer was cancelled (a shutdown) with this batch in flight
                if not done.done():
                    done.cancel()

    async def _send(self, batch: list[tuple[Document, asyncio.Future[None]]]) -> None:
        failures: dict[int, BaseException] = {}
        try:
            if len(batch) == 1:
                await self._collection.insert_one(batch[0][0])
            else:
                await self._collection.insert_many([doc for doc, _ in batch], ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", ()):
                kind = DuplicateKeyError if error.get("code") == DUPLICATE_KEY else WriteError
                failures[error["index"]] = kind(error.get("errmsg", ""), error.get("code"), error)
            if exc.details.get("writeConcernErrors"):
                failures.update(dict.fromkeys(range(len(batch)), exc))
        except Exception as exc:  # the whole command failed: so did every create in it
            failures = dict.fromkeys(range(len(batch)), exc)
        for i, (_doc, done) in enumerate(batch):
            if done.done():
                continue
            if i in failures:
                done.set_exception(failures[i])
            else:
                done.set_result(None)


def _retrieved(done: asyncio.Future[None]) -> None:
    """A caller cancelled while its insert was in flight never reads the outcome: it is not an unhandled error."""
    if not done.cancelled():
        done.exception()
