"""The nomination workflow over the HTTP API with in-memory stores: dossier, appraisal, council, decision."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tdkt_awards.service import DEFINITION
from tdkt_awards.store import DECISIONS, NOMINATIONS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.awards import AwardGranted, AwardRevoked, NominationApproved
from tdkt_shared.runtime import InMemoryRuntime
from tests.clock import MONDAY_MORNING, ManualClock
from tests.helpers import attach_files, post_draft, serve
from tests.unit.awards.records import initiative, recorded

ORG = "so-noi-vu-thai-nguyen"
WHO = {"actor": "chuyen-vien-ha", "organization_id": ORG}


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return ManualClock(MONDAY_MORNING)


@pytest.fixture
def runtime(clock: ManualClock[datetime]) -> InMemoryRuntime:
    runtime = InMemoryRuntime(DEFINITION)
    setattr(runtime, "clock", clock)  # noqa: B010
    return runtime


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    # the initiative the dossiers declare, as the registry recorded it (the engine reads the record)
    await recorded(runtime, initiative("sk-7", "p-1", "p-2", "p-3", "p-9", "p-c", "p-g"))
    async with serve(DEFINITION, runtime) as client:
        yield client


def history(person: str, code: str, years: list[int], org: str = "so-noi-vu-bac-kan") -> list[dict[str, Any]]:
    return [
        {
            "recipient_id": person,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Nguyễn Thị Hà",
            "award_code": code,
            "year": y,
            "decision_number": f"{y}/QĐ-UBND",
            "decision_date": f"{y}-12-20",
            "organization_id": org,
        }
        for y in years
    ]


def draft_body(nid: str, person: str, code: str = "CSTD_TINH", **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": code,
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "nominees": [
            {
                "nominee_id": person,
                "kind": "INDIVIDUAL",
                "name": "Nguyễn Thị Hà",
                "organization_id": ORG,
                "initiatives": [
                    {"initiative_id": "sk-7", "scope": 3 if code == "CSTD_TQ" else 2, "recognized_on": "2025-05-02"}
                ],
            }
        ],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"],
    }
    body.update(kw)
    return body


async def step(client: httpx.AsyncClient, nid: str, action: str, version: int, **extra: Any) -> httpx.Response:
    return await client.post(f"/nominations/{nid}/{action}", json={"version": version, **WHO, **extra})


async def walk_to_appraised(client: httpx.AsyncClient, nid: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/nominations/{nid}")).json()
    for action in ("submit", "receive", "start-appraisal", "appraise"):
        r = await step(client, nid, action, body["version"])
        assert r.status_code == 200, r.text
        body = r.json()
    return body


async def test_full_workflow_from_history_to_decision(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    r = await client.post(
        "/grants/imports", json={"batch_id": "lich-su-1", "grants": history("p-1", "CSTD_CO_SO", [2023, 2024])}
    )
    assert r.status_code == 201, r.text
    csv_body = (
        "recipient_id,recipient_kind,recipient_name,award_code,year,decision_number,decision_date,organization_id,territory\n"
        "p-1,INDIVIDUAL,Nguyễn Thị Hà,CSTD_CO_SO,2025,88/QĐ-SNV,2025-12-15,so-noi-vu-thai-nguyen,thai-nguyen\n"
    )
    r = await client.post(
        "/grants/imports/csv?batch_id=lich-su-2", content=csv_body, headers={"content-type": "text/csv"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["grants"][0]["rule_set_id"] == "VN-2025-D152+THAI-NGUYEN-2025"

    attachments = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"]
    r = await post_draft(client, json=draft_body("n-1", "p-1", attachments=attachments))
    assert r.status_code == 201, r.text
    assert r.json()["rule_set_id"] == "VN-2025-D152+THAI-NGUYEN-2025"

    # a checklist item without a file: the submission is refused, naming it, and nothing is written
    drafted = (await client.get("/nominations/n-1")).json()
    events_before = len(runtime.store(NOMINATIONS).events)
    r = await step(client, "n-1", "submit", drafted["version"])
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (
        422,
        "missing_attachment",
        "files.CHUNG_NHAN_SANG_KIEN",
    )
    # illegal step: 409 and nothing written
    r = await step(client, "n-1", "receive", drafted["version"])
    assert r.status_code == 409
    assert r.json()["error"] == "invalid_transition"
    assert len(runtime.store(NOMINATIONS).events) == events_before
    assert (await client.get("/nominations/n-1")).json()["version"] == drafted["version"]
    # a stale version is refused too
    assert (await step(client, "n-1", "submit", drafted["version"] - 1)).status_code == 409

    assert (await attach_files(client, "n-1", ["CHUNG_NHAN_SANG_KIEN"])).status_code == 201
    eligible = await walk_to_appraised(client, "n-1")
    assert eligible["status"] == "ELIGIBLE"
    [evaluation] = eligible["evaluations"]
    assert evaluation["eligible"]
    assert evaluation["rule_set_id"] == "VN-2025-D152+THAI-NGUYEN-2025"
    assert sorted(eligible["relied_on_grants"]) == ["lich-su-1.1", "lich-su-1.2", "lich-su-2.1"]

    # CSTĐ tỉnh needs no public consultation
    assert (
        await step(client, "n-1", "consultation", eligible["version"], channel="báo", start="2026-01-05")
    ).status_code == 409
    council = (await step(client, "n-1", "to-council", eligible["version"])).json()
    assert council["status"] == "COUNCIL_REVIEW"

    held = (await step(client, "n-1", "hold", council["version"], reason="đơn khiếu nại")).json()
    assert (held["status"], held["held_from"]) == ("ON_HOLD", "COUNCIL_REVIEW")
    assert (await step(client, "n-1", "to-council", held["version"])).status_code == 409
    released = (await step(client, "n-1", "release", held["version"])).json()
    assert released["status"] == "COUNCIL_REVIEW"

    vote = {
        "session_id": "hd-2025-12",
        "held_on": "2025-12-18",
        "members_total": 20,
        "attendees": 14,
        "ballots": [{"nominee_id": "p-1", "yes_present": 13, "no_present": 1, "yes_written": 5, "no_written": 1}],
    }
    r = await step(client, "n-1", "council-votes", released["version"], vote=vote)
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["status"] == "APPROVED"
    assert approved["council"]["results"][0] == {
        "nominee_id": "p-1",
        "members_total": 20,
        "votes_cast": 20,
        "votes_yes": 18,
        "threshold_percent": 90.0,
        "threshold_numerator": 9,
        "threshold_denominator": 10,
        "passed": True,
    }
    [event] = [e for e in runtime.store(NOMINATIONS).events if e.type == NominationApproved.event_type]
    data = parse_data(event)
    assert isinstance(data, NominationApproved)
    assert (data.rule_set_id, data.award_code, [n.nominee_id for n in data.nominees], data.year) == (
        "VN-2025-D152+THAI-NGUYEN-2025",
        "CSTD_TINH",
        ["p-1"],
        2025,
    )
    assert event.partitionkey == "n-1"

    r = await client.post(
        "/nominations/n-1/decision",
        json={
            "decision_id": "qd-2025-123",
            "number": "123/QĐ-UBND",
            "date": "2025-12-20",
            "signer_role": "PROVINCE_CHAIRMAN",
            "version": approved["version"],
            **WHO,
        },
    )
    assert r.status_code == 201, r.text
    decided = r.json()
    assert decided["nomination"]["status"] == "DECIDED"
    assert decided["decision"]["base_salary"] == 2_340_000
    assert decided["decision"]["grants"][0]["bonus_amount"] == 7_020_000
    granted = [parse_data(e) for e in runtime.store(DECISIONS).events if e.type == AwardGranted.event_type]
    assert [
        (g.recipient_id, g.award_code, g.year) for g in granted if isinstance(g, AwardGranted) and not g.imported
    ] == [("p-1", "CSTD_TINH", 2025)]
    # after the decision, no hold
    assert (await step(client, "n-1", "hold", decided["nomination"]["version"], reason="x")).status_code == 409

    audit = (await client.get("/nominations/n-1/audit")).json()
    assert [a["to_status"] for a in audit][:5] == ["DRAFT", "SUBMITTED", "RECEIVED", "UNDER_APPRAISAL", "ELIGIBLE"]
    assert audit[-1]["to_status"] == "DECIDED"
    # the admin's client drafted as itself (the body named nobody), then recorded each step for the specialist
    assert (audit[0]["actor"], audit[0]["organization_id"]) == ("dev-admin", "ubnd-tinh-bac-kan")
    assert {(a["actor"], a["organization_id"]) for a in audit[1:]} == {(WHO["actor"], ORG)}
    assert (await client.put("/nominations/n-1/audit", json=[])).status_code == 405
    assert (await client.delete("/nominations/n-1/audit")).status_code == 405


async def test_council_threshold_at_the_boundary_and_quorum(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await client.post(
        "/grants/imports", json={"batch_id": "b", "grants": history("p-1", "CSTD_CO_SO", [2023, 2024, 2025])}
    )
    await post_draft(client, json=draft_body("n-2", "p-1"))
    body = await walk_to_appraised(client, "n-2")
    body = (await step(client, "n-2", "to-council", body["version"])).json()
    base = {"session_id": "s", "held_on": "2025-12-18", "members_total": 20}
    no_quorum = {**base, "attendees": 13, "ballots": [{"nominee_id": "p-1", "yes_present": 13, "no_present": 0}]}
    r = await step(client, "n-2", "council-votes", body["version"], vote=no_quorum)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "no_quorum", "attendees")
    assert (await client.get("/nominations/n-2")).json()["version"] == body["version"]
    # 17 of 20 = 85% < 90% of all members, even with every written vote counted
    short = {
        **base,
        "attendees": 15,
        "ballots": [{"nominee_id": "p-1", "yes_present": 14, "no_present": 1, "yes_written": 3}],
    }
    rejected = (await step(client, "n-2", "council-votes", body["version"], vote=short)).json()
    assert rejected["status"] == "REJECTED"
    assert not any(e.type == NominationApproved.event_type for e in runtime.store(NOMINATIONS).events)


async def test_public_consultation_runs_in_working_days_across_tet(
    client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await client.post("/grants/imports", json={"batch_id": "b", "grants": history("p-3", "CSTD_TINH", [2022, 2025])})
    draft = draft_body("n-3", "p-3", code="CSTD_TQ")
    draft["attachments"].append("KET_QUA_BO_PHIEU_KIN")
    assert (await post_draft(client, json=draft)).status_code == 201
    body = await walk_to_appraised(client, "n-3")
    assert body["status"] == "ELIGIBLE", body
    assert (await step(client, "n-3", "to-council", body["version"])).status_code == 409
    r = await step(client, "n-3", "consultation", body["version"], channel="Báo Thái Nguyên", start="2026-02-09")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["consultation"]["end"] == "2026-02-27"
    clock.now = datetime(2026, 2, 18, 9, 0, tzinfo=UTC)
    r = await client.post("/nominations/n-3/consultation/comments", json={"author": "Người dân", "text": "Đồng ý"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["consultation"]["comments"]) == 1
    clock.now = datetime(2026, 2, 27, 9, 0, tzinfo=UTC)
    assert (await step(client, "n-3", "to-council", body["version"])).status_code == 409
    clock.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert (await step(client, "n-3", "to-council", body["version"])).json()["status"] == "COUNCIL_REVIEW"


async def test_revocation_cascades_to_dependent_nominations(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    r = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-2", "CSTD_CO_SO", [2023, 2024, 2025])}
    )
    decision = r.json()
    await post_draft(client, json=draft_body("n-4", "p-2"))
    assert (await walk_to_appraised(client, "n-4"))["status"] == "ELIGIBLE"
    await post_draft(client, json=draft_body("n-5", "p-9"))  # relies on nothing

    r = await client.post(
        "/grants/h.2/revocation",
        json={
            "reason": "FALSE_INFO",
            "decision_number": "45/QĐ-UBND",
            "revoked_on": "2026-01-05",
            "version": decision["version"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["reopened_nominations"] == ["n-4"]
    assert r.json()["grant"]["status"] == "REVOKED"
    [revoked] = [parse_data(e) for e in runtime.store(DECISIONS).events if e.type == AwardRevoked.event_type]
    assert isinstance(revoked, AwardRevoked)
    assert revoked.reason == "FALSE_INFO"
    # judged again at once on the grants as they now stand: the chain broke
    again = (await client.get("/nominations/n-4")).json()
    assert again["status"] == "INELIGIBLE"
    reopened = again["audit"][-1]
    # the revoking user (here the admin's token), not an anonymous "system"
    assert (reopened["reason"], reopened["actor"], reopened["organization_id"]) == (
        "grant h.2 revoked",
        "dev-admin",
        "ubnd-tinh-bac-kan",
    )
    assert again["evaluations"][0]["results"][1]["rule"] == "chain"
    assert again["evaluations"][0]["results"][1]["passed"] is False
    # revoking twice is a conflict
    r = await client.post(
        "/grants/h.2/revocation",
        json={
            "reason": "FRAUD",
            "decision_number": "46/QĐ-UBND",
            "revoked_on": "2026-01-06",
            "version": decision["version"] + 1,
        },
    )
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"award_code": "NO_SUCH"}, "award_code"),
        ({"award_code": "TTLDXS"}, "nominees.0.kind"),
        ({"award_code": "BANG_KHEN_TINH_CHUYEN_DE"}, "kind"),
        ({"year": 1980}, "year"),
    ],
)
async def test_bad_drafts_are_refused_with_the_field(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, body: dict[str, Any], field: str
) -> None:
    r = await post_draft(client, json=draft_body("n-x", "p-1", **body))
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    assert runtime.store(NOMINATIONS).events == []


async def test_import_refuses_unknown_awards_and_writes_nothing(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    lines = history("p-1", "CSTD_CO_SO", [2023]) + history("p-1", "NOT_AN_AWARD", [2024])
    r = await client.post("/grants/imports", json={"batch_id": "bad", "grants": lines})
    assert (r.status_code, r.json()["field"]) == (422, "grants.1.award_code")
    r = await client.post(
        "/grants/imports/csv?batch_id=bad2",
        content="recipient_id,year\np-1,abc\n",
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 422
    assert runtime.store(DECISIONS).events == []
    assert (await client.get("/grants", params={"recipient_id": "p-1"})).json()["total"] == 0


async def test_catalogue_endpoints(client: httpx.AsyncClient) -> None:
    r = await client.get("/catalogue/rules", params={"on": "2025-06-30", "territory": "bac-kan"})
    assert r.json()["id"] == "VN-2024-D98+BAC-KAN-2023"
    r = await client.get("/catalogue/awards/BANG_KHEN_TINH_DOT_XUAT", params={"on": "2025-07-01"})
    assert (r.json()["kind"], r.json()["counts_toward_chains"]) == ("EXCEPTIONAL", False)
    r = await client.get("/catalogue/base-salary", params={"on": "2024-06-30"})
    assert r.json()["amount"] == 1_800_000
    r = await client.get("/catalogue/rules", params={"on": "2010-01-01"})
    assert (r.status_code, r.json()["error"]) == (422, "no_rule_set")


async def test_a_decision_needs_an_approved_nomination_and_approved_recipients(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await client.post(
        "/grants/imports", json={"batch_id": "b", "grants": history("p-1", "CSTD_CO_SO", [2023, 2024, 2025])}
    )
    await post_draft(client, json=draft_body("n-6", "p-1"))
    body = await walk_to_appraised(client, "n-6")
    decision = {"decision_id": "qd-6", "number": "6/QĐ", "date": "2025-12-20", "signer_role": "CT", **WHO}
    r = await client.post("/nominations/n-6/decision", json={**decision, "version": body["version"]})
    assert (r.status_code, r.json()["error"]) == (409, "invalid_transition")
    body = (await step(client, "n-6", "to-council", body["version"])).json()
    vote = {
        "session_id": "s",
        "held_on": "2025-12-18",
        "members_total": 10,
        "attendees": 10,
        "ballots": [{"nominee_id": "p-1", "yes_present": 10, "no_present": 0}],
    }
    body = (await step(client, "n-6", "council-votes", body["version"], vote=vote)).json()
    r = await client.post(
        "/nominations/n-6/decision", json={**decision, "version": body["version"], "recipient_ids": ["p-x"]}
    )
    assert (r.status_code, r.json()["field"]) == (422, "recipient_ids")
    assert [
        e.imported for e in (parse_data(x) for x in runtime.store(DECISIONS).events) if isinstance(e, AwardGranted)
    ] == [
        True,
        True,
        True,
    ]
    assert (await client.get("/decisions/qd-6")).status_code == 404


async def test_nominations_are_listed_by_status_with_pagination(client: httpx.AsyncClient) -> None:
    for i in range(3):
        assert (await post_draft(client, json=draft_body(f"n-{i}", "p-1"))).status_code == 201
    await step(client, "n-1", "submit", (await client.get("/nominations/n-1")).json()["version"])
    page = (await client.get("/nominations", params={"status": "DRAFT", "limit": 1, "offset": 1})).json()
    assert (page["total"], [n["id"] for n in page["items"]]) == (2, ["n-2"])
    both = (await client.get("/nominations", params={"status": ["SUBMITTED", "DRAFT"]})).json()
    assert (both["total"], [n["id"] for n in both["items"]]) == (3, ["n-0", "n-1", "n-2"])
    submitted = (await client.get("/nominations", params={"status": ["SUBMITTED", "APPROVED"]})).json()
    assert [(n["id"], n["status"]) for n in submitted["items"]] == [("n-1", "SUBMITTED")]
    bad = await client.get("/nominations", params={"status": ["DRAFT"] * 40})
    assert (bad.status_code, bad.json()["field"]) == (422, "status")
    assert (await client.get("/nominations", params={"status": "NOPE"})).status_code == 422
    assert (await client.get("/nominations/nope")).status_code == 404


async def test_the_council_session_date_travels_with_the_dossier_and_cannot_be_past(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await client.post(
        "/grants/imports", json={"batch_id": "b", "grants": history("p-1", "CSTD_CO_SO", [2023, 2024, 2025])}
    )
    await post_draft(client, json=draft_body("n-s", "p-1"))
    body = await walk_to_appraised(client, "n-s")
    past = await step(client, "n-s", "to-council", body["version"], council_session_on="2000-01-01")
    assert (past.status_code, past.json()["field"]) == (422, "council_session_on")
    moved = await step(client, "n-s", "to-council", body["version"], council_session_on="2099-02-10")
    assert moved.status_code == 200, moved.text
    [changed] = [e for e in runtime.store(NOMINATIONS).events if e.data.get("to_status") == "COUNCIL_REVIEW"]
    assert changed.data["council_session_on"] == "2099-02-10"


async def test_every_workflow_step_passes_the_requests_correlation_id_to_its_events(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    nominations = runtime.store(NOMINATIONS)
    r = await post_draft(client, json=draft_body("n-c", "p-c"), headers={"X-Correlation-Id": "corr-draft"})
    assert r.status_code == 201, r.text
    assert r.headers["X-Correlation-Id"] == "corr-draft"
    version = r.json()["version"]
    for action in ("submit", "receive", "start-appraisal", "appraise"):
        before = len(nominations.events)
        r = await client.post(
            f"/nominations/n-c/{action}",
            json={"version": version, **WHO},
            headers={"X-Correlation-Id": f"corr-{action}"},
        )
        assert r.status_code == 200, r.text
        assert r.headers["X-Correlation-Id"] == f"corr-{action}"
        written = nominations.events[before:]
        assert written, action
        assert {e.correlationid for e in written} == {f"corr-{action}"}
        version = r.json()["version"]


async def test_a_step_without_a_correlation_id_gets_one_generated_for_its_events(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    body = draft_body("n-g", "p-g")
    body.pop("attachments")
    r = await client.post("/nominations", json=body)
    assert r.status_code == 201, r.text
    generated = r.headers["X-Correlation-Id"]
    assert generated
    assert {e.correlationid for e in runtime.store(NOMINATIONS).events} == {generated}
