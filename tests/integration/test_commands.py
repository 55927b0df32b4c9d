"""Each service's real command starts, becomes ready on its port, and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import eventually

pytestmark = pytest.mark.usefixtures("drop_databases")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("service", ["registry", "reporting", "awards", "notify"])
async def test_the_service_command_becomes_ready_and_stops_on_sigterm(
    service: str, make_settings: SettingsFactory
) -> None:
    settings = make_settings(service)
    port = free_port()
    env = {
        **os.environ,
        "HTTP_PORT": str(port),
        "MONGODB_DATABASE": settings.database,
        "CONSUMER_GROUP": settings.group_id,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "MONGODB_URL": settings.mongodb_url,
    }
    process = await asyncio.create_subprocess_exec(
        str(BIN / f"tdkt-{service}"), env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:

            async def ready() -> dict[str, object] | None:
                if process.returncode is not None:
                    raise AssertionError(f"tdkt-{service} exited with {process.returncode}")
                try:
                    response = await client.get("/readyz")
                except httpx.TransportError:
                    return None
                return response.json() if response.status_code == 200 else None

            body = await eventually(ready, timeout_s=60, what=f"tdkt-{service} ready")
            assert body == {"status": "ready", "checks": {"mongodb": True, "kafka": True}}
            assert (await client.get("/openapi.json")).json()["info"]["title"].startswith("TĐKT")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()[-2000:]
    assert "Application shutdown complete" in stderr.decode()
