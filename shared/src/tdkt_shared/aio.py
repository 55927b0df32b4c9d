"""Small asyncio helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


async def concurrently(items: Sequence[T], action: Callable[[T], Awaitable[R]], limit: int) -> list[R]:
    """`action` over `items`, at most `limit` at a time (a few workers, not a task per item); the results in the
    items' order. The first failure cancels the rest and is raised."""
    results: list[Any] = [None] * len(items)
    indexes = iter(range(len(items)))

    async def worker() -> None:
        for i in indexes:
            results[i] = await action(items[i])

    workers = [asyncio.ensure_future(worker()) for _ in range(min(limit, len(items)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for w in workers:
            w.cancel()
        raise
    return results
