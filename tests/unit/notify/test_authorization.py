"""Who may use the notification service's API (docs/authorization.md): every write × every role × the recipient
itself (by organisation or by user) or someone else, without a token, and every read."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from tdkt_notify.defaults import DEFAULT_RULES
from tdkt_notify.handlers import seed_defaults
from tdkt_notify.service import DEFINITION
from tdkt_notify.store import COLLECTIONS, NotifyStores
from tdkt_shared.auth import Role
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.runtime import InMemoryRuntime, create_app
from tests.authz import ALL_ROLES, Rule, headers, read_paths, rule, snapshot, write_operations
from tests.helpers import serve
from tests.unit.notify import events
from tests.unit.notify.conftest import Feed

ADMIN = headers(Role.ADMIN, "ubnd-tinh")
ORG = "so-y-te"
"""An organisation recipient with a message in its inbox."""
PERSON = "chu-tich"
"""A person recipient (a council chair) with a message in its inbox."""
OTHER = "so-tai-chinh"
"""An organisation the requests never concern."""

# Written from docs/authorization.md, not from the code. Rules, templates, subscribers and webhook secrets: `admin`
# only. A recipient's preferences and marking an inbox message read: the recipient itself, whatever its roles.
ADMIN_ONLY = rule()
RECIPIENT = rule(own_org=ALL_ROLES)
POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/rules"): ADMIN_ONLY,
    ("PUT", "/rules/{rule_id}"): ADMIN_ONLY,
    ("PUT", "/templates/{key}/{channel}"): ADMIN_ONLY,
    ("POST", "/subscribers"): ADMIN_ONLY,
    ("PUT", "/recipients/{recipient_id}/webhook-secret"): ADMIN_ONLY,
    ("PUT", "/recipients/{recipient_id}/preferences"): RECIPIENT,
    ("POST", "/inbox/{recipient_id}/{message_id}/read"): RECIPIENT,
}

ADMIN_READS = {
    "/rules": "/rules",
    "/rules/{rule_id}": "/rules/report-submitted",
    "/templates": "/templates",
    "/templates/{key}/{channel}": f"/templates/{events.REPORT_TYPE}/INBOX",
    "/recipients": "/recipients",
    "/deliveries": "/deliveries",
    "/deliveries/{delivery_id}": "/deliveries/{org_message}",
}
RECIPIENT_READS = {
    "/inbox/{recipient_id}": "/inbox/{recipient}",
    "/inbox/{recipient_id}/unread-count": "/inbox/{recipient}/unread-count",
    "/recipients/{recipient_id}": "/recipients/{recipient}",
}
PUBLIC_READS = {
    "/healthz": "/healthz",
    "/readyz": "/readyz",
    "/metrics": "/metrics",
    "/roles/{role}/holders": "/roles/PRESS_COMMUNICATION/holders?on=2025-07-01",
    "/clusters/{cluster_id}/members": "/clusters/cum/members?on=2025-07-01",
    "/councils/{council_id}/members": "/councils/hd/members?on=2025-07-01",
    "/organizations": "/organizations",
    "/organizations/{organization_id}": f"/organizations/{ORG}",
}

REPORT_RULE = next(r for r in DEFAULT_RULES if r.id == "report-submitted")


@dataclass(frozen=True)
class Op:
    path: str
    """With `{org_message}` for the organisation's inbox message."""
    body: dict[str, Any] | None
    status: int
    """The answer when admitted."""
    recipient_id: str | None
    """The recipient the request concerns (none for rules and templates)."""


OPS: dict[tuple[str, str], Op] = {
    ("POST", "/rules"): Op(
        "/rules",
        {
            "id": "registry-watch",
            "description": "Theo dõi đăng ký đơn vị",
            "event_types": ["tdkt.registry.organization.*"],
            "recipients": [{"source": "SUBSCRIBERS", "ids": ["cong-thong-tin"]}],
            "channels": ["INBOX"],
        },
        201,
        None,
    ),
    ("PUT", "/rules/{rule_id}"): Op(
        "/rules/report-submitted",
        {**REPORT_RULE.model_dump(mode="json", exclude={"id"}), "enabled": False, "version": 1},
        200,
        None,
    ),
    ("PUT", "/templates/{key}/{channel}"): Op(
        "/templates/registry.watch/INBOX", {"subject": "Đơn vị mới", "body": "{{ event.type }}"}, 200, None
    ),
    ("POST", "/subscribers"): Op(
        "/subscribers",
        {"id": "cong-moi", "name": "Cổng TTĐT mới", "webhook_url": "https://portal.example/h"},
        201,
        "cong-moi",
    ),
    ("PUT", "/recipients/{recipient_id}/webhook-secret"): Op(
        f"/recipients/{ORG}/webhook-secret", {"secret": "s" * 20}, 204, ORG
    ),
    ("PUT", "/recipients/{recipient_id}/preferences"): Op(
        f"/recipients/{ORG}/preferences", {"daily_digest": True}, 200, ORG
    ),
    ("POST", "/inbox/{recipient_id}/{message_id}/read"): Op(f"/inbox/{ORG}/{{org_message}}/read", None, 200, ORG),
}

Who = str
"""`org`: the caller acts for the recipient; `subject`: the caller is the recipient; `other`: neither."""


def caller(role: Role, who: Who, recipient_id: str | None) -> dict[str, str]:
    if who == "org" and recipient_id:
        return headers(role, recipient_id)
    if who == "subject" and recipient_id:
        return headers(role, OTHER, subject=recipient_id)
    return headers(role, OTHER)


def _cases() -> list[Any]:
    return [
        pytest.param(op, role, who, id=f"{op[0]} {op[1]} {role} {who}")
        for op, spec in OPS.items()
        for role in ALL_ROLES
        for who in (("org", "subject", "other") if spec.recipient_id else ("other",))
    ]


async def inbox_message(stores: NotifyStores, recipient_id: str) -> str:
    [found] = await stores.deliveries.find({"recipient_id": recipient_id, "channel": Channel.INBOX.value}, limit=10)
    return found.id


@dataclass(frozen=True)
class World:
    runtime: InMemoryRuntime
    ids: dict[str, str]


@pytest.fixture(scope="module")
async def world() -> World:
    """Built once per module: the defaults; an organisation and a council chair, each with an inbox message; a
    cluster, a press role holder and a subscriber."""
    runtime = InMemoryRuntime(DEFINITION)
    stores = NotifyStores.of(runtime)
    await seed_defaults(stores)
    await Feed(runtime.handlers())(
        events.organization(ORG, "Sở Y tế"),
        events.organization(OTHER, "Sở Tài chính"),
        events.report_submitted(ORG, events.at(2025, 12, 1)),
        events.person(PERSON, "Trần Văn Chủ"),
        events.council_constituted(
            "hd", "ubnd-tinh", date(2025, 1, 1), events.council_member(PERSON, date(2025, 1, 1))
        ),
        events.cluster_formed("cum", 2025, date(2025, 1, 1), ORG, OTHER),
        events.role("bao", FunctionalRole.PRESS_COMMUNICATION, "bao-bac-kan", date(2020, 1, 1)),
    )
    async with serve(DEFINITION, runtime, headers=ADMIN) as client:
        subscriber = {"id": "cong-thong-tin", "name": "Cổng TTĐT tỉnh", "webhook_url": "https://portal.example/h"}
        assert (await client.post("/subscribers", json=subscriber)).status_code == 201
    ids = {"org_message": await inbox_message(stores, ORG), "person_message": await inbox_message(stores, PERSON)}
    return World(runtime, ids)


@pytest.fixture
def runtime(world: World) -> InMemoryRuntime:
    """A fresh copy of the world for each test (the service definition is shared, not copied)."""
    return copy.deepcopy(world.runtime, {id(DEFINITION): DEFINITION})


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    """A client sending no token by default: each request says who it is."""
    async with serve(DEFINITION, runtime, headers={}) as client:
        yield client


def test_the_policy_names_every_write_the_service_exposes() -> None:
    app = create_app(DEFINITION, InMemoryRuntime(DEFINITION))
    assert write_operations(app) == set(POLICY)
    assert set(OPS) == set(POLICY)


def test_every_read_is_public_admin_only_or_the_recipients_own() -> None:
    app = create_app(DEFINITION, InMemoryRuntime(DEFINITION))
    reads = read_paths(app)
    assert reads == set(ADMIN_READS) | set(RECIPIENT_READS) | set(PUBLIC_READS)


@pytest.mark.parametrize(("op", "role", "who"), _cases())
async def test_a_write_is_admitted_or_refused_by_role_and_recipient(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, world: World, op: tuple[str, str], role: Role, who: Who
) -> None:
    spec = OPS[op]
    before = await snapshot(runtime, COLLECTIONS)
    sent = caller(role, who, spec.recipient_id)
    response = await client.request(op[0], spec.path.format(**world.ids), json=spec.body, headers=sent)
    if POLICY[op].admits(role, own=who != "other"):
        assert response.status_code == spec.status, response.text
        assert await snapshot(runtime, COLLECTIONS) != before
    else:
        assert (response.status_code, response.json()["error"]) == (403, "forbidden"), response.text
        assert await snapshot(runtime, COLLECTIONS) == before


@pytest.mark.parametrize("op", list(OPS), ids=" ".join)
async def test_a_write_without_a_token_is_unauthorized_and_writes_nothing(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, world: World, op: tuple[str, str]
) -> None:
    spec = OPS[op]
    before = await snapshot(runtime, COLLECTIONS)
    response = await client.request(op[0], spec.path.format(**world.ids), json=spec.body)
    assert (response.status_code, response.json()["error"]) == (401, "unauthorized"), response.text
    assert await snapshot(runtime, COLLECTIONS) == before


async def test_a_recipient_cannot_mark_another_recipients_message_through_its_own_inbox(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, world: World
) -> None:
    before = await snapshot(runtime, COLLECTIONS)
    url = f"/inbox/{ORG}/{world.ids['person_message']}/read"
    response = await client.post(url, headers=headers(Role.UNIT_OFFICER, ORG))
    assert response.status_code == 404, response.text
    assert await snapshot(runtime, COLLECTIONS) == before


@pytest.mark.parametrize("url", list(ADMIN_READS.values()))
async def test_rules_templates_recipients_and_deliveries_are_read_by_admins_only(
    client: httpx.AsyncClient, world: World, url: str
) -> None:
    url = url.format(**world.ids)
    assert (await client.get(url)).status_code == 401
    for role in ALL_ROLES:
        for sent in (headers(role, ORG), headers(role, OTHER, subject=ORG)):
            response = await client.get(url, headers=sent)
            if role is Role.ADMIN:
                assert response.status_code == 200, response.text
            else:
                assert (response.status_code, response.json()["error"]) == (403, "forbidden"), (role, response.text)


@pytest.mark.parametrize("url", list(RECIPIENT_READS.values()))
@pytest.mark.parametrize(("recipient", "acting_for", "subject"), [(ORG, ORG, None), (PERSON, OTHER, PERSON)])
async def test_an_inbox_and_a_recipients_preferences_are_read_by_the_recipient_only(
    client: httpx.AsyncClient, url: str, recipient: str, acting_for: str, subject: str | None
) -> None:
    url = url.format(recipient=recipient)
    assert (await client.get(url)).status_code == 401
    for role in ALL_ROLES:
        mine = await client.get(url, headers=headers(role, acting_for, subject=subject))
        assert mine.status_code == 200, (role, mine.text)
        theirs = await client.get(url, headers=headers(role, OTHER))
        if role is Role.ADMIN:
            assert theirs.status_code == 200, theirs.text
        else:
            assert (theirs.status_code, theirs.json()["field"]) == (403, "recipient_id"), (role, theirs.text)


async def test_the_recipient_sees_its_own_messages(client: httpx.AsyncClient, world: World) -> None:
    officer = headers(Role.UNIT_OFFICER, ORG)
    page = (await client.get(f"/inbox/{ORG}", headers=officer)).json()
    assert [m["id"] for m in page["items"]] == [world.ids["org_message"]]
    chair = headers(Role.COUNCIL_MEMBER, "ubnd-tinh", subject=PERSON)
    page = (await client.get(f"/inbox/{PERSON}", headers=chair)).json()
    assert [m["id"] for m in page["items"]] == [world.ids["person_message"]]
    read = await client.post(f"/inbox/{PERSON}/{world.ids['person_message']}/read", headers=chair)
    assert read.json()["read"] is True
    assert (await client.get(f"/inbox/{PERSON}/unread-count", headers=chair)).json()["unread"] == 0
    assert (await client.get(f"/inbox/{ORG}/unread-count", headers=officer)).json()["unread"] == 1


async def test_clusters_councils_and_role_holders_are_public(client: httpx.AsyncClient) -> None:
    for url in PUBLIC_READS.values():
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)
    assert (await client.get("/councils/hd/members", params={"on": "2025-07-01"})).json()["person_ids"] == [PERSON]
