"""Reporting's part (steps 2, 3, 4 and 8): the Plan 645 drive, the units' registrations and reports, the scorecards
and the cluster ranking (whose leader awards drafts a nomination for, from the bus), and the congress."""

from __future__ import annotations

from tdkt_demo.api import Json, Who
from tdkt_demo.cast import YEAR
from tdkt_demo.events import ScenarioError, eventually
from tdkt_demo.run import Run

CONGRESS_TITLE = "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI"


async def launch_movement(run: Run) -> None:
    i, reporting, specialist = run.ids, run.services.reporting, run.cast.specialist
    movement = {
        "id": i["movement"],
        "title": "Đợt thi đua đặc biệt lập thành tích chào mừng đại hội Đảng bộ các cấp (Kế hoạch 645/KH-UBND)",
        "kind": "TOPIC",
        "level": "province",
        "launching_organization_id": i["province"],
        "scope": {"organization_ids": [i["finance"], i["health"]], "cluster_ids": [i["cluster"]]},
        "period": {"start": "2024-09-25", "end": "2025-06-30"},
        "reward_plan": [{"award_code": "CO_THI_DUA_TINH", "quota": 1}],
    }
    await reporting.call("POST", "/movements", movement, who=specialist, settle=i["movement"])
    decision = {"version": 1, "decision": {"number": "645/KH-UBND", "date": "2024-09-25"}}
    launched = await reporting.act("movements", i["movement"], "launch", decision, specialist)
    if launched["status"] != "LAUNCHED":
        raise ScenarioError(f"movement not launched: {launched['status']}")
    found = await run.log.expect(i["movement"], ["reporting.movement.drafted.v1", "reporting.movement.launched.v1"])
    run.record("2", "Plan 645 drive launched", "movement LAUNCHED under 645/KH-UBND", [(i["movement"], found)])


async def registrations(run: Run) -> None:
    """Each unit's emulation officer registers its targets and titles for the year (đăng ký thi đua); the TĐKT
    body accepts."""
    i, reporting, found = run.ids, run.services.reporting, []
    for unit, titles in ((i["finance"], ["CO_THI_DUA_TINH", "TTLDXS"]), (i["health"], ["TTLDXS", "CSTD_TINH"])):
        registration_id = f"dang-ky-{unit}"
        body = {
            "id": registration_id,
            "organization_id": unit,
            "year": YEAR,
            "movement_id": i["movement"],
            "targets": [
                "Hoàn thành xuất sắc nhiệm vụ năm 2024",
                "Lập thành tích chào mừng đại hội Đảng bộ các cấp",
            ],
            "requested_titles": [{"award_code": code, "count": 1} for code in titles],
        }
        officer = run.cast.officer(unit)
        await reporting.call("POST", "/registrations", body, who=officer, settle=registration_id)
        await reporting.act("registrations", registration_id, "submit", {"version": 1}, officer)
        accepted = await reporting.act("registrations", registration_id, "accept", {"version": 2}, run.cast.specialist)
        if accepted["status"] != "ACCEPTED":
            raise ScenarioError(f"registration {registration_id} is {accepted['status']}")
        flow = ["reporting.registration.drafted.v1", "reporting.registration.submitted.v1"]
        flow.append("reporting.registration.accepted.v1")
        events = await run.log.expect(registration_id, flow)
        if events[1].data["requested_titles"] != body["requested_titles"]:
            raise ScenarioError(f"registered titles {events[1].data['requested_titles']}")
        found.append((registration_id, events))
    run.record(
        "3",
        "Registrations",
        f"{i['finance']} and {i['health']} registered their 2024 targets and titles (unit officers); accepted by "
        "Sở Nội vụ",
        found,
    )


async def reports(run: Run) -> None:
    """A preliminary report accepted at once; a final report returned for missing figures, resubmitted, accepted."""
    i, reporting, unit = run.ids, run.services.reporting, run.ids["health"]
    officer, specialist = run.cast.officer(unit), run.cast.specialist
    preliminary, final = f"so-ket-{run.run_id}", f"tong-ket-{run.run_id}"
    for report_id, kind, period, due in (
        (preliminary, "PRELIMINARY_REVIEW", "2024-H2", "2025-01-15"),
        (final, "FINAL_REVIEW", "2024", "2025-06-15"),
    ):
        body = {
            "id": report_id,
            "organization_id": unit,
            "kind": kind,
            "period": period,
            "due_date": due,
            "movement_id": i["movement"],
        }
        await reporting.call("POST", "/reports", body, who=officer, settle=report_id)
    reason = "Thiếu số liệu khen thưởng theo Kế hoạch 645"
    moves: list[tuple[str, str, Json, Who]] = [
        (preliminary, "submit", {"version": 1}, officer),
        (preliminary, "accept", {"version": 2}, specialist),
        (final, "submit", {"version": 1}, officer),
        (final, "return", {"version": 2, "reason": reason}, specialist),
        (final, "submit", {"version": 3}, officer),
        (final, "accept", {"version": 4}, specialist),
    ]
    answers = [await reporting.act("reports", report_id, action, move, who) for report_id, action, move, who in moves]
    accepted = answers[-1]
    if accepted["status"] != "ACCEPTED":
        raise ScenarioError(f"final report not accepted: {accepted['status']}")
    first = await run.log.expect(
        preliminary,
        ["reporting.report.drafted.v1", "reporting.report.submitted.v1", "reporting.report.accepted.v1"],
    )
    second = await run.log.expect(
        final,
        [
            "reporting.report.drafted.v1",
            "reporting.report.submitted.v1",
            "reporting.report.returned.v1",
            "reporting.report.submitted.v1",
            "reporting.report.accepted.v1",
        ],
    )
    if [e.data.get("revision") for e in second if e.type.endswith("submitted.v1")] != [1, 2]:
        raise ScenarioError("the resubmission is not revision 2")
    run.record(
        "3",
        "Reports",
        "preliminary report accepted; final report returned, resubmitted (revision 2) and accepted",
        [(preliminary, first), (final, second)],
    )


async def ranking(run: Run) -> None:
    """Both units score themselves, the specialist reviews and publishes; the cluster's ranking names the leader and
    awards drafts its Cờ thi đua nomination from the ranking event."""
    i, reporting, awards, specialist = run.ids, run.services.reporting, run.services.awards, run.cast.specialist
    criteria = {
        "id": i["criteria"],
        "title": "Tiêu chí chấm điểm cụm thi đua các sở",
        "groups": [
            {
                "code": "g1",
                "name": "Nhiệm vụ chuyên môn",
                "criteria": [{"code": "tc-1", "name": "Kế hoạch", "max_points": 100}],
            }
        ],
    }
    await reporting.call("POST", "/criteria-sets", criteria, who=specialist)
    events = []
    for org_id, points in ((i["finance"], 95.0), (i["health"], 88.0)):
        card, officer = f"sc-{org_id}", run.cast.officer(org_id)
        body = {
            "id": card,
            "criteria_set_id": i["criteria"],
            "organization_id": org_id,
            "cluster_id": i["cluster"],
            "year": YEAR,
        }
        await reporting.call("POST", "/scorecards", body, who=officer, settle=card)
        score = {"version": 1, "kind": "SELF", "value": points}
        await reporting.act("scorecards", card, "scores/tc-1", score, officer, method="PUT")
        await reporting.act("scorecards", card, "submit", {"version": 2}, officer)
        review = {"version": 3, "kind": "REVIEWER", "value": points}
        await reporting.act("scorecards", card, "scores/tc-1", review, specialist, method="PUT")
        await reporting.act("scorecards", card, "publish", {"version": 4}, specialist)
        found = await run.log.expect(
            card,
            [
                "reporting.scorecard.opened.v1",
                "reporting.scorecard.score_recorded.v1",
                "reporting.scorecard.submitted.v1",
                "reporting.scorecard.score_recorded.v1",
                "reporting.scorecard.published.v1",
            ],
        )
        events.append((card, found))
    ranked = await reporting.call(
        "POST",
        f"/clusters/{i['cluster']}/rankings",
        {"year": YEAR, "criteria_set_id": i["criteria"]},
        who=specialist,
    )
    ranking_id = f"{i['cluster']}.{YEAR}"
    [published] = await run.log.expect(ranking_id, ["reporting.cluster.ranking_published.v1"])
    events.append((ranking_id, [published]))
    if published.data["leaders"] != [i["finance"]]:
        raise ScenarioError(f"unexpected leaders {published.data['leaders']} (response {ranked})")

    async def drafted() -> Json | None:
        page = await awards.get("/nominations", specialist, status="DRAFT", limit=200) or {"items": []}
        mine = [n for n in page["items"] if n["submitting_organization_id"] == i["finance"]]
        return mine[0] if mine else None

    nomination = await eventually(drafted, what="awards' Cờ thi đua draft for the cluster leader")
    if (nomination["award_code"], nomination["status"]) != ("CO_THI_DUA_TINH", "DRAFT"):
        raise ScenarioError(f"unexpected draft {nomination}")
    i["flag_nomination"] = nomination["id"]
    events.append((nomination["id"], await run.log.expect(nomination["id"], ["awards.nomination.status_changed.v1"])))
    run.record(
        "4",
        "Scorecards and cluster ranking",
        f"2 scorecards published; leader {i['finance']}; awards drafted {nomination['award_code']} "
        f"({nomination['rule_set_id']}) from the bus",
        events,
    )


async def congress(run: Run) -> None:
    i = run.ids
    body = {
        "id": i["congress"],
        "kind": "PATRIOTIC_EMULATION_CONGRESS",
        "title": CONGRESS_TITLE,
        "level": "province",
        "organizer_id": i["province"],
        "held_on": "2025-06-20",
        "invited_organization_ids": [i["finance"], i["health"]],
        "honouree_quota": 120,
    }
    await run.services.reporting.call("POST", "/congresses", body, who=run.cast.specialist)
    [scheduled] = await run.log.expect(i["congress"], ["reporting.congress.scheduled.v1"])
    if scheduled.data["title"] != body["title"]:
        raise ScenarioError(f"unexpected congress title {scheduled.data['title']}")
    run.record("8", "Congress scheduled", str(body["title"]), [(i["congress"], [scheduled])])
