"""Our FerretDB patches (stack/ferretdb/patches/*.patch), each shown on the running server.

Each patch has a test here that fails on FerretDB 1.24.2 on PostgreSQL without it and passes with it:

- 0001: writes are serialised per collection, so a filter-guarded update or findAndModify is atomic;
- 0002: a filter on `_id` is served by the `_id` index instead of a sequential scan;
- 0003: `$pull` with a condition (a query on the elements, or operators such as `$gte`/`$in`) removes what
  matches, as MongoDB does;
- 0004: an update command of many statements completes (it used to exhaust FerretDB's PostgreSQL pool);
- 0005: a dot-notation filter reaches through arrays (update, findAndModify, delete and count matched nothing),
  and find pushes it down to PostgreSQL;
- 0006: an index with a `partialFilterExpression` of equalities (`{pending: true}`) is a partial index in
  PostgreSQL that serves that query (FerretDB refused the option); other expressions are refused;
- 0007: a release build does not track iterators (a pprof profile and a finalizer each: CPU, not behaviour);
- 0008: documents are encoded and decoded with goccy/go-json (CPU): every BSON type comes back unchanged;
- 0009: each statement of an update command holds the collection's lock on its own, so another client's write is
  not held back behind a whole bulk;
- 0010: a write of one statement runs without BEGIN and COMMIT (round trips): what it writes, or refuses, is the same.

The tests assert what MongoDB does; those marked `ferretdb_only` are FerretDB's own (they read PostgreSQL's plan,
or expect the refusal of an expression that MongoDB supports and this FerretDB does not).
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import Binary, Int64, ObjectId, Regex, Timestamp
from pymongo import ASCENDING, AsyncMongoClient, IndexModel, ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from tdkt_shared.settings import Settings
from tests.integration.kafka_tools import eventually

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


@pytest.fixture
async def ferretdb_only(client: AsyncMongoClient[Doc]) -> None:
    """For the tests that read PostgreSQL's plan: they fail on another MongoDB-wire server (this file tests our
    FerretDB patches; `make test-mongo` runs the store contract, not this file)."""
    assert "ferretdbVersion" in await client.admin.command("buildInfo"), "these tests need the patched FerretDB"


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


# ---------------------------------------------------------------- 0002: `_id` equality through the index


def plan_nodes(plan: Any, field: str = "Node Type") -> list[str]:
    """Every "Node Type" (or other `field`) in a PostgreSQL JSON plan (FerretDB returns it as `queryPlanner`)."""
    if isinstance(plan, dict):
        own = [str(plan[field])] if field in plan else []
        return own + [n for v in plan.values() for n in plan_nodes(v, field)]
    if isinstance(plan, list):
        return [n for v in plan for n in plan_nodes(v, field)]
    return []


@pytest.mark.usefixtures("ferretdb_only")
async def test_find_by_id_is_an_index_scan(db: AsyncDatabase[Doc]) -> None:
    coll = db["by_id"]
    await coll.insert_many([{"_id": f"d{i:05d}", "n": i} for i in range(2000)])
    explained = await db.command("explain", {"find": "by_id", "filter": {"_id": "d01234"}}, verbosity="queryPlanner")
    nodes = plan_nodes(explained["queryPlanner"])
    assert nodes, f"no PostgreSQL plan in {explained}"
    assert "Seq Scan" not in nodes, explained["queryPlanner"]
    assert any("Index" in n for n in nodes), explained["queryPlanner"]
    assert await coll.find_one({"_id": "d01234"}) == {"_id": "d01234", "n": 1234}


async def test_find_by_id_returns_the_right_document_for_each_id_type(db: AsyncDatabase[Doc]) -> None:
    """Patch 0002 rewrites the `_id` filter: it still finds exactly the document asked for (passes either way)."""
    coll = db["id_types"]
    oid = ObjectId()
    # Not with them: the string of the ObjectId's hex. FerretDB stores both as the same JSON string, so its unique
    # `_id` index calls them duplicates (MongoDB does not); that limit is upstream, and no patch here lifts it.
    docs: list[Doc] = [
        {"_id": "s1", "kind": "string"},
        {"_id": oid, "kind": "objectid"},
        {"_id": 7, "kind": "int"},
        {"_id": 2**40, "kind": "long"},
        {"_id": 7.5, "kind": "double"},
        {"_id": "7", "kind": "string of the int"},
    ]
    await coll.insert_many(docs)
    for doc in docs:
        assert await coll.find({"_id": doc["_id"]}).to_list() == [doc]
        assert await coll.find({"_id": {"$eq": doc["_id"]}}).to_list() == [doc]
    # a number matches whatever numeric type holds the same value, as in MongoDB
    assert await coll.find({"_id": 7.0}).to_list() == [{"_id": 7, "kind": "int"}]
    # updates and deletes find their document by `_id` as well
    assert (await coll.update_one({"_id": oid}, {"$set": {"seen": True}})).modified_count == 1
    assert await coll.find_one({"_id": oid}) == {"_id": oid, "kind": "objectid", "seen": True}
    assert (await coll.delete_one({"_id": 7})).deleted_count == 1
    assert await coll.count_documents({}) == len(docs) - 1


# ---------------------------------------------------------------- 0003: `$pull` with a condition


async def test_pull_removes_the_elements_a_condition_matches(db: AsyncDatabase[Doc]) -> None:
    coll = db["pull"]
    await coll.insert_one(
        {
            "_id": "p",
            "outbox": [{"id": "a", "n": 1}, {"id": "b"}, {"id": "c", "n": 3}, "a"],
            "scores": [1, 6, 7, 3],
            "tags": ["x", "y", "x", "z"],
        }
    )

    # a document is a query on each element that is a document (other fields may be there; scalars never match)
    res = await coll.update_one({"_id": "p"}, {"$pull": {"outbox": {"id": {"$in": ["a", "b"]}}}})
    assert (res.matched_count, res.modified_count) == (1, 1)
    assert (await coll.find_one({"_id": "p"}) or {})["outbox"] == [{"id": "c", "n": 3}, "a"]
    await coll.update_one({"_id": "p"}, {"$pull": {"outbox": {"id": "c"}}})
    assert (await coll.find_one({"_id": "p"}) or {})["outbox"] == ["a"]

    # operators apply to each element as a value
    await coll.update_one({"_id": "p"}, {"$pull": {"scores": {"$gte": 6}}})
    assert (await coll.find_one({"_id": "p"}) or {})["scores"] == [1, 3]
    await coll.update_one({"_id": "p"}, {"$pull": {"tags": {"$in": ["z"]}}})
    assert (await coll.find_one({"_id": "p"}) or {})["tags"] == ["x", "y", "x"]

    # a plain value still removes every element equal to it
    await coll.update_one({"_id": "p"}, {"$pull": {"tags": "x"}})
    assert (await coll.find_one({"_id": "p"}) or {})["tags"] == ["y"]

    # nothing matched: nothing modified
    res = await coll.update_one({"_id": "p"}, {"$pull": {"scores": {"$gt": 100}}})
    assert (res.matched_count, res.modified_count) == (1, 0)


async def test_pull_with_a_condition_in_find_one_and_update(db: AsyncDatabase[Doc]) -> None:
    coll = db["pull_fam"]
    await coll.insert_one({"_id": "q", "outbox": [{"id": "a"}, {"id": "b"}, {"id": "c"}]})
    after = await coll.find_one_and_update(
        {"_id": "q"}, {"$pull": {"outbox": {"id": {"$in": ["a", "c"]}}}}, return_document=ReturnDocument.AFTER
    )
    assert after == {"_id": "q", "outbox": [{"id": "b"}]}


# ---------------------------------------------------------------- 0004: statements release their connection


async def test_an_update_command_of_many_statements_completes(db: AsyncDatabase[Doc]) -> None:
    """One update command of 200 statements (more than the 50 connections of FerretDB's pool)."""
    coll = db["bulk"]
    await coll.insert_many([{"_id": i, "flag": True} for i in range(200)])
    result = await asyncio.wait_for(
        coll.bulk_write([UpdateOne({"_id": i}, {"$set": {"flag": False}}) for i in range(200)]), timeout=20
    )
    assert result.modified_count == 200
    assert await coll.count_documents({"flag": True}) == 0


async def test_a_write_is_not_held_back_behind_another_clients_bulk_update(db: AsyncDatabase[Doc]) -> None:
    """0009: an update of 1,000 statements and, once it has begun, an update of another document of the collection.
    The single one is done while the bulk still runs: MongoDB makes each statement atomic, not the command. With
    the lock held for the whole command (0001 alone), it waited for all 1,000."""
    coll = db["bulk_and_one"]
    size = 1000
    await coll.insert_many([{"_id": i, "n": 0} for i in range(size + 1)])
    bulk = asyncio.create_task(coll.bulk_write([UpdateOne({"_id": i}, {"$inc": {"n": 1}}) for i in range(size)]))
    await eventually(lambda: coll.count_documents({"n": 1}), what="the bulk's first statements")

    await coll.update_one({"_id": size}, {"$inc": {"n": 1}})
    bulk_done_by_then = await coll.count_documents({"_id": {"$lt": size}, "n": 1})

    assert bulk_done_by_then < size
    assert (await asyncio.wait_for(bulk, 60)).modified_count == size
    assert await coll.count_documents({"n": 1}) == size + 1  # every statement applied once


async def test_single_statement_writes_are_still_all_or_nothing(db: AsyncDatabase[Doc]) -> None:
    """0010 sends a lone UPDATE or INSERT without a transaction around it: each still writes all or nothing."""
    coll = db["single"]
    await coll.insert_one({"_id": 1, "v": 1})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 1, "v": 2})
    with pytest.raises(BulkWriteError) as unordered:
        await coll.insert_many([{"_id": 2}, {"_id": 1, "v": 3}, {"_id": 3}], ordered=False)
    assert [e["index"] for e in unordered.value.details["writeErrors"]] == [1]
    with pytest.raises(OperationFailure):
        await coll.update_one({"_id": 1}, {"$set": {"v": float("inf"), "w": 1}})  # FerretDB cannot store it
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "v": 1}
    assert await ids(coll.find({})) == [1, 2, 3]

    assert (await coll.update_many({}, {"$set": {"all": True}})).modified_count == 3  # several: one transaction
    assert await coll.count_documents({"all": True}) == 3


# ---------------------------------------------------------------- 0005: dot notation through arrays


async def ids(cursor: Any) -> list[Any]:
    return sorted(d["_id"] for d in await cursor.to_list())


async def test_dot_notation_filters_reach_through_arrays_in_every_command(db: AsyncDatabase[Doc]) -> None:
    coll = db["dots"]
    await coll.insert_many(
        [
            {"_id": 1, "outbox": [{"id": "a"}, {"id": "b"}], "state": {"org": "x", "tags": ["t1", "t2"]}},
            {"_id": 2, "outbox": [], "state": {"org": "y", "tags": []}},
            {"_id": 3, "outbox": [{"id": "c", "n": 7}], "state": {"org": "x", "tags": "t1"}},
        ]
    )
    assert await ids(coll.find({"outbox.id": "a"})) == [1]
    assert await ids(coll.find({"state.tags": "t1"})) == [1, 3]
    assert await ids(coll.find({"outbox.n": {"$eq": 7.0}})) == [3]
    assert (await db.command("count", "dots", query={"outbox.id": "a"}))["n"] == 1
    assert await coll.count_documents({"outbox.n": 7}) == 1
    assert (await coll.update_one({"outbox.id": "b"}, {"$set": {"hit": True}})).matched_count == 1
    after = await coll.find_one_and_update(
        {"outbox.id": "c"}, {"$set": {"hit": True}}, return_document=ReturnDocument.AFTER
    )
    assert after is not None
    assert (after["_id"], after["hit"]) == (3, True)
    assert (await coll.update_many({"state.org": "x"}, {"$inc": {"seen": 1}})).modified_count == 2
    assert (await coll.delete_many({"outbox.id": "a"})).deleted_count == 1
    # an array index is not pushed down, and still answered
    assert await ids(coll.find({"outbox.0.id": "c"})) == [3]
    assert await ids(coll.find({})) == [2, 3]


@pytest.mark.usefixtures("ferretdb_only")
async def test_find_by_dot_notation_is_pushed_down_to_postgresql(db: AsyncDatabase[Doc]) -> None:
    coll = db["dots_explain"]
    await coll.insert_many([{"_id": i, "state": {"org": f"o{i % 3}"}} for i in range(30)])
    explained = await db.command(
        "explain", {"find": "dots_explain", "filter": {"state.org": "o1"}}, verbosity="queryPlanner"
    )
    assert explained["filterPushdown"] is True, explained
    assert "@?" in str(explained["queryPlanner"]), explained["queryPlanner"]
    assert await ids(coll.find({"state.org": "o1"})) == list(range(1, 30, 3))


# ---------------------------------------------------------------- 0006: partial indexes

PENDING_INDEX = IndexModel([("pending", ASCENDING)], partialFilterExpression={"pending": True})


async def test_a_partial_index_is_listed_and_not_created_twice(db: AsyncDatabase[Doc]) -> None:
    coll = db["partial"]
    await coll.insert_one({"_id": 1, "pending": True})
    assert await coll.create_indexes([PENDING_INDEX]) == ["pending_1"]
    info = await coll.index_information()
    assert info["pending_1"]["key"] == [("pending", 1)]
    assert info["pending_1"]["partialFilterExpression"] == {"pending": True}

    # what a restarting service does: nothing to create
    again = await db.command("createIndexes", "partial", indexes=[PENDING_INDEX.document])
    assert (again["numIndexesBefore"], again["numIndexesAfter"]) == (2, 2), again
    assert await coll.index_information() == info

    # the same name with another filter is another index
    with pytest.raises(OperationFailure) as conflict:
        await coll.create_indexes([IndexModel([("pending", ASCENDING)], partialFilterExpression={"pending": False})])
    assert conflict.value.code == 86, conflict.value.details
    assert await coll.index_information() == info


async def test_a_unique_partial_index_holds_among_the_documents_it_covers(db: AsyncDatabase[Doc]) -> None:
    coll = db["partial_unique"]
    covered = {"active": True, "kind": {"$eq": "seat"}}
    await coll.create_indexes(
        [IndexModel([("slot", ASCENDING)], name="seat", unique=True, partialFilterExpression=covered)]
    )
    await coll.insert_many(
        [
            {"_id": 1, "slot": "a", "active": True, "kind": "seat"},
            {"_id": 2, "slot": "a", "active": False, "kind": "seat"},
            {"_id": 3, "slot": "a", "active": True, "kind": "desk"},
        ]
    )
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 4, "slot": "a", "active": True, "kind": "seat"})
    assert await ids(coll.find({"active": True, "kind": "seat"})) == [1]
    assert (await coll.index_information())["seat"]["unique"] is True


async def test_partial_filter_expressions_mongodb_refuses_are_refused(db: AsyncDatabase[Doc]) -> None:
    coll = db["partial_refused"]
    await coll.insert_one({"_id": 1, "pending": True})
    for expr in ({"pending": {"$ne": True}}, {"$nor": [{"pending": True}]}, {"pending": {"$nin": [False]}}):
        with pytest.raises(OperationFailure) as refused:
            await coll.create_indexes([IndexModel([("pending", ASCENDING)], partialFilterExpression=expr)])
        assert refused.value.code == 67, (expr, refused.value.details)
    with pytest.raises(OperationFailure) as mixed:
        await coll.create_indexes(
            [IndexModel([("pending", ASCENDING)], partialFilterExpression={"pending": True}, sparse=True)]
        )
    assert mixed.value.code == 67, mixed.value.details
    assert list(await coll.index_information()) == ["_id_"]


@pytest.mark.usefixtures("ferretdb_only")
async def test_partial_filter_expressions_beyond_equalities_are_refused_not_made_full(db: AsyncDatabase[Doc]) -> None:
    """MongoDB takes these; this FerretDB refuses them rather than create an index that does not serve them."""
    coll = db["partial_beyond"]
    await coll.insert_one({"_id": 1, "pending": True})
    for expr in (
        {"pending": {"$exists": True}},
        {"n": {"$gt": 5}},
        {"pending": {"$in": [True]}},
        {"$or": [{"pending": True}, {"late": True}]},
        {"state.pending": True},
        {"pending": None},
    ):
        with pytest.raises(OperationFailure) as refused:
            await coll.create_indexes([IndexModel([("pending", ASCENDING)], partialFilterExpression=expr)])
        assert refused.value.code == 67, (expr, refused.value.details)
        assert "Expression not supported in partial index" in str(refused.value), refused.value.details
    assert list(await coll.index_information()) == ["_id_"]


@pytest.mark.usefixtures("ferretdb_only")
async def test_the_pending_query_is_served_by_the_partial_index(db: AsyncDatabase[Doc]) -> None:
    coll = db["outboxes"]
    await coll.insert_many(
        [
            {"_id": f"a{i:05d}", "version": 1, "pad": "x" * 300} | ({"pending": True} if i % 600 == 7 else {})
            for i in range(3000)
        ]
    )
    await coll.create_indexes([PENDING_INDEX])
    pending = [f"a{i:05d}" for i in range(7, 3000, 600)]
    relay: Doc = {"pending": True, "_id": {"$gt": "a00100"}}

    async def assert_index_scans() -> None:
        for command in (
            {"find": "outboxes", "filter": {"pending": True}},
            # what count_documents runs
            {"aggregate": "outboxes", "pipeline": [{"$match": {"pending": True}}, {"$count": "n"}], "cursor": {}},
            {"find": "outboxes", "filter": relay, "sort": {"_id": 1}, "limit": 100},
        ):
            plan = (await db.command("explain", command, verbosity="queryPlanner"))["queryPlanner"]
            nodes = plan_nodes(plan)
            assert nodes, f"no PostgreSQL plan for {command}"
            assert "Seq Scan" not in nodes, (command, plan)
            # PostgreSQL's name of the index: <table>_pending_<hash>_idx
            assert any("_pending_" in name for name in plan_nodes(plan, "Index Name")), (command, plan)

    await assert_index_scans()
    # Many executions of each: PostgreSQL may switch a prepared statement to its generic plan after 5, and FerretDB
    # uses one statement for every single-field equality on the collection, `{version: 1}` (all rows) included.
    for _ in range(20):
        assert await ids(coll.find({"pending": True})) == pending
        assert await coll.count_documents({"pending": True}) == len(pending)
        assert [d["_id"] for d in await coll.find(relay).sort("_id", 1).limit(100).to_list()] == pending[1:]
        assert await coll.count_documents({"version": 1}) == 3000
    await assert_index_scans()

    # the index follows the writes
    await coll.update_one({"_id": pending[0]}, {"$unset": {"pending": ""}})
    await coll.update_many({"_id": {"$in": pending[1:3]}}, {"$unset": {"pending": ""}})
    await coll.update_one({"_id": "a00042"}, {"$set": {"pending": True}})
    await coll.insert_one({"_id": "b", "version": 1, "pending": True})
    expected = sorted(["a00042", "b", *pending[3:]])
    assert await ids(coll.find({"pending": True})) == expected
    assert await ids(coll.find({"pending": {"$eq": True}})) == expected
    assert await coll.count_documents({"pending": True}) == len(expected)
    await assert_index_scans()


# ---------------------------------------------------------------- 0007: no resource tracking in a release build


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _ferretdb_serving(port: int) -> tuple[str, list[str]]:
    """The FerretDB process listening on 127.0.0.1:port: its executable (through /proc, so a binary rebuilt and
    replaced since it started still runs) and its command line."""
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        args = [a.decode() for a in argv if a]
        if args and Path(args[0]).name == "ferretdb" and f"127.0.0.1:{port}" in args:
            return str(proc / "exe"), args
    raise AssertionError(f"no FerretDB process serves 127.0.0.1:{port}")


@pytest.mark.usefixtures("ferretdb_only")
async def test_iterators_are_not_tracked_in_a_release_build(stack: Settings, run_id: str) -> None:
    """A second server from the stack's binary, with pprof on: after finds and writes (documents, arrays and
    query iterators), it has no `FerretDB/...` profile. Unpatched, each tracked type is a profile of its own."""
    port = int(stack.mongodb_url.rsplit(":", 1)[1].split("/")[0])
    binary, args = _ferretdb_serving(port)
    pg_url = args[args.index("-postgresql-url") + 1]
    mongo_port, pprof_port = _free_port(), _free_port()
    server = await asyncio.create_subprocess_exec(
        *[
            binary,
            "-listen-addr",
            f"127.0.0.1:{mongo_port}",
            "-postgresql-url",
            pg_url,
            "-log-level",
            "error",
            "-pprof-addr",
            f"127.0.0.1:{pprof_port}",
        ],
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    client: AsyncMongoClient[Doc] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{mongo_port}", serverSelectionTimeoutMS=20000
    )
    try:
        coll = client[f"it_patches_{run_id}"]["tracked"]
        await coll.insert_many([{"_id": i, "tags": ["a", {"b": i}], "nested": {"n": i}} for i in range(20)])
        await coll.update_one({"_id": 3}, {"$push": {"tags": "c"}})
        assert [d["_id"] for d in await coll.find({"nested.n": {"$gte": 18}}).sort("_id", 1).to_list()] == [18, 19]
        assert (await coll.find_one({"_id": 3}) or {})["tags"] == ["a", {"b": 3}, "c"]
        async with httpx.AsyncClient() as http:
            index = (await http.get(f"http://127.0.0.1:{pprof_port}/debug/pprof/")).text
        assert "goroutine" in index  # the pprof index itself
        assert re.findall(r"FerretDB/[\w./*]+", index) == []
    finally:
        await client.drop_database(f"it_patches_{run_id}")
        await client.close()
        server.terminate()
        await asyncio.wait_for(server.wait(), 30)


# ---------------------------------------------------------------- 0008: sjson with goccy/go-json


EDGE_VALUES: Doc = {
    "double": [0.0, -1.5, 1e308, -1e-308, 5e-324, 0.1 + 0.2, 123456789.125],
    "string": [
        "",
        "Thi đua yêu nước",
        'quote " backslash \\ slash /',
        "\n\t\r\b\f",
        "\u2028\u2029",
        "emoji 🏅",
        "<script>&amp;</script>",
        "\x01\x1f",
        "x" * 5000,
    ],
    "int": [0, -1, 2**31 - 1, -(2**31)],
    "long": [Int64(0), Int64(2**31), Int64(2**53 + 1), Int64(2**63 - 1), Int64(-(2**63))],
    "bool": [True, False],
    "null": None,
    "date": [datetime(1969, 12, 31, 23, 59, 59, 999000), datetime(2025, 7, 1), datetime(9999, 12, 31, 23, 59, 59)],
    "objectId": ObjectId("0123456789abcdef01234567"),
    "binData": [b"", bytes(range(256)), Binary(b"\x00\xff", 128)],  # pymongo reads subtype 0 as bytes
    "regex": Regex("^Thi đua.*[0-9]+$", "imsx"),
    "timestamp": [Timestamp(0, 0), Timestamp(1767225600, 7)],
    "document": {"": "empty key", "a": {"b": {"c": {"d": [1, {"x": [2, {"e": None}]}]}}}, "ключ": 1, "k y": 2},
    "array": [{}, {"in": []}, 1, "a", None, True, 1.5, Int64(2)],  # FerretDB refuses arrays in arrays
    "empty": {},
}


async def test_every_bson_type_round_trips_unchanged(db: AsyncDatabase[Doc]) -> None:
    """What FerretDB writes to PostgreSQL and reads back, through inserts, updates and findAndModify: every value,
    with its BSON type, as sent (float and int stay distinct, as do int and long)."""
    coll = db["types"]
    await coll.insert_one({"_id": "doc", **EDGE_VALUES})
    read = await coll.find_one({"_id": "doc"})
    assert read == {"_id": "doc", **EDGE_VALUES}
    assert _types(read) == _types({"_id": "doc", **EDGE_VALUES})

    await coll.update_one({"_id": "doc"}, {"$set": {"copy": EDGE_VALUES}})
    before = await coll.find_one_and_update(
        {"_id": "doc"}, {"$set": {"more": 1}}, return_document=ReturnDocument.BEFORE
    )
    assert before == {"_id": "doc", **EDGE_VALUES, "copy": EDGE_VALUES}
    assert _types(before) == _types({"_id": "doc", **EDGE_VALUES, "copy": EDGE_VALUES})
    # what FerretDB does not store is refused, not changed
    for unsupported in (float("inf"), float("-inf")):
        with pytest.raises(OperationFailure):
            await coll.insert_one({"_id": str(unsupported), "v": unsupported})


def _types(value: Any) -> Any:
    """The value with each leaf replaced by its Python type: bool, int, Int64 and float must not merge."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__
