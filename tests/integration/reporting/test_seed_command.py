"""The seed command against the real MongoDB-wire store: loads the scenario, then changes nothing on a rerun."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from tdkt_reporting.service import DEFINITION as REPORTING
from tdkt_reporting.store import CONGRESSES, MOVEMENTS
from tdkt_shared.runtime import Runtime
from tests.integration.conftest import SettingsFactory

pytestmark = pytest.mark.usefixtures("drop_databases")


async def run_seed(env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tdkt_reporting.seed",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()[-2000:]
    return stdout.decode().strip()


async def test_the_seed_command_is_idempotent(make_settings: SettingsFactory) -> None:
    settings = make_settings("reporting")
    env = {**os.environ, "MONGODB_URL": settings.mongodb_url, "MONGODB_DATABASE": settings.database}
    first = await run_seed(env)
    assert first.startswith("seeded 9: ")
    assert "dot-thi-dua-dac-biet-645" in first
    assert "dai-hoi-tdyn-bac-kan-vi" in first
    assert await run_seed(env) == "seeded 0: nothing new"

    runtime = Runtime(REPORTING, settings)
    try:
        movements = runtime.store(MOVEMENTS)
        assert await movements.count({}) == 8
        drive = await movements.get("dot-thi-dua-dac-biet-645")
        assert drive is not None
        assert (drive.version, drive.state["status"], drive.state["decision"]["number"]) == (
            2,
            "LAUNCHED",
            "645/KH-UBND",
        )
        congress = await runtime.store(CONGRESSES).get("dai-hoi-tdyn-bac-kan-vi")
        assert congress is not None
        assert (congress.version, congress.state["title"]) == (1, "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI")
    finally:
        await runtime.client.close()
