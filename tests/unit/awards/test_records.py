"""The engine judges the registry's records, not the dossier's declaration: cases, assessments, initiatives and a
collective's members (from the employment records, following its lineage) through awards' consumers and API; a
declaration differing from the record is a warning beside it; each rule names the records it used."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx

from tdkt_awards.store import RECORDS
from tdkt_shared.auth import Role
from tdkt_shared.contract import make_event
from tdkt_shared.contract.records import (
    CaseKind,
    CaseOpened,
    CaseStatus,
    CaseWithdrawn,
    DutyCompletion,
)
from tdkt_shared.contract.registry import (
    Employment,
    OrganizationKind,
    OrganizationRegistered,
    OrganizationsMerged,
    PersonEmploymentChanged,
)
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers
from tests.clock import MONDAY_MORNING
from tests.helpers import post_draft
from tests.unit.awards.records import (
    ORG,
    WHO,
    appraised,
    assessed,
    case,
    collective_assessed,
    dossier,
    initiative,
    recorded,
    warning_of,
)


def rule(evaluation: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in evaluation["results"] if r["rule"] == name)
    return found


async def test_records_reach_the_read_model_once_per_event(runtime: InMemoryRuntime) -> None:
    handlers = runtime.handlers()
    for data in (
        CaseOpened(**case("1", "p-1")),
        warning_of("p-1"),
        initiative("sk-1", "p-1", "p-2"),
        assessed("p-1", 2025, DutyCompletion.GOOD),
        assessed("p-1", 2025, DutyCompletion.EXCELLENT),
    ):
        event = make_event(data, partitionkey="k")
        assert await handlers[data.event_type](event, data) is True
        assert await handlers[data.event_type](event, data) is False
    p1 = await runtime.store(RECORDS).get("p-1")
    p2 = await runtime.store(RECORDS).get("p-2")
    assert p1 is not None
    assert p2 is not None
    assert [(c["case_id"], c["status"]) for c in p1.state["cases"]] == [("case-1", "CONCLUDED")]
    assert [a["rating"] for a in p1.state["assessments"]] == ["EXCELLENT"]  # the correction replaced the year
    assert [i["initiative_id"] for i in p2.state["initiatives"]] == ["sk-1"]


async def test_an_individual_is_judged_on_the_assessment_and_discipline_on_record(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD), assessed("p-2", 2025, DutyCompletion.GOOD))
    await recorded(runtime, warning_of("p-2"))
    # p-1 declares EXCELLENT: the record (GOOD) is judged, and the difference is a warning
    declared = {"nominee_id": "p-1", "kind": "INDIVIDUAL", "ratings": [{"year": 2025, "rating": "EXCELLENT"}]}
    body = await appraised(client, dossier("n-1", "LDTT", declared))
    [evaluation] = body["evaluations"]
    assert (body["status"], evaluation["eligible"]) == ("ELIGIBLE", True)
    rating = rule(evaluation, "rating_at_least")
    assert (rating["facts"]["rating"], rating["records"]) == ("GOOD", ["kq-p-1-2025"])
    assert rating["citation"]["instrument"]
    assert evaluation["rule_set_id"] == "VN-2025-D152"
    assert [(w["field"], w["declared"], w["recorded"]) for w in evaluation["warnings"]] == [
        ("ratings", {"year": 2025, "rating": "EXCELLENT"}, "GOOD")
    ]
    # p-2 declares nothing, but a warning from 1/3/2025 is on record: not eligible, and the rule names the case
    body = await appraised(client, dossier("n-2", "LDTT", {"nominee_id": "p-2", "kind": "INDIVIDUAL"}))
    [evaluation] = body["evaluations"]
    assert body["status"] == "INELIGIBLE"
    discipline = rule(evaluation, "no_discipline_in_year")
    assert (discipline["passed"], discipline["records"]) == (False, ["case-1"])
    assert evaluation["warnings"] == []


async def test_a_declared_initiative_not_on_record_is_a_warning_and_counts_for_nothing(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    grants = [
        {
            "recipient_id": who,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Tên",
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decision_number": f"{y}/QĐ",
            "decision_date": f"{y}-12-20",
        }
        for who in ("p-1", "p-2")
        for y in (2023, 2024, 2025)
    ]
    assert (await client.post("/grants/imports", json={"batch_id": "b", "grants": grants})).status_code == 201
    await recorded(runtime, initiative("sk-real", "p-2"))
    typed = {"initiative_id": "sk-typed", "scope": 2, "recognized_on": "2025-05-02"}
    body = await appraised(
        client, dossier("n-1", "CSTD_TINH", {"nominee_id": "p-1", "kind": "INDIVIDUAL", "initiatives": [typed]})
    )
    [evaluation] = body["evaluations"]
    assert rule(evaluation, "initiative_scope")["passed"] is False
    assert [(w["field"], w["declared"]) for w in evaluation["warnings"]] == [("initiatives", "sk-typed")]
    body = await appraised(client, dossier("n-2", "CSTD_TINH", {"nominee_id": "p-2", "kind": "INDIVIDUAL"}))
    [evaluation] = body["evaluations"]
    assert body["status"] == "ELIGIBLE"
    assert rule(evaluation, "initiative_scope")["records"] == ["sk-real"]
    chain = rule(evaluation, "chain")
    assert len(chain["records"]) == 3
    assert chain["facts"]["consecutive_ending_in_period"] == 3


def employed(person: str, org: str, since: str, until: str | None = None) -> PersonEmploymentChanged:
    job = Employment(
        organization_id=org,
        position="Chuyên viên",
        valid_from=date.fromisoformat(since),
        valid_to=date.fromisoformat(until) if until else None,
    )
    return PersonEmploymentChanged(person_id=person, full_name=person, employments=[job])


async def test_a_collectives_members_come_from_the_employment_records_across_its_lineage(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    unit = "phong-moi"
    registered = OrganizationRegistered(
        organization_id=unit, name="Phòng mới", kind=OrganizationKind.AGENCY, valid_from=date(2026, 1, 1)
    )
    # the new unit, formed on 1/1/2026, is judged for 2025 on its predecessor's staff at the end of 2025
    merged = OrganizationsMerged(
        predecessor_ids=["phong-cu"], successor_id=unit, effective_date=date(2026, 1, 1), legal_basis="NQ"
    )
    staff = [
        employed("m-1", "phong-cu", "2015-01-01", "2025-12-31"),
        employed("m-2", "phong-cu", "2025-07-01"),
        employed("m-3", "phong-cu", "2020-01-01", "2025-06-30"),  # left before the year's end: not a member
        employed("m-4", "so-khac", "2015-01-01"),
    ]
    ratings = [assessed(m, 2025, DutyCompletion.GOOD) for m in ("m-1", "m-2", "m-3")]
    await recorded(runtime, registered, merged, *staff, *ratings)
    grants = [
        {
            "recipient_id": "m-1",
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "m-1",
            "award_code": "LDTT",
            "year": 2025,
            "decision_number": "1/QĐ",
            "decision_date": "2025-12-20",
        }
    ]
    assert (await client.post("/grants/imports", json={"batch_id": "b", "grants": grants})).status_code == 201
    declared = {
        "nominee_id": unit,
        "kind": "COLLECTIVE",
        "members": [
            {"person_id": "m-2", "ratings": [{"year": 2025, "rating": "EXCELLENT"}]},
            {"person_id": "m-9", "ratings": [{"year": 2025, "rating": "EXCELLENT"}]},
        ],
    }
    # TTLĐXS asks every member to complete their duties (TTLĐTT asks no share since the councils' catalogue)
    body = await appraised(client, dossier("n-c", "TTLDXS", declared))
    [evaluation] = body["evaluations"]
    duties = rule(evaluation, "members_complete_duties")
    assert (duties["facts"]["members"], duties["facts"]["completing"]) == (2, 2)
    assert {"m-1", "m-2", "kq-m-1-2025", "kq-m-2-2025"} <= set(duties["records"])
    ratio = rule(evaluation, "member_title_ratio")
    assert (ratio["facts"]["holders"], ratio["passed"]) == (1, False)  # 1 of 2 is under 70%
    fields = [(w["field"], w["declared"], w["recorded"]) for w in evaluation["warnings"]]
    assert ("members", ["m-2", "m-9"], ["m-1", "m-2"]) in fields
    assert ("members.m-2.ratings", "EXCELLENT", "GOOD") in fields


async def test_an_open_case_on_record_blocks_submission_and_a_withdrawn_one_does_not(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, CaseOpened(**case("9", "p-1", kind=CaseKind.COMPLAINT)))
    r = await post_draft(client, dossier("n-1", "LDTT", {"nominee_id": "p-1", "kind": "INDIVIDUAL"}))
    assert r.status_code == 201, r.text
    version = r.json()["version"]
    refused = await client.post("/nominations/n-1/submit", json={"version": version, **WHO})
    assert (refused.status_code, refused.json()["error"]) == (422, "hold_open")
    withdrawn = CaseWithdrawn(
        **case("9", "p-1", kind=CaseKind.COMPLAINT, status=CaseStatus.WITHDRAWN, withdrawn_on=date(2025, 12, 1))
    )
    await recorded(runtime, withdrawn)
    assert (await client.post("/nominations/n-1/submit", json={"version": version, **WHO})).status_code == 200


def test_the_clock_is_after_the_judged_year() -> None:
    assert datetime(2025, 12, 31, tzinfo=MONDAY_MORNING.tzinfo) < MONDAY_MORNING


async def test_the_records_the_engine_reads_are_shown_to_staff_and_the_council_only(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD), initiative("sk-1", "p-1"))
    shown = await client.get("/records/p-1")
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert ([a["rating"] for a in body["assessments"]], [i["initiative_id"] for i in body["initiatives"]]) == (
        ["GOOD"],
        ["sk-1"],
    )
    assert (await client.get("/records/nobody")).status_code == 404
    assert (await client.get("/records/p-1", headers={"Authorization": ""})).status_code == 401
    for role in Role:
        response = await client.get("/records/p-1", headers=headers(role, ORG))
        expected = (
            200 if role in (Role.ADMIN, Role.TDKT_SPECIALIST, Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY) else 403
        )
        assert response.status_code == expected, (role, response.text)


async def test_the_remaining_rules_read_the_records_too(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    # CSTĐ cơ sở: the LĐTT grant and the EXCELLENT assessment on record
    grants = [
        {
            "recipient_id": who,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": who,
            "award_code": code,
            "year": 2025,
            "decision_number": f"{n}/QĐ",
            "decision_date": "2025-12-20",
        }
        for n, (who, code) in enumerate([("p-1", "LDTT"), ("m-1", "CSTD_CO_SO"), ("m-2", "LDTT")])
    ]
    assert (await client.post("/grants/imports", json={"batch_id": "b", "grants": grants})).status_code == 201
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.EXCELLENT))
    body = await appraised(client, dossier("n-1", "CSTD_CO_SO", {"nominee_id": "p-1", "kind": "INDIVIDUAL"}))
    [evaluation] = body["evaluations"]
    assert body["status"] == "ELIGIBLE"
    assert rule(evaluation, "holds_title_in_year")["records"] == ["b.1"]
    assert rule(evaluation, "excellent_or_initiative")["records"] == ["kq-p-1-2025"]
    assert rule(evaluation, "no_open_hold")["records"] == []

    # TTLĐXS: a member's discipline on record fails the collective, naming the case
    unit = "phong-a"
    await recorded(
        runtime,
        OrganizationRegistered(
            organization_id=unit, name="Phòng A", kind=OrganizationKind.AGENCY, valid_from=date(2000, 1, 1)
        ),
        employed("m-1", unit, "2015-01-01"),
        employed("m-2", unit, "2015-01-01"),
        assessed("m-1", 2025, DutyCompletion.EXCELLENT, org=unit),
        assessed("m-2", 2025, DutyCompletion.GOOD, org=unit),
        warning_of("m-2", "77"),
    )
    body = await appraised(client, dossier("n-2", "TTLDXS", {"nominee_id": unit, "kind": "COLLECTIVE"}))
    [evaluation] = body["evaluations"]
    assert body["status"] == "INELIGIBLE"
    count = rule(evaluation, "member_title_count")
    assert (count["passed"], count["facts"]["holders"]) == (True, ["m-1"])
    discipline = rule(evaluation, "members_no_discipline")
    assert (discipline["passed"], discipline["facts"]["disciplined"]) == (False, ["m-2"])
    assert "case-77" in discipline["records"]


async def test_a_collectives_own_completion_of_duties_comes_from_its_managing_bodys_assessment(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    """TTLĐXS asks the collective itself to complete its duties with distinction and to hold TTLĐTT in the year:
    both from the records (the managing body's assessment, the grants), the declared rating only compared."""
    unit = "phong-b"
    await recorded(
        runtime,
        OrganizationRegistered(
            organization_id=unit, name="Phòng B", kind=OrganizationKind.AGENCY, valid_from=date(2000, 1, 1)
        ),
        employed("m-5", unit, "2015-01-01"),
        assessed("m-5", 2025, DutyCompletion.EXCELLENT, org=unit),
    )
    grants = [
        {
            "recipient_id": who,
            "recipient_kind": kind,
            "recipient_name": who,
            "award_code": code,
            "year": 2025,
            "decision_number": f"{n}/QĐ-TT",
            "decision_date": "2025-12-20",
        }
        for n, (who, kind, code) in enumerate([(unit, "COLLECTIVE", "TTLDTT"), ("m-5", "INDIVIDUAL", "CSTD_CO_SO")])
    ]
    assert (await client.post("/grants/imports", json={"batch_id": "tt", "grants": grants})).status_code == 201
    declared = {"nominee_id": unit, "kind": "COLLECTIVE", "ratings": [{"year": 2025, "rating": "EXCELLENT"}]}

    # no assessment of the collective on record: the declaration is not used
    body = await appraised(client, dossier("n-a", "TTLDXS", declared))
    [evaluation] = body["evaluations"]
    own = rule(evaluation, "rating_at_least")
    assert (body["status"], own["passed"], own["facts"]["rating"], own["records"]) == ("INELIGIBLE", False, None, [])
    assert ("ratings", {"year": 2025, "rating": "EXCELLENT"}, None) in [
        (w["field"], w["declared"], w["recorded"]) for w in evaluation["warnings"]
    ]

    # the managing body reports "completes duties well": recorded and used, the declaration still differs
    await recorded(runtime, collective_assessed(unit, 2025, DutyCompletion.GOOD))
    assert [a["rating"] for a in (await client.get(f"/records/{unit}")).json()["collective_assessments"]] == ["GOOD"]
    body = await appraised(client, dossier("n-b", "TTLDXS", declared))
    [evaluation] = body["evaluations"]
    own = rule(evaluation, "rating_at_least")
    assert (body["status"], own["passed"], own["facts"]["rating"], own["records"]) == (
        "INELIGIBLE",
        False,
        "GOOD",
        [f"kqtt-{unit}-2025"],
    )
    assert ("ratings", {"year": 2025, "rating": "EXCELLENT"}, "GOOD") in [
        (w["field"], w["declared"], w["recorded"]) for w in evaluation["warnings"]
    ]

    # corrected to "with distinction": every rule passes, nothing declared differs
    corrected = collective_assessed(unit, 2025, DutyCompletion.EXCELLENT)
    await recorded(runtime, corrected)
    body = await appraised(client, dossier("n-c", "TTLDXS", declared))
    [evaluation] = body["evaluations"]
    assert (body["status"], [r["rule"] for r in evaluation["results"] if not r["passed"]]) == ("ELIGIBLE", [])
    assert rule(evaluation, "rating_at_least")["facts"]["rating"] == "EXCELLENT"
    assert rule(evaluation, "holds_title_in_year")["records"] == ["tt.1"]
    assert evaluation["warnings"] == []
