from __future__ import annotations

import pytest
from pymongo.errors import OperationFailure

from tdkt_shared.store.mongo import is_busy, when_not_busy

BUSY = OperationFailure("[collection.go:191 sqlite.(*collection).UpdateAll] database is locked (5) (SQLITE_BUSY)", 1)


async def test_busy_answers_are_sent_again_until_they_pass() -> None:
    calls = 0

    async def flaky(value: int, *, plus: int) -> int:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise BUSY
        return value + plus

    assert await when_not_busy(flaky, 40, plus=2) == 42
    assert calls == 3


async def test_other_failures_are_not_retried() -> None:
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise OperationFailure("unknown operator: $foo", 2)

    with pytest.raises(OperationFailure, match="unknown operator"):
        await when_not_busy(broken)
    assert calls == 1
    assert is_busy(BUSY)
    assert not is_busy(ValueError("SQLITE_BUSY"))
