"""Our FerretDB patches (stack/ferretdb/patches/*.patch), each shown on the running server.

Each patch has a test here that fails on FerretDB 1.24.2 on PostgreSQL without it and passes with it:

- 0001: writes are serialised per collection, so a filter-guarded update or findAndModify is atomic.

The tests assert what MongoDB does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from tdkt_shared.settings import Settings

pytestmark = pytest.mark.usefixtures("drop_databases")

Doc = dict[str, Any]

RACERS = 30
ROUNDS = 10


@pytest.fixture
async def client(stack: Settings) -> AsyncIterator[AsyncMongoClient[Doc]]:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(stack.mongodb_url, serverSelectionTimeoutMS=5000)
    yield client
    await client.close()


@pytest.fixture
def db(client: AsyncMongoClient[Doc], run_id: str) -> AsyncDatabase[Doc]:
    return client[f"it_patches_{run_id}"]


async def warm_up(coll: AsyncCollection[Doc]) -> None:
    """Open the client's connections first, so the racers of the first round start together."""
    await asyncio.gather(*(coll.find_one({"_id": "none"}) for _ in range(RACERS)))


# ---------------------------------------------------------------- 0001: writes serialised per collection


async def test_guarded_update_one_matches_once_among_concurrent_racers(db: AsyncDatabase[Doc]) -> None:
    """30 concurrent `update_one({_id, version: v}, {$set: {version: v+1}})`: exactly one matches, each round."""
    coll = db["race_update"]
    await coll.insert_one({"_id": "x", "version": 0})
    await warm_up(coll)
    winners = []
    for v in range(ROUNDS):
        results = await asyncio.gather(
            *(coll.update_one({"_id": "x", "version": v}, {"$set": {"version": v + 1}}) for _ in range(RACERS))
        )
        winners.append(sum(r.matched_count for r in results))
    assert winners == [1] * ROUNDS, f"updates that matched, per round: {winners}"
    assert await coll.find_one({"_id": "x"}) == {"_id": "x", "version": ROUNDS}


async def test_guarded_find_one_and_update_returns_once_among_concurrent_racers(db: AsyncDatabase[Doc]) -> None:
    """The same race through findAndModify: exactly one racer gets the document back, each round."""
    coll = db["race_fam"]
    await coll.insert_one({"_id": "x", "version": 0})
    await warm_up(coll)
    winners = []
    for v in range(ROUNDS):
        results = await asyncio.gather(
            *(
                coll.find_one_and_update(
                    {"_id": "x", "version": v}, {"$set": {"version": v + 1}}, return_document=ReturnDocument.AFTER
                )
                for _ in range(RACERS)
            )
        )
        won = [r for r in results if r is not None]
        assert all(r == {"_id": "x", "version": v + 1} for r in won), won
        winners.append(len(won))
    assert winners == [1] * ROUNDS, f"findAndModify calls that returned the document, per round: {winners}"
    assert await coll.find_one({"_id": "x"}) == {"_id": "x", "version": ROUNDS}


async def test_concurrent_upserts_of_one_id_insert_once_and_never_collide(db: AsyncDatabase[Doc]) -> None:
    """Concurrent upserts of one `_id`: one inserts, the others update it; none fails on a duplicate key."""
    coll = db["race_upsert"]
    await warm_up(coll)
    results = await asyncio.gather(
        *(coll.update_one({"_id": "u"}, {"$inc": {"n": 1}}, upsert=True) for _ in range(RACERS)),
        return_exceptions=True,
    )
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert await coll.find_one({"_id": "u"}) == {"_id": "u", "n": RACERS}
