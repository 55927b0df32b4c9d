"""Revocation cascades all the way: every open dossier relying on the revoked grant is judged again at once (more
than 500 of them, no cap), and each grant already decided on its strength is flagged for the deciding authority's
review with an event, staying ACTIVE (the law decides a revocation, not the software)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tdkt_awards.store import DECISIONS, NOMINATIONS
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.awards import AwardGranted, EligibilityEvaluated, GrantReviewRequested
from tdkt_shared.contract.records import CaseOpened, CaseStatus, CaseWithdrawn
from tdkt_shared.runtime import InMemoryRuntime
from tests.helpers import failing_call
from tests.unit.awards.records import WHO, appraised, case, dossier, initiative, recorded

DEPENDENTS = 520
"""Open dossiers relying on the revoked grant: more than the 500 the old walk stopped at."""


def history(person: str, years: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "recipient_id": person,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Nguyễn Thị Hà",
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decision_number": f"{y}/QĐ-SNV",
            "decision_date": f"{y}-12-10",
        }
        for y in years
    ]


async def step(client: httpx.AsyncClient, nid: str, action: str, version: int, **extra: Any) -> dict[str, Any]:
    r = await client.post(f"/nominations/{nid}/{action}", json={"version": version, **WHO, **extra})
    assert r.status_code in (200, 201), r.text
    body: dict[str, Any] = r.json()
    return body


async def through_council(client: httpx.AsyncClient, nid: str, version: int) -> dict[str, Any]:
    """The appraised dossier `nid` sent to the council, which approves its nominee p-1 unanimously."""
    council = await step(client, nid, "to-council", version)
    vote = {
        "session_id": "hd-2025-12",
        "held_on": "2025-12-18",
        "members_total": 10,
        "attendees": 10,
        "ballots": [{"nominee_id": "p-1", "yes_present": 10, "no_present": 0}],
    }
    return await step(client, nid, "council-votes", council["version"], vote=vote)


async def test_a_revocation_reaches_every_dependent_dossier_and_flags_the_decided_grant(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    imported = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-1", [2023, 2024, 2025])}
    )
    assert imported.status_code == 201, imported.text
    await recorded(runtime, initiative("sk-1", "p-1"))
    nominee = {"nominee_id": "p-1", "kind": "INDIVIDUAL"}

    # one dossier decided on the strength of the chain
    eligible = await appraised(client, dossier("n-decided", "CSTD_TINH", nominee))
    assert eligible["status"] == "ELIGIBLE"
    approved = await through_council(client, "n-decided", eligible["version"])
    decision = {"decision_id": "qd-1", "number": "1/QĐ-UBND", "date": "2025-12-20", "signer_role": "PROVINCE_CHAIRMAN"}
    decided = await step(client, "n-decided", "decision", approved["version"], **decision)
    [granted] = decided["decision"]["grants"]

    # and more than 500 open ones relying on it (copies of one appraised dossier)
    template = await appraised(client, dossier("n-0", "CSTD_TINH", nominee))
    store = runtime.store(NOMINATIONS)
    stored = await store.get("n-0")
    assert stored is not None
    for i in range(1, DEPENDENTS):
        await store.create(f"n-{i}", {**stored.state, "id": f"n-{i}"}, [])
    assert "h.3" in template["relied_on_grants"]

    revocation = {"reason": "FALSE_INFO", "decision_number": "45/QĐ-UBND", "revoked_on": "2026-01-05", "version": 1}
    r = await client.post("/grants/h.3/revocation", json=revocation)
    assert r.status_code == 200, r.text
    body = r.json()
    assert sorted(body["reopened_nominations"]) == sorted(f"n-{i}" for i in range(DEPENDENTS))
    assert body["flagged_grants"] == [granted["grant_id"]]

    # every dependent judged again at once: the chain of three broke
    ineligible = await store.count({"status": "INELIGIBLE"})
    assert ineligible == DEPENDENTS
    last = (await client.get(f"/nominations/n-{DEPENDENTS - 1}")).json()
    chain = next(r for r in last["evaluations"][0]["results"] if r["rule"] == "chain")
    assert (chain["passed"], chain["facts"]["consecutive_ending_in_period"]) == (False, 0)

    # the decided grant stays ACTIVE, flagged for review, with an event for the deciding authority
    grants = (await client.get("/grants", params={"recipient_id": "p-1"})).json()["items"]
    flagged = next(g for g in grants if g["grant_id"] == granted["grant_id"])
    assert (flagged["status"], [f["revoked_grant_id"] for f in flagged["reviews_requested"]]) == ("ACTIVE", ["h.3"])
    [request] = [parse_data(e) for e in runtime.store(DECISIONS).events if e.type == GrantReviewRequested.event_type]
    assert isinstance(request, GrantReviewRequested)
    assert (request.grant_id, request.revoked_grant_id, request.deciding_authority, request.revocation_reason) == (
        granted["grant_id"],
        "h.3",
        "PROVINCE_CHAIRMAN",
        "FALSE_INFO",
    )
    assert request.submitting_organization_id == "so-noi-vu-thai-nguyen"
    # the decided dossier itself is closed: untouched
    assert (await client.get("/nominations/n-decided")).json()["status"] == "DECIDED"


async def test_a_revocation_cut_short_after_the_grant_finishes_its_cascade_when_sent_again(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    imported = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-1", [2023, 2024, 2025])}
    )
    assert imported.status_code == 201, imported.text
    await recorded(runtime, initiative("sk-1", "p-1"))
    for nid in ("n-1", "n-2"):
        assert (
            "h.3"
            in (await appraised(client, dossier(nid, "CSTD_TINH", {"nominee_id": "p-1", "kind": "INDIVIDUAL"})))[
                "relied_on_grants"
            ]
        )
    store = runtime.store(NOMINATIONS)
    died = "the process died between the grant and its first dependent"
    monkeypatch.setattr(store, "update", failing_call(store.update, 1, died))
    revocation = {"reason": "FALSE_INFO", "decision_number": "45/QĐ-UBND", "revoked_on": "2026-01-05", "version": 1}
    with pytest.raises(ConnectionError):
        await client.post("/grants/h.3/revocation", json=revocation)
    assert [(await client.get(f"/nominations/{nid}")).json()["status"] for nid in ("n-1", "n-2")] == ["ELIGIBLE"] * 2
    events = len(runtime.store(DECISIONS).events)

    again = await client.post("/grants/h.3/revocation", json=revocation)  # the same command, as the client sent it
    assert again.status_code == 200, again.text
    assert sorted(again.json()["reopened_nominations"]) == ["n-1", "n-2"]
    assert [(await client.get(f"/nominations/{nid}")).json()["status"] for nid in ("n-1", "n-2")] == ["INELIGIBLE"] * 2
    assert len(runtime.store(DECISIONS).events) == events  # the grant was not revoked twice
    other = {**revocation, "decision_number": "46/QĐ-UBND", "version": 2}
    refused = await client.post("/grants/h.3/revocation", json=other)  # another revocation of the same grant
    assert (refused.status_code, refused.json()["detail"]) == (409, "grant h.3 is already revoked")


async def test_a_dossier_that_still_passes_keeps_its_state_with_the_new_verdict(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    # four years of CSTĐ cơ sở: revoking the first leaves three consecutive ones
    imported = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-1", [2022, 2023, 2024, 2025])}
    )
    assert imported.status_code == 201
    await recorded(runtime, initiative("sk-1", "p-1"))
    eligible = await appraised(client, dossier("n-1", "CSTD_TINH", {"nominee_id": "p-1", "kind": "INDIVIDUAL"}))
    assert "h.1" in eligible["relied_on_grants"]
    revocation = {"reason": "FRAUD", "decision_number": "46/QĐ-UBND", "revoked_on": "2026-01-05", "version": 1}
    body = (await client.post("/grants/h.1/revocation", json=revocation)).json()
    assert (body["reopened_nominations"], body["flagged_grants"]) == (["n-1"], [])
    after = (await client.get("/nominations/n-1")).json()
    assert after["status"] == "ELIGIBLE"
    assert after["audit"][-1]["action"] == "revocation"
    chain = next(r for r in after["evaluations"][0]["results"] if r["rule"] == "chain")
    assert "h.1" not in chain["records"]


async def test_a_dossier_held_by_hand_is_judged_at_once_and_leaves_the_hold_ineligible(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    imported = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-1", [2023, 2024, 2025])}
    )
    assert imported.status_code == 201
    await recorded(runtime, initiative("sk-1", "p-1"))
    eligible = await appraised(client, dossier("n-1", "CSTD_TINH", {"nominee_id": "p-1", "kind": "INDIVIDUAL"}))
    held = await step(client, "n-1", "hold", eligible["version"], reason="đơn thư")
    before = len(runtime.store(NOMINATIONS).events)
    revocation = {"reason": "FRAUD", "decision_number": "47/QĐ-UBND", "revoked_on": "2026-01-05", "version": 1}
    body = (await client.post("/grants/h.3/revocation", json=revocation)).json()
    assert body["reopened_nominations"] == ["n-1"]

    # still waiting, but the revocation's effect is visible now: the chain broke, the verdict is re-run
    after = (await client.get("/nominations/n-1")).json()
    assert (after["status"], after["held_from"], after["held_by_hand"]) == ("ON_HOLD", "INELIGIBLE", True)
    chain = next(r for r in after["evaluations"][0]["results"] if r["rule"] == "chain")
    assert chain["passed"] is False
    judged = [parse_data(e) for e in runtime.store(NOMINATIONS).events[before:]]
    assert [(d.nominee_id, d.eligible) for d in judged if isinstance(d, EligibilityEvaluated)] == [("p-1", False)]
    released = await step(client, "n-1", "release", after["version"])
    assert released["status"] == "INELIGIBLE"
    assert held["held_from"] == "ELIGIBLE"


async def test_a_dossier_held_by_a_case_that_still_passes_keeps_waiting_to_return_eligible(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    imported = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-1", [2022, 2023, 2024, 2025])}
    )
    assert imported.status_code == 201
    await recorded(runtime, initiative("sk-1", "p-1"))
    await appraised(client, dossier("n-1", "CSTD_TINH", {"nominee_id": "p-1", "kind": "INDIVIDUAL"}))
    await recorded(runtime, CaseOpened(**case("11", "p-1")))
    revocation = {"reason": "FRAUD", "decision_number": "48/QĐ-UBND", "revoked_on": "2026-01-05", "version": 1}
    assert (await client.post("/grants/h.1/revocation", json=revocation)).json()["reopened_nominations"] == ["n-1"]
    after = (await client.get("/nominations/n-1")).json()
    # judged on the others: only the open case itself fails, so it will return to ELIGIBLE
    assert (after["status"], after["held_from"], after["held_by_cases"]) == ("ON_HOLD", "ELIGIBLE", ["case-11"])
    failed = [r["rule"] for r in after["evaluations"][0]["results"] if not r["passed"]]
    assert failed == ["no_open_hold"]
    assert after["audit"][-1]["action"] == "revocation"
    await recorded(
        runtime, CaseWithdrawn(**case("11", "p-1", status=CaseStatus.WITHDRAWN, withdrawn_on=date(2026, 1, 6)))
    )
    assert (await client.get("/nominations/n-1")).json()["status"] == "ELIGIBLE"


async def approved_dossier(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> dict[str, Any]:
    """n-1, CSTĐ tỉnh for p-1, through appraisal and the council's vote."""
    imported = await client.post(
        "/grants/imports", json={"batch_id": "h", "grants": history("p-1", [2023, 2024, 2025])}
    )
    assert imported.status_code == 201, imported.text
    await recorded(runtime, initiative("sk-1", "p-1"))
    eligible = await appraised(client, dossier("n-1", "CSTD_TINH", {"nominee_id": "p-1", "kind": "INDIVIDUAL"}))
    return await through_council(client, "n-1", eligible["version"])


def granted_by(runtime: InMemoryRuntime, decision_id: str) -> list[str]:
    """The grants of `decision_id` that `award.granted` events announce."""
    events = [parse_data(e) for e in runtime.store(DECISIONS).events if e.type == AwardGranted.event_type]
    return [g.grant_id for g in events if isinstance(g, AwardGranted) and g.grant_id.startswith(f"{decision_id}.")]


DECISION = {"decision_id": "qd-1", "number": "1/QĐ-UBND", "date": "2025-12-20", "signer_role": "PROVINCE_CHAIRMAN"}


async def test_a_case_opened_while_the_decision_is_recorded_leaves_no_grant(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    approved = await approved_dossier(client, runtime)
    nominations = runtime.store(NOMINATIONS)
    real_update = nominations.update

    async def case_first(*args: Any, **kwargs: Any) -> Any:
        monkeypatch.setattr(nominations, "update", real_update)
        await recorded(runtime, CaseOpened(**case("11", "p-1")))  # registry's event, consumed meanwhile
        return await real_update(*args, **kwargs)

    monkeypatch.setattr(nominations, "update", case_first)
    r = await client.post("/nominations/n-1/decision", json={"version": approved["version"], **WHO, **DECISION})
    assert (r.status_code, r.json()["error"]) == (409, "version_conflict"), r.text
    assert (await client.get("/nominations/n-1")).json()["status"] == "ON_HOLD"
    assert await runtime.store(DECISIONS).get("qd-1") is None  # no grant, no award.granted for a held dossier
    assert granted_by(runtime, "qd-1") == []


async def test_a_decision_cut_short_after_the_dossier_closed_is_recorded_when_sent_again(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    approved = await approved_dossier(client, runtime)
    decisions = runtime.store(DECISIONS)
    died = "the process died between the dossier and its decision"
    monkeypatch.setattr(decisions, "create", failing_call(decisions.create, 1, died))
    body = {"version": approved["version"], **WHO, **DECISION}
    with pytest.raises(ConnectionError):
        await client.post("/nominations/n-1/decision", json=body)
    assert (await client.get("/nominations/n-1")).json()["status"] == "DECIDED"

    again = await client.post("/nominations/n-1/decision", json=body)  # the same command, as the client sent it
    assert again.status_code in (200, 201), again.text
    grants = (await client.get("/grants", params={"recipient_id": "p-1"})).json()["items"]
    assert [(g["grant_id"], g["status"]) for g in grants if g["grant_id"].startswith("qd-1")] == [
        ("qd-1.p-1", "ACTIVE")
    ]
    once_more = await client.post("/nominations/n-1/decision", json=body)
    assert once_more.status_code in (200, 201), once_more.text  # found there: nothing recorded twice
    assert granted_by(runtime, "qd-1") == ["qd-1.p-1"]
