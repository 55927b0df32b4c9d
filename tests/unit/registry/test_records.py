"""Records kept by the bodies that own them: cases, initiatives and assessments (of persons and of collectives)
through the API, their events, and
their bulk import (CSV and JSON, a report line per refused row, idempotent by natural key)."""

from __future__ import annotations

from typing import Any

import httpx

from tdkt_registry.domain.records import assessment_id, case_id, collective_assessment_id, initiative_id
from tdkt_registry.store import ASSESSMENTS, CASES, COLLECTIVE_ASSESSMENTS, INITIATIVES
from tdkt_shared.auth import Role
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.records import (
    AssessmentRecorded,
    CaseConcluded,
    CaseOpened,
    CaseWithdrawn,
    CollectiveAssessmentRecorded,
)
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers
from tests.unit.registry.conftest import events, org, snapshot

INSPECTOR = headers(Role.INSPECTION_OFFICER, "ubkt-bk")
OFFICER = headers(Role.UNIT_OFFICER, "snv")


async def setup(client: httpx.AsyncClient) -> None:
    await org(client, "bk", "UBND tỉnh Bắc Kạn", kind="PEOPLES_COMMITTEE", valid_from="1997-01-01")
    await org(client, "snv", "Sở Nội vụ", parent_id="bk")
    await org(client, "stc", "Sở Tài chính", parent_id="bk")
    for person, where in (("p-1", "snv"), ("p-2", "snv"), ("p-3", "stc")):
        assert (await client.post("/persons", json={"id": person, "full_name": f"Người {person}"})).status_code == 201
        job = {"version": 1, "organization_id": where, "position": "Chuyên viên", "valid_from": "2015-01-01"}
        assert (await client.post(f"/persons/{person}/employments", json=job)).status_code == 200


CASE: dict[str, Any] = {
    "case_number": "15/QĐ-HĐKL",
    "kind": "DISCIPLINE",
    "subject": "PERSON",
    "subject_id": "p-1",
    "handled_by_organization_id": "snv",
    "opened_on": "2024-05-02",
}


async def test_a_case_is_opened_then_concluded_with_a_discipline_period(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    opened = await client.post("/cases", json=CASE, headers=INSPECTOR)
    assert opened.status_code == 201, opened.text
    cid = case_id("15/QĐ-HĐKL")
    assert (opened.json()["id"], opened.json()["status"], opened.headers["Location"]) == (cid, "OPEN", f"/cases/{cid}")
    conclusion = {
        "version": 1,
        "concluded_on": "2024-06-01",
        "outcome": "DISCIPLINED",
        "discipline_level": "WARNING",
        "period_from": "2024-06-01",
        "period_to": "2025-05-31",
    }
    concluded = await client.post(f"/cases/{cid}/conclusion", json=conclusion, headers=INSPECTOR)
    assert concluded.status_code == 200, concluded.text
    assert concluded.json()["status"] == "CONCLUDED"
    sent = [parse_data(e) for e in events(runtime, CASES)]
    assert [type(d) for d in sent] == [CaseOpened, CaseConcluded]
    last = sent[-1]
    assert isinstance(last, CaseConcluded)
    assert (last.subject_id, last.discipline_level, str(last.period_to)) == ("p-1", "WARNING", "2025-05-31")
    assert events(runtime, CASES)[0].partitionkey == "p-1"
    again = await client.post(f"/cases/{cid}/conclusion", json={**conclusion, "version": 2}, headers=INSPECTOR)
    assert (again.status_code, again.json()["error"]) == (409, "invalid_transition")
    # the same case number cannot be opened twice
    assert (await client.post("/cases", json=CASE, headers=INSPECTOR)).status_code == 409
    listed = await client.get("/cases", params={"subject_id": "p-1"}, headers=INSPECTOR)
    assert [c["id"] for c in listed.json()["items"]] == [cid]


async def test_a_case_is_withdrawn_and_bad_input_names_its_field(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    unknown = await client.post("/cases", json={**CASE, "subject_id": "nobody"}, headers=INSPECTOR)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "subject_id")
    cid = (await client.post("/cases", json={**CASE, "kind": "COMPLAINT"}, headers=INSPECTOR)).json()["id"]
    early = await client.post(f"/cases/{cid}/withdrawal", json={"version": 1, "withdrawn_on": "2024-01-01"})
    assert (early.status_code, early.json()["field"]) == (422, "withdrawn_on")
    withdrawn = await client.post(f"/cases/{cid}/withdrawal", json={"version": 1, "withdrawn_on": "2024-07-01"})
    assert withdrawn.json()["status"] == "WITHDRAWN"
    assert isinstance(parse_data(events(runtime, CASES)[-1]), CaseWithdrawn)
    half = {"version": 2, "concluded_on": "2024-08-01", "outcome": "DISCIPLINED", "discipline_level": "WARNING"}
    refused = await client.post(f"/cases/{cid}/conclusion", json=half)
    assert refused.status_code == 422


async def test_an_initiative_is_recorded_once_per_certificate_and_corrected(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    body = {
        "kind": "INITIATIVE",
        "title": "Số hóa hồ sơ thi đua",
        "author_ids": ["p-1", "p-2"],
        "recognizing_organization_id": "bk",
        "scope": "PROVINCE",
        "recognized_on": "2024-05-01",
        "certificate_number": "12/GCN-SK",
    }
    officer = headers(Role.INITIATIVE_OFFICER, "bk")
    first = await client.post("/initiatives", json=body, headers=officer)
    assert (first.status_code, first.json()["id"]) == (200, initiative_id("bk", "12/gcn-sk "))
    assert (await client.post("/initiatives", json=body, headers=officer)).json()["version"] == 1
    corrected = await client.post("/initiatives", json={**body, "scope": "NATIONAL"}, headers=officer)
    assert (corrected.json()["version"], corrected.json()["scope"]) == (2, "NATIONAL")
    assert [e.type for e in events(runtime, INITIATIVES)] == ["tdkt.registry.initiative.recognized.v1"] * 2
    by_author = await client.get("/initiatives", params={"author_id": "p-2"}, headers=officer)
    assert by_author.json()["total"] == 1
    unknown = await client.post("/initiatives", json={**body, "author_ids": ["ghost"]}, headers=officer)
    assert (unknown.status_code, unknown.json()["field"]) == (422, "author_ids")


async def test_an_assessment_is_the_employing_organisations(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    body = {"person_id": "p-1", "year": 2024, "rating": "EXCELLENT", "organization_id": "snv"}
    recorded = await client.post("/assessments", json=body, headers=OFFICER)
    assert (recorded.status_code, recorded.json()["id"]) == (200, assessment_id("p-1", 2024))
    data = parse_data(events(runtime, ASSESSMENTS)[0])
    assert isinstance(data, AssessmentRecorded)
    assert (data.person_id, data.year, data.rating) == ("p-1", 2024, "EXCELLENT")
    # another organisation's officer may not; nor may the officer assess someone it did not employ
    foreign = await client.post("/assessments", json={**body, "organization_id": "stc"}, headers=OFFICER)
    assert foreign.status_code == 403
    elsewhere = await client.post("/assessments", json={**body, "person_id": "p-3"}, headers=OFFICER)
    assert (elsewhere.status_code, elsewhere.json()["error"]) == (422, "not_employed")
    before = 1899
    too_early = await client.post("/assessments", json={**body, "year": before}, headers=OFFICER)
    assert (too_early.status_code, too_early.json()["field"]) == (422, "year")


CASES_CSV = """case_number,kind,subject,subject_id,handled_by_organization_id,opened_on,concluded_on,outcome,\
discipline_level,period_from,period_to,withdrawn_on
01/KL,DISCIPLINE,PERSON,p-1,snv,2022-01-10,2022-03-01,DISCIPLINED,WARNING,2022-03-01,2023-02-28,
02/TTr,INSPECTION,ORGANIZATION,stc,bk,2024-02-01,,,,,,
03/KN,COMPLAINT,PERSON,p-2,snv,2023-04-01,,,,,,2023-05-01
04/KL,DISCIPLINE,PERSON,ghost,snv,2023-04-01,,,,,,
05/KL,DISCIPLINE,PERSON,p-2,snv,2023-13-01,,,,,,
"""


async def test_a_case_history_loads_from_csv_with_a_report_and_again_changes_nothing(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    send = {**INSPECTOR, "content-type": "text/csv"}
    report = (await client.post("/cases/imports/csv", content=CASES_CSV.encode(), headers=send)).json()
    assert (report["rows"], report["created"], report["changed"], report["unchanged"]) == (5, 3, 0, 0)
    assert [(e["row"], e["field"], e["code"]) for e in report["errors"]] == [
        (4, "subject_id", "unknown_reference"),
        (5, "opened_on", "invalid_row"),
    ]
    assert [e.type.split(".")[3] for e in events(runtime, CASES)] == [
        "opened",
        "concluded",
        "opened",
        "opened",
        "withdrawn",
    ]
    before = await snapshot(runtime)
    again = (await client.post("/cases/imports/csv", content=CASES_CSV.encode(), headers=send)).json()
    assert (again["created"], again["changed"], again["unchanged"], len(again["errors"])) == (0, 0, 3, 2)
    assert await snapshot(runtime) == before
    # a later file concludes the open inspection; one contradicting the record is refused
    rows = [
        {
            **CASE,
            "case_number": "02/TTr",
            "kind": "INSPECTION",
            "subject": "ORGANIZATION",
            "subject_id": "stc",
            "handled_by_organization_id": "bk",
            "opened_on": "2024-02-01",
            "concluded_on": "2024-09-01",
            "outcome": "NO_VIOLATION",
        },
        {
            **CASE,
            "case_number": "01/KL",
            "opened_on": "2022-01-10",
            "concluded_on": "2022-03-01",
            "outcome": "DISCIPLINED",
            "discipline_level": "REPRIMAND",
            "period_from": "2022-03-01",
            "period_to": "2023-02-28",
        },
    ]
    later = (await client.post("/cases/imports", json={"rows": rows}, headers=INSPECTOR)).json()
    assert (later["changed"], [(e["row"], e["code"]) for e in later["errors"]]) == (1, [(2, "conflict")])
    stored = (await client.get(f"/cases/{case_id('02/TTr')}", headers=INSPECTOR)).json()
    assert (stored["status"], stored["outcome"]) == ("CONCLUDED", "NO_VIOLATION")


async def test_initiatives_and_assessments_load_from_json_and_csv(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    officer = {**headers(Role.INITIATIVE_OFFICER, "bk"), "content-type": "text/csv"}
    text = (
        "title,author_ids,recognizing_organization_id,scope,recognized_on,certificate_number\n"
        "Sổ tay điện tử,p-1;p-2,bk,BASE,2023-04-01,15/GCN-SK\n"
        "Phần mềm,p-1,bk,WORLD,2023-04-01,16/GCN-SK\n"
    )
    report = (await client.post("/initiatives/imports/csv", content=text.encode(), headers=officer)).json()
    assert (report["created"], [(e["row"], e["field"]) for e in report["errors"]]) == (1, [(2, "scope")])
    stored = (await client.get(f"/initiatives/{initiative_id('bk', '15/GCN-SK')}", headers=officer)).json()
    assert stored["author_ids"] == ["p-1", "p-2"]

    rows = [
        {"person_id": "p-1", "year": 2022, "rating": "GOOD", "organization_id": "snv"},
        {"person_id": "p-1", "year": 2023, "rating": "EXCELLENT", "organization_id": "snv"},
        {"person_id": "p-2", "year": 2023, "rating": "NOT_COMPLETED", "organization_id": "snv"},
        {"person_id": "p-2", "year": "2023", "rating": "GOOD", "organization_id": "snv"},
    ]
    loaded = (await client.post("/assessments/imports", json={"rows": rows}, headers=OFFICER)).json()
    assert (loaded["created"], [(e["row"], e["field"]) for e in loaded["errors"]]) == (3, [(4, "year")])
    assert len(events(runtime, ASSESSMENTS)) == 3
    csv_text = "person_id,year,rating,organization_id\np-2,2023,COMPLETED,snv\np-1,2022,GOOD,snv\n"
    send = {**OFFICER, "content-type": "text/csv"}
    corrected = (await client.post("/assessments/imports/csv", content=csv_text.encode(), headers=send)).json()
    assert (corrected["changed"], corrected["unchanged"]) == (1, 1)
    # an import naming another organisation is refused whole, before anything is written
    before = await snapshot(runtime)
    mixed = [rows[0], {"person_id": "p-3", "year": 2023, "rating": "GOOD", "organization_id": "stc"}]
    refused = await client.post("/assessments/imports", json={"rows": mixed}, headers=OFFICER)
    assert refused.status_code == 403
    assert await snapshot(runtime) == before


PROVINCE_OFFICER = headers(Role.UNIT_OFFICER, "bk")


async def test_a_collectives_assessment_is_the_managing_bodys(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    """The collective's own completion of duties is reported by its parent during the year (bk manages snv)."""
    await setup(client)
    body = {"organization_id": "snv", "year": 2024, "rating": "EXCELLENT", "assessed_by_organization_id": "bk"}
    recorded = await client.post("/collective-assessments", json=body, headers=PROVINCE_OFFICER)
    assert (recorded.status_code, recorded.json()["id"]) == (200, collective_assessment_id("snv", 2024)), recorded.text
    [event] = events(runtime, COLLECTIVE_ASSESSMENTS)
    data = parse_data(event)
    assert isinstance(data, CollectiveAssessmentRecorded)
    assert (event.type, data.organization_id, data.year, data.rating, data.assessed_by_organization_id) == (
        "tdkt.registry.collective_assessment.recorded.v1",
        "snv",
        2024,
        "EXCELLENT",
        "bk",
    )
    assert event.partitionkey == "snv"
    # the same again changes nothing and emits nothing
    again = await client.post("/collective-assessments", json=body, headers=PROVINCE_OFFICER)
    assert (again.status_code, again.json()["version"], len(events(runtime, COLLECTIVE_ASSESSMENTS))) == (200, 1, 1)
    # the collective may not assess itself; another body's officer may not act for bk; the body must exist
    before = await snapshot(runtime)
    itself = await client.post(
        "/collective-assessments", json={**body, "assessed_by_organization_id": "snv"}, headers=OFFICER
    )
    assert (itself.status_code, itself.json()["error"], itself.json()["field"]) == (
        422,
        "not_managing",
        "assessed_by_organization_id",
    )
    foreign = await client.post("/collective-assessments", json=body, headers=OFFICER)
    assert foreign.status_code == 403
    unknown = await client.post(
        "/collective-assessments", json={**body, "organization_id": "ghost"}, headers=PROVINCE_OFFICER
    )
    assert (unknown.status_code, unknown.json()["field"]) == (422, "organization_id")
    before_it_existed = await client.post(
        "/collective-assessments", json={**body, "year": 2007}, headers=PROVINCE_OFFICER
    )
    assert (before_it_existed.status_code, before_it_existed.json()["error"]) == (422, "not_managing")
    assert await snapshot(runtime) == before
    reader = headers(Role.TDKT_SPECIALIST, "bk")
    listed = await client.get("/collective-assessments", params={"organization_id": "snv"}, headers=reader)
    assert [(a["year"], a["rating"]) for a in listed.json()["items"]] == [(2024, "EXCELLENT")]


async def test_collective_assessments_load_from_json_and_csv(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await setup(client)
    rows: list[dict[str, Any]] = [
        {"organization_id": "snv", "year": 2022, "rating": "GOOD", "assessed_by_organization_id": "bk"},
        {"organization_id": "stc", "year": 2023, "rating": "EXCELLENT", "assessed_by_organization_id": "bk"},
        {"organization_id": "snv", "year": "2023", "rating": "GOOD", "assessed_by_organization_id": "bk"},
        {"organization_id": "snv", "year": 2023, "rating": "SPLENDID", "assessed_by_organization_id": "bk"},
    ]
    loaded = await client.post("/collective-assessments/imports", json={"rows": rows}, headers=PROVINCE_OFFICER)
    report = loaded.json()
    assert (report["created"], [(e["row"], e["field"]) for e in report["errors"]]) == (2, [(3, "year"), (4, "rating")])
    assert len(events(runtime, COLLECTIVE_ASSESSMENTS)) == 2
    csv_text = "organization_id,year,rating,assessed_by_organization_id\nstc,2023,COMPLETED,bk\nsnv,2022,GOOD,bk\n"
    send = {**PROVINCE_OFFICER, "content-type": "text/csv"}
    corrected = await client.post("/collective-assessments/imports/csv", content=csv_text.encode(), headers=send)
    assert (corrected.json()["changed"], corrected.json()["unchanged"]) == (1, 1), corrected.text
    assert len(events(runtime, COLLECTIVE_ASSESSMENTS)) == 3
    # an import naming a body the officer does not act for is refused whole, before anything is written
    before = await snapshot(runtime)
    mixed = [rows[0], {**rows[1], "assessed_by_organization_id": "tn"}]
    refused = await client.post("/collective-assessments/imports", json={"rows": mixed}, headers=PROVINCE_OFFICER)
    assert refused.status_code == 403
    assert await snapshot(runtime) == before
