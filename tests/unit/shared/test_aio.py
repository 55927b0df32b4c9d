"""`concurrently`: a few workers over a list, results in order, the first failure stops the rest."""

from __future__ import annotations

import asyncio

import pytest

from tdkt_shared.aio import concurrently


class InFlight:
    """Counts the calls running at once; each yields to the loop a few times before it returns."""

    def __init__(self) -> None:
        self.running = self.most = 0

    async def __call__(self, value: int) -> int:
        self.running += 1
        self.most = max(self.most, self.running)
        for _ in range(3):
            await asyncio.sleep(0)
        self.running -= 1
        return value * 10


async def test_concurrently_runs_at_most_the_limit_at_once_and_keeps_the_order() -> None:
    action = InFlight()
    assert await concurrently(list(range(10)), action, 3) == [i * 10 for i in range(10)]
    assert action.most == 3
    assert await concurrently([], action, 3) == []


async def test_concurrently_raises_the_first_failure_and_stops_the_rest() -> None:
    started: list[int] = []

    async def action(value: int) -> int:
        started.append(value)
        await asyncio.sleep(0)
        if value == 1:
            raise ValueError("bad item")
        await asyncio.sleep(1)
        return value

    with pytest.raises(ValueError, match="bad item"):
        await concurrently(list(range(6)), action, 2)
    await asyncio.sleep(0.01)
    assert started == [0, 1]  # the other worker was cancelled, and nobody took the rest
