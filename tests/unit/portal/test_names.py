"""Award names kept for their TTL: read again once stale, the last ones known while awards does not answer."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from tdkt_portal import names
from tdkt_portal.backend import Backend, BackendError


class Awards:
    """Awards' public catalogue as the portal's backend answers it, or its refusal."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False
        self.name = "Bằng khen của Chủ tịch UBND tỉnh"

    async def get(self, service: str, path: str, *_: Any) -> Any:
        assert (service, path) == ("awards", "/catalogue/rule-sets")
        self.calls += 1
        if self.down:
            raise BackendError(503, "awards is down")
        return [{"award_types": [{"code": "BK_UBND", "name": self.name}]}]


async def test_names_serve_for_their_ttl_then_the_last_known_while_awards_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(names, "time", SimpleNamespace(monotonic=lambda: now[0]))
    awards = Awards()
    backend = cast("Backend", awards)
    kept = names.AwardNames(ttl_s=60)
    assert kept.known == {}
    assert await kept.get(backend) == {"BK_UBND": "Bằng khen của Chủ tịch UBND tỉnh"}
    awards.name = "Bằng khen"
    now[0] += 59
    assert (await kept.get(backend))["BK_UBND"] == "Bằng khen của Chủ tịch UBND tỉnh"
    assert awards.calls == 1
    now[0] += 2
    assert (await kept.get(backend))["BK_UBND"] == "Bằng khen"
    assert awards.calls == 2
    # stale, and awards refuses: the last names, and no call again for RETRY_S
    awards.down = True
    now[0] += 61
    assert kept.known == await kept.get(backend) == {"BK_UBND": "Bằng khen"}
    now[0] += names.RETRY_S - 1
    await kept.get(backend)
    assert awards.calls == 3
    now[0] += 1
    await kept.get(backend)
    assert awards.calls == 4
