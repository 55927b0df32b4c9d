"""Awards' API over the in-memory store, on a clock stopped on a Monday morning (a file may define its own)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tdkt_awards.service import DEFINITION
from tdkt_shared.runtime import InMemoryRuntime
from tests.clock import MONDAY_MORNING, ManualClock
from tests.helpers import serve


@pytest.fixture
def runtime() -> InMemoryRuntime:
    runtime = InMemoryRuntime(DEFINITION)
    setattr(runtime, "clock", ManualClock(MONDAY_MORNING))  # noqa: B010
    return runtime


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client
