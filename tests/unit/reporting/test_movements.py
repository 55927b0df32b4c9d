from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_reporting.store import MOVEMENTS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.reporting import MovementLaunched, MovementPreliminaryReviewed
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.reporting.conftest import register

DRAFT: dict[str, Any] = {
    "id": "chuyen-doi-so",
    "title": "Bắc Kạn đẩy mạnh chương trình chuyển đổi số",
    "kind": "TOPIC",
    "level": "province",
    "launching_organization_id": "ubnd-tinh-bac-kan",
    "slogan": "Chuyển đổi số vì người dân",
    "scope": {"organization_ids": ["so-noi-vu"], "cluster_ids": ["cum-1"], "area_codes": ["06"]},
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
    "reward_plan": [{"award_code": "CO_THI_DUA_TINH", "quota": 2}, {"award_code": "BANG_KHEN_UBND_TINH"}],
}
DECISION = {"number": "12/QĐ-UBND", "date": "2025-01-05"}


@pytest.fixture(autouse=True)
async def launcher_known(runtime: InMemoryRuntime) -> None:
    """The launching organisation is in the directory, as the registry's events would put it."""
    await register(runtime, "ubnd-tinh-bac-kan", "UBND tỉnh Bắc Kạn")


async def _post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> httpx.Response:
    return await client.post(path, json=body)


async def test_full_lifecycle_emits_one_event_per_transition(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    created = await _post(client, "/movements", DRAFT)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["version"]) == ("DRAFT", 1)
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("launch", {"version": 1, "decision": DECISION}, "LAUNCHED"),
        ("start", {"version": 2}, "IN_PROGRESS"),
        ("preliminary-reviews", {"version": 3, "on": "2025-06-30"}, "PRELIMINARY_REVIEWED"),
        ("preliminary-reviews", {"version": 4, "on": "2025-09-30"}, "PRELIMINARY_REVIEWED"),
        ("final-review", {"version": 5, "on": "2025-12-20"}, "FINAL_REVIEWED"),
        ("close", {"version": 6}, "CLOSED"),
    ]
    for path, body, expected in steps:
        response = await _post(client, f"/movements/chuyen-doi-so/{path}", body)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == expected
    final = (await client.get("/movements/chuyen-doi-so")).json()
    assert final["version"] == 7
    assert final["preliminary_reviews"] == ["2025-06-30", "2025-09-30"]
    assert final["decision"] == {"number": "12/QĐ-UBND", "date": "2025-01-05"}
    events = runtime.store(MOVEMENTS).events
    assert [e.type.split(".")[3] for e in events] == [
        "drafted",
        "launched",
        "started",
        "preliminary_reviewed",
        "preliminary_reviewed",
        "final_reviewed",
        "closed",
    ]
    assert {e.partitionkey for e in events} == {"chuyen-doi-so"}
    launched = parse_data(events[1])
    assert isinstance(launched, MovementLaunched)
    assert (launched.decision_number, launched.scope_cluster_ids, launched.version) == ("12/QĐ-UBND", ["cum-1"], 2)
    second = parse_data(events[4])
    assert isinstance(second, MovementPreliminaryReviewed)
    assert second.review_number == 2


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("start", {"version": 1}),
        ("preliminary-reviews", {"version": 1, "on": "2025-06-30"}),
        ("final-review", {"version": 1, "on": "2025-06-30"}),
        ("close", {"version": 1}),
    ],
)
async def test_illegal_transitions_from_draft_are_409_and_write_nothing(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, path: str, body: dict[str, Any]
) -> None:
    await _post(client, "/movements", DRAFT)
    response = await _post(client, f"/movements/chuyen-doi-so/{path}", body)
    assert response.status_code == 409
    assert response.json()["error"] == "invalid_transition"
    assert len(runtime.store(MOVEMENTS).events) == 1
    assert (await client.get("/movements/chuyen-doi-so")).json()["version"] == 1


async def test_closed_and_cancelled_movements_cannot_be_cancelled(client: httpx.AsyncClient) -> None:
    await _post(client, "/movements", DRAFT)
    cancelled = await _post(client, "/movements/chuyen-doi-so/cancel", {"version": 1, "reason": "Trùng nội dung"})
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "CANCELLED")
    again = await _post(client, "/movements/chuyen-doi-so/cancel", {"version": 2, "reason": "x"})
    assert again.status_code == 409
    launch = await _post(client, "/movements/chuyen-doi-so/launch", {"version": 2, "decision": DECISION})
    assert launch.status_code == 409


async def test_a_stale_version_is_409_and_writes_nothing(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    await _post(client, "/movements", DRAFT)
    assert (await _post(client, "/movements/chuyen-doi-so/launch", {"version": 1, "decision": DECISION})).is_success
    stale = await _post(client, "/movements/chuyen-doi-so/cancel", {"version": 1, "reason": "Trùng"})
    assert stale.status_code == 409
    assert (stale.json()["error"], stale.json()["field"]) == ("version_conflict", "version")
    assert (await client.get("/movements/chuyen-doi-so")).json()["status"] == "LAUNCHED"
    assert len(runtime.store(MOVEMENTS).events) == 2


async def test_launch_needs_a_decision(client: httpx.AsyncClient) -> None:
    await _post(client, "/movements", DRAFT)
    response = await _post(client, "/movements/chuyen-doi-so/launch", {"version": 1})
    assert (response.status_code, response.json()["field"]) == (422, "decision")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "SOMETIMES"}, "kind"),
        ({"period": {"start": "2025-12-31", "end": "2025-01-01"}}, "period"),
        ({"title": "   "}, "title"),
        ({"reward_plan": [{"award_code": "X", "quota": -1}]}, "reward_plan.0.quota"),
        ({"parent_movement_id": "nothing-here"}, "parent_movement_id"),
        ({"launching_organization_id": "ubnd-tinh-khong-co"}, "launching_organization_id"),
    ],
)
async def test_bad_drafts_are_422_with_the_field(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, change: dict[str, Any], field: str
) -> None:
    response = await _post(client, "/movements", {**DRAFT, **change})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert runtime.store(MOVEMENTS).events == []


async def test_a_child_movement_names_its_parent_and_lists_by_parent(client: httpx.AsyncClient) -> None:
    await _post(client, "/movements", DRAFT)
    child = {**DRAFT, "id": "chuyen-doi-so-ba-be", "parent_movement_id": "chuyen-doi-so", "level": "commune"}
    assert (await _post(client, "/movements", child)).status_code == 201
    listing = (await client.get("/movements", params={"parent_movement_id": "chuyen-doi-so"})).json()
    assert [m["id"] for m in listing["items"]] == ["chuyen-doi-so-ba-be"]
    assert (await _post(client, "/movements", child)).status_code == 409
    assert (await client.get("/movements/none")).status_code == 404


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("preliminary-reviews", {"version": 4, "on": "2026-01-10"}),
        ("final-review", {"version": 4, "on": "2026-01-10"}),
        ("cancel", {"version": 4, "reason": "Quá hạn"}),
        ("launch", {"version": 4, "decision": DECISION}),
        ("close", {"version": 4}),
    ],
)
async def test_a_final_reviewed_movement_only_closes_and_a_closed_one_never_changes(
    client: httpx.AsyncClient, path: str, body: dict[str, Any]
) -> None:
    await _post(client, "/movements", DRAFT)
    for step, step_body in (
        ("launch", {"version": 1, "decision": DECISION}),
        ("start", {"version": 2}),
        ("final-review", {"version": 3, "on": "2025-12-20"}),
    ):
        assert (await _post(client, f"/movements/chuyen-doi-so/{step}", step_body)).is_success
    response = await _post(client, f"/movements/chuyen-doi-so/{path}", body)
    if path in ("close", "cancel"):
        assert response.status_code == 200
        after = await _post(client, "/movements/chuyen-doi-so/cancel", {"version": 5, "reason": "x"})
        assert after.status_code == 409
    else:
        assert response.status_code == 409
