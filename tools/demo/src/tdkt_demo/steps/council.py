"""Nominations that go before the council: CSTĐ cấp tỉnh through the vote, the decision and the grant (steps 5 and
7), and a State-level proposal made public for comments first (step 6)."""

from __future__ import annotations

from datetime import UTC, datetime

from tdkt_demo.api import Json
from tdkt_demo.events import ScenarioError, eventually
from tdkt_demo.receivers import Received
from tdkt_demo.run import Run
from tdkt_demo.steps.nominations import advance, annual_merit, failed, grant_line, import_grants, propose

CHANGED = "awards.nomination.status_changed.v1"
EVALUATED = "awards.eligibility.evaluated.v1"
APPRAISED = [CHANGED] * 4 + [EVALUATED]
"""Drafted, submitted, received, under appraisal, then the verdict's evaluation."""


async def provincial_fighters(run: Run) -> None:
    """CSTĐ cấp tỉnh for two of the provincial hospital's staff, proposed by Sở Y tế, judged on their records (an
    imported grant history and a recognised initiative): one eligible (a chain of CSTĐ cơ sở that spans the 1/7/2025
    reorganisation), one not; then the council votes and the decision grants the award."""
    i, r, cast = run.ids, run.run_id, run.cast
    history = [(i["eligible"], "Hoàng Văn Nam", y) for y in (2023, 2024, 2025)]
    history += [(i["ineligible"], "Lý Thị Mai", 2025)]
    lines = [
        grant_line(who, "INDIVIDUAL", name, "CSTD_CO_SO", year, f"{year}/QĐ-SNV", f"{year}-12-10")
        for who, name, year in history
    ]
    await import_grants(run, f"lich-su-{r}", lines)
    verdicts: dict[str, Json] = {}
    officer = cast.officer(i["health"])
    for person, name in ((i["eligible"], "Hoàng Văn Nam"), (i["ineligible"], "Lý Thị Mai")):
        # nothing declared: the initiative and the history are on record (step 1's imports)
        nominee = {"nominee_id": person, "kind": "INDIVIDUAL", "name": name, "organization_id": i["hospital"]}
        attachments = ["BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]
        draft = annual_merit(
            f"cstd-tinh-{person}", "CSTD_TINH", 2025, officer, nominee, attachments, territory="thai-nguyen"
        )
        verdicts[person] = await propose(run, draft, officer)
    eligible, ineligible = verdicts[i["eligible"]], verdicts[i["ineligible"]]
    if (eligible["status"], ineligible["status"]) != ("ELIGIBLE", "INELIGIBLE"):
        raise ScenarioError(f"verdicts {eligible['status']} / {ineligible['status']}")
    reasons = failed(ineligible["evaluations"][0]["results"])
    if not reasons:
        raise ScenarioError("an ineligible nominee without a reason")
    i["reasons"] = reasons
    nomination_id = eligible["id"]
    await advance(run, nomination_id, "to-council", who=cast.secretary)
    vote = {
        "session_id": f"phien-hop-{r}",
        "held_on": "2025-12-18",
        "members_total": 11,
        "attendees": 10,
        "ballots": [{"nominee_id": i["eligible"], "yes_present": 9, "no_present": 1, "yes_written": 1}],
    }
    approved = await advance(run, nomination_id, "council-votes", who=cast.council_member, vote=vote)
    if approved["status"] != "APPROVED":
        raise ScenarioError(f"council outcome {approved['status']}")
    decision = {
        "decision_id": f"qd-{r}",
        "number": "123/QĐ-UBND",
        "date": "2025-12-20",
        "signer_role": "PROVINCE_CHAIRMAN",
        "version": approved["version"],
        **cast.specialist.acting(),
    }
    decided = await run.services.awards.act("nominations", nomination_id, "decision", decision, cast.specialist)
    grant = decided["decision"]["grants"][0]
    i["approved_nomination"] = nomination_id
    flow = await run.log.expect(
        nomination_id, [*APPRAISED, CHANGED, CHANGED, CHANGED, "awards.nomination.approved.v1", CHANGED]
    )
    walked = [e.data["to_status"] for e in flow if e.type.endswith("status_changed.v1")]
    if walked != [
        "DRAFT",
        "SUBMITTED",
        "RECEIVED",
        "UNDER_APPRAISAL",
        "ELIGIBLE",
        "COUNCIL_REVIEW",
        "APPROVED",
        "DECIDED",
    ]:
        raise ScenarioError(f"the nomination went {walked}")
    refused = await run.log.expect(ineligible["id"], [*APPRAISED, CHANGED])
    if refused[-1].data["to_status"] != "INELIGIBLE":
        raise ScenarioError(f"the ineligible nomination ended {refused[-1].data['to_status']}")
    granted = [
        e for e in await run.log.expect(i["eligible"], ["awards.award.granted.v1"] * 4) if not e.data.get("imported")
    ]
    if [(e.data["award_code"], e.data["year"]) for e in granted] != [("CSTD_TINH", 2025)]:
        raise ScenarioError(f"unexpected grants {[e.data for e in granted]}")
    run.record(
        "5",
        "CSTĐ cấp tỉnh nominations",
        f"{i['eligible']} ELIGIBLE under {eligible['evaluations'][0]['rule_set_id']} (chain 2023–2025 across "
        f"1/7/2025); {i['ineligible']} INELIGIBLE: {reasons}",
        [(nomination_id, flow[:6]), (ineligible["id"], refused)],
    )
    run.record(
        "7",
        "Council vote, decision, grant",
        f"APPROVED at {vote['session_id']}; decision {decision['number']}; grant {grant['award_code']} with a "
        f"bonus of {grant['bonus_amount']:,} đồng",
        [(nomination_id, flow[6:]), (i["eligible"], granted)],
    )


async def state_consultation(run: Run) -> None:
    """A State-level proposal (Huân chương Lao động hạng Ba) must be made public for comments before the council
    (Điều 84 khoản 5 Luật TĐKT 2022): the window opens, comments arrive, and the council waits for its end."""
    i, cast, awards = run.ids, run.cast, run.services.awards
    nomination_id = f"hcld3-{i['state_nominee']}"
    nominee = {"nominee_id": i["state_nominee"], "kind": "INDIVIDUAL", "name": "Đinh Văn Hùng"}
    nominee["organization_id"] = i["hospital"]
    attachments = ["BIEN_BAN_XET_KHEN_THUONG", "KET_QUA_BO_PHIEU_KIN"]
    draft = annual_merit(
        nomination_id,
        "HCLD_HANG_BA",
        2025,
        cast.specialist,
        nominee,
        attachments,
        submitting_organization_id=i["province"],
    )
    appraised = await propose(run, draft, cast.specialist)
    if appraised["status"] != "ELIGIBLE":
        raise ScenarioError(f"the State-level proposal is {appraised['status']}")
    today = datetime.now(UTC).date()
    opened = await advance(
        run, nomination_id, "consultation", channel="Cổng Thông tin điện tử tỉnh Bắc Kạn", start=str(today)
    )
    window = opened["consultation"]
    comments = [
        (cast.press_officer, "Đồng ý, đề nghị đăng tải thành tích trên Báo Bắc Kạn", False),
        (cast.officer(i["finance"]), "Đề nghị bổ sung số liệu năm 2024", True),
    ]
    for who, text, objection in comments:
        # the author is whoever the token names (awards refuses a comment in someone else's name)
        comment = {"text": text, "objection": objection}
        await awards.call("POST", f"/nominations/{nomination_id}/consultation/comments", comment, who=who)
    current = await awards.call("GET", f"/nominations/{nomination_id}", who=cast.specialist)
    taken = current["consultation"]["comments"]
    if [c["author"] for c in taken] != [who.subject for who, _, _ in comments]:
        raise ScenarioError(f"consultation comments {taken}")
    early = {"version": current["version"], **cast.secretary.acting()}
    refused = await awards.call(
        "POST", f"/nominations/{nomination_id}/to-council", early, who=cast.secretary, expect=409
    )
    flow = await run.log.expect(nomination_id, [*APPRAISED, CHANGED, CHANGED])
    if flow[-1].data["to_status"] != "PUBLIC_CONSULTATION" or flow[-1].data["consultation_until"] != window["end"]:
        raise ScenarioError(f"the consultation event {flow[-1].data}")

    async def publicised() -> Received | None:
        hits = run.webhooks.at(f"/{i['press']}", containing=flow[-1].id)
        return hits[0] if hits else None

    await eventually(publicised, what="the consultation's publication request at the press webhook")
    i["consultation_nomination"] = nomination_id
    i["consultation_end"] = str(window["end"])
    run.record(
        "6",
        "Public consultation of a State-level proposal",
        f"HCLĐ hạng Ba for {i['state_nominee']}: ELIGIBLE, then công khai on {window['channel']} "
        f"{window['start']}–{window['end']} ({window['working_days']} working days); {len(taken)} comments "
        f"(1 objection); sent to the press webhook; to-council refused until the window ends: {refused['detail']}",
        [(nomination_id, flow)],
    )
