"""Records from the registry to the eligibility engine over the real Kafka and FerretDB: the registry keeps a
person's assessments, cases and initiatives, and a collective's own assessment (loaded by CSV import, the second load
changing nothing on the bus); awards receives them and judges from them, not from what the dossier declares."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tdkt_awards.consumers import TOPICS
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_awards.store import PERSONS, RECORDS
from tdkt_registry.domain.records import case_id
from tdkt_registry.service import DEFINITION as REGISTRY
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.contract import service_topic
from tdkt_shared.runtime import Runtime
from tests.helpers import post_draft, serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, read_topic, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
SPECIALIST = dev_headers(Role.TDKT_SPECIALIST, organization_id="so-noi-vu", subject="chuyen-vien")


@pytest.fixture
async def services(
    make_settings: SettingsFactory,
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Runtime]]:
    awards_settings = make_settings("awards", bus_consumer="aiokafka")
    await commit_group_at_end(awards_settings.kafka_bootstrap_servers, awards_settings.group_id, list(TOPICS))
    awards_runtime = Runtime(AWARDS, awards_settings)
    async with (
        serve(REGISTRY, Runtime(REGISTRY, make_settings("registry"))) as registry,
        serve(AWARDS, awards_runtime) as awards,
    ):
        yield registry, awards, awards_runtime


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_persons_records_reach_the_engine_and_decide_the_verdict(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient, Runtime], run_id: str
) -> None:
    registry, awards, awards_runtime = services
    org, good, disciplined = f"snv-{run_id}", f"a-{run_id}", f"b-{run_id}"
    body = {"id": org, "name": "Sở Nội vụ", "kind": "DEPARTMENT", "valid_from": "2008-01-01"}
    await ok(await registry.post("/organizations", json=body), 201)
    for person in (good, disciplined):
        await ok(await registry.post("/persons", json={"id": person, "full_name": person}), 201)
        job = {"version": 1, "organization_id": org, "position": "Chuyên viên", "valid_from": "2015-01-01"}
        await ok(await registry.post(f"/persons/{person}/employments", json=job))
    officer = {**dev_headers(Role.UNIT_OFFICER, organization_id=org), "content-type": "text/csv"}
    ratings = f"person_id,year,rating,organization_id\n{good},2025,GOOD,{org}\n{disciplined},2025,EXCELLENT,{org}\n"
    for attempt in range(2):  # a second load of the same file changes nothing
        report = await ok(await registry.post("/assessments/imports/csv", content=ratings, headers=officer))
        assert (report["created"], report["unchanged"]) == ((2, 0) if attempt == 0 else (0, 2))
    inspector = {**dev_headers(Role.INSPECTION_OFFICER, organization_id="ubkt"), "content-type": "text/csv"}
    cases = (
        "case_number,kind,subject,subject_id,handled_by_organization_id,opened_on,concluded_on,outcome,"
        "discipline_level,period_from,period_to\n"
        f"{run_id}/KL,DISCIPLINE,PERSON,{disciplined},{org},2025-01-10,2025-02-01,DISCIPLINED,REPRIMAND,"
        "2025-02-01,2025-07-31\n"
    )
    report = await ok(await registry.post("/cases/imports/csv", content=cases, headers=inspector))
    assert report["created"] == 1
    initiative = {
        "title": "Số hóa hồ sơ",
        "author_ids": [good],
        "recognizing_organization_id": org,
        "scope": "BASE",
        "recognized_on": "2025-05-01",
        "certificate_number": f"{run_id}/GCN",
    }
    initiative_officer = dev_headers(Role.INITIATIVE_OFFICER, organization_id=org)
    recognised = await ok(await registry.post("/initiatives", json=initiative, headers=initiative_officer))

    bootstrap = awards_runtime.settings.kafka_bootstrap_servers
    mine = {good, disciplined}
    records = await wait_for_records(
        bootstrap,
        service_topic("registry"),
        lambda r: r.key is not None and r.key.decode() in mine and ".person." not in json.loads(r.value)["type"],
        count=4,
    )
    assert sorted(json.loads(r.value)["type"] for r in records) == [
        "tdkt.registry.assessment.recorded.v1",
        "tdkt.registry.assessment.recorded.v1",
        "tdkt.registry.case.concluded.v1",
        "tdkt.registry.case.opened.v1",
    ]
    everything = [r for r in await read_topic(bootstrap, service_topic("registry")) if r.key and r.key.decode() in mine]
    records_only = [r for r in everything if ".person." not in json.loads(r.value)["type"]]
    assert len(records_only) == 4  # the second load put nothing on the bus

    async def on_record() -> bool:
        found = [await awards_runtime.store(RECORDS).get(p) for p in (good, disciplined)]
        return (
            all(f is not None and f.state["assessments"] for f in found)
            and bool(found[0] and found[0].state["initiatives"])
            and bool(found[1] and found[1].state["cases"])
        )

    await eventually(on_record, what="the records in awards' read model")

    verdicts: dict[str, dict[str, Any]] = {}
    for person in (good, disciplined):
        nid = f"n-{person}"
        draft = {
            "id": nid,
            "kind": "ANNUAL_MERIT",
            "award_code": "LDTT",
            "year": 2025,
            "submitting_organization_id": org,
            "nominees": [
                {
                    "nominee_id": person,
                    "kind": "INDIVIDUAL",
                    "name": person,
                    "ratings": [{"year": 2025, "rating": "EXCELLENT"}],  # declared: the record decides
                }
            ],
            "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"],
        }
        current = await ok(await post_draft(awards, draft, SPECIALIST), 201)
        for action in ("submit", "receive", "start-appraisal", "appraise"):
            current = await ok(
                await awards.post(
                    f"/nominations/{nid}/{action}", json={"version": current["version"]}, headers=SPECIALIST
                )
            )
        verdicts[person] = current
    [good_eval] = verdicts[good]["evaluations"]
    assert verdicts[good]["status"] == "ELIGIBLE"
    assert [(w["field"], w["recorded"]) for w in good_eval["warnings"]] == [("ratings", "GOOD")]
    [bad_eval] = verdicts[disciplined]["evaluations"]
    assert verdicts[disciplined]["status"] == "INELIGIBLE"
    failed = next(r for r in bad_eval["results"] if not r["passed"])
    assert (failed["rule"], failed["records"]) == ("no_discipline_in_year", [case_id(f"{run_id}/KL")])
    assert bad_eval["warnings"] == []
    shown = await ok(await awards.get(f"/records/{good}", headers=SPECIALIST))
    assert [i["initiative_id"] for i in shown["initiatives"]] == [recognised["id"]]


async def test_a_case_opened_in_the_registry_holds_the_dossier_and_its_withdrawal_restores_it(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient, Runtime], run_id: str
) -> None:
    registry, awards, _ = services
    org, person, nid = f"snv-{run_id}", f"h-{run_id}", f"nh-{run_id}"
    await ok(
        await registry.post(
            "/organizations", json={"id": org, "name": "Sở", "kind": "DEPARTMENT", "valid_from": "2008-01-01"}
        ),
        201,
    )
    await ok(await registry.post("/persons", json={"id": person, "full_name": person}), 201)
    draft = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "LDTT",
        "year": 2025,
        "submitting_organization_id": org,
        "nominees": [{"nominee_id": person, "kind": "INDIVIDUAL", "name": person}],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"],
    }
    current = await ok(await post_draft(awards, draft, SPECIALIST), 201)
    current = await ok(
        await awards.post(f"/nominations/{nid}/submit", json={"version": current["version"]}, headers=SPECIALIST)
    )
    inspector = dev_headers(Role.INSPECTION_OFFICER, organization_id="thanh-tra")
    case = {
        "case_number": f"{run_id}/TC",
        "kind": "DENUNCIATION",
        "subject": "PERSON",
        "subject_id": person,
        "handled_by_organization_id": "thanh-tra",
        "opened_on": "2026-01-02",
    }
    opened = await ok(await registry.post("/cases", json=case, headers=inspector), 201)

    async def dossier_in(status: str) -> dict[str, Any] | None:
        body = await ok(await awards.get(f"/nominations/{nid}", headers=SPECIALIST))
        return body if body["status"] == status else None

    held = await eventually(lambda: dossier_in("ON_HOLD"), what="the dossier on hold")
    assert (held["held_from"], held["held_by_cases"]) == ("SUBMITTED", [opened["id"]])
    withdrawal = {"version": opened["version"], "withdrawn_on": "2026-01-05"}
    await ok(await registry.post(f"/cases/{opened['id']}/withdrawal", json=withdrawal, headers=inspector))
    back = await eventually(lambda: dossier_in("SUBMITTED"), what="the dossier back where it was")
    assert back["held_by_cases"] == []
    assert [(a["action"], a["actor"]) for a in back["audit"][-2:]] == [("hold", "registry"), ("release", "registry")]


async def test_a_members_case_holds_the_collectives_dossier_beside_a_hold_by_hand(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient, Runtime], run_id: str
) -> None:
    registry, awards, awards_runtime = services
    unit, member, nid = f"phong-{run_id}", f"m-{run_id}", f"nc-{run_id}"
    body = {"id": unit, "name": "Phòng", "kind": "DEPARTMENT", "valid_from": "2008-01-01"}
    await ok(await registry.post("/organizations", json=body), 201)
    await ok(await registry.post("/persons", json={"id": member, "full_name": member}), 201)
    job = {"version": 1, "organization_id": unit, "position": "Chuyên viên", "valid_from": "2015-01-01"}
    await ok(await registry.post(f"/persons/{member}/employments", json=job))

    async def employed() -> bool:
        found = await awards_runtime.store(PERSONS).get(member)
        return found is not None and bool(found.state["employments"])

    await eventually(employed, what="the member's employment in awards")
    draft = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "TTLDTT",
        "year": 2025,
        "submitting_organization_id": unit,
        "nominees": [{"nominee_id": unit, "kind": "COLLECTIVE", "name": "Phòng"}],
        "attachments": [],
    }
    current = await ok(await post_draft(awards, draft, SPECIALIST), 201)
    by_hand = {"version": current["version"], "reason": "đơn thư chưa xác minh"}
    current = await ok(await awards.post(f"/nominations/{nid}/hold", json=by_hand, headers=SPECIALIST))
    assert (current["status"], current["held_by_hand"]) == ("ON_HOLD", True)

    inspector = dev_headers(Role.INSPECTION_OFFICER, organization_id="thanh-tra")
    case = {
        "case_number": f"{run_id}/KL",
        "kind": "DISCIPLINE",
        "subject": "PERSON",
        "subject_id": member,
        "handled_by_organization_id": unit,
        "opened_on": "2026-01-02",
    }
    opened = await ok(await registry.post("/cases", json=case, headers=inspector), 201)

    async def dossier_where(check: Any) -> dict[str, Any] | None:
        found = await ok(await awards.get(f"/nominations/{nid}", headers=SPECIALIST))
        return found if check(found) else None

    held = await eventually(lambda: dossier_where(lambda d: d["held_by_cases"]), what="the member's case attached")
    assert (held["status"], held["held_from"], held["held_by_cases"], held["held_by_hand"]) == (
        "ON_HOLD",
        "DRAFT",
        [opened["id"]],
        True,
    )
    refused = await awards.post(f"/nominations/{nid}/release", json={"version": held["version"]}, headers=SPECIALIST)
    assert refused.status_code == 409, refused.text

    withdrawal = {"version": opened["version"], "withdrawn_on": "2026-01-05"}
    await ok(await registry.post(f"/cases/{opened['id']}/withdrawal", json=withdrawal, headers=inspector))
    ended = await eventually(lambda: dossier_where(lambda d: not d["held_by_cases"]), what="the case's end")
    assert (ended["status"], ended["held_by_hand"], ended["audit"][-1]["action"]) == ("ON_HOLD", True, "case_release")
    released = await ok(
        await awards.post(f"/nominations/{nid}/release", json={"version": ended["version"]}, headers=SPECIALIST)
    )
    assert (released["status"], released["held_by_hand"]) == ("DRAFT", False)


async def test_a_collectives_own_assessment_by_its_managing_body_reaches_the_engine(
    services: tuple[httpx.AsyncClient, httpx.AsyncClient, Runtime], run_id: str
) -> None:
    """TTLĐTT reads the collective's own completion of duties from the province's assessment, not the declaration."""
    registry, awards, awards_runtime = services
    province, unit, member = f"ubnd-{run_id}", f"phong-{run_id}", f"m-{run_id}"
    for body in (
        {"id": province, "name": "UBND tỉnh", "kind": "PEOPLES_COMMITTEE", "valid_from": "1997-01-01"},
        {"id": unit, "name": "Sở", "kind": "DEPARTMENT", "valid_from": "2008-01-01", "parent_id": province},
    ):
        await ok(await registry.post("/organizations", json=body), 201)
    await ok(await registry.post("/persons", json={"id": member, "full_name": member}), 201)
    job = {"version": 1, "organization_id": unit, "position": "Chuyên viên", "valid_from": "2015-01-01"}
    await ok(await registry.post(f"/persons/{member}/employments", json=job))
    officer = {**dev_headers(Role.UNIT_OFFICER, organization_id=province), "content-type": "text/csv"}
    rows = f"organization_id,year,rating,assessed_by_organization_id\n{unit},2025,GOOD,{province}\n"
    for attempt in range(2):  # a second load of the same file changes nothing
        report = await ok(await registry.post("/collective-assessments/imports/csv", content=rows, headers=officer))
        assert (report["created"], report["unchanged"]) == ((1, 0) if attempt == 0 else (0, 1))
    bootstrap = awards_runtime.settings.kafka_bootstrap_servers
    [record] = await wait_for_records(
        bootstrap,
        service_topic("registry"),
        lambda r: (
            r.key is not None and r.key.decode() == unit and "collective_assessment" in json.loads(r.value)["type"]
        ),
        count=1,
    )
    assert json.loads(record.value)["data"]["rating"] == "GOOD"
    grant = {
        "recipient_id": member,
        "recipient_kind": "INDIVIDUAL",
        "recipient_name": member,
        "award_code": "LDTT",
        "year": 2025,
        "decision_number": f"{run_id}/QĐ",
        "decision_date": "2025-12-20",
    }
    imported = await awards.post("/grants/imports", json={"batch_id": run_id, "grants": [grant]}, headers=SPECIALIST)
    await ok(imported, 201)

    async def known() -> dict[str, Any] | None:
        found = await awards_runtime.store(RECORDS).get(unit)
        return found.state if found is not None and found.state["collective_assessments"] else None

    await eventually(known, what="the collective's assessment in awards' read model")
    await eventually(lambda: awards_runtime.store(PERSONS).get(member), what="the member's employment in awards")
    nid = f"tt-{run_id}"
    draft = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "TTLDTT",
        "year": 2025,
        "submitting_organization_id": province,
        "nominees": [
            {
                "nominee_id": unit,
                "kind": "COLLECTIVE",
                "name": "Sở",
                "ratings": [{"year": 2025, "rating": "EXCELLENT"}],  # declared: the record decides
            }
        ],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"],
    }
    current = await ok(await post_draft(awards, draft, SPECIALIST), 201)
    for action in ("submit", "receive", "start-appraisal", "appraise"):
        current = await ok(
            await awards.post(f"/nominations/{nid}/{action}", json={"version": current["version"]}, headers=SPECIALIST)
        )
    [evaluation] = current["evaluations"]
    own = next(r for r in evaluation["results"] if r["rule"] == "rating_at_least")
    assert (current["status"], own["facts"]["rating"], own["records"]) == (
        "ELIGIBLE",
        "GOOD",
        [json.loads(record.value)["data"]["assessment_id"]],
    )
    assert [(w["field"], w["recorded"]) for w in evaluation["warnings"]] == [("ratings", "GOOD")]
