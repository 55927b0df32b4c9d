"""Holds as the law says: a case opened about a nominee puts each of its open dossiers ON_HOLD at any stage before
the decision (never a final INELIGIBLE); the end of the case returns each to where it was and re-runs the verdict."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain.eligibility import members_cases_hold
from tdkt_awards.handlers import records as record_handlers
from tdkt_awards.store import NOMINATIONS, Repositories
from tdkt_shared.contract import make_event, parse_data
from tdkt_shared.contract.awards import EligibilityEvaluated, NominationStatusChanged
from tdkt_shared.contract.records import (
    CaseConcluded,
    CaseKind,
    CaseOpened,
    CaseOutcome,
    CaseStatus,
    CaseWithdrawn,
    DutyCompletion,
)
from tdkt_shared.contract.registry import (
    Employment,
    OrganizationKind,
    OrganizationRegistered,
    PersonEmploymentChanged,
)
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import post_draft
from tests.unit.awards.records import WHO, appraised, assessed, case, dossier, recorded, warning_of


def person(nominee: str) -> dict[str, Any]:
    return {"nominee_id": nominee, "kind": "INDIVIDUAL"}


async def status(client: httpx.AsyncClient, nid: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/nominations/{nid}")).json()
    return body


def opened(number: str, subject: str, kind: CaseKind = CaseKind.COMPLAINT) -> CaseOpened:
    return CaseOpened(**case(number, subject, kind=kind))


def withdrawn(number: str, subject: str, kind: CaseKind = CaseKind.COMPLAINT) -> CaseWithdrawn:
    return CaseWithdrawn(**case(number, subject, kind=kind, status=CaseStatus.WITHDRAWN, withdrawn_on=date(2026, 1, 2)))


async def test_a_case_holds_every_open_dossier_of_its_subject_and_its_end_restores_each(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD), assessed("p-2", 2025, DutyCompletion.GOOD))
    assert (await post_draft(client, dossier("n-draft", "LDTT", person("p-1")))).status_code == 201
    assert (await appraised(client, dossier("n-eligible", "LDTT", person("p-1"))))["status"] == "ELIGIBLE"
    assert (await appraised(client, dossier("n-other", "LDTT", person("p-2"))))["status"] == "ELIGIBLE"
    before = len(runtime.store(NOMINATIONS).events)

    await recorded(runtime, opened("7", "p-1"))
    for nid, was in (("n-draft", "DRAFT"), ("n-eligible", "ELIGIBLE")):
        body = await status(client, nid)
        assert (body["status"], body["held_from"], body["held_by_cases"]) == ("ON_HOLD", was, ["case-7"])
        assert "case-7" in body["audit"][-1]["reason"]
    assert (await status(client, "n-other"))["status"] == "ELIGIBLE"  # another nominee's dossier waits for nothing
    held = [parse_data(e) for e in runtime.store(NOMINATIONS).events[before:]]
    assert [(d.nomination_id, d.to_status) for d in held if isinstance(d, NominationStatusChanged)] == [
        ("n-draft", "ON_HOLD"),
        ("n-eligible", "ON_HOLD"),
    ]
    # only the case's end lifts its hold
    body = await status(client, "n-eligible")
    refused = await client.post("/nominations/n-eligible/release", json={"version": body["version"], **WHO})
    assert (refused.status_code, refused.json()["error"]) == (409, "invalid_transition")

    data = withdrawn("7", "p-1")
    event = make_event(data, partitionkey="p-1")
    handler = runtime.handlers()[data.event_type]
    assert await handler(event, data) is True
    assert await handler(event, data) is False  # a redelivery changes nothing
    assert (await status(client, "n-draft"))["status"] == "DRAFT"
    restored = await status(client, "n-eligible")
    assert (restored["status"], restored["held_by_cases"]) == ("ELIGIBLE", [])
    rerun = [parse_data(e) for e in runtime.store(NOMINATIONS).events if e.type == EligibilityEvaluated.event_type]
    assert [(d.nomination_id, d.eligible) for d in rerun if isinstance(d, EligibilityEvaluated)][-1] == (
        "n-eligible",
        True,
    )


async def test_a_discipline_concluded_while_held_makes_the_re_run_verdict_ineligible(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    assert (await appraised(client, dossier("n-1", "LDTT", person("p-1"))))["status"] == "ELIGIBLE"
    await recorded(runtime, opened("1", "p-1", CaseKind.DISCIPLINE))
    assert (await status(client, "n-1"))["status"] == "ON_HOLD"
    await recorded(runtime, warning_of("p-1"))  # a warning from 1/3/2025: 2025 is covered
    body = await status(client, "n-1")
    assert body["status"] == "INELIGIBLE"
    [evaluation] = body["evaluations"]
    failed = [r for r in evaluation["results"] if not r["passed"]]
    assert [(r["rule"], r["records"]) for r in failed] == [("no_discipline_in_year", ["case-1"])]
    assert [a["action"] for a in body["audit"][-2:]] == ["release", "reevaluate"]


async def test_a_case_found_at_appraisal_holds_the_dossier_instead_of_ending_it(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    r = await post_draft(client, dossier("n-1", "LDTT", person("p-1")))
    current = r.json()
    for action in ("submit", "receive", "start-appraisal"):
        current = (await client.post(f"/nominations/n-1/{action}", json={"version": current["version"], **WHO})).json()
    # both cases are opened after the dossier reached appraisal: the first holds it there already
    await recorded(runtime, opened("2", "p-1"), opened("3", "p-1", CaseKind.INSPECTION))
    body = await status(client, "n-1")
    assert (body["status"], body["held_from"], body["held_by_cases"]) == (
        "ON_HOLD",
        "UNDER_APPRAISAL",
        ["case-2", "case-3"],
    )
    await recorded(runtime, withdrawn("2", "p-1"))
    assert (await status(client, "n-1"))["held_by_cases"] == ["case-3"]  # still waiting for the inspection
    no_violation = CaseConcluded(
        **case(
            "3",
            "p-1",
            kind=CaseKind.INSPECTION,
            status=CaseStatus.CONCLUDED,
            concluded_on=date(2026, 1, 3),
            outcome=CaseOutcome.NO_VIOLATION,
        )
    )
    await recorded(runtime, no_violation)
    body = await status(client, "n-1")
    assert body["status"] == "UNDER_APPRAISAL"
    again = await client.post("/nominations/n-1/appraise", json={"version": body["version"], **WHO})
    assert again.json()["status"] == "ELIGIBLE"


async def test_appraising_while_a_case_is_open_waits_on_hold(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    r = await post_draft(client, dossier("n-1", "LDTT", person("p-1")))
    current = r.json()
    for action in ("submit", "receive", "start-appraisal"):
        current = (await client.post(f"/nominations/n-1/{action}", json={"version": current["version"], **WHO})).json()
    # the case is on the subject's records but put no hold on this dossier (e.g. records rebuilt by a replay)
    data = opened("4", "p-1")
    await record_handlers.on_case(make_event(data, partitionkey="p-1"), data, Repositories.of(runtime).records)
    body = (await client.post("/nominations/n-1/appraise", json={"version": current["version"], **WHO})).json()
    assert (body["status"], body["held_from"], body["held_by_cases"]) == ("ON_HOLD", "UNDER_APPRAISAL", ["case-4"])
    assert body["evaluations"] == []


async def test_appraise_on_an_appraised_dossier_is_refused_even_with_a_case_open(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    body = await appraised(client, dossier("n-1", "LDTT", person("p-1")))
    data = opened("5", "p-1")
    await record_handlers.on_case(make_event(data, partitionkey="p-1"), data, Repositories.of(runtime).records)
    again = await client.post("/nominations/n-1/appraise", json={"version": body["version"], **WHO})
    assert (again.status_code, again.json()["error"]) == (409, "invalid_transition")
    assert (await status(client, "n-1"))["status"] == "ELIGIBLE"


async def release(client: httpx.AsyncClient, nid: str) -> httpx.Response:
    body = await status(client, nid)
    return await client.post(f"/nominations/{nid}/release", json={"version": body["version"], **WHO})


async def test_a_case_attaches_to_a_dossier_held_by_hand_and_neither_hold_lifts_the_other(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    eligible = await appraised(client, dossier("n-1", "LDTT", person("p-1")))
    by_hand = {"version": eligible["version"], **WHO, "reason": "đơn thư chưa xác minh"}
    held = (await client.post("/nominations/n-1/hold", json=by_hand)).json()
    assert (held["status"], held["held_by_hand"], held["held_by_cases"]) == ("ON_HOLD", True, [])

    await recorded(runtime, opened("8", "p-1"))
    body = await status(client, "n-1")
    assert (body["status"], body["held_from"], body["held_by_cases"], body["held_by_hand"]) == (
        "ON_HOLD",
        "ELIGIBLE",
        ["case-8"],
        True,
    )
    assert (body["audit"][-1]["action"], body["audit"][-1]["reason"]) == ("case_hold", "open case(s): case-8")
    # the specialist's release cannot let it go on while the case is open
    refused = await release(client, "n-1")
    assert (refused.status_code, refused.json()["error"]) == (409, "invalid_transition")
    assert "case-8" in refused.json()["detail"]

    # the case's end leaves it waiting for the release by hand
    await recorded(runtime, withdrawn("8", "p-1"))
    body = await status(client, "n-1")
    assert (body["status"], body["held_by_cases"], body["held_by_hand"]) == ("ON_HOLD", [], True)
    assert body["audit"][-1]["action"] == "case_release"
    released = await release(client, "n-1")
    assert released.status_code == 200, released.text
    assert (released.json()["status"], released.json()["held_by_hand"]) == ("ELIGIBLE", False)


async def test_a_hold_by_hand_on_a_dossier_held_by_a_case_outlasts_the_case(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    await appraised(client, dossier("n-1", "LDTT", person("p-1")))
    await recorded(runtime, opened("9", "p-1"))
    body = await status(client, "n-1")
    held = await client.post("/nominations/n-1/hold", json={"version": body["version"], **WHO, "reason": "báo chí"})
    assert held.status_code == 200, held.text
    assert (held.json()["held_by_cases"], held.json()["held_by_hand"]) == (["case-9"], True)
    await recorded(runtime, withdrawn("9", "p-1"))
    assert ((await status(client, "n-1"))["status"], (await status(client, "n-1"))["held_by_hand"]) == (
        "ON_HOLD",
        True,
    )
    assert (await release(client, "n-1")).json()["status"] == "ELIGIBLE"


async def test_a_dossier_stored_on_hold_before_hand_holds_were_marked_counts_as_held_by_hand(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, assessed("p-1", 2025, DutyCompletion.GOOD))
    eligible = await appraised(client, dossier("n-1", "LDTT", person("p-1")))
    await client.post("/nominations/n-1/hold", json={"version": eligible["version"], **WHO, "reason": "x"})
    store = runtime.store(NOMINATIONS)
    stored = await store.get("n-1")
    assert stored is not None
    legacy = {k: v for k, v in stored.state.items() if k != "held_by_hand"}
    await store.create("n-legacy", {**legacy, "id": "n-legacy"}, [])
    await recorded(runtime, opened("10", "p-1"))
    await recorded(runtime, withdrawn("10", "p-1"))
    body = await status(client, "n-legacy")
    assert (body["status"], body["held_by_hand"]) == ("ON_HOLD", True)


def unit(org: str) -> OrganizationRegistered:
    return OrganizationRegistered(
        organization_id=org, name=org, kind=OrganizationKind.AGENCY, valid_from=date(2000, 1, 1)
    )


def employed(person: str, org: str, until: date | None = None) -> PersonEmploymentChanged:
    job = Employment(organization_id=org, position="Chuyên viên", valid_from=date(2015, 1, 1), valid_to=until)
    return PersonEmploymentChanged(person_id=person, full_name=person, employments=[job])


async def test_a_members_open_case_holds_the_collectives_dossier_where_its_award_reads_the_members_discipline(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(
        runtime,
        unit("phong-a"),
        unit("phong-b"),
        employed("m-1", "phong-a"),
        employed("m-2", "phong-a"),
        employed("m-3", "phong-b"),
        employed("m-old", "phong-a", until=date(2024, 12, 31)),  # left before 2025's end: not a member
    )
    collective = {"nominee_id": "phong-a", "kind": "COLLECTIVE"}
    for nid, code, nominee in (
        ("n-ttldtt", "TTLDTT", collective),
        ("n-hcld", "HCLD_HANG_BA_TAP_THE", collective),  # its rules read no member's discipline
        ("n-other", "TTLDTT", {"nominee_id": "phong-b", "kind": "COLLECTIVE"}),
    ):
        r = await post_draft(client, dossier(nid, code, nominee))
        assert r.status_code == 201, r.text

    await recorded(runtime, opened("20", "m-2", CaseKind.DISCIPLINE), opened("21", "m-old", CaseKind.DISCIPLINE))
    body = await status(client, "n-ttldtt")
    assert (body["status"], body["held_from"], body["held_by_cases"]) == ("ON_HOLD", "DRAFT", ["case-20"])
    assert (await status(client, "n-hcld"))["status"] == "DRAFT"
    assert (await status(client, "n-other"))["status"] == "DRAFT"

    await recorded(runtime, withdrawn("20", "m-2", CaseKind.DISCIPLINE))
    body = await status(client, "n-ttldtt")
    assert (body["status"], body["held_by_cases"]) == ("DRAFT", [])


async def test_appraising_a_collective_with_a_members_case_open_waits_on_hold(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await recorded(runtime, unit("phong-a"), employed("m-1", "phong-a"), assessed("m-1", 2025, DutyCompletion.GOOD))
    r = await post_draft(client, dossier("n-1", "TTLDTT", {"nominee_id": "phong-a", "kind": "COLLECTIVE"}))
    current = r.json()
    for action in ("submit", "receive", "start-appraisal"):
        current = (await client.post(f"/nominations/n-1/{action}", json={"version": current["version"], **WHO})).json()
    data = opened("22", "m-1")  # on the member's records, but no hold was put (e.g. a replay rebuilt them)
    await record_handlers.on_case(make_event(data, partitionkey="m-1"), data, Repositories.of(runtime).records)
    body = (await client.post("/nominations/n-1/appraise", json={"version": current["version"], **WHO})).json()
    assert (body["status"], body["held_by_cases"]) == ("ON_HOLD", ["case-22"])


def test_whether_a_members_case_holds_the_collective_is_a_parameter_of_the_rule_set() -> None:
    rules = default_catalogue().rules_for(date(2025, 12, 31))
    assert [
        code
        for code in ("TTLDTT", "TTLDXS", "CO_THI_DUA_TINH", "HCLD_HANG_BA_TAP_THE")
        if members_cases_hold(rules, code)
    ] == [
        "TTLDTT",
        "TTLDXS",
        "CO_THI_DUA_TINH",
    ]
    off = rules.model_copy(update={"parameters": {**rules.parameters, "members_cases_hold_collective": False}})
    assert not members_cases_hold(off, "TTLDTT")
