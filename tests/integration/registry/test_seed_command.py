"""`python -m tdkt_registry.seed` on the real store: loads the province and the reorganisation, then a second
run changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import pytest

from tdkt_registry.store import ORGANIZATIONS
from tdkt_shared.store import MongoAggregateStore, connect
from tests.integration.conftest import SettingsFactory

pytestmark = pytest.mark.usefixtures("drop_databases")


async def seed(env: dict[str, str]) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tdkt_registry.seed",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 240)
    assert process.returncode == 0, stderr.decode()[-2000:]
    result: dict[str, Any] = json.loads(stdout)
    return result


async def test_the_seed_command_is_idempotent(make_settings: SettingsFactory) -> None:
    settings = make_settings("registry")
    env = {**os.environ, "MONGODB_URL": settings.mongodb_url, "MONGODB_DATABASE": settings.database}
    first = await seed(env)
    assert first["created"]["organizations"] > 50
    assert first["created"]["reorganizations"] == 2
    client = connect(settings.mongodb_url)
    try:
        store = MongoAggregateStore(client[settings.database], ORGANIZATIONS)
        province = await store.get("ubnd-tinh-bac-kan")
        assert province is not None
        assert (province.state["status"], province.state["ended_on"]) == ("MERGED", "2025-07-01")
        organizations = client[settings.database][store.collection]
        versions_before = await organizations.find({}, {"version": 1}).sort("_id", 1).to_list(None)
        second = await seed(env)
        assert second["created"] == {}
        assert await organizations.find({}, {"version": 1}).sort("_id", 1).to_list(None) == versions_before
    finally:
        await client.close()
