"""Fixtures of the fault tests: one private stack and the four workers for the whole session.

They never use the shared stack (ports 9092/27017): brokers and databases are killed and restarted here.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from tdkt_shared.store import connect
from tests.integration.faults.harness import PrivateStack, Worker, wait_until_ready, workers_on

SERVICES = ["registry", "reporting", "awards", "notify"]


@pytest.fixture(scope="session")
def private_stack() -> Iterator[PrivateStack]:
    stack = PrivateStack()
    try:
        took = stack.up()
        print(f"\n[faults] private stack {stack.bootstrap} {stack.mongodb_url} in {stack.directory}, up in {took:.1f}s")
        yield stack
    finally:
        stack.down()


@pytest.fixture(scope="session")
def workers(private_stack: PrivateStack) -> Iterator[dict[str, Worker]]:
    with workers_on(private_stack, SERVICES) as running:
        t0 = time.monotonic()
        wait_until_ready(list(running.values()))
        print(f"[faults] workers ready in {time.monotonic() - t0:.1f}s")
        yield running


@pytest.fixture(scope="session")
async def mongo(private_stack: PrivateStack) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client = connect(private_stack.mongodb_url, timeout_ms=10_000)
    yield client
    await client.close()
