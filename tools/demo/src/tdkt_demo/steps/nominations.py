"""Awards' workflow as the scenario drives it (imported grant history, drafts, the proposer's and the TĐKT body's
steps), and the eligibility the engine computes from that history: a collective title from its members' titles
(step 5) and a chain of years across the 1/7/2025 merger (step 10)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from tdkt_demo.api import Json, Who
from tdkt_demo.cast import YEAR
from tdkt_demo.events import ScenarioError, eventually
from tdkt_demo.run import Run
from tdkt_demo.steps.records import csv, on_record, staff

DOSSIER = ["TO_TRINH", "BAO_CAO_THANH_TICH"]
"""Tờ trình and báo cáo thành tích: in every dossier; the level adds its minutes (biên bản) and proofs."""
SCAN = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
"""What the scenario files under each checklist item (a checklist item is satisfied only by a file)."""


def grant_line(recipient_id: str, kind: str, name: str, award_code: str, year: int, decision: str, day: str) -> Json:
    """One imported grant (an award given before the platform, by decision `decision` of `day`)."""
    return {
        "recipient_id": recipient_id,
        "recipient_kind": kind,
        "recipient_name": name,
        "award_code": award_code,
        "year": year,
        "decision_number": decision,
        "decision_date": day,
    }


async def import_grants(run: Run, batch_id: str, lines: list[Json]) -> None:
    await run.services.awards.call(
        "POST", "/grants/imports", {"batch_id": batch_id, "grants": lines}, who=run.cast.specialist
    )


def annual_merit(
    nomination_id: str,
    award_code: str,
    year: int,
    proposer: Who,
    nominee: Json,
    attachments: list[str],
    *,
    submitting_organization_id: str | None = None,
    territory: str | None = None,
) -> Json:
    """A draft nomination for a yearly title or order, by `proposer` for their organisation unless told; its
    `attachments` are the checklist items `propose` files a PDF under."""
    draft: Json = {"id": nomination_id, "kind": "ANNUAL_MERIT", "award_code": award_code, "year": year}
    draft |= {"territory": territory} if territory else {}
    return draft | {
        "submitting_organization_id": submitting_organization_id or proposer.organization_id,
        "actor": proposer.subject,
        "nominees": [nominee],
        "attachments": DOSSIER + attachments,
    }


async def advance(run: Run, nomination_id: str, *steps: str, who: Who | None = None, **extra: object) -> Json:
    """Workflow steps on a nomination, by the TĐKT specialist unless `who` says otherwise."""
    awards = run.services.awards
    who = who or run.cast.specialist
    body = await awards.call("GET", f"/nominations/{nomination_id}", who=who)
    for step in steps:
        move = {"version": body["version"], **who.acting(), **extra}
        body = await awards.act("nominations", nomination_id, step, move, who)
    return body


async def propose(run: Run, draft: Json, proposer: Who) -> Json:
    """The proposer drafts and submits; the TĐKT body receives and appraises (the verdict is in the body)."""
    nomination_id = str(draft["id"])
    body = dict(draft)
    items = body.pop("attachments", [])
    awards = run.services.awards
    drafted = await awards.call("POST", "/nominations", body, who=proposer, settle=nomination_id)
    for item in items if isinstance(items, list) else []:
        url = f"/nominations/{nomination_id}/files/{item}"
        drafted = await awards.upload(
            url, SCAN, proposer, settle=nomination_id, version=drafted["version"], filename=f"{item}.pdf"
        )
    await advance(run, nomination_id, "submit", who=proposer)
    return await advance(run, nomination_id, "receive", "start-appraisal", "appraise")


def results(verdict: Json) -> dict[str, Json]:
    """The appraisal's rule results by rule name."""
    return {res["rule"]: res for res in verdict["evaluations"][0]["results"]}


def failed(rule_results: Iterable[Json]) -> str:
    """Why a nomination is not eligible: `rule: explanation` of every failed rule."""
    return "; ".join(f"{res['rule']}: {res['explanation']}" for res in rule_results if not res["passed"])


async def collective_title(run: Run) -> None:
    """Tập thể lao động xuất sắc (TTLDXS) for two departments: the engine takes the members from the employment
    records, their duties from the assessments on record, and computes the share of members who hold an individual
    title in the year from the grant records, and the count of CSTĐ among them; the department's own completion of
    duties is the assessment the province (which manages it) reports by import."""
    i = run.ids
    units = {i["health"]: ("Sở Y tế tỉnh Bắc Kạn", 7), i["finance"]: ("Sở Tài chính tỉnh Bắc Kạn", 5)}
    lines: list[Json] = []
    for unit, (unit_name, ldtt) in units.items():
        people = staff(unit)
        titled = [(p, "LDTT") for p in people[:ldtt]] + [(people[ldtt], "CSTD_CO_SO")]
        lines += [
            grant_line(p, "INDIVIDUAL", f"Cán bộ {p}", code, YEAR, f"{n + 1}/QĐ-{unit}", f"{YEAR}-12-15")
            for n, (p, code) in enumerate(titled)
        ]
        # TTLĐXS is chosen among the collectives holding Tập thể lao động tiên tiến that year
        lines.append(grant_line(unit, "COLLECTIVE", unit_name, "TTLDTT", YEAR, f"99/QĐ-{unit}", f"{YEAR}-12-15"))
    await import_grants(run, f"danh-hieu-ca-nhan-{run.run_id}", lines)
    # the province, which manages both departments, reports their own completion of duties for the year
    rows = [f"{unit},{YEAR},EXCELLENT,{i['province']}" for unit in units]
    header = "organization_id,year,rating,assessed_by_organization_id"
    report = await run.services.registry.import_csv(
        "/collective-assessments/imports/csv", csv(header, rows), run.cast.officer(i["province"])
    )
    if report["created"] + report["unchanged"] != len(units):
        raise ScenarioError(f"the departments' own assessments: {report}")
    events = [(unit, await run.log.expect(unit, ["registry.collective_assessment.recorded.v1"])) for unit in units]
    for unit in units:
        await on_record(run, unit, "collective_assessments")
    verdicts: dict[str, Json] = {}
    for unit, (name, _ldtt) in units.items():
        # nothing typed: awards takes the members from the employment records, their ratings from the assessments
        # the unit reported (step 1) and the department's own completion of duties from the province's assessment
        nominee: Json = {"nominee_id": unit, "kind": "COLLECTIVE", "name": name, "organization_id": unit}
        officer = run.cast.officer(unit)
        draft = annual_merit(f"ttldxs-{unit}", "TTLDXS", YEAR, officer, nominee, ["BIEN_BAN_BINH_XET"])
        verdicts[unit] = await propose(run, draft, officer)
        evaluated = await run.log.expect(draft["id"], ["awards.eligibility.evaluated.v1"])
        events.append((str(draft["id"]), evaluated))
    lines_out = []
    for unit, verdict in verdicts.items():
        ratio = results(verdict)["member_title_ratio"]
        lines_out.append(f"{unit} {verdict['status']}: {ratio['explanation']}")
        i[f"ratio_{unit}"] = json.dumps(ratio["facts"])
        if verdict["status"] == "INELIGIBLE":
            i["collective_reasons"] = failed(results(verdict).values())
    outcome = [
        (verdicts[unit]["status"], results(verdicts[unit])["member_title_ratio"]["facts"]["percent"])
        for unit in (i["health"], i["finance"])
    ]
    if outcome != [("ELIGIBLE", 80.0), ("INELIGIBLE", 60.0)]:
        raise ScenarioError(f"the collective verdicts and ratios were {outcome}")
    run.record("5", "Tập thể lao động xuất sắc (computed ratios)", "; ".join(lines_out), events)


async def chain_across_the_merger(run: Run) -> None:
    """A collective chain that spans 1/7/2025: four years of Bắc Kạn's People's Committee, one of Thái
    Nguyên's. Awards learns the lineage from the registry's merger event and counts the predecessor's years."""
    i, awards = run.ids, run.services.awards
    old, new = i["province"], i["thai_nguyen"]

    def line(who: str, name: str, year: int) -> Json:
        return grant_line(who, "COLLECTIVE", name, "TTLDXS", year, f"{year}/QĐ-UBND", f"{year}-12-20")

    lines = [line(old, "UBND tỉnh Bắc Kạn", y) for y in (2021, 2022, 2023, 2024)]
    lines.append(line(new, "UBND tỉnh Thái Nguyên", 2025))
    await import_grants(run, f"tap-the-{run.run_id}", lines)

    async def lineage_known() -> Json | None:
        body = await awards.get(f"/organizations/{new}") or {}
        known = [p["organization_id"] for p in body.get("predecessors", [])]
        return body if old in known else None

    await eventually(lineage_known, what="the merger in awards' lineage read model")
    nomination_id = f"hcld-3-{new}"
    officer = run.cast.officer(new)
    nominee = {"nominee_id": new, "kind": "COLLECTIVE", "name": "UBND tỉnh Thái Nguyên"}
    attachments = ["BIEN_BAN_XET_KHEN_THUONG", "KET_QUA_BO_PHIEU_KIN"]
    draft = annual_merit(
        nomination_id, "HCLD_HANG_BA_TAP_THE", 2025, officer, nominee, attachments, territory="thai-nguyen"
    )
    body = await propose(run, draft, officer)
    chains = [res for res in body["evaluations"][0]["results"] if "consecutive_ending_in_period" in res["facts"]]
    if body["status"] != "ELIGIBLE" or not chains:
        raise ScenarioError(f"the chain across the merger: {body['status']} {body['evaluations']}")
    facts = chains[0]["facts"]
    if (facts.get("predecessors"), facts["consecutive_ending_in_period"]) != ([old], 5):
        raise ScenarioError(f"the chain across the merger counted {facts}")
    found = await run.log.expect(nomination_id, ["awards.eligibility.evaluated.v1"])
    run.record(
        "10",
        "A chain across the merger",
        f"HCLĐ hạng Ba (tập thể) for {new}: ELIGIBLE, 5 consecutive years (4 of {old} through the merger)",
        [(nomination_id, found)],
    )
