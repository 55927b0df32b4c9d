"""The services as real processes (`tdkt-<service>`), each with this run's database, consumer group and a free port."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from tdkt_shared.contract import ALL_TOPICS
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually
from tests.unit.notify.local_servers import free_port

BIN = Path(sys.executable).parent
SERVICES = ("registry", "reporting", "awards", "notify")


@contextlib.asynccontextmanager
async def services(
    make_settings: SettingsFactory, extra_env: dict[str, str], logs: Path, names: tuple[str, ...] = SERVICES
) -> AsyncIterator[dict[str, int]]:
    """Start `tdkt-<service>` for each service with this run's database, consumer group and a free port."""
    ports: dict[str, int] = {}
    processes: list[asyncio.subprocess.Process] = []
    try:
        for service in names:
            settings = make_settings(service)
            await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(ALL_TOPICS))
            ports[service] = free_port()
            env = {
                **os.environ,
                **extra_env,
                "HTTP_PORT": str(ports[service]),
                "MONGODB_DATABASE": settings.database,
                "CONSUMER_GROUP": settings.group_id,
                "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
                "MONGODB_URL": settings.mongodb_url,
                "BUS_CONSUMER": "aiokafka",
                "RELAY_POLL_INTERVAL_MS": "100",
                "REPORT_REMINDER_ENABLED": "false",
            }
            with (logs / f"{service}.log").open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        str(BIN / f"tdkt-{service}"), env=env, stdout=log, stderr=asyncio.subprocess.STDOUT
                    )
                )
        async with httpx.AsyncClient() as client:
            for (service, port), process in zip(ports.items(), processes, strict=True):

                async def ready(
                    service: str = service, port: int = port, process: asyncio.subprocess.Process = process
                ) -> bool:
                    if process.returncode is not None:
                        tail = (logs / f"{service}.log").read_text(errors="replace")[-3000:]
                        raise AssertionError(f"tdkt-{service} exited with {process.returncode}:\n{tail}")
                    try:
                        return (await client.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
                    except httpx.TransportError:
                        return False

                await eventually(ready, timeout_s=180, what=f"tdkt-{service} ready")
        yield ports
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)
