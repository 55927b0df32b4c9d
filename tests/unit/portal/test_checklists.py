"""An award's checklist is asked of awards once per rule day and territory while it is kept."""

from __future__ import annotations

from typing import Any

import pytest

from tdkt_portal.backend import Backend, BackendError
from tdkt_portal.names import AwardChecklists


class Catalogue(Backend):
    def __init__(self) -> None:
        super().__init__({})
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def get(self, service: Any, path: str, token: str | None = None, **params: Any) -> Any:
        self.asked.append((path, params))
        if path.endswith("/NOPE"):
            raise BackendError(404, "không có")
        return {"code": path.rsplit("/", 1)[1], "attachments": ["TO_TRINH", f"BAO_CAO_{params['territory']}"]}


async def test_a_checklist_is_kept_per_award_day_and_territory() -> None:
    backend, checklists = Catalogue(), AwardChecklists(ttl_s=60)
    first = await checklists.get(backend, "t", "CSTD_CO_SO", "2025-12-31", "thai-nguyen")
    assert first == ["TO_TRINH", "BAO_CAO_thai-nguyen"]
    first.append("changed by a caller")
    assert await checklists.get(backend, "t", "CSTD_CO_SO", "2025-12-31", "thai-nguyen") == [
        "TO_TRINH",
        "BAO_CAO_thai-nguyen",
    ]
    await checklists.get(backend, "t", "CSTD_CO_SO", "2025-12-31", "cao-bang")
    await checklists.get(backend, "t", "CSTD_CO_SO", "2026-12-31", "thai-nguyen")
    assert [(path, params["on"], params["territory"]) for path, params in backend.asked] == [
        ("/catalogue/awards/CSTD_CO_SO", "2025-12-31", "thai-nguyen"),
        ("/catalogue/awards/CSTD_CO_SO", "2025-12-31", "cao-bang"),
        ("/catalogue/awards/CSTD_CO_SO", "2026-12-31", "thai-nguyen"),
    ]


async def test_without_a_keeping_time_every_read_asks_and_a_refusal_is_not_kept() -> None:
    backend, checklists = Catalogue(), AwardChecklists(ttl_s=0)
    for _ in range(2):
        await checklists.get(backend, "t", "LDTT", "2025-12-31", None)
    assert len(backend.asked) == 2
    kept = AwardChecklists(ttl_s=60)
    for _ in range(2):
        with pytest.raises(BackendError):
            await kept.get(backend, "t", "NOPE", "2025-12-31", None)
    assert len(backend.asked) == 4
