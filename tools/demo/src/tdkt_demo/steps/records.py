"""The nominees' histories, loaded from the offices that keep them (step 1): the persons and where they work, the
yearly assessments each unit reports, the initiatives the provincial council recognised and a closed discipline
case, each by CSV import. Awards judges from these records; no dossier types a fact."""

from __future__ import annotations

from tdkt_demo.api import Json
from tdkt_demo.cast import YEAR
from tdkt_demo.events import ScenarioError, eventually
from tdkt_demo.run import Run

STAFF = 10
"""Members of each department judged for a collective title."""


def staff(unit: str) -> list[str]:
    return [f"{unit}-cb-{n:02d}" for n in range(1, STAFF + 1)]


def csv(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


async def on_record(run: Run, subject: str, field: str) -> None:
    """Until awards' read model has `subject`'s records of that kind (awards judges from what it received)."""

    async def known() -> Json | None:
        body = await run.services.awards.get(f"/records/{subject}", who=run.cast.specialist)
        return body if body and body[field] else None

    await eventually(known, what=f"{subject}'s {field} in awards")


async def load_histories(run: Run) -> None:
    i, cast = run.ids, run.cast
    registry = run.services.registry
    admin = cast.registry_admin
    hospital = {
        "id": i["hospital"],
        "name": "Bệnh viện Đa khoa tỉnh Bắc Kạn",
        "kind": "AGENCY",
        "valid_from": "2000-01-01",
        "parent_id": i["health"],
    }
    await registry.call("POST", "/organizations", hospital, who=admin)
    people = [
        (i["eligible"], "Hoàng Văn Nam", i["hospital"]),
        (i["ineligible"], "Lý Thị Mai", i["hospital"]),
        (i["state_nominee"], "Đinh Văn Hùng", i["hospital"]),
    ]
    people += [(p, f"Cán bộ {p}", unit) for unit in (i["health"], i["finance"]) for p in staff(unit)]
    for person, name, unit in people:
        await registry.call("POST", "/persons", {"id": person, "full_name": name}, who=admin)
        job = {"version": 1, "organization_id": unit, "position": "Chuyên viên", "valid_from": "2015-01-01"}
        await registry.call("POST", f"/persons/{person}/employments", job, who=admin, settle=person)

    # each department reports its staff's assessments for the year (hoàn thành xuất sắc / tốt nhiệm vụ)
    for unit in (i["health"], i["finance"]):
        rows = [f"{p},{YEAR},{'EXCELLENT' if n < 3 else 'GOOD'},{unit}" for n, p in enumerate(staff(unit))]
        report = await registry.import_csv(
            "/assessments/imports/csv", csv("person_id,year,rating,organization_id", rows), cast.officer(unit)
        )
        if report["created"] != STAFF:
            raise ScenarioError(f"{unit}'s assessments: {report}")
    # the provincial initiative council's certificates (sáng kiến cấp tỉnh)
    rows = [
        f"Sáng kiến của {name},{person},{i['province']},PROVINCE,2025-04-01,{n + 1}/GCN-SK-{run.run_id}"
        for n, (person, name, _) in enumerate(people[:2])
    ]
    header = "title,author_ids,recognizing_organization_id,scope,recognized_on,certificate_number"
    certified = await registry.import_csv("/initiatives/imports/csv", csv(header, rows), cast.initiative_officer)
    # a reprimand long served: on record, and the chain window starts after it
    header = (
        "case_number,kind,subject,subject_id,handled_by_organization_id,opened_on,concluded_on,outcome,"
        "discipline_level,period_from,period_to"
    )
    row = (
        f"07/QĐ-KL-{run.run_id},DISCIPLINE,PERSON,{i['ineligible']},{i['hospital']},2019-01-10,2019-03-01,"
        "DISCIPLINED,REPRIMAND,2019-03-01,2020-02-28"
    )
    await registry.import_csv("/cases/imports/csv", csv(header, [row]), cast.inspector)

    # awards judges from what it received: wait until the records are there
    for unit in (i["health"], i["finance"]):
        for person in staff(unit):
            await on_record(run, person, "assessments")
    for person, _, _ in people[:2]:
        await on_record(run, person, "initiatives")
    await on_record(run, i["ineligible"], "cases")
    assessed = [(p, await run.log.expect(p, ["registry.assessment.recorded.v1"])) for p in staff(i["health"])[:1]]
    recognised = [(k, await run.log.expect(k, ["registry.initiative.recognized.v1"])) for k in certified["ids"]]
    run.record(
        "1",
        "Records kept by their offices (imports)",
        f"{len(people)} persons with their employment; {2 * STAFF} assessments for {YEAR} reported by the two "
        "departments, 2 initiatives recognised by the province, 1 closed discipline case: all by CSV import, "
        "and in awards' read model before any appraisal",
        [*assessed, *recognised],
    )
