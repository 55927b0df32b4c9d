"""Council sessions over the API with in-memory stores: the council as constituted on the day, an exact quorum and
threshold, one secret ballot per member and dossier, the tally, the minutes and the dossiers concluded."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from tdkt_awards.store import COLLECTIONS, COUNCIL_SESSIONS, NOMINATIONS
from tdkt_shared.auth import Role
from tdkt_shared.contract import make_event, parse_data
from tdkt_shared.contract.awards import CouncilBallotCast, CouncilSessionClosed, NominationApproved
from tdkt_shared.contract.records import InitiativeScope
from tdkt_shared.contract.registry import CouncilConstituted, CouncilMember, CouncilRole
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers, snapshot
from tests.helpers import post_draft
from tests.unit.awards.records import initiative, recorded

ORG = "so-noi-vu-thai-nguyen"
WHO = {"actor": "chuyen-vien-ha", "organization_id": ORG}
COUNCIL = "hd-tdkt-thai-nguyen"
HELD_ON = "2026-01-05"
SECRETARY = headers(Role.COUNCIL_SECRETARY, ORG, subject="thu-ky")


def member(person: str) -> dict[str, str]:
    return headers(Role.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", subject=person)


async def constitute(runtime: InMemoryRuntime, seated: int, *, former: str | None = None) -> list[str]:
    """A council whose `seated` members sit on it on the session day; `former` left it before."""
    people = [f"uv-{i:02d}" for i in range(1, seated + 1)]
    members = [
        CouncilMember(
            person_id=p, role=CouncilRole.CHAIR if i == 0 else CouncilRole.MEMBER, valid_from=date(2025, 7, 1)
        )
        for i, p in enumerate(people)
    ]
    if former:
        members.append(
            CouncilMember(
                person_id=former, role=CouncilRole.MEMBER, valid_from=date(2025, 7, 1), valid_to=date(2025, 12, 31)
            )
        )
    data = CouncilConstituted(
        council_id=COUNCIL,
        name="Hội đồng TĐKT tỉnh Thái Nguyên",
        level="PROVINCE",
        organization_id="ubnd-tinh-thai-nguyen",
        term_from=date(2025, 7, 1),
        members=members,
    )
    assert await runtime.handlers()[data.event_type](make_event(data, partitionkey=COUNCIL), data)
    return people


def history(person: str, years: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "recipient_id": person,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Nguyễn Thị Hà",
            "award_code": "CSTD_CO_SO",
            "year": y,
            "decision_number": f"{y}/QĐ-UBND",
            "decision_date": f"{y}-12-20",
        }
        for y in years
    ]


def nominee(person: str) -> dict[str, Any]:
    return {
        "nominee_id": person,
        "kind": "INDIVIDUAL",
        "name": f"Người {person}",
        "organization_id": ORG,
    }


async def at_council(
    client: httpx.AsyncClient,
    runtime: InMemoryRuntime,
    nid: str,
    people: list[str],
    council_id: str | None = COUNCIL,
) -> Any:
    """A CSTĐ cấp tỉnh dossier for `people` (each with three years of CSTĐ cơ sở and an initiative of provincial
    scope on record) sent to the council."""
    for person in people:
        await recorded(runtime, initiative(f"sk-{nid}-{person}", person, scope=InitiativeScope.PROVINCE))
        r = await client.post(
            "/grants/imports", json={"batch_id": f"h-{nid}-{person}", "grants": history(person, [2023, 2024, 2025])}
        )
        assert r.status_code == 201, r.text
    body = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "CSTD_TINH",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "nominees": [nominee(p) for p in people],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"],
    }
    r = await post_draft(client, body)
    assert r.status_code == 201, r.text
    version = r.json()["version"]
    for action in ("submit", "receive", "start-appraisal", "appraise", "to-council"):
        extra = {"council_id": council_id} if action == "to-council" and council_id else {}
        r = await client.post(f"/nominations/{nid}/{action}", json={"version": version, **WHO, **extra})
        assert r.status_code == 200, r.text
        version = r.json()["version"]
    assert r.json()["status"] == "COUNCIL_REVIEW"
    return r.json()


async def open_session(
    client: httpx.AsyncClient, attendees: list[str], agenda: list[str], sid: str = "phien-1"
) -> httpx.Response:
    body = {"id": sid, "council_id": COUNCIL, "held_on": HELD_ON, "attendees": attendees, "agenda": agenda}
    return await client.post("/council-sessions", json=body, headers=SECRETARY)


async def ballot(client: httpx.AsyncClient, voter: str, nid: str, choices: dict[str, str], sid: str = "phien-1") -> Any:
    body = {"nomination_id": nid, "choices": [{"nominee_id": k, "choice": v} for k, v in choices.items()]}
    return await client.post(f"/council-sessions/{sid}/ballots", json=body, headers=member(voter))


async def close(client: httpx.AsyncClient, sid: str = "phien-1") -> httpx.Response:
    version = (await client.get(f"/council-sessions/{sid}")).json()["version"]
    return await client.post(f"/council-sessions/{sid}/close", json={"version": version}, headers=SECRETARY)


async def test_a_quorum_of_exactly_two_thirds_opens_the_session_and_one_attendee_fewer_does_not(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    people = await constitute(runtime, 9)
    await at_council(client, runtime, "n-1", ["p-1"])
    before = await snapshot(runtime, COLLECTIONS)
    r = await open_session(client, people[:5], ["n-1"])  # 5 of 9 < 2/3
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "no_quorum", "attendees"), r.text
    assert await snapshot(runtime, COLLECTIONS) == before

    r = await open_session(client, people[:6], ["n-1"])  # 6 of 9 = 2/3 exactly
    assert r.status_code == 201, r.text
    opened = r.json()
    assert (opened["status"], opened["attendees"], len(opened["seats"])) == ("OPEN", people[:6], 9)
    assert opened["agenda"][0]["vote_rule"]["quorum"] == {"numerator": 2, "denominator": 3}
    assert r.headers["Location"] == "/council-sessions/phien-1"
    [event] = runtime.store(COUNCIL_SESSIONS).events
    assert (event.type, event.data["attendees"], event.data["agenda"]) == (
        "tdkt.awards.council_session.opened.v1",
        people[:6],
        ["n-1"],
    )


async def test_a_threshold_met_exactly_passes_and_the_tally_matches_the_ballots(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    """CSTĐ cấp tỉnh: 9/10 of all members seated, written votes of absent members count."""
    people = await constitute(runtime, 10)
    await at_council(client, runtime, "n-1", ["p-1", "p-2"])
    present, absent = people[:7], people[7:]
    assert (await open_session(client, present, ["n-1"])).status_code == 201
    # p-1: 9 yes of 10 (exactly 9/10); p-2: 8 yes of 10
    for i, voter in enumerate(people):
        choices = {"p-1": "NO" if i == 3 else "YES", "p-2": "NO" if i in (3, 8) else "YES"}
        r = await ballot(client, voter, "n-1", choices)
        assert r.status_code == 201, r.text
        sealed = r.json()
        assert sealed["sealed"] is True
        assert sealed["agenda"][0]["tallies"] == []  # nothing to count before the close
    item = sealed["agenda"][0]
    assert (item["voters"], item["written_voters"]) == (sorted(present), sorted(absent))

    r = await close(client)
    assert r.status_code == 200, r.text
    closed = r.json()
    assert closed["concluded"] == ["n-1"]
    results = {x["nominee_id"]: x for x in closed["session"]["results"]}
    assert {k: (v["votes_yes"], v["votes_cast"], v["members_total"], v["passed"]) for k, v in results.items()} == {
        "p-1": (9, 10, 10, True),
        "p-2": (8, 10, 10, False),
    }
    assert (results["p-1"]["threshold_numerator"], results["p-1"]["threshold_denominator"]) == (9, 10)
    assert closed["session"]["agenda"][0]["tallies"] == [
        {"nominee_id": "p-1", "yes": 9, "no": 1},
        {"nominee_id": "p-2", "yes": 8, "no": 2},
    ]

    nomination = (await client.get("/nominations/n-1")).json()
    assert (nomination["status"], nomination["council"]["session_id"]) == ("APPROVED", "phien-1")
    assert nomination["audit"][-1]["actor"] == "thu-ky"
    [approved] = [parse_data(e) for e in runtime.store(NOMINATIONS).events if e.type == NominationApproved.event_type]
    assert isinstance(approved, NominationApproved)
    assert ([n.nominee_id for n in approved.nominees], approved.council_session_id) == (["p-1"], "phien-1")

    minutes = (await client.get("/council-sessions/phien-1/minutes")).json()
    assert (minutes["chair"], minutes["attendees"], minutes["absent"]) == ("uv-01", sorted(present), sorted(absent))
    [line] = minutes["items"]
    assert (line["quorum"], line["threshold"], line["secret"]) == ("2/3", "at least 9/10", True)
    assert line["nominees"] == [{"nominee_id": "p-1", "name": "Người p-1"}, {"nominee_id": "p-2", "name": "Người p-2"}]
    assert [r["votes_yes"] for r in line["results"]] == [9, 8]

    events = runtime.store(COUNCIL_SESSIONS).events
    cast = [parse_data(e) for e in events if e.type == CouncilBallotCast.event_type]
    assert [(c.voter_id, c.written) for c in cast if isinstance(c, CouncilBallotCast)] == [
        (p, p in absent) for p in people
    ]
    assert all(set(e.data or {}) == {"session_id", "nomination_id", "voter_id", "written"} for e in events[1:-1])
    [ended] = [parse_data(e) for e in events if e.type == CouncilSessionClosed.event_type]
    assert isinstance(ended, CouncilSessionClosed)
    assert [(x.nominee_id, x.votes_yes, x.passed) for x in ended.results] == [("p-1", 9, True), ("p-2", 8, False)]


async def test_the_stored_session_cannot_link_a_ballot_to_its_member(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    people = await constitute(runtime, 3)
    await at_council(client, runtime, "n-1", ["p-1"])
    assert (await open_session(client, people, ["n-1"])).status_code == 201
    for voter, choice in zip(people, ("YES", "NO", "YES"), strict=True):
        assert (await ballot(client, voter, "n-1", {"p-1": choice})).status_code == 201
    [stored] = await runtime.store(COUNCIL_SESSIONS).find({})
    [item] = stored.state["agenda"]
    assert (item["voters"], item["tallies"]) == (people, [{"nominee_id": "p-1", "yes": 2, "no": 1}])
    assert set(item) == {
        "nomination_id",
        "award_code",
        "rule_set_id",
        "vote_rules_id",
        "vote_rule",
        "nominees",
        "voters",
        "written_voters",
        "tallies",
    }
    for event in runtime.store(COUNCIL_SESSIONS).events:  # no event carries a choice
        text = str(event.data)
        assert "choice" not in text
        assert "YES" not in text
        assert "tallies" not in text


async def test_members_not_on_the_council_that_day_are_refused(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    people = await constitute(runtime, 3, former="uv-cu")
    await at_council(client, runtime, "n-1", ["p-1"])
    for stranger in ("uv-cu", "uv-la"):  # left on 31/12/2025; never a member
        r = await open_session(client, [*people[:2], stranger], ["n-1"])
        assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "not_seated", "attendees.2"), r.text
    assert (await open_session(client, people, ["n-1"])).status_code == 201
    before = await snapshot(runtime, COLLECTIONS)
    for stranger in ("uv-cu", "uv-la"):
        r = await ballot(client, stranger, "n-1", {"p-1": "YES"})
        assert (r.status_code, r.json()["error"], r.json()["field"]) == (403, "forbidden", "voter"), r.text
    # a member votes as themselves: naming another voter is refused
    body = {"nomination_id": "n-1", "voter": people[1], "choices": [{"nominee_id": "p-1", "choice": "YES"}]}
    r = await client.post("/council-sessions/phien-1/ballots", json=body, headers=member(people[0]))
    assert (r.status_code, r.json()["field"]) == (403, "voter")
    assert await snapshot(runtime, COLLECTIONS) == before


async def test_a_second_ballot_is_refused(client: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    people = await constitute(runtime, 3)
    await at_council(client, runtime, "n-1", ["p-1"])
    assert (await open_session(client, people, ["n-1"])).status_code == 201
    assert (await ballot(client, people[0], "n-1", {"p-1": "YES"})).status_code == 201
    before = await snapshot(runtime, COLLECTIONS)
    r = await ballot(client, people[0], "n-1", {"p-1": "NO"})
    assert (r.status_code, r.json()["error"]) == (409, "already_voted")
    assert await snapshot(runtime, COLLECTIONS) == before
    r = await ballot(client, people[1], "n-1", {"p-9": "YES"})
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (422, "ballot_mismatch", "choices")
    r = await ballot(client, people[1], "n-other", {"p-1": "YES"})
    assert (r.status_code, r.json()["error"]) == (422, "not_on_agenda")


@pytest.mark.parametrize(
    ("agenda_state", "error", "status"),
    [("ELIGIBLE", "not_at_council_stage", 422), ("MISSING", "unknown_reference", 422)],
)
async def test_only_dossiers_at_the_council_stage_go_on_the_agenda(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, agenda_state: str, error: str, status: int
) -> None:
    people = await constitute(runtime, 3)
    await at_council(client, runtime, "n-1", ["p-1"])
    if agenda_state == "ELIGIBLE":
        body = (await client.get("/nominations/n-1")).json()
        held = await client.post("/nominations/n-1/hold", json={"version": body["version"], **WHO, "reason": "x"})
        assert held.status_code == 200
    r = await open_session(client, people, ["n-1"] if agenda_state != "MISSING" else ["n-9"])
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (status, error, "agenda.0"), r.text


async def test_a_dossier_on_an_open_agenda_takes_no_typed_totals_and_no_second_session(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    people = await constitute(runtime, 3)
    sent = await at_council(client, runtime, "n-1", ["p-1"])
    assert (await open_session(client, people, ["n-1"])).status_code == 201
    r = await open_session(client, people, ["n-1"], sid="phien-2")
    assert (r.status_code, r.json()["error"]) == (422, "on_another_agenda")
    vote = {
        "session_id": "giay",
        "held_on": HELD_ON,
        "members_total": 3,
        "attendees": 3,
        "ballots": [{"nominee_id": "p-1", "yes_present": 3, "no_present": 0}],
    }
    r = await client.post("/nominations/n-1/council-votes", json={"version": sent["version"], "vote": vote})
    assert (r.status_code, r.json()["error"]) == (409, "on_session_agenda")


async def test_a_dossier_on_hold_at_the_close_is_concluded_by_closing_again_once_released(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    people = await constitute(runtime, 3)
    await at_council(client, runtime, "n-1", ["p-1"])
    await at_council(client, runtime, "n-2", ["p-2"])
    assert (await open_session(client, people, ["n-1", "n-2"])).status_code == 201
    for voter in people:
        for nid, nominee_id in (("n-1", "p-1"), ("n-2", "p-2")):
            assert (await ballot(client, voter, nid, {nominee_id: "YES"})).status_code == 201
    body = (await client.get("/nominations/n-2")).json()
    held = (
        await client.post("/nominations/n-2/hold", json={"version": body["version"], **WHO, "reason": "đơn"})
    ).json()
    r = await close(client)
    assert (r.status_code, r.json()["concluded"]) == (200, ["n-1"])
    assert (await client.get("/nominations/n-2")).json()["status"] == "ON_HOLD"
    await client.post("/nominations/n-2/release", json={"version": held["version"], **WHO})
    r = await close(client)
    assert (r.status_code, r.json()["concluded"]) == (200, ["n-2"])
    assert (await client.get("/nominations/n-2")).json()["status"] == "APPROVED"
    r = await close(client)
    assert (r.status_code, r.json()["error"]) == (409, "invalid_transition")
    assert (await ballot(client, people[0], "n-1", {"p-1": "YES"})).status_code == 409


async def test_minutes_wait_for_the_close_and_sessions_are_not_public(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    people = await constitute(runtime, 3)
    await at_council(client, runtime, "n-1", ["p-1"])
    assert (await open_session(client, people, ["n-1"])).status_code == 201
    assert (await client.get("/council-sessions/phien-1/minutes")).status_code == 409
    officer = headers(Role.UNIT_OFFICER, ORG)
    assert (await client.get("/council-sessions/phien-1", headers=officer)).status_code == 403
    listed = (await client.get("/council-sessions", params={"status": "OPEN"}, headers=member(people[0]))).json()
    assert (listed["total"], [s["id"] for s in listed["items"]]) == (1, ["phien-1"])
