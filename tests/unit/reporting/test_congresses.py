from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_reporting.store import CONGRESSES
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.reporting import CongressHeld, CongressRescheduled, CongressScheduled
from tdkt_shared.runtime import InMemoryRuntime

CONGRESS: dict[str, Any] = {
    "id": "dai-hoi-vi",
    "kind": "PATRIOTIC_EMULATION_CONGRESS",
    "title": "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI",
    "level": "province",
    "organizer_id": "ubnd-tinh-bac-kan",
    "held_on": "2025-06-20",
    "venue": "Hội trường UBND tỉnh",
    "agenda": ["Báo cáo tổng kết", "Khen thưởng"],
    "invited_organization_ids": ["so-noi-vu"],
    "honouree_quota": 2,
    "nomination_deadline": "2025-05-31",
}
HONOUREES = [
    {"name": "Nguyễn Thị Hà", "kind": "INDIVIDUAL", "person_id": "p-1"},
    {"name": "UBND huyện Ba Bể", "kind": "COLLECTIVE", "organization_id": "ubnd-huyen-ba-be"},
]


async def test_schedule_reschedule_hold(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    created = await client.post("/congresses", json=CONGRESS)
    assert (created.status_code, created.json()["status"]) == (201, "SCHEDULED")
    moved = await client.post("/congresses/dai-hoi-vi/reschedule", json={"version": 1, "held_on": "2025-06-27"})
    assert (moved.status_code, moved.json()["held_on"]) == (200, "2025-06-27")
    held = await client.post("/congresses/dai-hoi-vi/hold", json={"version": 2, "honourees": HONOUREES})
    assert (held.status_code, held.json()["status"]) == (200, "HELD")
    events = runtime.store(CONGRESSES).events
    scheduled, rescheduled, done = (parse_data(e) for e in events)
    assert isinstance(scheduled, CongressScheduled)
    assert (scheduled.title, scheduled.honouree_quota) == ("Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI", 2)
    assert isinstance(rescheduled, CongressRescheduled)
    assert (str(rescheduled.previous_held_on), str(rescheduled.held_on)) == ("2025-06-20", "2025-06-27")
    assert isinstance(done, CongressHeld)
    assert [h.name for h in done.honourees] == ["Nguyễn Thị Hà", "UBND huyện Ba Bể"]
    assert {e.partitionkey for e in events} == {"dai-hoi-vi"}


async def test_honourees_beyond_the_quota_are_refused(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    await client.post("/congresses", json=CONGRESS)
    three = [*HONOUREES, {"name": "Trường THPT Ba Bể", "kind": "COLLECTIVE"}]
    response = await client.post("/congresses/dai-hoi-vi/hold", json={"version": 1, "honourees": three})
    assert (response.status_code, response.json()["field"]) == (422, "honourees")
    assert len(runtime.store(CONGRESSES).events) == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("hold", {"version": 2, "honourees": []}),
        ("reschedule", {"version": 2, "held_on": "2025-07-01"}),
        ("cancel", {"version": 2, "reason": "x"}),
    ],
)
async def test_a_cancelled_congress_cannot_change(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, path: str, body: dict[str, Any]
) -> None:
    await client.post("/congresses", json=CONGRESS)
    cancelled = await client.post("/congresses/dai-hoi-vi/cancel", json={"version": 1, "reason": "Sáp nhập tỉnh"})
    assert cancelled.json()["status"] == "CANCELLED"
    response = await client.post(f"/congresses/dai-hoi-vi/{path}", json=body)
    assert response.status_code == 409
    assert [e.type.split(".")[3] for e in runtime.store(CONGRESSES).events] == ["scheduled", "cancelled"]


async def test_a_held_congress_cannot_be_held_again_or_rescheduled(client: httpx.AsyncClient) -> None:
    await client.post("/congresses", json=CONGRESS)
    await client.post("/congresses/dai-hoi-vi/hold", json={"version": 1, "honourees": HONOUREES})
    again = await client.post("/congresses/dai-hoi-vi/hold", json={"version": 2, "honourees": []})
    later = await client.post("/congresses/dai-hoi-vi/reschedule", json={"version": 2, "held_on": "2025-07-01"})
    assert (again.status_code, later.status_code) == (409, 409)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nomination_deadline": "2025-07-01"}, None),
        ({"kind": "PARTY"}, "kind"),
        ({"honouree_quota": -1}, "honouree_quota"),
    ],
)
async def test_bad_schedules_are_422(client: httpx.AsyncClient, change: dict[str, Any], field: str | None) -> None:
    response = await client.post("/congresses", json={**CONGRESS, **change})
    assert (response.status_code, response.json()["field"]) == (422, field)


async def test_rescheduling_before_the_nomination_deadline_is_refused(client: httpx.AsyncClient) -> None:
    await client.post("/congresses", json=CONGRESS)
    response = await client.post("/congresses/dai-hoi-vi/reschedule", json={"version": 1, "held_on": "2025-05-01"})
    assert (response.status_code, response.json()["field"]) == (422, "held_on")
