"""Who may use the registry's API (docs/authorization.md): every write × every role × own or foreign organisation,
without a token, and the reads: public ones, and persons only for the roles that may see them."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tdkt_registry.domain.records import case_id, initiative_id
from tdkt_registry.service import DEFINITION
from tdkt_registry.store import COLLECTIONS
from tdkt_shared.auth import Role, bearer, issue_token
from tdkt_shared.runtime import InMemoryRuntime, create_app
from tests.authz import ALL_ROLES, Rule, headers, read_paths, rule, snapshot, write_operations
from tests.helpers import serve

ADMIN = headers(Role.ADMIN, "bk")
FOREIGN = "so-y-te-cao-bang"
"""An organisation the requests never concern."""
NQ = "Nghị quyết 202/2025/QH15"

# Written from docs/authorization.md, not from the code: every write needs `registry_admin` (admins always), whatever
# organisation it concerns.
POLICY: dict[tuple[str, str], Rule] = {
    op: rule(Role.REGISTRY_ADMIN)
    for op in (
        ("POST", "/organizations"),
        ("POST", "/organizations/{organization_id}/versions"),
        ("POST", "/organizations/{organization_id}/dissolution"),
        ("PUT", "/organizations/{organization_id}/contact-point"),
        ("POST", "/lineage/mergers"),
        ("POST", "/lineage/splits"),
        ("POST", "/reorganizations"),
        ("POST", "/clusters"),
        ("POST", "/clusters/{cluster_id}/members"),
        ("POST", "/clusters/{cluster_id}/members/{organization_id}/removal"),
        ("POST", "/clusters/{cluster_id}/leader"),
        ("POST", "/persons"),
        ("POST", "/persons/{person_id}/employments"),
        ("POST", "/persons/{person_id}/employments/end"),
        ("PUT", "/persons/{person_id}/contact-point"),
        ("POST", "/councils"),
        ("POST", "/councils/{council_id}/members"),
        ("POST", "/councils/{council_id}/members/{person_id}/end"),
        ("POST", "/role-assignments"),
        ("POST", "/role-assignments/{assignment_id}/end"),
    )
}
# The records keep to the bodies that own them: cases to `inspection_officer`, initiatives to `initiative_officer`,
# assessments to the employing organisation's `unit_officer` (its own persons only), a collective's assessment to the
# `unit_officer` of the body that manages it.
for path in (
    "/cases",
    "/cases/{case_id}/conclusion",
    "/cases/{case_id}/withdrawal",
    "/cases/imports",
    "/cases/imports/csv",
):
    POLICY[("POST", path)] = rule(Role.INSPECTION_OFFICER)
for path in ("/initiatives", "/initiatives/imports", "/initiatives/imports/csv"):
    POLICY[("POST", path)] = rule(Role.INITIATIVE_OFFICER)
for path in (
    "/assessments",
    "/assessments/imports",
    "/assessments/imports/csv",
    "/collective-assessments",
    "/collective-assessments/imports",
    "/collective-assessments/imports/csv",
):
    POLICY[("POST", path)] = rule(own_org=(Role.UNIT_OFFICER,))

PUBLIC_READS = {
    "/healthz": "/healthz",
    "/readyz": "/readyz",
    "/metrics": "/metrics",
    "/organizations": "/organizations",
    "/organizations/{organization_id}": "/organizations/bk",
    "/organizations/{organization_id}/children": "/organizations/bk/children",
    "/organizations/{organization_id}/predecessors": "/organizations/snv-tn/predecessors",
    "/organizations/{organization_id}/successors": "/organizations/snv-bk/successors",
    "/organizations/{organization_id}/successor": "/organizations/snv-bk/successor?on=2025-08-01",
    "/organizations/{organization_id}/contact-point": "/organizations/bk/contact-point",
    "/reorganizations/{batch_id}": "/reorganizations/reorg-1",
    "/clusters": "/clusters",
    "/clusters/{cluster_id}": "/clusters/cum",
    "/councils": "/councils",
    "/councils/{council_id}": "/councils/hd",
    "/role-assignments": "/role-assignments",
    "/role-assignments/{assignment_id}": "/role-assignments/tdkt-bk",
    "/roles/{role}/holders": "/roles/TDKT_STATE_MANAGEMENT/holders?on=2024-06-01",
}
CASE = {
    "case_number": "01/QĐ-HĐKL",
    "kind": "DISCIPLINE",
    "subject": "PERSON",
    "subject_id": "p-1",
    "handled_by_organization_id": "snv-bk",
    "opened_on": "2024-03-01",
}
CASE_ID = case_id(CASE["case_number"])
INITIATIVE = {
    "title": "Số hóa hồ sơ thi đua",
    "author_ids": ["p-1"],
    "recognizing_organization_id": "bk",
    "scope": "PROVINCE",
    "recognized_on": "2024-05-01",
    "certificate_number": "12/GCN-SK",
}
INITIATIVE_ID = initiative_id("bk", "12/GCN-SK")
ASSESSMENT = {"person_id": "p-1", "year": 2024, "rating": "EXCELLENT", "organization_id": "snv-bk"}
COLLECTIVE_ASSESSMENT = {
    "organization_id": "snv-bk",
    "year": 2024,
    "rating": "GOOD",
    "assessed_by_organization_id": "bk",
}
SEE_ALL_PERSONS_ROLES = (Role.REGISTRY_ADMIN, Role.TDKT_SPECIALIST, Role.COUNCIL_MEMBER, Role.COUNCIL_SECRETARY)
PERSON_READS = {
    "/persons": "/persons",
    "/persons/{person_id}": "/persons/p-1",
    "/persons/{person_id}/contact-point": "/persons/p-1/contact-point",
}
RECORD_READS = {
    "/cases": "/cases",
    "/cases/{case_id}": f"/cases/{CASE_ID}",
    "/initiatives": "/initiatives",
    "/initiatives/{initiative_id}": f"/initiatives/{INITIATIVE_ID}",
    "/assessments": "/assessments",
    "/collective-assessments": "/collective-assessments",
}
RECORD_READERS = (*SEE_ALL_PERSONS_ROLES, Role.INSPECTION_OFFICER, Role.INITIATIVE_OFFICER)
"""The keepers of records read every person too (to name a case's subject, an initiative's authors)."""
SEE_ALL_PERSONS = (Role.ADMIN, *RECORD_READERS)


CLUSTER: dict[str, Any] = {
    "id": "cum",
    "name": "Cụm thi đua các huyện",
    "kind": "CLUSTER",
    "year": 2024,
    "formed_on": "2024-01-15",
    "managing_organization_id": "bk",
    "members": [{"organization_id": "ba-be", "role": "LEADER"}, {"organization_id": "na-ri", "role": "MEMBER"}],
}
COUNCIL: dict[str, Any] = {
    "id": "hd",
    "name": "Hội đồng Thi đua – Khen thưởng tỉnh Bắc Kạn",
    "level": "PROVINCE",
    "organization_id": "bk",
    "term_from": "2021-07-01",
    "term_to": "2025-06-30",
    "members": [{"person_id": "p-2", "role": "CHAIR"}, {"person_id": "p-3", "role": "STANDING_VICE_CHAIR"}],
}


async def call(client: httpx.AsyncClient, method: str, url: str, body: Any = None, **kw: Any) -> httpx.Response:
    response = await client.request(method, url, json=body, headers=ADMIN, **kw)
    assert response.status_code in (200, 201), response.text
    return response


async def world(client: httpx.AsyncClient) -> None:
    """Two provinces with departments and districts, a person employed by `snv-bk`, two persons on a council, a
    cluster and a role assignment: enough for every write to succeed once."""
    for org_id, kind, parent, since in (
        ("bk", "PEOPLES_COMMITTEE", None, "1997-01-01"),
        ("tn", "PEOPLES_COMMITTEE", None, "1997-01-01"),
        ("snv-bk", "DEPARTMENT", "bk", "2008-01-01"),
        ("snv-tn", "DEPARTMENT", "tn", "2008-01-01"),
        ("stc-bk", "DEPARTMENT", "bk", "2008-01-01"),
        ("ba-be", "PEOPLES_COMMITTEE", "bk", "2008-01-01"),
        ("na-ri", "PEOPLES_COMMITTEE", "bk", "2008-01-01"),
        ("so-a", "DEPARTMENT", "tn", "2025-07-01"),
        ("so-b", "DEPARTMENT", "tn", "2025-07-01"),
    ):
        body = {"id": org_id, "name": f"Tên {org_id}", "kind": kind, "valid_from": since}
        await call(client, "POST", "/organizations", body | ({"parent_id": parent} if parent else {}))
    for person in ("p-1", "p-2", "p-3"):
        await call(client, "POST", "/persons", {"id": person, "full_name": f"Người {person}"})
    employment = {"version": 1, "organization_id": "snv-bk", "position": "Chuyên viên", "valid_from": "2015-01-01"}
    await call(client, "POST", "/persons/p-1/employments", employment)
    await call(client, "POST", "/clusters", CLUSTER)
    await call(client, "POST", "/councils", COUNCIL)
    assignment = {
        "id": "tdkt-bk",
        "role": "TDKT_STATE_MANAGEMENT",
        "organization_id": "snv-bk",
        "valid_from": "2008-01-01",
        "scope_organization_id": "bk",
    }
    await call(client, "POST", "/role-assignments", assignment)
    await call(client, "PUT", "/organizations/bk/contact-point", {"email": "vanphong@bk.example"})
    await call(client, "POST", "/cases", CASE)
    await call(client, "POST", "/initiatives", INITIATIVE)
    await call(client, "POST", "/assessments", ASSESSMENT)
    await call(client, "POST", "/collective-assessments", COLLECTIVE_ASSESSMENT)


@dataclass(frozen=True)
class Op:
    path: str
    body: dict[str, Any]
    status: int
    """The answer when admitted."""
    organization_id: str | None
    """The organisation the request concerns (none for a new person)."""
    csv: str | None = None
    """A CSV import's text (sent instead of `body`)."""

    def send(self, client: httpx.AsyncClient, method: str, headers: dict[str, str]) -> Any:
        if self.csv is None:
            return client.request(method, self.path, json=self.body, headers=headers)
        return client.request(method, self.path, content=self.csv, headers={**headers, "content-type": "text/csv"})


OPS: dict[tuple[str, str], Op] = {
    ("POST", "/organizations"): Op(
        "/organizations",
        {"id": "so-moi", "name": "Sở Mới", "kind": "DEPARTMENT", "valid_from": "2020-01-01", "parent_id": "bk"},
        201,
        "so-moi",
    ),
    ("POST", "/organizations/{organization_id}/versions"): Op(
        "/organizations/snv-bk/versions",
        {"version": 1, "effective_date": "2025-03-01", "name": "Sở Nội vụ"},
        200,
        "snv-bk",
    ),
    ("POST", "/organizations/{organization_id}/dissolution"): Op(
        "/organizations/stc-bk/dissolution", {"effective_date": "2025-01-01", "legal_basis": "QĐ"}, 200, "stc-bk"
    ),
    ("PUT", "/organizations/{organization_id}/contact-point"): Op(
        "/organizations/snv-bk/contact-point", {"email": "snv@bk.example"}, 200, "snv-bk"
    ),
    ("POST", "/lineage/mergers"): Op(
        "/lineage/mergers",
        {"predecessor_ids": ["snv-bk"], "successor_id": "snv-tn", "effective_date": "2025-07-01", "legal_basis": NQ},
        200,
        "snv-bk",
    ),
    ("POST", "/lineage/splits"): Op(
        "/lineage/splits",
        {
            "predecessor_id": "snv-tn",
            "successor_ids": ["so-a", "so-b"],
            "effective_date": "2025-07-01",
            "legal_basis": NQ,
        },
        200,
        "snv-tn",
    ),
    ("POST", "/reorganizations"): Op(
        "/reorganizations",
        {
            "batch_id": "reorg-1",
            "legal_basis": NQ,
            "effective_date": "2025-07-01",
            "mappings": [{"kind": "MERGE", "from_ids": ["snv-bk"], "to_ids": ["snv-tn"]}],
        },
        201,
        "snv-bk",
    ),
    ("POST", "/clusters"): Op("/clusters", {**CLUSTER, "id": "cum-2"}, 201, "bk"),
    ("POST", "/clusters/{cluster_id}/members"): Op(
        "/clusters/cum/members",
        {"version": 1, "organization_id": "snv-bk", "role": "DEPUTY", "effective_date": "2024-12-21"},
        200,
        "snv-bk",
    ),
    ("POST", "/clusters/{cluster_id}/members/{organization_id}/removal"): Op(
        "/clusters/cum/members/na-ri/removal", {"version": 1, "effective_date": "2024-12-22"}, 200, "na-ri"
    ),
    ("POST", "/clusters/{cluster_id}/leader"): Op(
        "/clusters/cum/leader", {"version": 1, "organization_id": "na-ri", "effective_date": "2024-12-20"}, 200, "na-ri"
    ),
    ("POST", "/persons"): Op("/persons", {"id": "p-moi", "full_name": "Người Mới"}, 201, None),
    ("POST", "/persons/{person_id}/employments"): Op(
        "/persons/p-1/employments",
        {"version": 2, "organization_id": "snv-tn", "position": "Phó phòng", "valid_from": "2021-01-01"},
        200,
        "snv-bk",
    ),
    ("POST", "/persons/{person_id}/employments/end"): Op(
        "/persons/p-1/employments/end", {"version": 2, "valid_to": "2024-12-31"}, 200, "snv-bk"
    ),
    ("PUT", "/persons/{person_id}/contact-point"): Op(
        "/persons/p-1/contact-point", {"email": "p1@bk.example"}, 200, "snv-bk"
    ),
    ("POST", "/councils"): Op("/councils", {**COUNCIL, "id": "hd-tn", "organization_id": "tn"}, 201, "tn"),
    ("POST", "/councils/{council_id}/members"): Op(
        "/councils/hd/members",
        {"version": 1, "person_id": "p-1", "role": "MEMBER", "valid_from": "2022-01-01"},
        200,
        "bk",
    ),
    ("POST", "/councils/{council_id}/members/{person_id}/end"): Op(
        "/councils/hd/members/p-3/end", {"version": 1, "valid_to": "2023-12-31"}, 200, "bk"
    ),
    ("POST", "/role-assignments"): Op(
        "/role-assignments",
        {
            "role": "TDKT_STATE_MANAGEMENT",
            "organization_id": "snv-tn",
            "valid_from": "2008-01-01",
            "scope_organization_id": "tn",
        },
        201,
        "snv-tn",
    ),
    ("POST", "/role-assignments/{assignment_id}/end"): Op(
        "/role-assignments/tdkt-bk/end", {"version": 1, "valid_to": "2025-06-30"}, 200, "snv-bk"
    ),
    ("POST", "/cases"): Op("/cases", {**CASE, "case_number": "02/QĐ-TTr", "kind": "INSPECTION"}, 201, None),
    ("POST", "/cases/{case_id}/conclusion"): Op(
        f"/cases/{CASE_ID}/conclusion",
        {
            "version": 1,
            "concluded_on": "2024-06-01",
            "outcome": "DISCIPLINED",
            "discipline_level": "WARNING",
            "period_from": "2024-06-01",
            "period_to": "2025-05-31",
        },
        200,
        None,
    ),
    ("POST", "/cases/{case_id}/withdrawal"): Op(
        f"/cases/{CASE_ID}/withdrawal", {"version": 1, "withdrawn_on": "2024-04-01"}, 200, None
    ),
    ("POST", "/cases/imports"): Op("/cases/imports", {"rows": [{**CASE, "case_number": "03/KN"}]}, 200, None),
    ("POST", "/cases/imports/csv"): Op(
        "/cases/imports/csv",
        {},
        200,
        None,
        csv="case_number,kind,subject,subject_id,handled_by_organization_id,opened_on\n04/TC,DENUNCIATION,PERSON,p-2,"
        "snv-bk,2024-02-01\n",
    ),
    ("POST", "/initiatives"): Op("/initiatives", {**INITIATIVE, "certificate_number": "13/GCN-SK"}, 200, None),
    ("POST", "/initiatives/imports"): Op(
        "/initiatives/imports", {"rows": [{**INITIATIVE, "certificate_number": "14/GCN-SK"}]}, 200, None
    ),
    ("POST", "/initiatives/imports/csv"): Op(
        "/initiatives/imports/csv",
        {},
        200,
        None,
        csv="title,author_ids,recognizing_organization_id,scope,recognized_on,certificate_number\n"
        "Sổ tay điện tử,p-1;p-2,bk,BASE,2023-04-01,15/GCN-SK\n",
    ),
    ("POST", "/assessments"): Op("/assessments", {**ASSESSMENT, "year": 2023}, 200, "snv-bk"),
    ("POST", "/assessments/imports"): Op(
        "/assessments/imports", {"rows": [{**ASSESSMENT, "year": 2022, "rating": "GOOD"}]}, 200, "snv-bk"
    ),
    ("POST", "/assessments/imports/csv"): Op(
        "/assessments/imports/csv",
        {},
        200,
        "snv-bk",
        csv="person_id,year,rating,organization_id\np-1,2021,GOOD,snv-bk\n",
    ),
    ("POST", "/collective-assessments"): Op(
        "/collective-assessments", {**COLLECTIVE_ASSESSMENT, "year": 2023}, 200, "bk"
    ),
    ("POST", "/collective-assessments/imports"): Op(
        "/collective-assessments/imports", {"rows": [{**COLLECTIVE_ASSESSMENT, "year": 2022}]}, 200, "bk"
    ),
    ("POST", "/collective-assessments/imports/csv"): Op(
        "/collective-assessments/imports/csv",
        {},
        200,
        "bk",
        csv="organization_id,year,rating,assessed_by_organization_id\nsnv-bk,2021,EXCELLENT,bk\n",
    ),
}


def _cases() -> list[Any]:
    cases = []
    for op, spec in OPS.items():
        for role in ALL_ROLES:
            for own in (True, False) if spec.organization_id else (False,):
                whose = "own" if own else "foreign"
                cases.append(pytest.param(op, role, own, id=f"{op[0]} {op[1]} {role} {whose}"))
    return cases


@pytest.fixture(scope="module")
async def built() -> InMemoryRuntime:
    """The world, built once per module through the API."""
    runtime = InMemoryRuntime(DEFINITION)
    async with serve(DEFINITION, runtime, headers={}) as client:
        await world(client)
    return runtime


@pytest.fixture
def runtime(built: InMemoryRuntime) -> InMemoryRuntime:
    """A fresh copy of the world for each test (the service definition is shared, not copied)."""
    return copy.deepcopy(built, {id(DEFINITION): DEFINITION})


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """A client sending no token by default: each request says who it is."""
    async with serve(DEFINITION, runtime, headers={}) as client:
        yield client


def test_the_policy_names_every_write_the_registry_exposes() -> None:
    app = create_app(DEFINITION, InMemoryRuntime(DEFINITION))
    assert write_operations(app) == set(POLICY)
    assert set(OPS) == set(POLICY)


def test_every_read_is_either_public_or_a_person_read() -> None:
    app = create_app(DEFINITION, InMemoryRuntime(DEFINITION))
    reads = read_paths(app)
    assert reads == set(PUBLIC_READS) | set(PERSON_READS) | set(RECORD_READS)


@pytest.mark.parametrize(("op", "role", "own"), _cases())
async def test_a_write_is_admitted_or_refused_by_role(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, op: tuple[str, str], role: Role, own: bool
) -> None:
    spec = OPS[op]
    organization_id = spec.organization_id if own and spec.organization_id else FOREIGN
    before = await snapshot(runtime, COLLECTIONS)
    response = await spec.send(client, op[0], headers(role, organization_id))
    if POLICY[op].admits(role, own=own):
        assert response.status_code == spec.status, response.text
        assert await snapshot(runtime, COLLECTIONS) != before
    else:
        assert (response.status_code, response.json()["error"]) == (403, "forbidden"), response.text
        assert await snapshot(runtime, COLLECTIONS) == before


@pytest.mark.parametrize("op", list(OPS), ids=" ".join)
async def test_a_write_without_a_valid_token_is_unauthorized_and_writes_nothing(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, op: tuple[str, str]
) -> None:
    spec = OPS[op]
    before = await snapshot(runtime, COLLECTIONS)
    expired = bearer(issue_token("u-1", "bk", [Role.ADMIN], ttl_s=1, now=1_000_000))
    for sent in ({}, expired, {"Authorization": "Bearer not-a-jwt"}):
        response = await spec.send(client, op[0], sent)
        assert (response.status_code, response.json()["error"]) == (401, "unauthorized"), response.text
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert await snapshot(runtime, COLLECTIONS) == before


async def test_the_public_reads_need_no_token(client: httpx.AsyncClient) -> None:
    await call(client, "POST", "/reorganizations", OPS[("POST", "/reorganizations")].body)
    for url in PUBLIC_READS.values():
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)
    assert (await client.get("/organizations")).json()["total"] == 9
    assert [
        e["organization_id"] for e in (await client.get("/organizations/snv-tn/predecessors")).json()["entries"]
    ] == ["snv-bk"]


@pytest.mark.parametrize("url", list(PERSON_READS.values()))
async def test_persons_need_a_token_and_a_role_that_may_see_them(client: httpx.AsyncClient, url: str) -> None:
    await call(client, "PUT", "/persons/p-1/contact-point", {"email": "p1@bk.example"})
    assert (await client.get(url)).status_code == 401
    for role in ALL_ROLES:
        response = await client.get(url, headers=headers(role, "snv-bk"))
        if role in (Role.PRESS_OFFICER, Role.LEADER):  # the leader reads dossiers in awards, not the registry
            assert (response.status_code, response.json()["error"]) == (403, "forbidden"), response.text
        else:
            assert response.status_code == 200, (role, response.text)


async def ids(client: httpx.AsyncClient, role: Role, acting_for: str, **params: str) -> list[str]:
    response = await client.get("/persons", headers=headers(role, acting_for), params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return sorted(p["id"] for p in page["items"])


async def test_every_person_reader_but_a_unit_officer_sees_all_persons(client: httpx.AsyncClient) -> None:
    for role in SEE_ALL_PERSONS:
        assert await ids(client, role, FOREIGN) == ["p-1", "p-2", "p-3"]
        assert (await client.get("/persons/p-2", headers=headers(role, FOREIGN))).status_code == 200


async def test_a_unit_officer_sees_only_the_persons_of_its_own_organisation(client: httpx.AsyncClient) -> None:
    officer = headers(Role.UNIT_OFFICER, "snv-bk")
    assert await ids(client, Role.UNIT_OFFICER, "snv-bk") == ["p-1"]
    assert await ids(client, Role.UNIT_OFFICER, "snv-bk", organization_id="stc-bk") == []
    assert await ids(client, Role.UNIT_OFFICER, "bk") == []  # the parent is not the lineage
    assert await ids(client, Role.UNIT_OFFICER, FOREIGN) == []
    assert (await client.get("/persons/p-1", headers=officer)).json()["id"] == "p-1"
    await call(client, "PUT", "/persons/p-2/contact-point", {"email": "p2@bk.example"})
    for url in ("/persons/p-2", "/persons/p-2/contact-point"):
        response = await client.get(url, headers=officer)
        assert (response.status_code, response.json()["error"], response.json()["field"]) == (
            403,
            "forbidden",
            "person_id",
        )
        assert (await client.get(url, headers=headers(Role.UNIT_OFFICER, "bk"))).status_code == 403
    assert (await client.get("/persons/none", headers=officer)).status_code == 404


async def test_a_unit_officer_sees_the_persons_of_its_lineage_after_a_merger(client: httpx.AsyncClient) -> None:
    await call(client, "POST", "/persons", {"id": "p-tn", "full_name": "Người Thái Nguyên"})
    employment = {"version": 1, "organization_id": "snv-tn", "position": "Chuyên viên", "valid_from": "2016-01-01"}
    await call(client, "POST", "/persons/p-tn/employments", employment)
    assert await ids(client, Role.UNIT_OFFICER, "snv-tn") == ["p-tn"]
    assert (await client.get("/persons/p-1", headers=headers(Role.UNIT_OFFICER, "snv-tn"))).status_code == 403
    await call(client, "POST", "/lineage/mergers", OPS[("POST", "/lineage/mergers")].body)
    # the successor's officers see the predecessor's staff, and the other way round
    assert await ids(client, Role.UNIT_OFFICER, "snv-tn") == ["p-1", "p-tn"]
    assert await ids(client, Role.UNIT_OFFICER, "snv-bk") == ["p-1", "p-tn"]
    paged = await client.get("/persons", headers=headers(Role.UNIT_OFFICER, "snv-tn"), params={"limit": 1})
    assert (paged.json()["total"], [p["id"] for p in paged.json()["items"]]) == (2, ["p-1"])
    assert (await client.get("/persons/p-1", headers=headers(Role.UNIT_OFFICER, "snv-tn"))).status_code == 200
    assert await ids(client, Role.UNIT_OFFICER, "stc-bk") == []


@pytest.mark.parametrize("url", list(RECORD_READS.values()))
async def test_records_are_read_by_their_keepers_and_the_readers_of_every_person(
    client: httpx.AsyncClient, url: str
) -> None:
    assert (await client.get(url)).status_code == 401
    for role in ALL_ROLES:
        response = await client.get(url, headers=headers(role, "snv-bk"))
        if role is Role.ADMIN or role in RECORD_READERS:
            assert response.status_code == 200, (role, response.text)
        else:
            assert (response.status_code, response.json()["error"]) == (403, "forbidden"), (role, response.text)
