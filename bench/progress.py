"""Observable, bounded phases: a progress line to stderr every few seconds, and a timeout that keeps partial counts."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

DEADLINE: float | None = None
"""`time.perf_counter()` value after which every phase gets only a second: `--budget` bounds the whole run."""


def set_budget(seconds: float | None) -> None:
    global DEADLINE
    DEADLINE = None if seconds is None else time.perf_counter() + seconds


def bounded(timeout_s: float) -> float:
    if DEADLINE is None:
        return timeout_s
    return max(1.0, min(timeout_s, DEADLINE - time.perf_counter()))


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Phase:
    """One measured phase. `done` counts finished units; `partial` is set when the timeout cut it short."""

    name: str
    total: int
    timeout_s: float
    done: int = 0
    partial: bool = False
    started: float = field(default_factory=time.perf_counter)
    ended: float | None = None

    def tick(self, n: int = 1) -> None:
        self.done += n

    @property
    def elapsed(self) -> float:
        return (self.ended or time.perf_counter()) - self.started

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0

    def line(self) -> str:
        return f"{self.name}: {self.done}/{self.total} in {self.elapsed:.1f} s ({self.rate:,.0f}/s)"

    @property
    def note(self) -> str:
        return f"PARTIAL: timed out after {self.timeout_s:.0f} s" if self.partial else ""


@contextlib.asynccontextmanager
async def phase(name: str, total: int, timeout_s: float, every_s: float = 3.0) -> AsyncIterator[Phase]:
    """`async with phase(...) as p:` runs the body within `timeout_s`; on timeout the body is cancelled, `p.partial`
    is set and the code after the block goes on with what was counted."""
    p = Phase(name, total, bounded(timeout_s))
    say(f"{name}: start ({total} units, timeout {p.timeout_s:.0f} s)")

    async def report() -> None:
        while True:
            await asyncio.sleep(every_s)
            say(p.line())

    reporter = asyncio.create_task(report())
    try:
        async with asyncio.timeout(p.timeout_s):
            yield p
    except TimeoutError:
        p.partial = True
    finally:
        p.ended = time.perf_counter()
        reporter.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reporter
        say(p.line() + (" PARTIAL (timeout)" if p.partial else " done"))
