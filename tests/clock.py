"""A clock that tests set by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Generic, TypeVar

T = TypeVar("T")

MONDAY_MORNING = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
"""A working day's morning, for tests whose deadlines count working days."""


class ManualClock(Generic[T]):
    """Calling it tells `now`, which the test moves: `clock.now = ...`."""

    def __init__(self, now: T) -> None:
        self.now = now

    def __call__(self) -> T:
        return self.now
