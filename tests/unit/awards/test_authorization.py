"""Who may call what on awards (docs/authorization.md): every write × every role × own or foreign organisation.

The policy below is written from the document, not from the code. A refused request answers 401/403 and leaves every
awards collection as it was; an admitted one gets the operation's success status from a nomination prepared in the
state the operation needs, and records the token's `sub` and `org` wherever it records who acted. The bodies under
test name nobody: the token does. The admin who prepares the state records on the TĐKT body's behalf (`STAFF_WHO`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tdkt_awards.documents.templates import default_template
from tdkt_awards.domain.documents import DocumentKind
from tdkt_awards.domain.files import DOCX
from tdkt_awards.service import DEFINITION
from tdkt_awards.store import COLLECTIONS, NOMINATIONS
from tdkt_shared.auth import Role
from tdkt_shared.contract import make_event
from tdkt_shared.contract.registry import (
    CouncilConstituted,
    CouncilMember,
    CouncilMembershipChanged,
    CouncilRole,
    OrganizationKind,
    OrganizationRegistered,
    OrganizationsMerged,
)
from tdkt_shared.runtime import InMemoryRuntime, create_app
from tdkt_shared.store.memory import InMemoryAggregateStore
from tests.authz import ALL_ROLES, Rule, headers, rule, snapshot, write_operations
from tests.clock import MONDAY_MORNING, ManualClock
from tests.documents.pdf import soffice
from tests.helpers import PDF_BYTES, post_draft, serve
from tests.unit.awards.records import initiative, recorded

R = Role
OWN = "so-y-te-thai-nguyen"
"""The proposer of every prepared nomination."""
FOREIGN = "so-tai-chinh-bac-kan"
STAFF_WHO = {"actor": "chuyen-vien-tdkt", "organization_id": "so-noi-vu-thai-nguyen"}
"""Whom the preparing admin records the steps for (an admin may record on someone's behalf)."""
NID = "n-1"
PROPOSAL = DocumentKind.PROPOSAL

DOSSIER = rule(R.TDKT_SPECIALIST, own_org=(R.UNIT_OFFICER,))
SPECIALIST = rule(R.TDKT_SPECIALIST)
ANYONE = rule(*ALL_ROLES)

POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/eligibility/evaluations"): ANYONE,
    ("POST", "/nominations"): DOSSIER,
    ("POST", "/nominations/{nomination_id}/submit"): DOSSIER,
    ("POST", "/nominations/{nomination_id}/files/{item}"): DOSSIER,
    ("DELETE", "/nominations/{nomination_id}/files/{file_id}"): DOSSIER,
    ("POST", "/nominations/{nomination_id}/documents"): DOSSIER,  # a tờ trình: the proposer's letter
    ("PUT", "/document-templates/{kind}"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/receive"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/start-appraisal"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/hold"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/release"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/appraise"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/consultation"): SPECIALIST,
    ("POST", "/nominations/{nomination_id}/consultation/comments"): ANYONE,
    ("POST", "/nominations/{nomination_id}/to-council"): rule(R.TDKT_SPECIALIST, R.COUNCIL_SECRETARY),
    ("POST", "/nominations/{nomination_id}/council-votes"): rule(R.COUNCIL_MEMBER),
    ("POST", "/nominations/{nomination_id}/decision"): rule(R.TDKT_SPECIALIST, R.LEADER),  # the leader signs
    ("POST", "/grants/imports"): SPECIALIST,
    ("POST", "/grants/imports/csv"): SPECIALIST,
    ("POST", "/grants/{grant_id}/revocation"): SPECIALIST,
    ("POST", "/council-sessions"): rule(R.COUNCIL_SECRETARY, R.TDKT_SPECIALIST),
    ("POST", "/council-sessions/{session_id}/ballots"): rule(R.COUNCIL_MEMBER),
    ("POST", "/council-sessions/{session_id}/close"): rule(R.COUNCIL_SECRETARY, R.TDKT_SPECIALIST),
    ("POST", "/catalogue/rule-set-versions"): rule(),
    ("PUT", "/catalogue/rule-set-versions/{rule_set_id}"): rule(),
    ("POST", "/catalogue/rule-set-versions/{rule_set_id}/publish"): rule(),
}
"""Rule-set versions: administrators only (`rule()` admits no role but admin)."""

READERS = rule(R.TDKT_SPECIALIST, R.COUNCIL_MEMBER, R.COUNCIL_SECRETARY, R.LEADER, own_org=(R.UNIT_OFFICER,))
"""Nominations and their audit trail (the leader reads what they sign)."""


@pytest.fixture(scope="module")
def shared_runtime() -> InMemoryRuntime:
    return InMemoryRuntime(DEFINITION)


@pytest.fixture
async def runtime(shared_runtime: InMemoryRuntime) -> InMemoryRuntime:
    """The module's runtime, emptied: the apps are built once per module, the stores are fresh for each test. The
    registry recorded the nominee's initiative (the engine reads the record, not the dossier)."""
    shared_runtime._stores = InMemoryRuntime(DEFINITION)._stores
    setattr(shared_runtime, "clock", ManualClock(MONDAY_MORNING))  # noqa: B010
    await recorded(shared_runtime, initiative("sk-7", "p-1"))
    return shared_runtime


@pytest.fixture(scope="module")
async def admin_client(shared_runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, shared_runtime) as client:
        yield client


@pytest.fixture(scope="module")
async def anonymous_client(shared_runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, shared_runtime, headers={}) as client:
        yield client


@pytest.fixture
def admin(runtime: InMemoryRuntime, admin_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A client sending an admin token, to prepare state; requests under test pass their own headers."""
    return admin_client


@pytest.fixture
def anonymous(runtime: InMemoryRuntime, anonymous_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The same service, no token."""
    return anonymous_client


# prepared state


def history(person: str, code: str, years: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "recipient_id": person,
            "recipient_kind": "INDIVIDUAL",
            "recipient_name": "Nguyễn Thị Hà",
            "award_code": code,
            "year": y,
            "decision_number": f"{y}/QĐ-UBND",
            "decision_date": f"{y}-12-20",
        }
        for y in years
    ]


def draft_body(nid: str = NID, code: str = "CSTD_TINH", org: str = OWN) -> dict[str, Any]:
    attachments = ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"]
    if code == "CSTD_TQ":
        attachments.append("KET_QUA_BO_PHIEU_KIN")
    return {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": code,
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": org,
        "nominees": [
            {
                "nominee_id": "p-1",
                "kind": "INDIVIDUAL",
                "name": "Nguyễn Thị Hà",
                "organization_id": org,
                "initiatives": [
                    {"initiative_id": "sk-7", "scope": 3 if code == "CSTD_TQ" else 2, "recognized_on": "2025-05-02"}
                ],
            }
        ],
        "attachments": attachments,
    }


VOTE = {
    "session_id": "hd-2025-12",
    "held_on": "2025-12-18",
    "members_total": 10,
    "attendees": 10,
    "ballots": [{"nominee_id": "p-1", "yes_present": 10, "no_present": 0}],
}
DECISION = {"decision_id": "qd-1", "number": "1/QĐ-UBND", "date": "2025-12-20", "signer_role": "PROVINCE_CHAIRMAN"}
REVOCATION = {"reason": "FALSE_INFO", "decision_number": "45/QĐ-UBND", "revoked_on": "2026-01-05"}
CSV = (
    "recipient_id,recipient_kind,recipient_name,award_code,year,decision_number,decision_date\n"
    "p-9,INDIVIDUAL,Lý Thị Mai,CSTD_CO_SO,2024,88/QĐ-SNV,2024-12-15\n"
)


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def advance(admin: httpx.AsyncClient, *actions: str, nid: str = NID, **extra: Any) -> dict[str, Any]:
    body = await ok(await admin.get(f"/nominations/{nid}"))
    for action in actions:
        body = await ok(
            await admin.post(f"/nominations/{nid}/{action}", json={"version": body["version"], **STAFF_WHO, **extra})
        )
    return body


async def drafted(admin: httpx.AsyncClient, code: str = "CSTD_TINH") -> dict[str, Any]:
    """A DRAFT nomination of OWN; the nominee's history makes it eligible."""
    if code == "CSTD_TQ":
        grants = history("p-1", "CSTD_TINH", [2022, 2025])  # two consecutive three-year cycles
    else:
        grants = history("p-1", "CSTD_CO_SO", [2023, 2024, 2025])
    await ok(await admin.post("/grants/imports", json={"batch_id": "lich-su", "grants": grants}), 201)
    return await ok(await post_draft(admin, json=draft_body(code=code)), 201)


async def in_state(admin: httpx.AsyncClient, status: str) -> dict[str, Any]:
    """A nomination of OWN walked by the TĐKT body to `status`."""
    if status in ("PUBLIC_CONSULTATION", "ELIGIBLE_TQ"):
        await drafted(admin, "CSTD_TQ")
        body = await advance(admin, "submit", "receive", "start-appraisal", "appraise")
        assert body["status"] == "ELIGIBLE", body
        if status == "ELIGIBLE_TQ":
            return body
        return await advance(admin, "consultation", channel="Báo Thái Nguyên", start="2026-01-05")
    await drafted(admin)
    path = {
        "DRAFT": [],
        "SUBMITTED": ["submit"],
        "RECEIVED": ["submit", "receive"],
        "UNDER_APPRAISAL": ["submit", "receive", "start-appraisal"],
        "ELIGIBLE": ["submit", "receive", "start-appraisal", "appraise"],
        "COUNCIL_REVIEW": ["submit", "receive", "start-appraisal", "appraise", "to-council"],
    }
    if status in path:
        body = await advance(admin, *path[status])
    elif status == "ON_HOLD":
        body = await advance(admin, "hold", reason="đơn khiếu nại")
    elif status == "APPROVED":
        await advance(admin, *path["COUNCIL_REVIEW"])
        body = await advance(admin, "council-votes", vote=VOTE)
    else:
        raise AssertionError(status)
    assert body["status"] == status, body
    return body


Prepare = Callable[[httpx.AsyncClient], Awaitable[dict[str, Any]]]
_PREPARED: dict[str, tuple[dict[str, InMemoryAggregateStore], dict[str, Any]]] = {}
"""Each prepared state once per run: its stores, copied into the runtime of each test that needs it."""


async def given(runtime: InMemoryRuntime, admin: httpx.AsyncClient, name: str, prepare: Prepare) -> dict[str, Any]:
    """The state `prepare` builds through the API, built once and copied afterwards."""
    if name not in _PREPARED:
        prepared = await prepare(admin)
        _PREPARED[name] = (copy.deepcopy(runtime._stores), prepared)
    stores, prepared = _PREPARED[name]
    runtime._stores = copy.deepcopy(stores)
    return prepared


@dataclass(frozen=True)
class Op:
    """How to prepare for one write operation, call it, and what it answers when admitted."""

    state: str
    """The state the operation starts from: EMPTY, IMPORTED (a batch of past grants) or a nomination status."""
    call: Callable[[httpx.AsyncClient, dict[str, Any], dict[str, str], dict[str, Any]], Awaitable[httpx.Response]]
    success: int = 200


def preparation(state: str, runtime: InMemoryRuntime | None = None) -> Prepare:
    async def empty(_: httpx.AsyncClient) -> dict[str, Any]:
        return {}

    async def nomination(admin: httpx.AsyncClient) -> dict[str, Any]:
        return await in_state(admin, state)

    async def session(admin: httpx.AsyncClient) -> dict[str, Any]:
        assert runtime is not None
        return await session_state(runtime, admin, opened=state == "SESSION_OPEN")

    async def rule_set(admin: httpx.AsyncClient) -> dict[str, Any]:
        return await ok(await admin.post("/catalogue/rule-set-versions", json=RULE_SET), 201)

    if state.startswith("SESSION_"):
        return session
    if state == "RULE_SET_DRAFT":
        return rule_set
    return {"EMPTY": empty, "IMPORTED": imported}.get(state, nomination)


COUNCIL_ID = "hd-tdkt-thai-nguyen"
SEATED = sorted(f"officer-{role}-of-{org}" for role in ALL_ROLES for org in (OWN, FOREIGN))
"""Every token the matrix sends sits on the council (and attends), so only the role decides."""
SESSION = {"id": "phien-1", "council_id": COUNCIL_ID, "held_on": "2026-01-05", "attendees": SEATED, "agenda": [NID]}


async def session_state(runtime: InMemoryRuntime, admin: httpx.AsyncClient, *, opened: bool) -> dict[str, Any]:
    """A dossier sent to a council awards knows; with `opened`, a session on it."""
    data = CouncilConstituted(
        council_id=COUNCIL_ID,
        name="Hội đồng TĐKT tỉnh Thái Nguyên",
        level="PROVINCE",
        organization_id="ubnd-tinh-thai-nguyen",
        term_from=date(2025, 7, 1),
        members=[CouncilMember(person_id=p, role=CouncilRole.MEMBER, valid_from=date(2025, 7, 1)) for p in SEATED],
    )
    assert await runtime.handlers()[data.event_type](make_event(data, partitionkey=COUNCIL_ID), data)
    await in_state(admin, "ELIGIBLE")
    await advance(admin, "to-council", council_id=COUNCIL_ID)
    if not opened:
        return {}
    return await ok(await admin.post("/council-sessions", json=SESSION), 201)


async def imported(admin: httpx.AsyncClient) -> dict[str, Any]:
    return await ok(
        await admin.post("/grants/imports", json={"batch_id": "h", "grants": history("p-2", "CSTD_CO_SO", [2024])}),
        201,
    )


def step(action: str, **extra: Any) -> Callable[..., Awaitable[httpx.Response]]:
    async def call(
        c: httpx.AsyncClient, prepared: dict[str, Any], h: dict[str, str], more: dict[str, Any]
    ) -> httpx.Response:
        body = {"version": prepared["version"], **extra, **more}
        return await c.post(f"/nominations/{NID}/{action}", json=body, headers=h)

    return call


async def call_evaluate(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    return await c.post("/eligibility/evaluations", json={"requests": [], **more}, headers=h)


async def call_draft(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    return await post_draft(c, json={**draft_body(), **more}, headers=h)


async def call_add_file(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    query = {"version": p["version"], "filename": "Tờ trình.pdf", **more}
    sent = {**h, "content-type": "application/pdf"}
    return await c.post(f"/nominations/{NID}/files/TO_TRINH", params=query, content=PDF_BYTES, headers=sent)


async def call_remove_file(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    file_id = p["files"][0]["file_id"]
    return await c.delete(f"/nominations/{NID}/files/{file_id}", params={"version": p["version"], **more}, headers=h)


async def call_issue(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    os.environ["SOFFICE_BIN"] = soffice()
    body = {
        "kind": "PROPOSAL",
        "issuer": {"id": OWN, "name": "Sở Y tế", "symbol": "SYT"},
        "signer": {"name": "Phạm Quốc Hưng", "title": "Giám đốc"},
        "place": "Thái Nguyên",
        "date": "2026-01-05",
        **more,
    }
    return await c.post(f"/nominations/{NID}/documents", json=body, headers=h)


async def call_template(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    sent = {**h, "content-type": DOCX}
    return await c.put("/document-templates/PROPOSAL", params=more, content=default_template(PROPOSAL), headers=sent)


async def call_comment(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    body = {"text": "Đồng ý", **more}
    return await c.post(f"/nominations/{NID}/consultation/comments", json=body, headers=h)


async def call_vote(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    """The voter is the token's subject: the body names no actor."""
    body = {"version": p["version"], "vote": VOTE, **more}
    return await c.post(f"/nominations/{NID}/council-votes", json=body, headers=h)


async def call_decide(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    body = {**DECISION, "version": p["version"], **more}
    return await c.post(f"/nominations/{NID}/decision", json=body, headers=h)


async def call_import(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    body = {"batch_id": "b-1", "grants": history("p-9", "CSTD_CO_SO", [2024]), **more}
    return await c.post("/grants/imports", json=body, headers=h)


async def call_import_csv(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    text = CSV
    if more:  # an extra column
        [(name, value)] = more.items()
        head, line = text.strip().split("\n")
        text = f"{head},{name}\n{line},{value}\n"
    return await c.post(
        "/grants/imports/csv?batch_id=b-2", content=text.encode(), headers={**h, "content-type": "text/csv"}
    )


async def call_revoke(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    return await c.post("/grants/h.1/revocation", json={**REVOCATION, "version": p["version"], **more}, headers=h)


RULE_SET = {
    "id": "VN-2027-01",
    "name": "Bộ quy tắc 2027",
    "layer": "NATIONAL",
    "valid_from": "2027-01-01",
    "extends": "VN-2025-D152",
}


async def call_draft_rule_set(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    return await c.post("/catalogue/rule-set-versions", json={**RULE_SET, **more}, headers=h)


async def call_revise_rule_set(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    body = {"version": p["version"], "rule_set": {**RULE_SET, "name": "Bộ quy tắc 2027 (sửa)"}, **more}
    return await c.put("/catalogue/rule-set-versions/VN-2027-01", json=body, headers=h)


async def call_publish(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    body = {"version": p["version"], **more}
    return await c.post("/catalogue/rule-set-versions/VN-2027-01/publish", json=body, headers=h)


async def call_open_session(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    return await c.post("/council-sessions", json={**SESSION, **more}, headers=h)


async def call_ballot(c: httpx.AsyncClient, _: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    """The voter is the token's subject."""
    body = {"nomination_id": NID, "choices": [{"nominee_id": "p-1", "choice": "YES"}], **more}
    return await c.post("/council-sessions/phien-1/ballots", json=body, headers=h)


async def call_close(c: httpx.AsyncClient, p: dict[str, Any], h: dict[str, str], more: dict[str, Any]) -> Any:
    return await c.post("/council-sessions/phien-1/close", json={"version": p["version"], **more}, headers=h)


OPS: dict[tuple[str, str], Op] = {
    ("POST", "/eligibility/evaluations"): Op("EMPTY", call_evaluate),
    ("POST", "/nominations"): Op("EMPTY", call_draft, 201),
    ("POST", "/nominations/{nomination_id}/submit"): Op("DRAFT", step("submit")),
    ("POST", "/nominations/{nomination_id}/files/{item}"): Op("DRAFT", call_add_file, 201),
    ("DELETE", "/nominations/{nomination_id}/files/{file_id}"): Op("DRAFT", call_remove_file),
    ("POST", "/nominations/{nomination_id}/documents"): Op("DRAFT", call_issue, 201),
    ("PUT", "/document-templates/{kind}"): Op("EMPTY", call_template),
    ("POST", "/nominations/{nomination_id}/receive"): Op("SUBMITTED", step("receive")),
    ("POST", "/nominations/{nomination_id}/start-appraisal"): Op("RECEIVED", step("start-appraisal")),
    ("POST", "/nominations/{nomination_id}/hold"): Op("DRAFT", step("hold", reason="thanh tra")),
    ("POST", "/nominations/{nomination_id}/release"): Op("ON_HOLD", step("release")),
    ("POST", "/nominations/{nomination_id}/appraise"): Op("UNDER_APPRAISAL", step("appraise")),
    ("POST", "/nominations/{nomination_id}/consultation"): Op(
        "ELIGIBLE_TQ", step("consultation", channel="Báo", start="2026-01-05")
    ),
    ("POST", "/nominations/{nomination_id}/consultation/comments"): Op("PUBLIC_CONSULTATION", call_comment, 201),
    ("POST", "/nominations/{nomination_id}/to-council"): Op("ELIGIBLE", step("to-council")),
    ("POST", "/nominations/{nomination_id}/council-votes"): Op("COUNCIL_REVIEW", call_vote),
    ("POST", "/nominations/{nomination_id}/decision"): Op("APPROVED", call_decide, 201),
    ("POST", "/grants/imports"): Op("EMPTY", call_import, 201),
    ("POST", "/grants/imports/csv"): Op("EMPTY", call_import_csv, 201),
    ("POST", "/grants/{grant_id}/revocation"): Op("IMPORTED", call_revoke),
    ("POST", "/council-sessions"): Op("SESSION_READY", call_open_session, 201),
    ("POST", "/council-sessions/{session_id}/ballots"): Op("SESSION_OPEN", call_ballot, 201),
    ("POST", "/council-sessions/{session_id}/close"): Op("SESSION_OPEN", call_close),
    ("POST", "/catalogue/rule-set-versions"): Op("EMPTY", call_draft_rule_set, 201),
    ("PUT", "/catalogue/rule-set-versions/{rule_set_id}"): Op("RULE_SET_DRAFT", call_revise_rule_set),
    ("POST", "/catalogue/rule-set-versions/{rule_set_id}/publish"): Op("RULE_SET_DRAFT", call_publish),
}


FILE_OPS = {op for op in OPS if "/files/" in op[1] or op[1].startswith("/document-templates")}
"""Their body is the file itself (the query carries the version and the name)."""
DOCUMENT_OPS = {("POST", "/nominations/{nomination_id}/documents")}
"""Issuing a document records its issuer on the document, not in the nomination's audit."""


def audited(body: dict[str, Any]) -> tuple[str, str | None]:
    """Who the last audit entry of the answered nomination names, and for which organisation."""
    entry = body["audit"][-1]
    return entry["actor"], entry["organization_id"]


RECORDS_ACTOR: dict[tuple[str, str], Callable[[dict[str, Any]], tuple[str, str | None]]] = {
    **{
        op: audited
        for op in OPS
        if op[1].startswith("/nominations") and "/files/" not in op[1] and op not in DOCUMENT_OPS
    },
    ("POST", "/nominations/{nomination_id}/files/{item}"): lambda body: (
        body["files"][-1]["uploaded_by"],
        body["files"][-1]["organization_id"],
    ),
    ("POST", "/nominations/{nomination_id}/decision"): lambda body: audited(body["nomination"]),
    ("POST", "/nominations/{nomination_id}/consultation/comments"): lambda body: (
        body["consultation"]["comments"][-1]["author"],
        None,  # a comment names its author only
    ),
}
"""The writes that record who acted, and where the answer shows it."""


def token_of(role: Role, organization_id: str) -> tuple[str, str]:
    """The `sub` and `org` of the token a test sends for `role` in `organization_id`."""
    return f"officer-{role}-of-{organization_id}", organization_id


def as_(role: Role, organization_id: str) -> dict[str, str]:
    sub, org = token_of(role, organization_id)
    return headers(role, org, subject=sub)


def test_the_policy_names_every_write_operation() -> None:
    app = create_app(DEFINITION, InMemoryRuntime(DEFINITION))
    assert write_operations(app) == set(POLICY) == set(OPS)


CALLERS: list[tuple[Role | None, bool]] = [(None, True), *((r, o) for r in ALL_ROLES for o in (True, False))]
"""No token, then each role acting for its own organisation and for a foreign one."""


def caller_id(role: Role | None, own: bool) -> str:
    return "no-token" if role is None else f"{role}-{'own' if own else 'foreign'}"


MATRIX = [
    pytest.param(op, role, own, id=f"{op[0]} {op[1]} {caller_id(role, own)}") for op in POLICY for role, own in CALLERS
]


@pytest.mark.parametrize(("op", "role", "own"), MATRIX)
async def test_write_matrix(
    runtime: InMemoryRuntime,
    admin: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    op: tuple[str, str],
    role: Role | None,
    own: bool,
) -> None:
    case = OPS[op]
    prepared = await given(runtime, admin, case.state, preparation(case.state, runtime))
    before = await snapshot(runtime, COLLECTIONS)
    if role is None:
        response = await case.call(anonymous, prepared, {}, {})
    else:
        response = await case.call(admin, prepared, as_(role, OWN if own else FOREIGN), {})
    if role is None:
        assert response.status_code == 401, response.text
        assert response.json()["error"] == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    elif POLICY[op].admits(role, own=own):
        assert response.status_code == case.success, response.text
        sub, org = token_of(role, OWN if own else FOREIGN)
        if op in RECORDS_ACTOR:  # the audit names the token, whatever organisation the dossier is of
            assert RECORDS_ACTOR[op](response.json()) == (sub, None if "comments" in op[1] else org)
        return
    else:
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "forbidden"
        if role in POLICY[op].own_org:  # the right role, the wrong organisation
            assert response.json()["field"] == "submitting_organization_id"
    assert await snapshot(runtime, COLLECTIONS) == before


# reads


async def test_catalogue_decisions_and_grants_are_public(
    admin: httpx.AsyncClient, anonymous: httpx.AsyncClient
) -> None:
    await imported(admin)
    client = anonymous
    assert (await client.get("/catalogue/rules", params={"on": "2025-06-30"})).status_code == 200
    assert (await client.get("/catalogue/rule-sets")).status_code == 200
    assert (await client.get("/catalogue/awards/CSTD_TINH", params={"on": "2025-06-30"})).status_code == 200
    assert (await client.get("/catalogue/base-salary", params={"on": "2025-06-30"})).status_code == 200
    assert (await client.get("/decisions/h")).json()["grants"][0]["grant_id"] == "h.1"
    assert (await client.get("/grants", params={"recipient_id": "p-2"})).json()["total"] == 1
    assert (await client.get("/organizations/nope")).status_code == 404  # public: not 401


@pytest.mark.parametrize(("role", "own"), [pytest.param(r, o, id=caller_id(r, o)) for r, o in CALLERS])
async def test_nominations_and_their_audit_are_read_by_staff_the_council_and_their_own_officers(
    runtime: InMemoryRuntime,
    admin: httpx.AsyncClient,
    anonymous: httpx.AsyncClient,
    role: Role | None,
    own: bool,
) -> None:
    async def two_nominations(admin: httpx.AsyncClient) -> dict[str, Any]:
        await in_state(admin, "SUBMITTED")
        return await ok(await post_draft(admin, json=draft_body("n-other", org="so-xay-dung-thai-nguyen")), 201)

    await given(runtime, admin, "TWO", two_nominations)
    sent = {} if role is None else headers(role, OWN if own else FOREIGN)
    if role is None:
        admin = anonymous
    single = await admin.get(f"/nominations/{NID}", headers=sent)
    audit = await admin.get(f"/nominations/{NID}/audit", headers=sent)
    listed = await admin.get("/nominations", headers=sent)
    if role is None:
        assert [r.status_code for r in (single, audit, listed)] == [401, 401, 401]
    elif role not in (R.UNIT_OFFICER,) and not READERS.admits(role, own=True):
        assert [r.status_code for r in (single, audit, listed)] == [403, 403, 403]
    elif READERS.admits(role, own=own):
        assert (single.status_code, single.json()["id"]) == (200, NID)
        assert [a["to_status"] for a in audit.json()] == ["DRAFT", "SUBMITTED"]
        expected = [NID] if role is R.UNIT_OFFICER else ["n-1", "n-other"]
        assert (sorted(n["id"] for n in listed.json()["items"]), listed.json()["total"]) == (expected, len(expected))
    else:  # a unit officer of another organisation
        assert [r.status_code for r in (single, audit)] == [403, 403]
        assert single.json()["field"] == "submitting_organization_id"
        assert (listed.status_code, listed.json()["items"], listed.json()["total"]) == (200, [], 0)


async def test_an_unknown_nomination_is_404_for_a_unit_officer_too(admin: httpx.AsyncClient) -> None:
    r = await admin.get("/nominations/nope", headers=headers(R.UNIT_OFFICER, OWN))
    assert r.status_code == 404


# lineage


async def merge(runtime: InMemoryRuntime, predecessors: list[str], successor: str) -> None:
    handlers = runtime.handlers()
    for data in (
        OrganizationRegistered(
            organization_id=successor, name="Sở Y tế", kind=OrganizationKind.DEPARTMENT, valid_from=date(2025, 7, 1)
        ),
        OrganizationsMerged(
            predecessor_ids=predecessors, successor_id=successor, effective_date=date(2025, 7, 1), legal_basis="NQ"
        ),
    ):
        assert await handlers[data.event_type](make_event(data, partitionkey=successor), data)


async def test_after_a_merger_the_successors_officer_acts_on_the_predecessors_dossiers(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    predecessor, successor, sibling = "so-y-te-bac-kan", "so-y-te-thai-nguyen-moi", "so-y-te-cao-bang"
    await ok(await post_draft(admin, json=draft_body("n-old", org=predecessor)), 201)
    await merge(runtime, [predecessor, sibling], successor)
    officer = as_(R.UNIT_OFFICER, successor)

    assert (await admin.get("/nominations/n-old", headers=officer)).status_code == 200
    assert [n["id"] for n in (await admin.get("/nominations", headers=officer)).json()["items"]] == ["n-old"]
    version = (await admin.get("/nominations/n-old")).json()["version"]
    r = await admin.post("/nominations/n-old/submit", json={"version": version}, headers=officer)
    assert (r.status_code, r.json()["status"]) == (200, "SUBMITTED")
    # the audit names the successor's officer, acting for the successor, on the predecessor's dossier
    assert audited(r.json()) == token_of(R.UNIT_OFFICER, successor)
    # and the other way round: the predecessor's officer drafts for the successor
    r = await post_draft(admin, json=draft_body("n-new", org=successor), headers=headers(R.UNIT_OFFICER, predecessor))
    assert r.status_code == 201, r.text

    # a sibling merged into the same successor is not in the predecessor's lineage, nor is an unrelated unit
    before = await snapshot(runtime, COLLECTIONS)
    old = (await admin.get("/nominations/n-old")).json()
    for stranger in (sibling, FOREIGN):
        r = await admin.delete(
            f"/nominations/n-old/files/{old['files'][0]['file_id']}",
            params={"version": old["version"]},
            headers=as_(R.UNIT_OFFICER, stranger),
        )
        assert (r.status_code, r.json()["field"]) == (403, "submitting_organization_id")
    assert await snapshot(runtime, COLLECTIONS) == before


# the council votes as its members, once


async def test_a_council_member_votes_as_themselves_and_once(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    prepared = await in_state(admin, "COUNCIL_REVIEW")
    member = headers(R.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", subject="uv-hoa")
    before = await snapshot(runtime, COLLECTIONS)
    r = await call_vote(admin, prepared, member, {"actor": "uv-khac"})
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (403, "forbidden", "actor")
    assert await snapshot(runtime, COLLECTIONS) == before

    voted = await ok(await call_vote(admin, prepared, member, {"actor": "uv-hoa"}))
    assert voted["status"] == "APPROVED"
    assert voted["audit"][-1]["actor"] == "uv-hoa"

    after = await snapshot(runtime, COLLECTIONS)
    for again in (member, headers(R.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", subject="uv-binh")):
        r = await call_vote(admin, {"version": voted["version"]}, again, {})
        assert (r.status_code, r.json()["error"]) == (409, "invalid_transition")
    assert await snapshot(runtime, COLLECTIONS) == after


async def test_the_voter_defaults_to_the_tokens_subject(admin: httpx.AsyncClient) -> None:
    prepared = await in_state(admin, "COUNCIL_REVIEW")
    member = headers(R.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", subject="uv-lan")
    voted = await ok(await call_vote(admin, prepared, member, {}))
    assert voted["audit"][-1]["actor"] == "uv-lan"


async def test_only_the_members_of_a_known_council_vote_on_its_dossiers(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    handlers = runtime.handlers()
    constituted = CouncilConstituted(
        council_id="hd-tdkt-thai-nguyen",
        name="Hội đồng TĐKT tỉnh Thái Nguyên",
        level="PROVINCE",
        organization_id="ubnd-tinh-thai-nguyen",
        term_from=date(2025, 7, 1),
        members=[
            CouncilMember(person_id="uv-hoa", role=CouncilRole.CHAIR, valid_from=date(2025, 7, 1)),
            CouncilMember(person_id="uv-binh", role=CouncilRole.MEMBER, valid_from=date(2025, 7, 1)),
        ],
    )
    changed = CouncilMembershipChanged(
        council_id="hd-tdkt-thai-nguyen",
        person_id="uv-binh",
        members=[
            constituted.members[0],
            CouncilMember(
                person_id="uv-binh", role=CouncilRole.MEMBER, valid_from=date(2025, 7, 1), valid_to=date(2025, 11, 30)
            ),
        ],
    )
    for data in (constituted, changed):
        event = make_event(data, partitionkey=data.council_id)
        assert await handlers[data.event_type](event, data) is True
        assert await handlers[data.event_type](event, data) is False  # a redelivery changes nothing

    await in_state(admin, "ELIGIBLE")
    sent = await advance(admin, "to-council", council_id="hd-tdkt-thai-nguyen")
    assert sent["council_id"] == "hd-tdkt-thai-nguyen"

    before = await snapshot(runtime, COLLECTIONS)
    for stranger in ("uv-khac", "uv-binh"):  # never seated; no longer seated on the session day (18/12/2025)
        member = headers(R.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", subject=stranger)
        r = await call_vote(admin, sent, member, {})
        assert (r.status_code, r.json()["error"], r.json()["field"]) == (403, "forbidden", "actor"), r.text
    assert await snapshot(runtime, COLLECTIONS) == before

    seated = headers(R.COUNCIL_MEMBER, "ubnd-tinh-thai-nguyen", subject="uv-hoa")
    voted = await ok(await call_vote(admin, sent, seated, {}))
    assert (voted["status"], voted["audit"][-1]["actor"]) == ("APPROVED", "uv-hoa")


# the audit trail


AUDIT_ENTRY = {
    "at": "2026-01-05T08:00:00Z",
    "actor": "ke-gian",
    "organization_id": OWN,
    "action": "approve",
    "from_status": None,
    "to_status": "APPROVED",
}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        *(
            (method, path, status)
            for method in ("POST", "PUT", "PATCH", "DELETE")
            for path, status in (
                (f"/nominations/{NID}/audit", 405),
                (f"/nominations/{NID}", 405),
                (f"/nominations/{NID}/audit/0", 404),
            )
        ),
        *((method, "/nominations", 405) for method in ("PUT", "PATCH", "DELETE")),
    ],
)
async def test_no_api_changes_the_audit_trail(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    await given(runtime, admin, "SUBMITTED", preparation("SUBMITTED"))
    trail = (await admin.get(f"/nominations/{NID}/audit")).json()
    before = await snapshot(runtime, COLLECTIONS)
    r = await admin.request(method, path, json=[AUDIT_ENTRY] if path.endswith("audit") else {"audit": []})
    assert r.status_code == status, r.text
    assert (await admin.get(f"/nominations/{NID}/audit")).json() == trail
    assert await snapshot(runtime, COLLECTIONS) == before


@pytest.mark.parametrize(
    "op", [op for op in POLICY if op != ("POST", "/eligibility/evaluations") and op not in FILE_OPS]
)
async def test_no_write_takes_audit_entries_in_its_body(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient, op: tuple[str, str]
) -> None:
    """Every writing endpoint refuses unknown fields: an `audit` in the body is a 422 and nothing is written."""
    case = OPS[op]
    prepared = await given(runtime, admin, case.state, preparation(case.state, runtime))
    trail = (await admin.get(f"/nominations/{NID}/audit")).json() if prepared.get("audit") else None
    before = await snapshot(runtime, COLLECTIONS)
    extra: dict[str, Any] = {"audit": "x"} if op[1] == "/grants/imports/csv" else {"audit": [AUDIT_ENTRY]}
    r = await case.call(admin, prepared, {}, extra)
    assert r.status_code == 422, r.text
    assert r.json()["field"] in ("audit", "grants.0.audit")
    assert await snapshot(runtime, COLLECTIONS) == before
    if trail is not None:
        assert (await admin.get(f"/nominations/{NID}/audit")).json() == trail


async def test_the_stateless_evaluation_ignores_an_audit_in_its_body(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    before = await snapshot(runtime, COLLECTIONS)
    r = await call_evaluate(admin, {}, {}, {"audit": [AUDIT_ENTRY]})
    assert (r.status_code, r.json()) == (200, [])
    assert await snapshot(runtime, COLLECTIONS) == before


async def test_a_refused_step_emits_nothing_even_with_a_valid_body(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    """The organisation check reads the stored nomination before the transition is attempted."""
    prepared = await in_state(admin, "DRAFT")
    events = len(runtime.store(NOMINATIONS).events)
    r = await step("submit")(admin, prepared, headers(R.UNIT_OFFICER, FOREIGN), {})
    assert r.status_code == 403
    assert len(runtime.store(NOMINATIONS).events) == events
    assert (await admin.get(f"/nominations/{NID}")).json()["status"] == "DRAFT"


# the audit names the token


@pytest.mark.parametrize(
    "named", [pytest.param({}, id="body-names-nobody"), pytest.param({"actor": "van-thu-y-te", "organization_id": OWN})]
)
async def test_a_unit_officers_submit_records_their_sub_and_org(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient, named: dict[str, str]
) -> None:
    """Older clients repeat the token's `sub` and `org` in the body: that is accepted, and changes nothing."""
    prepared = await given(runtime, admin, "DRAFT", preparation("DRAFT"))
    officer = headers(R.UNIT_OFFICER, OWN, subject="van-thu-y-te")
    submitted = await ok(await step("submit")(admin, prepared, officer, named))
    trail = (await admin.get(f"/nominations/{NID}/audit")).json()
    assert [(a["action"], a["actor"], a["organization_id"]) for a in trail[-1:]] == [("submit", "van-thu-y-te", OWN)]
    assert trail == submitted["audit"]
    event = runtime.store(NOMINATIONS).events[-1]
    assert event.data is not None
    assert (event.data["to_status"], event.data["actor"], event.data["organization_id"]) == (
        "SUBMITTED",
        "van-thu-y-te",
        OWN,
    )


def named_wrong(op: tuple[str, str]) -> list[tuple[str, dict[str, str]]]:
    """The fields through which a body could name someone other than the token, each with a wrong value."""
    if "comments" in op[1]:
        return [("author", {"author": "nguoi-khac"})]
    return [("actor", {"actor": "nguoi-khac"}), ("organization_id", {"organization_id": FOREIGN})]


def admitted_role(op: tuple[str, str]) -> Role:
    """A role other than admin admitted to `op` for its own organisation."""
    return sorted((POLICY[op].any_org | POLICY[op].own_org) - {R.ADMIN})[0]


@pytest.mark.parametrize(
    ("op", "field", "extra"),
    [
        pytest.param(op, field, extra, id=f"{op[0]} {op[1]} {field}")
        for op in RECORDS_ACTOR
        if op not in FILE_OPS  # a file's body is the file: the actor is the token's, nothing else to name
        for field, extra in named_wrong(op)
    ],
)
async def test_a_body_naming_someone_else_is_refused_and_the_audit_unchanged(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient, op: tuple[str, str], field: str, extra: dict[str, str]
) -> None:
    case = OPS[op]
    prepared = await given(runtime, admin, case.state, preparation(case.state, runtime))
    trail = (await admin.get(f"/nominations/{NID}/audit")).json() if prepared.get("audit") else None
    before = await snapshot(runtime, COLLECTIONS)
    r = await case.call(admin, prepared, as_(admitted_role(op), OWN), extra)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (403, "forbidden", field), r.text
    assert await snapshot(runtime, COLLECTIONS) == before
    if trail is not None:
        assert (await admin.get(f"/nominations/{NID}/audit")).json() == trail


async def test_a_unit_officer_issues_only_in_its_own_bodys_name(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    case = OPS[("POST", "/nominations/{nomination_id}/documents")]
    prepared = await given(runtime, admin, case.state, preparation(case.state, runtime))
    before = await snapshot(runtime, COLLECTIONS)
    province = {"issuer": {"id": "ubnd-tinh-thai-nguyen", "name": "UBND tỉnh", "symbol": "UBND"}}
    r = await case.call(admin, prepared, as_(R.UNIT_OFFICER, OWN), province)
    assert (r.status_code, r.json()["error"], r.json()["field"]) == (403, "forbidden", "issuer"), r.text
    assert await snapshot(runtime, COLLECTIONS) == before  # no number taken from the province's register
    r = await case.call(admin, prepared, as_(R.TDKT_SPECIALIST, "so-noi-vu-thai-nguyen"), province)
    assert r.status_code == 201, r.text  # the TĐKT body may issue in the body's name it serves


def test_a_non_admin_role_is_picked_for_every_op_recording_an_actor() -> None:
    assert {admitted_role(op) for op in RECORDS_ACTOR} <= set(ALL_ROLES) - {R.ADMIN}


async def test_an_admin_records_on_someones_behalf_or_as_themselves(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    prepared = await in_state(admin, "RECEIVED")
    # the preparing admin recorded every step after the draft for the TĐKT body's specialist
    assert [(a["action"], a["actor"], a["organization_id"]) for a in prepared["audit"]] == [
        ("draft", "dev-admin", "ubnd-tinh-bac-kan"),  # the body named nobody: the admin's own token
        ("submit", *STAFF_WHO.values()),
        ("receive", *STAFF_WHO.values()),
    ]
    operator = as_(R.ADMIN, "so-noi-vu-thai-nguyen")
    started = await ok(await step("start-appraisal")(admin, prepared, operator, {}))
    assert audited(started) == token_of(R.ADMIN, "so-noi-vu-thai-nguyen")


async def test_a_revocation_names_the_revoking_specialist_on_the_dossiers_it_reopens(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    prepared = await in_state(admin, "ELIGIBLE")
    assert "lich-su.1" in prepared["relied_on_grants"]
    specialist = as_(R.TDKT_SPECIALIST, "so-noi-vu-thai-nguyen")
    r = await admin.post("/grants/lich-su.1/revocation", json={**REVOCATION, "version": 1}, headers=specialist)
    assert (r.status_code, r.json()["reopened_nominations"]) == (200, [NID]), r.text
    # the dossier is judged again at once: the chain broke, so it is no longer eligible
    entries = (await admin.get(f"/nominations/{NID}/audit")).json()[-2:]
    who = token_of(R.TDKT_SPECIALIST, "so-noi-vu-thai-nguyen")
    assert [(e["action"], e["actor"], e["organization_id"], e["reason"], e["to_status"]) for e in entries] == [
        ("revocation", *who, "grant lich-su.1 revoked", "ELIGIBLE"),
        ("reevaluate", *who, "grant lich-su.1 revoked", "INELIGIBLE"),
    ]


# the leader signs the decision


@pytest.mark.parametrize(
    ("role", "signed_by"),
    [(R.LEADER, "officer-leader-of-ubnd-tinh-thai-nguyen"), (R.TDKT_SPECIALIST, None)],
)
async def test_a_leaders_decision_names_the_leader_as_its_signer(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient, role: Role, signed_by: str | None
) -> None:
    """The leader signs in the platform: the decision names them and the audit records them. A specialist entering a
    decision signed on paper is recorded in the audit, and the decision names no signer in the platform."""
    prepared = await given(runtime, admin, "APPROVED", preparation("APPROVED"))
    org = "ubnd-tinh-thai-nguyen" if role is R.LEADER else "so-noi-vu-thai-nguyen"
    decided = await ok(await call_decide(admin, prepared, as_(role, org), {}), 201)
    assert decided["decision"]["signed_by"] == signed_by
    assert (decided["nomination"]["status"], audited(decided["nomination"])) == ("DECIDED", token_of(role, org))
    stored = (await admin.get("/decisions/qd-1")).json()
    assert (stored["signed_by"], stored["signer_role"], stored["nomination_id"]) == (
        signed_by,
        "PROVINCE_CHAIRMAN",
        NID,
    )


async def test_a_leader_takes_none_of_the_tdkt_bodys_other_steps(
    runtime: InMemoryRuntime, admin: httpx.AsyncClient
) -> None:
    leader = as_(R.LEADER, "ubnd-tinh-thai-nguyen")
    prepared = await given(runtime, admin, "SUBMITTED", preparation("SUBMITTED"))
    before = await snapshot(runtime, COLLECTIONS)
    for action, extra in (("receive", {}), ("hold", {"reason": "đơn thư"}), ("to-council", {})):
        r = await step(action, **extra)(admin, prepared, leader, {})
        assert (r.status_code, r.json()["error"]) == (403, "forbidden"), (action, r.text)
    assert (await admin.get("/records/p-1", headers=leader)).status_code == 403
    assert await snapshot(runtime, COLLECTIONS) == before
    assert (await admin.get(f"/nominations/{NID}", headers=leader)).json()["status"] == "SUBMITTED"
