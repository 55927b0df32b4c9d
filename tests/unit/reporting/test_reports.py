from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tdkt_reporting.domain.reports import reminder_event_id
from tdkt_reporting.store import ORGANIZATIONS, REPORTS
from tdkt_shared.auth import Role
from tdkt_shared.contract import make_event, parse_data
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.contract.reporting import ReportContentEdited, ReportReassigned, ReportSubmitted
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers as token
from tests.helpers import record_calls
from tests.unit.reporting.conftest import merge, register

REPORT: dict[str, Any] = {
    "id": "r-2025-ba-be",
    "organization_id": "ubnd-huyen-ba-be",
    "kind": "PERIODIC",
    "period": "2025-H1",
    "due_date": "2025-06-15",
}
SHA = "a" * 64
CONTENT: dict[str, Any] = {
    "indicators": {"nha-tam-da-xoa": 125, "ghi-chu": "vượt kế hoạch"},
    "narrative": "Kết quả 6 tháng đầu năm",
    "attachments": [
        {"name": "bao-cao.pdf", "size": 1024, "sha256": SHA, "url": "https://files.example/bc.pdf", "validated": True}
    ],
}
BA_BE = token(Role.UNIT_OFFICER, "ubnd-huyen-ba-be")


@pytest.fixture
async def report(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> dict[str, Any]:
    await register(runtime, "ubnd-huyen-ba-be", "UBND huyện Ba Bể")
    response = await client.post("/reports", json=REPORT)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_draft_submit_return_resubmit_accept(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any]
) -> None:
    assert (report["status"], report["version"], report["revision"]) == ("DRAFT", 1, 0)
    edited = await client.put("/reports/r-2025-ba-be/content", json={"version": 1, "content": CONTENT}, headers=BA_BE)
    assert edited.status_code == 200, edited.text
    assert edited.json()["content"]["indicators"] == {"nha-tam-da-xoa": 125, "ghi-chu": "vượt kế hoạch"}
    first = await client.post("/reports/r-2025-ba-be/submit", json={"version": 2}, headers=BA_BE)
    assert (first.status_code, first.json()["status"], first.json()["revision"]) == (200, "SUBMITTED", 1)
    returned = await client.post("/reports/r-2025-ba-be/return", json={"version": 3, "reason": "Thiếu chỉ tiêu 3"})
    assert returned.json()["status"] == "RETURNED"
    second = await client.post("/reports/r-2025-ba-be/submit", json={"version": 4}, headers=BA_BE)
    assert (second.json()["status"], second.json()["revision"]) == ("SUBMITTED", 2)
    accepted = await client.post("/reports/r-2025-ba-be/accept", json={"version": 5})
    assert (accepted.status_code, accepted.json()["status"]) == (200, "ACCEPTED")

    events = runtime.store(REPORTS).events
    assert [e.type for e in events] == [
        "tdkt.reporting.report.drafted.v1",
        "tdkt.reporting.report.content_edited.v1",
        "tdkt.reporting.report.submitted.v1",
        "tdkt.reporting.report.returned.v1",
        "tdkt.reporting.report.submitted.v1",
        "tdkt.reporting.report.accepted.v1",
    ]
    revisions = [d.revision for e in events if isinstance(d := parse_data(e), ReportSubmitted)]
    assert revisions == [1, 2]
    content_edited = parse_data(events[1])
    assert isinstance(content_edited, ReportContentEdited)
    assert (content_edited.edited_by, content_edited.indicator_codes, content_edited.attachment_count) == (
        "ubnd-huyen-ba-be",
        ["ghi-chu", "nha-tam-da-xoa"],
        1,
    )
    submitted = parse_data(events[4])
    assert isinstance(submitted, ReportSubmitted)
    assert (submitted.organization_id, submitted.submitted_by, submitted.period) == (
        "ubnd-huyen-ba-be",
        "ubnd-huyen-ba-be",
        "2025-H1",
    )
    history = accepted.json()["history"]
    assert [h["status"] for h in history] == ["DRAFT", "SUBMITTED", "RETURNED", "SUBMITTED", "ACCEPTED"]
    assert history[2]["reason"] == "Thiếu chỉ tiêu 3"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("return", {"version": 1, "reason": "x"}),
        ("accept", {"version": 1}),
    ],
)
async def test_a_draft_cannot_be_returned_or_accepted(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any], path: str, body: dict[str, Any]
) -> None:
    response = await client.post(f"/reports/r-2025-ba-be/{path}", json=body)
    assert (response.status_code, response.json()["error"]) == (409, "invalid_transition")
    assert len(runtime.store(REPORTS).events) == 1


async def test_accepted_report_is_final(client: httpx.AsyncClient, report: dict[str, Any]) -> None:
    await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers=BA_BE)
    await client.post("/reports/r-2025-ba-be/accept", json={"version": 2})
    for response in (
        await client.post("/reports/r-2025-ba-be/submit", json={"version": 3}, headers=BA_BE),
        await client.post("/reports/r-2025-ba-be/return", json={"version": 3, "reason": "x"}),
        await client.put("/reports/r-2025-ba-be/content", json={"version": 3, "content": CONTENT}, headers=BA_BE),
    ):
        assert response.status_code == 409


@pytest.mark.parametrize("known", [True, False])
async def test_a_submission_reads_the_report_only_when_the_store_does_not_know_it(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    report: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    known: bool,
) -> None:
    store = runtime.store(REPORTS)
    reads = record_calls(monkeypatch, store, "get")
    if not known:  # as a process that neither wrote nor read this version (another instance, an evicted entry)
        monkeypatch.setattr(store, "known", lambda _id, _version: None)
    submitted = await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers=BA_BE)
    assert (submitted.status_code, submitted.json()["status"], submitted.json()["version"]) == (200, "SUBMITTED", 2)
    # known: the write is a compare-and-set on the version the officer was admitted for; else one read first
    assert reads == ([] if known else [("r-2025-ba-be",)])
    stale = await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers=BA_BE)
    assert stale.status_code == 409
    assert reads == [("r-2025-ba-be",)] * (1 if known else 2)  # a refusal is decided on what is stored
    assert len(store.events) == 2  # drafted, submitted


async def test_a_remembered_version_that_moved_on_is_decided_on_the_stored_report(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process accepted the report after this one remembered it as a draft: the submit on the old version
    writes nothing and answers as the stored report says (409 stale version), not from the remembered draft."""
    store = runtime.store(REPORTS)
    draft = store.known("r-2025-ba-be", 1)
    assert draft is not None
    assert draft.state["status"] == "DRAFT"
    await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers=BA_BE)
    await client.post("/reports/r-2025-ba-be/accept", json={"version": 2})
    monkeypatch.setattr(store, "known", lambda _id, version: draft if version == 1 else None)
    response = await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers=BA_BE)
    assert (response.status_code, response.json()["error"]) == (409, "version_conflict")
    assert [e.type.rsplit(".", 2)[-2] for e in store.events] == ["drafted", "submitted", "accepted"]
    assert (await client.get("/reports/r-2025-ba-be")).json()["status"] == "ACCEPTED"


async def test_only_the_reporting_organisation_may_submit(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any]
) -> None:
    await register(runtime, "ubnd-huyen-na-ri")
    other = await client.post(
        "/reports/r-2025-ba-be/submit", json={"version": 1}, headers=token(Role.UNIT_OFFICER, "ubnd-huyen-na-ri")
    )
    assert (other.status_code, other.json()["error"], other.json()["field"]) == (403, "forbidden", "organization_id")
    press = await client.post(
        "/reports/r-2025-ba-be/submit", json={"version": 1}, headers=token(Role.PRESS_OFFICER, "ubnd-huyen-ba-be")
    )
    assert press.status_code == 403
    anonymous = await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers={"Authorization": ""})
    assert anonymous.status_code == 401
    assert len(runtime.store(REPORTS).events) == 1


async def test_after_a_merger_the_successor_submits_and_history_is_kept(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any]
) -> None:
    await register(runtime, "ubnd-xa-cho-ra")
    await client.post("/reports", json={**REPORT, "id": "r-old", "period": "2024"})
    await client.post("/reports/r-old/submit", json={"version": 1}, headers=BA_BE)
    await client.post("/reports/r-old/accept", json={"version": 2})
    event_id = await merge(runtime, ["ubnd-huyen-ba-be", "ubnd-huyen-pac-nam"], "ubnd-xa-cho-ra")
    await merge(runtime, ["ubnd-huyen-ba-be"], "ubnd-xa-cho-ra")  # a different merger event changes nothing more

    moved = (await client.get("/reports/r-2025-ba-be")).json()
    assert moved["organization_id"] == "ubnd-xa-cho-ra"
    assert moved["history"][-1] == {
        "organization_id": "ubnd-xa-cho-ra",
        "from_organization_id": "ubnd-huyen-ba-be",
        "effective_date": "2025-07-01",
        "legal_basis": "Nghị quyết 1683/NQ-UBTVQH15",
    }
    accepted = (await client.get("/reports/r-old")).json()
    assert accepted["organization_id"] == "ubnd-huyen-ba-be"  # accepted reports keep their author
    directory = await runtime.store(ORGANIZATIONS).get("ubnd-huyen-ba-be")
    assert directory is not None
    assert (directory.state["successor_id"], directory.state["merged_on"]) == ("ubnd-xa-cho-ra", "2025-07-01")

    reassigned = [e for e in runtime.store(REPORTS).events if e.type == "tdkt.reporting.report.reassigned.v1"]
    assert len(reassigned) == 1
    assert reassigned[0].causationid == event_id
    data = parse_data(reassigned[0])
    assert isinstance(data, ReportReassigned)
    assert (data.report_id, data.from_organization_id) == ("r-2025-ba-be", "ubnd-huyen-ba-be")

    unrelated = token(Role.UNIT_OFFICER, "ubnd-huyen-na-ri")
    foreign = await client.post("/reports/r-2025-ba-be/submit", json={"version": moved["version"]}, headers=unrelated)
    assert foreign.status_code == 403
    successor = await client.post(
        "/reports/r-2025-ba-be/submit",
        json={"version": moved["version"]},
        headers=token(Role.UNIT_OFFICER, "ubnd-xa-cho-ra"),
    )
    assert successor.status_code == 200, successor.text
    assert successor.json()["history"][-1]["by"] == "ubnd-xa-cho-ra"


async def test_a_repeated_merger_event_moves_nothing_twice(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any]
) -> None:
    data = OrganizationsMerged(
        predecessor_ids=["ubnd-huyen-ba-be"],
        successor_id="ubnd-xa-cho-ra",
        effective_date=date(2025, 7, 1),
        legal_basis="NQ",
    )
    event = make_event(data, partitionkey="ubnd-xa-cho-ra")
    handle = runtime.handlers()[OrganizationsMerged.event_type]
    assert await handle(event, data) == 1
    assert await handle(event, data) == 0
    stored = await runtime.store(REPORTS).get("r-2025-ba-be")
    assert stored is not None
    assert stored.version == 2


async def test_a_successor_may_submit_a_report_still_filed_under_its_predecessor(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any]
) -> None:
    await register(runtime, "ubnd-xa-cho-ra")
    await merge(runtime, ["ubnd-huyen-ba-be"], "ubnd-xa-cho-ra")
    late = await client.post("/reports", json={**REPORT, "id": "r-late"})
    assert late.json()["organization_id"] == "ubnd-huyen-ba-be"
    response = await client.post(
        "/reports/r-late/submit", json={"version": 1}, headers=token(Role.UNIT_OFFICER, "ubnd-xa-cho-ra")
    )
    assert response.status_code == 200


async def test_overdue_is_derived_from_the_date_passed_in(client: httpx.AsyncClient, report: dict[str, Any]) -> None:
    on_time = (await client.get("/reports/r-2025-ba-be", params={"as_of": "2025-06-15"})).json()
    late = (await client.get("/reports/r-2025-ba-be", params={"as_of": "2025-06-16"})).json()
    assert (on_time["overdue"], late["overdue"]) == (False, True)
    await client.post("/reports/r-2025-ba-be/submit", json={"version": 1}, headers=BA_BE)
    submitted = (await client.get("/reports/r-2025-ba-be", params={"as_of": "2025-07-01"})).json()
    assert submitted["overdue"] is False
    assert "overdue" not in submitted["history"][-1]


async def test_the_list_filters_on_overdue_as_of_a_date(client: httpx.AsyncClient, report: dict[str, Any]) -> None:
    for report_id, due in (("r-early", "2025-05-31"), ("r-late", "2025-09-30"), ("r-done", "2025-04-30")):
        assert (await client.post("/reports", json={**REPORT, "id": report_id, "due_date": due})).is_success
    assert (await client.post("/reports/r-done/submit", json={"version": 1}, headers=BA_BE)).is_success

    async def listed(**params: str) -> tuple[int, list[str]]:
        page = (await client.get("/reports", params=params)).json()
        return page["total"], [r["id"] for r in page["items"]]

    assert await listed(overdue="true", as_of="2025-06-16") == (2, ["r-early", "r-2025-ba-be"])
    assert await listed(overdue="true", as_of="2025-06-16", limit="1", offset="1") == (2, ["r-2025-ba-be"])
    assert await listed(overdue="false", as_of="2025-06-16") == (2, ["r-done", "r-late"])
    assert await listed(overdue="true", as_of="2025-06-01") == (1, ["r-early"])
    assert await listed(as_of="2025-06-16") == (4, ["r-done", "r-early", "r-2025-ba-be", "r-late"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organization_id": "unknown-org"}, "organization_id"),
        ({"movement_id": "no-movement"}, "movement_id"),
        ({"kind": "WEEKLY"}, "kind"),
        ({"period": "H1"}, "period"),
    ],
)
async def test_bad_reports_are_422(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, change: dict[str, Any], field: str
) -> None:
    await register(runtime, "ubnd-huyen-ba-be")
    response = await client.post("/reports", json={**REPORT, **change})
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert runtime.store(REPORTS).events == []


@pytest.mark.parametrize(
    ("attachment", "field"),
    [
        ({"sha256": "xyz"}, "content.attachments.0.sha256"),
        ({"size": -1}, "content.attachments.0.size"),
        ({"url": "ftp://x"}, "content.attachments.0.url"),
    ],
)
async def test_bad_attachment_metadata_is_422(
    client: httpx.AsyncClient, report: dict[str, Any], attachment: dict[str, Any], field: str
) -> None:
    bad = {**CONTENT, "attachments": [{**CONTENT["attachments"][0], **attachment}]}
    response = await client.put("/reports/r-2025-ba-be/content", json={"version": 1, "content": bad}, headers=BA_BE)
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert (await client.get("/reports/r-2025-ba-be")).json()["version"] == 1


async def test_reminders_go_out_once(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, report: dict[str, Any]
) -> None:
    early = await client.post("/reminders/sweep", json={"today": "2025-06-01", "days_before": 7})
    assert early.json() == {"sent": 0}
    soon = [await client.post("/reminders/sweep", json={"today": "2025-06-10", "days_before": 7}) for _ in range(2)]
    assert [r.json()["sent"] for r in soon] == [1, 0]
    late = [await client.post("/reminders/sweep", json={"today": "2025-06-16"}) for _ in range(2)]
    assert [r.json()["sent"] for r in late] == [1, 0]
    reminders = [e for e in runtime.store(REPORTS).events if "due_soon" in e.type or "overdue" in e.type]
    assert [e.type for e in reminders] == ["tdkt.reporting.report.due_soon.v1", "tdkt.reporting.report.overdue.v1"]
    assert [e.id for e in reminders] == [
        reminder_event_id("r-2025-ba-be", "due_soon|2025-06-15", date(2025, 6, 15)),
        reminder_event_id("r-2025-ba-be", "overdue|2025-06-15", date(2025, 6, 15)),
    ]
    assert (await client.get("/reports/r-2025-ba-be")).json()["reminders_sent"] == [
        "due_soon|2025-06-15",
        "overdue|2025-06-15",
    ]
