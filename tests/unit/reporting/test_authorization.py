"""Reporting's authorisation matrix: every write endpoint × every role × own or foreign organisation, plus the reads.

`POLICY` is docs/authorization.md written down again, independently of the routers. Every case starts from fresh
in-memory stores prepared with an admin token; the app itself is built once for the module (its lifespan does
nothing for the in-memory runtime), and each case swaps in its own runtime.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from tdkt_reporting.service import DEFINITION
from tdkt_reporting.store import COLLECTIONS
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.runtime import InMemoryRuntime, create_app
from tests.authz import ALL_ROLES, Rule, headers, rule, snapshot, write_operations
from tests.unit.reporting.conftest import merge, register

OWN = "ubnd-huyen-ba-be"
"""The organisation every org-scoped fixture item belongs to."""
FOREIGN = "ubnd-huyen-na-ri"
PARTNER = "ubnd-huyen-pac-nam"
"""The other party of the pact."""
ADMIN = dev_headers()

SPECIALIST = rule(Role.TDKT_SPECIALIST)
OWN_OR_SPECIALIST = rule(Role.TDKT_SPECIALIST, own_org=(Role.UNIT_OFFICER,))
ADMIN_ONLY = rule()

POLICY: dict[tuple[str, str], Rule] = {
    # movements, congresses, criteria sets, rankings: specialists
    ("POST", "/movements"): SPECIALIST,
    ("POST", "/movements/{movement_id}/launch"): SPECIALIST,
    ("POST", "/movements/{movement_id}/start"): SPECIALIST,
    ("POST", "/movements/{movement_id}/preliminary-reviews"): SPECIALIST,
    ("POST", "/movements/{movement_id}/final-review"): SPECIALIST,
    ("POST", "/movements/{movement_id}/close"): SPECIALIST,
    ("POST", "/movements/{movement_id}/cancel"): SPECIALIST,
    ("POST", "/congresses"): SPECIALIST,
    ("POST", "/congresses/{congress_id}/reschedule"): SPECIALIST,
    ("POST", "/congresses/{congress_id}/cancel"): SPECIALIST,
    ("POST", "/congresses/{congress_id}/hold"): SPECIALIST,
    ("POST", "/criteria-sets"): SPECIALIST,
    ("POST", "/criteria-sets/{criteria_set_id}/revisions"): SPECIALIST,
    ("POST", "/clusters/{cluster_id}/rankings"): SPECIALIST,
    # reports: the unit's officers and specialists; return and accept: specialists
    ("POST", "/reports"): OWN_OR_SPECIALIST,
    ("PUT", "/reports/{report_id}/content"): OWN_OR_SPECIALIST,
    ("POST", "/reports/{report_id}/submit"): OWN_OR_SPECIALIST,
    ("POST", "/reports/{report_id}/return"): SPECIALIST,
    ("POST", "/reports/{report_id}/accept"): SPECIALIST,
    ("POST", "/reminders/sweep"): ADMIN_ONLY,
    # registrations
    ("POST", "/registrations"): OWN_OR_SPECIALIST,
    ("POST", "/registrations/{registration_id}/submit"): OWN_OR_SPECIALIST,
    ("POST", "/registrations/{registration_id}/return"): SPECIALIST,
    ("POST", "/registrations/{registration_id}/accept"): SPECIALIST,
    # scorecards (self-assessment): the unit's officers and specialists; publish: specialists
    ("POST", "/scorecards"): OWN_OR_SPECIALIST,
    ("PUT", "/scorecards/{scorecard_id}/scores/{criterion_code}"): OWN_OR_SPECIALIST,
    ("POST", "/scorecards/{scorecard_id}/submit"): OWN_OR_SPECIALIST,
    ("POST", "/scorecards/{scorecard_id}/publish"): SPECIALIST,
    # emulation pacts: an officer of one of the parties, specialists
    ("POST", "/emulation-pacts"): OWN_OR_SPECIALIST,
}

# --- Fixture state, prepared through the API with an admin token ----------------------------------------------------

MOVEMENT: dict[str, Any] = {
    "id": "m-1",
    "title": "Phong trào thi đua chuyển đổi số",
    "kind": "TOPIC",
    "level": "province",
    "launching_organization_id": OWN,
    "period": {"start": "2025-01-01", "end": "2025-12-31"},
}
CONGRESS: dict[str, Any] = {
    "id": "dh-1",
    "kind": "PATRIOTIC_EMULATION_CONGRESS",
    "title": "Đại hội Thi đua yêu nước",
    "level": "province",
    "organizer_id": OWN,
    "held_on": "2025-06-20",
    "honouree_quota": 2,
}
CRITERIA: dict[str, Any] = {
    "id": "cs-1",
    "title": "Tiêu chí cụm",
    "groups": [
        {"code": "g-1", "name": "Nhiệm vụ", "criteria": [{"code": "tc-1", "name": "Kế hoạch", "max_points": 10}]}
    ],
}
SCORECARD: dict[str, Any] = {
    "id": "sc-1",
    "criteria_set_id": "cs-1",
    "organization_id": OWN,
    "cluster_id": "cum-1",
    "year": 2025,
}
REPORT: dict[str, Any] = {
    "id": "r-1",
    "organization_id": OWN,
    "kind": "PERIODIC",
    "period": "2025",
    "due_date": "2025-06-15",
}
REGISTRATION: dict[str, Any] = {"id": "dk-1", "organization_id": OWN, "year": 2025}
PACT: dict[str, Any] = {
    "cluster_id": "cum-1",
    "year": 2025,
    "signed_on": "2025-02-01",
    "signatory_organization_ids": [OWN, PARTNER],
}

Step = tuple[str, str, dict[str, Any]]


async def _run(client: httpx.AsyncClient, steps: list[Step]) -> None:
    for method, path, body in steps:
        response = await client.request(method, path, json=body, headers=ADMIN)
        assert response.is_success, f"{method} {path}: {response.text}"


MOVEMENT_STEPS: list[Step] = [
    ("POST", "/movements", MOVEMENT),
    ("POST", "/movements/m-1/launch", {"version": 1, "decision": {"number": "1/QĐ", "date": "2025-01-05"}}),
    ("POST", "/movements/m-1/start", {"version": 2}),
    ("POST", "/movements/m-1/final-review", {"version": 3, "on": "2025-12-20"}),
]
CARD_STEPS: list[Step] = [
    ("POST", "/criteria-sets", CRITERIA),
    ("POST", "/scorecards", SCORECARD),
    ("PUT", "/scorecards/sc-1/scores/tc-1", {"version": 1, "kind": "SELF", "value": 8}),
    ("POST", "/scorecards/sc-1/submit", {"version": 2}),
    ("PUT", "/scorecards/sc-1/scores/tc-1", {"version": 3, "kind": "REVIEWER", "value": 7}),
    ("POST", "/scorecards/sc-1/publish", {"version": 4}),
]
REPORT_STEPS: list[Step] = [("POST", "/reports", REPORT), ("POST", "/reports/r-1/submit", {"version": 1})]
REGISTRATION_STEPS: list[Step] = [
    ("POST", "/registrations", REGISTRATION),
    ("POST", "/registrations/dk-1/submit", {"version": 1}),
]


@dataclass(frozen=True)
class Case:
    """One write operation: the state it needs (`given`, admin steps) and the request under test."""

    method: str
    path: str
    body: dict[str, Any]
    status: int = 200
    given: tuple[Step, ...] = ()


def after(given: list[Step], step: Step) -> Case:
    """The step that follows `given` in a lifecycle, as the request under test."""
    return Case(*step, given=tuple(given))


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/movements"): Case("POST", "/movements", MOVEMENT, 201),
    ("POST", "/movements/{movement_id}/launch"): after(MOVEMENT_STEPS[:1], MOVEMENT_STEPS[1]),
    ("POST", "/movements/{movement_id}/start"): after(MOVEMENT_STEPS[:2], MOVEMENT_STEPS[2]),
    ("POST", "/movements/{movement_id}/preliminary-reviews"): Case(
        "POST",
        "/movements/m-1/preliminary-reviews",
        {"version": 3, "on": "2025-06-30"},
        given=tuple(MOVEMENT_STEPS[:3]),
    ),
    ("POST", "/movements/{movement_id}/final-review"): after(MOVEMENT_STEPS[:3], MOVEMENT_STEPS[3]),
    ("POST", "/movements/{movement_id}/close"): Case(
        "POST", "/movements/m-1/close", {"version": 4}, given=tuple(MOVEMENT_STEPS)
    ),
    ("POST", "/movements/{movement_id}/cancel"): Case(
        "POST", "/movements/m-1/cancel", {"version": 1, "reason": "Trùng kế hoạch"}, given=tuple(MOVEMENT_STEPS[:1])
    ),
    ("POST", "/congresses"): Case("POST", "/congresses", CONGRESS, 201),
    ("POST", "/congresses/{congress_id}/reschedule"): Case(
        "POST",
        "/congresses/dh-1/reschedule",
        {"version": 1, "held_on": "2025-06-27"},
        given=(("POST", "/congresses", CONGRESS),),
    ),
    ("POST", "/congresses/{congress_id}/cancel"): Case(
        "POST", "/congresses/dh-1/cancel", {"version": 1, "reason": "Hoãn"}, given=(("POST", "/congresses", CONGRESS),)
    ),
    ("POST", "/congresses/{congress_id}/hold"): Case(
        "POST",
        "/congresses/dh-1/hold",
        {"version": 1, "honourees": [{"name": "UBND huyện Ba Bể", "kind": "COLLECTIVE", "organization_id": OWN}]},
        given=(("POST", "/congresses", CONGRESS),),
    ),
    ("POST", "/criteria-sets"): Case("POST", "/criteria-sets", CRITERIA, 201),
    ("POST", "/criteria-sets/{criteria_set_id}/revisions"): Case(
        "POST",
        "/criteria-sets/cs-1/revisions",
        {"version": 1, "content": {k: v for k, v in CRITERIA.items() if k != "id"}},
        given=tuple(CARD_STEPS[:1]),
    ),
    ("POST", "/clusters/{cluster_id}/rankings"): Case(
        "POST",
        "/clusters/cum-1/rankings",
        {"year": 2025, "criteria_set_id": "cs-1", "member_organization_ids": [OWN, PARTNER]},
        201,
        given=tuple(CARD_STEPS),
    ),
    ("POST", "/reports"): Case("POST", "/reports", REPORT, 201),
    ("PUT", "/reports/{report_id}/content"): Case(
        "PUT",
        "/reports/r-1/content",
        {"version": 1, "content": {"narrative": "Kết quả"}},
        given=tuple(REPORT_STEPS[:1]),
    ),
    ("POST", "/reports/{report_id}/submit"): after(REPORT_STEPS[:1], REPORT_STEPS[1]),
    ("POST", "/reports/{report_id}/return"): Case(
        "POST", "/reports/r-1/return", {"version": 2, "reason": "Thiếu số liệu"}, given=tuple(REPORT_STEPS)
    ),
    ("POST", "/reports/{report_id}/accept"): Case(
        "POST", "/reports/r-1/accept", {"version": 2}, given=tuple(REPORT_STEPS)
    ),
    ("POST", "/reminders/sweep"): Case(
        "POST", "/reminders/sweep", {"today": "2025-06-10"}, given=tuple(REPORT_STEPS[:1])
    ),
    ("POST", "/registrations"): Case("POST", "/registrations", REGISTRATION, 201),
    ("POST", "/registrations/{registration_id}/submit"): after(REGISTRATION_STEPS[:1], REGISTRATION_STEPS[1]),
    ("POST", "/registrations/{registration_id}/return"): Case(
        "POST", "/registrations/dk-1/return", {"version": 2, "reason": "Chưa rõ"}, given=tuple(REGISTRATION_STEPS)
    ),
    ("POST", "/registrations/{registration_id}/accept"): Case(
        "POST", "/registrations/dk-1/accept", {"version": 2}, given=tuple(REGISTRATION_STEPS)
    ),
    ("POST", "/scorecards"): Case("POST", "/scorecards", SCORECARD, 201, given=tuple(CARD_STEPS[:1])),
    ("PUT", "/scorecards/{scorecard_id}/scores/{criterion_code}"): after(CARD_STEPS[:2], CARD_STEPS[2]),
    ("POST", "/scorecards/{scorecard_id}/submit"): after(CARD_STEPS[:3], CARD_STEPS[3]),
    ("POST", "/scorecards/{scorecard_id}/publish"): after(CARD_STEPS[:5], CARD_STEPS[5]),
    ("POST", "/emulation-pacts"): Case("POST", "/emulation-pacts", PACT, 201),
}


# --- The app, built once; fresh stores per case -------------------------------------------------------------------


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(DEFINITION, InMemoryRuntime(DEFINITION))
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield app, client


@pytest.fixture
async def runtime(served: tuple[FastAPI, httpx.AsyncClient]) -> InMemoryRuntime:
    """Fresh stores with the three organisations in the directory."""
    fresh = InMemoryRuntime(DEFINITION)
    served[0].state.runtime = fresh
    for organization_id in (OWN, FOREIGN, PARTNER):
        await register(fresh, organization_id)
    return fresh


@pytest.fixture
def api(served: tuple[FastAPI, httpx.AsyncClient], runtime: InMemoryRuntime) -> httpx.AsyncClient:
    """A client sending no token unless told."""
    return served[1]


async def _request(
    client: httpx.AsyncClient, method: str, path: str, role: Role | None, org: str = OWN, **kwargs: Any
) -> httpx.Response:
    sent = {} if role is None else headers(role, org)
    return await client.request(method, path, headers=sent, **kwargs)


# --- Coverage of the policy -----------------------------------------------------------------------------------------


async def test_the_policy_names_every_write_operation(served: tuple[FastAPI, httpx.AsyncClient]) -> None:
    assert write_operations(served[0]) == set(POLICY)
    assert set(CASES) == set(POLICY)


# --- Writes -----------------------------------------------------------------------------------------------------------

MATRIX = [(op, role, own) for op in sorted(POLICY) for role in ALL_ROLES for own in (True, False)]


@pytest.mark.parametrize(
    ("op", "role", "own"), MATRIX, ids=[f"{m} {p} {r} {'own' if o else 'foreign'}" for (m, p), r, o in MATRIX]
)
async def test_write(
    api: httpx.AsyncClient, runtime: InMemoryRuntime, op: tuple[str, str], role: Role, own: bool
) -> None:
    case = CASES[op]
    await _run(api, list(case.given))
    before = await snapshot(runtime, COLLECTIONS)
    response = await _request(api, case.method, case.path, role, OWN if own else FOREIGN, json=case.body)
    if POLICY[op].admits(role, own=own):
        assert response.status_code == case.status, response.text
        assert await snapshot(runtime, COLLECTIONS) != before
    else:
        assert (response.status_code, response.json()["error"]) == (403, "forbidden"), response.text
        assert await snapshot(runtime, COLLECTIONS) == before


@pytest.mark.parametrize("op", sorted(POLICY), ids=[f"{m} {p}" for m, p in sorted(POLICY)])
async def test_write_without_a_token_is_401(
    api: httpx.AsyncClient, runtime: InMemoryRuntime, op: tuple[str, str]
) -> None:
    case = CASES[op]
    await _run(api, list(case.given))
    before = await snapshot(runtime, COLLECTIONS)
    response = await _request(api, case.method, case.path, None, json=case.body)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert await snapshot(runtime, COLLECTIONS) == before


async def test_an_invalid_token_is_401(api: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    response = await api.post("/reports", json=REPORT, headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert await runtime.store("reports").get("r-1") is None


async def test_an_officer_never_reviews_a_scorecard(api: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    await _run(api, CARD_STEPS[:4])
    before = await snapshot(runtime, COLLECTIONS)
    body = {"version": 3, "kind": "REVIEWER", "value": 7}
    refused = await _request(api, "PUT", "/scorecards/sc-1/scores/tc-1", Role.UNIT_OFFICER, OWN, json=body)
    assert (refused.status_code, refused.json()["field"]) == (403, "kind")
    assert await snapshot(runtime, COLLECTIONS) == before
    reviewed = await _request(api, "PUT", "/scorecards/sc-1/scores/tc-1", Role.TDKT_SPECIALIST, FOREIGN, json=body)
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["audit"][-1]["by"] == FOREIGN


async def test_a_pact_is_signed_by_either_party(api: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    signed = await _request(api, "POST", "/emulation-pacts", Role.UNIT_OFFICER, PARTNER, json=PACT)
    assert signed.status_code == 201, signed.text
    refused = await _request(api, "POST", "/emulation-pacts", Role.UNIT_OFFICER, FOREIGN, json={**PACT, "year": 2026})
    assert (refused.status_code, refused.json()["field"]) == (403, "signatory_organization_ids")


async def test_the_acting_organisation_is_taken_from_the_token(
    api: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await _run(api, REPORT_STEPS)
    returned = await _request(
        api, "POST", "/reports/r-1/return", Role.TDKT_SPECIALIST, "ban-tdkt", json={"version": 2, "reason": "Thiếu"}
    )
    assert returned.json()["history"][-1]["by"] == "ban-tdkt"
    resubmitted = await _request(api, "POST", "/reports/r-1/submit", Role.UNIT_OFFICER, OWN, json={"version": 3})
    assert resubmitted.json()["history"][-1]["by"] == OWN


async def test_a_version_conflict_is_decided_after_the_organisation(
    api: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await _run(api, REPORT_STEPS[:1])
    stale = {"version": 7}
    assert (
        await _request(api, "POST", "/reports/r-1/submit", Role.UNIT_OFFICER, FOREIGN, json=stale)
    ).status_code == 403
    assert (await _request(api, "POST", "/reports/r-1/submit", Role.UNIT_OFFICER, OWN, json=stale)).status_code == 409
    missing = await _request(api, "POST", "/reports/r-9/submit", Role.UNIT_OFFICER, OWN, json=stale)
    assert missing.status_code == 404


# --- Lineage: mergers -------------------------------------------------------------------------------------------------


async def test_after_a_merger_the_successor_submits_the_predecessors_report(
    api: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    successor = "ubnd-xa-cho-ra"
    await register(runtime, successor)
    await _run(api, [REPORT_STEPS[0], ("POST", "/registrations", REGISTRATION)])
    await merge(runtime, [OWN], successor)
    moved = (await api.get("/reports/r-1", headers=ADMIN)).json()
    assert moved["organization_id"] == successor
    foreign = await _request(api, "POST", "/reports/r-1/submit", Role.UNIT_OFFICER, FOREIGN, json={"version": 2})
    assert foreign.status_code == 403
    submitted = await _request(api, "POST", "/reports/r-1/submit", Role.UNIT_OFFICER, successor, json={"version": 2})
    assert submitted.status_code == 200, submitted.text
    # "and the other way round": the merged unit's officers still reach what passed to the successor
    registration = await _request(
        api, "POST", "/registrations/dk-1/submit", Role.UNIT_OFFICER, OWN, json={"version": 2}
    )
    assert registration.status_code == 200, registration.text
    # a report still filed under the predecessor (opened after the merger) is the successor's too
    late = await _request(api, "POST", "/reports", Role.UNIT_OFFICER, successor, json={**REPORT, "id": "r-late"})
    assert (late.status_code, late.json()["organization_id"]) == (201, OWN)
    listed = await _request(api, "GET", "/reports", Role.UNIT_OFFICER, successor)
    assert sorted(r["id"] for r in listed.json()["items"]) == ["r-1", "r-late"]


async def test_lineage_follows_a_chain_of_mergers(api: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    middle, last = "ubnd-xa-a", "ubnd-xa-b"
    for organization_id in (middle, last):
        await register(runtime, organization_id)
    await _run(api, REPORT_STEPS[:1])
    await merge(runtime, [OWN], middle)
    await merge(runtime, [middle], last)
    assert (await api.get("/reports/r-1", headers=ADMIN)).json()["organization_id"] == last
    for org in (OWN, middle, last):
        seen = await _request(api, "GET", "/reports/r-1", Role.UNIT_OFFICER, org)
        assert seen.status_code == 200, (org, seen.text)
    assert (await _request(api, "GET", "/reports/r-1", Role.UNIT_OFFICER, FOREIGN)).status_code == 403


# --- Reads ------------------------------------------------------------------------------------------------------------

PUBLIC_READS = [
    "/movements",
    "/movements/m-1",
    "/congresses",
    "/congresses/dh-1",
    "/clusters",
    "/organizations",
    f"/organizations/{OWN}",
    "/criteria-sets/cs-1",
    "/clusters/cum-1/rankings/2025",
    "/scorecards/sc-1",
    "/emulation-pacts/cum-1/2025",
]


async def test_public_reads_need_no_token(api: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    ranking = CASES[("POST", "/clusters/{cluster_id}/rankings")]
    await _run(
        api,
        [
            MOVEMENT_STEPS[0],
            ("POST", "/congresses", CONGRESS),
            *CARD_STEPS,
            (ranking.method, ranking.path, ranking.body),
            ("POST", "/emulation-pacts", PACT),
        ],
    )
    for path in PUBLIC_READS:
        response = await api.get(path)
        assert response.status_code == 200, (path, response.text)


PRIVATE = {
    "/reports/r-1": REPORT_STEPS[:1],
    "/registrations/dk-1": REGISTRATION_STEPS[:1],
    "/scorecards/sc-1": CARD_STEPS[:2],
}
READ_MATRIX = [(path, role, own) for path in PRIVATE for role in ALL_ROLES for own in (True, False)]


@pytest.mark.parametrize(
    ("path", "role", "own"), READ_MATRIX, ids=[f"{p} {r} {'own' if o else 'foreign'}" for p, r, o in READ_MATRIX]
)
async def test_private_read(api: httpx.AsyncClient, runtime: InMemoryRuntime, path: str, role: Role, own: bool) -> None:
    await _run(api, PRIVATE[path])
    response = await _request(api, "GET", path, role, OWN if own else FOREIGN)
    if OWN_OR_SPECIALIST.admits(role, own=own):
        assert response.status_code == 200, response.text
        assert response.json()["id"] == path.rsplit("/", 1)[1]
    else:
        assert response.status_code == 403, response.text
    assert (await api.get(path)).status_code == 401


LISTS = {"/reports": REPORT_STEPS[0], "/registrations": REGISTRATION_STEPS[0]}


@pytest.mark.parametrize("path", sorted(LISTS))
async def test_lists_show_an_officer_only_its_own(api: httpx.AsyncClient, runtime: InMemoryRuntime, path: str) -> None:
    method, url, body = LISTS[path]
    await _run(api, [(method, url, body), (method, url, {**body, "id": "foreign-1", "organization_id": FOREIGN})])

    async def listed(role: Role, org: str, **params: str) -> tuple[int, list[str]]:
        response = await _request(api, "GET", path, role, org, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        return page["total"], sorted(i["id"] for i in page["items"])

    everything = (2, sorted([body["id"], "foreign-1"]))
    assert await listed(Role.TDKT_SPECIALIST, FOREIGN) == everything
    assert await listed(Role.ADMIN, PARTNER) == everything
    assert await listed(Role.UNIT_OFFICER, OWN) == (1, [body["id"]])
    assert await listed(Role.UNIT_OFFICER, FOREIGN) == (1, ["foreign-1"])
    assert await listed(Role.UNIT_OFFICER, PARTNER) == (0, [])
    assert await listed(Role.UNIT_OFFICER, OWN, organization_id=FOREIGN) == (0, [])
    assert await listed(Role.UNIT_OFFICER, OWN, organization_id=OWN) == (1, [body["id"]])
    for role in (Role.PRESS_OFFICER, Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY, Role.REGISTRY_ADMIN):
        assert (await _request(api, "GET", path, role, OWN)).status_code == 403
    assert (await api.get(path)).status_code == 401


async def test_a_scorecard_is_public_once_published(api: httpx.AsyncClient, runtime: InMemoryRuntime) -> None:
    await _run(api, CARD_STEPS[:5])
    assert (await api.get("/scorecards/sc-1")).status_code == 401
    assert (await _request(api, "GET", "/scorecards/sc-1", Role.PRESS_OFFICER, OWN)).status_code == 403
    await _run(api, CARD_STEPS[5:])
    assert (await api.get("/scorecards/sc-1")).json()["status"] == "PUBLISHED"
    assert (await _request(api, "GET", "/scorecards/sc-1", Role.PRESS_OFFICER, FOREIGN)).status_code == 200
