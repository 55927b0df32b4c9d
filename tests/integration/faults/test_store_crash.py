"""The crash the SIGKILL burst found, replayed deterministically: a consumer killed between the insert of a new
version and the projection of its head. The redelivered event must finish the projection, not skip it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tdkt_shared.store import MongoAggregateStore
from tdkt_shared.store.mongo import version_id

pytestmark = pytest.mark.integration


async def test_a_redelivered_event_projects_the_head_a_killed_writer_left_out(
    mongo: AsyncMongoClient[dict[str, Any]],
) -> None:
    store = MongoAggregateStore(mongo[f"faults_store_{uuid.uuid4().hex[:6]}"], "organizations")
    org_id, event_id = "phong-vh-tt", str(uuid.uuid4())
    state = {"id": org_id, "name": "Phòng Văn hóa - Thông tin"}
    # what the killed process left: version 1 (state + the event id), no head
    await store.database["organizations_versions"].insert_one(
        {
            "_id": version_id(org_id, 1),
            "aggregate_id": org_id,
            "version": 1,
            "state": state,
            "processed": [event_id],
            "events": [],
            "written_at": datetime.now(UTC),
        }
    )
    assert await store.get(org_id) is None

    applied = await store.apply_event(org_id, event_id, lambda _current: ({"changed": True}, []))

    assert applied is False, "the event was applied once already"
    head = await store.get(org_id)
    assert head is not None
    assert (head.version, head.state) == (1, state)
    assert [v["version"] for v in await store.history(org_id)] == [1]
    await mongo.drop_database(store.database.name)
