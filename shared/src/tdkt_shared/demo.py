"""The seed letter played end to end over the public HTTP APIs and the bus (issue 7).

Shared by `make demo` / `tdkt demo` (against `make run`'s services) and `tests/e2e` (against services started as
processes). It talks to the services over HTTP only, each request with the token of the role that makes it
(docs/authorization.md), reads the topics with a plain aiokafka consumer, receives the press body's webhooks and,
when given one, notify's e-mail at an SMTP server. Every id carries a run id, so a run never collides with the seed
or with an earlier run.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.bus.kafka import topic_partitions
from tdkt_shared.contract import ALL_TOPICS, CloudEvent

T = TypeVar("T")
Json = dict[str, Any]
YEAR = 2024


@dataclass(frozen=True)
class Endpoints:
    registry: str = "http://127.0.0.1:8001"
    reporting: str = "http://127.0.0.1:8002"
    awards: str = "http://127.0.0.1:8003"
    notify: str = "http://127.0.0.1:8004"
    bootstrap: str = "127.0.0.1:9092"


@dataclass(frozen=True)
class Who:
    """Who makes a request, per docs/authorization.md: one role, the organisation acted for, the user (`sub`)."""

    role: Role
    organization_id: str
    subject: str

    def headers(self) -> dict[str, str]:
        """A development bearer token; `X-Organization-Id` says the same organisation to services that read it."""
        token = dev_headers(self.role, organization_id=self.organization_id, subject=self.subject)
        return {**token, "X-Organization-Id": self.organization_id}


class ScenarioError(AssertionError):
    """A step did not have the effect or the events it should have."""


async def eventually(check: Callable[[], Awaitable[T | None]], *, what: str, timeout_s: float = 120) -> T:
    """Poll `check` until it returns something truthy (a generous bound, not a timing)."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise ScenarioError(f"{what}: not reached within {timeout_s}s")
        await asyncio.sleep(0.2)


class EventLog:
    """Every event of this run on the service topics, in the order each partition delivered it."""

    def __init__(self, bootstrap: str, run_id: str) -> None:
        self.bootstrap, self.run_id = bootstrap, run_id
        self.events: list[CloudEvent] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False)
        await consumer.start()
        partitions = await topic_partitions(consumer, list(ALL_TOPICS))
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:  # resolve the end now: later records are this run's
            await consumer.position(tp)
        self._consumer = consumer
        self._task = asyncio.create_task(self._collect(consumer))

    async def _collect(self, consumer: AIOKafkaConsumer) -> None:
        marker = self.run_id.encode()
        while True:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if record.value is not None and marker in record.value:
                        try:
                            self.events.append(CloudEvent.model_validate_json(record.value))
                        except ValueError:
                            continue

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()

    def of(self, key: str, prefix: str = "") -> list[str]:
        """The types seen for one aggregate key, in order (short names, `tdkt.<svc>.` cut off)."""
        return [_short(e.type) for e in self.events if e.partitionkey == key and e.type.startswith(prefix)]

    async def expect(self, key: str, types: list[str], *, timeout_s: float = 120) -> list[CloudEvent]:
        """Wait until `types` (short names) were seen for `key` in this order (other types may come between)."""

        async def seen() -> list[CloudEvent] | None:
            found = [e for e in self.events if e.partitionkey == key]
            position, matched = 0, []
            for event in found:
                if position < len(types) and _short(event.type) == types[position]:
                    matched.append(event)
                    position += 1
            return matched if position == len(types) else None

        try:
            return await eventually(seen, what=f"events {types} for {key}", timeout_s=timeout_s)
        except ScenarioError as exc:
            raise ScenarioError(f"{exc}; seen for {key}: {self.of(key)}") from None


def _short(event_type: str) -> str:
    return event_type.split(".", 1)[1]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """A tiny HTTP server on a free loopback port that records every POST it answers (200)."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            path = (await reader.readline()).decode().split(" ")[1]
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode().strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(path, headers, body))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, IndexError):
            pass
        finally:
            writer.close()


def signed(request: Received, secret: str) -> bool:
    """The receiver's check: v1= HMAC-SHA256(secret, timestamp + "." + raw body), compared in constant time."""
    timestamp = request.headers.get("x-tdkt-timestamp", "")
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(request.headers.get("x-tdkt-signature", ""), f"v1={expected}")


@asynccontextmanager
async def webhook_receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    receiver.port = server.sockets[0].getsockname()[1]
    try:
        yield receiver
    finally:
        server.close()
        await server.wait_closed()


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str


@dataclass
class MailSink:
    """An SMTP server (aiosmtpd, SMTPUTF8 on) that keeps every message notify sends it, decoded."""

    port: int
    messages: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook)
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        part = message.get_body(("plain", "html")) if isinstance(message, EmailMessage) else None
        body = part.get_content() if isinstance(part, EmailMessage) else ""
        self.messages.append(
            Mail(envelope.mail_from, list(envelope.rcpt_tos), str(message.get("subject", "")), str(body))
        )
        return "250 Message accepted"

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.messages if address in m.recipients]


@contextmanager
def smtp_sink(port: int, host: str = "127.0.0.1") -> Iterator[MailSink]:
    """Serve SMTP on `host:port` until the block ends (the port notify's `SMTP_PORT` names)."""
    from aiosmtpd.controller import Controller  # notify's dependency, in the workspace venv

    sink = MailSink(port)
    controller = Controller(sink, hostname=host, port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class Step:
    number: str
    title: str
    outcome: str
    events: list[str]


@dataclass
class Result:
    run_id: str
    steps: list[Step]
    log: EventLog
    ids: dict[str, str]
    mail: MailSink | None = None


class Scenario:
    """The seed letter, step by step. Each step asserts its effects and its events per aggregate.

    Every request carries the token of whoever does it in real life (docs/authorization.md): the registry's keeper
    seeds the registry, the TĐKT specialist of Sở Nội vụ runs movements, appraisals and decisions, each unit's
    emulation officer opens and submits its own reports, registrations and nominations, the council's standing body
    sends dossiers to the council and a council member votes as themselves.
    """

    def __init__(
        self, endpoints: Endpoints, webhooks: WebhookReceiver, run_id: str | None = None, mail: MailSink | None = None
    ) -> None:
        self.endpoints = endpoints
        self.webhooks = webhooks
        self.mail = mail
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self.log = EventLog(endpoints.bootstrap, self.run_id)
        self.steps: list[Step] = []
        r = self.run_id
        self.webhook_secret = f"bi-mat-bao-bac-kan-{r}"
        self.ids = {
            "province": f"ubnd-tinh-bac-kan-{r}",
            "thai_nguyen": f"ubnd-tinh-thai-nguyen-{r}",
            "home_affairs": f"so-noi-vu-{r}",
            "press": f"bao-bac-kan-{r}",
            "information": f"so-tt-tt-{r}",
            "radio": f"dai-pt-th-bac-kan-{r}",
            "finance": f"so-tai-chinh-{r}",
            "health": f"so-y-te-{r}",
            "cluster": f"cum-cac-so-{r}",
            "bloc": f"khoi-van-hoa-xa-hoi-{r}",
            "person": f"nguyen-thi-lan-{r}",
            "council": f"hd-tdkt-tinh-{r}",
            "movement": f"ke-hoach-645-{r}",
            "criteria": f"tieu-chi-cum-{r}",
            "congress": f"dai-hoi-tdyn-vi-{r}",
            "reorganization": f"sap-xep-2025-{r}",
            "eligible": f"hoang-van-nam-{r}",
            "ineligible": f"ly-thi-mai-{r}",
            "state_nominee": f"dinh-van-hung-{r}",
        }
        i = self.ids
        self.registry_admin = Who(Role.REGISTRY_ADMIN, i["home_affairs"], "quan-tri-danh-muc")
        self.specialist = Who(Role.TDKT_SPECIALIST, i["home_affairs"], "chuyen-vien-tdkt")
        self.secretary = Who(Role.COUNCIL_SECRETARY, i["home_affairs"], "thuong-truc-hoi-dong")
        self.council_member = Who(Role.COUNCIL_MEMBER, i["province"], i["person"])  # votes as herself
        self.operator = Who(Role.ADMIN, i["home_affairs"], "van-hanh-thong-bao")  # notify's subscribers and secrets
        self.press_officer = Who(Role.PRESS_OFFICER, i["press"], "phong-vien-bao-bac-kan")

    def officer(self, unit: str) -> Who:
        """The emulation officer (cán bộ TĐKT) of one unit."""
        return Who(Role.UNIT_OFFICER, unit, f"can-bo-tdkt-{unit}")

    # --- plumbing ------------------------------------------------------------------------------------------------

    async def _call(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        body: Json | None = None,
        *,
        who: Who | None = None,
        settle: str | None = None,
        expect: int | None = None,
    ) -> Json:
        """One API call as `who` (anonymous reads of public resources without). With `settle` (an aggregate key),
        wait until the change's event is on the bus before the next change of that aggregate, so each step of the
        summary shows its own events. With `expect`, the call must answer that status (a refusal the step shows)."""
        before = len([e for e in self.log.events if e.partitionkey == settle]) if settle else 0
        headers = who.headers() if who else {}
        response = await client.request(method, url, json=body, headers=headers)
        if expect is not None:
            if response.status_code != expect:
                raise ScenarioError(f"{method} {url}: {response.status_code}, expected {expect}: {response.text[:500]}")
            refused: Json = response.json()
            return refused
        if not response.is_success:
            raise ScenarioError(f"{method} {client.base_url}{url}: {response.status_code} {response.text[:500]}")
        result: Json = response.json() if response.content else {}
        if settle:

            async def published() -> bool:
                return len([e for e in self.log.events if e.partitionkey == settle]) > before

            await eventually(published, what=f"the event of {method} {url} on the bus")
        return result

    async def _get(self, client: httpx.AsyncClient, url: str, who: Who | None = None, **params: Any) -> Json | None:
        """A read that may not have happened yet (read models fill from the bus): the body on 200, else None."""
        response = await client.get(url, params=params or None, headers=who.headers() if who else {})
        return response.json() if response.status_code == 200 else None

    def _record(self, number: str, title: str, outcome: str, events: list[tuple[str, list[CloudEvent]]]) -> None:
        seen = [f"{_short(e.type)} [{key}]" for key, found in events for e in found]
        self.steps.append(Step(number, title, outcome, seen))

    async def _found(self, client: httpx.AsyncClient, url: str, what: str, who: Who | None = None) -> Json:
        return await eventually(lambda: self._get(client, url, who), what=what)

    async def run(self) -> Result:
        await self.log.start()
        try:
            async with (
                httpx.AsyncClient(base_url=self.endpoints.registry, timeout=30) as registry,
                httpx.AsyncClient(base_url=self.endpoints.reporting, timeout=30) as reporting,
                httpx.AsyncClient(base_url=self.endpoints.awards, timeout=30) as awards,
                httpx.AsyncClient(base_url=self.endpoints.notify, timeout=30) as notify,
            ):
                await self.seed_registry(registry, reporting, notify)
                await self.launch_movement(reporting)
                await self.registrations(reporting)
                await self.reports(reporting)
                await self.ranking(reporting, awards)
                await self.nominations(awards)
                await self.collective_title(awards)
                await self.state_consultation(awards)
                await self.congress(reporting)
                await self.notifications(notify)
                await self.reorganize(registry)
                await self.chain_across_the_merger(awards)
        finally:
            await self.log.stop()
        in_letter_order = sorted(self.steps, key=lambda step: int(step.number))  # the vote (7) ran before 5 and 6
        return Result(self.run_id, in_letter_order, self.log, self.ids, self.mail)

    async def seed_registry(
        self, registry: httpx.AsyncClient, reporting: httpx.AsyncClient, notify: httpx.AsyncClient
    ) -> None:
        i, admin = self.ids, self.registry_admin
        orgs: list[tuple[str, str, str, str | None]] = [
            (i["province"], "UBND tỉnh Bắc Kạn", "PEOPLES_COMMITTEE", None),
            (i["thai_nguyen"], "UBND tỉnh Thái Nguyên", "PEOPLES_COMMITTEE", None),
            (i["home_affairs"], "Sở Nội vụ tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
            (i["information"], "Sở Thông tin và Truyền thông tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
            (i["press"], "Báo Bắc Kạn", "PRESS", i["province"]),
            (i["radio"], "Đài Phát thanh - Truyền hình Bắc Kạn", "PRESS", i["province"]),
            (i["finance"], "Sở Tài chính tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
            (i["health"], "Sở Y tế tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
        ]
        for org_id, name, kind, parent in orgs:
            body: Json = {"id": org_id, "name": name, "kind": kind, "valid_from": "2000-01-01"}
            body |= {"parent_id": parent} if parent else {}
            await self._call(registry, "POST", "/organizations", body, who=admin)
        roles = [("TDKT_STATE_MANAGEMENT", i["home_affairs"])]
        roles += [("PRESS_COMMUNICATION", org) for org in (i["information"], i["press"], i["radio"])]
        assignments: dict[str, str] = {}
        for role, holder in roles:
            assignment = {
                "role": role,
                "organization_id": holder,
                "valid_from": "2008-01-01",
                "scope_organization_id": i["province"],
            }
            created = await self._call(registry, "POST", "/role-assignments", assignment, who=admin)
            assignments[holder] = str(created["id"])
        contacts = {
            i["press"]: {"email": f"toasoan@{i['press']}.example", "webhook_url": self.webhooks.url(f"/{i['press']}")},
            i["finance"]: {"email": f"vanthu@{i['finance']}.example"},
            i["health"]: {"email": f"vanthu@{i['health']}.example"},
        }
        for org_id, contact in contacts.items():
            await self._call(registry, "PUT", f"/organizations/{org_id}/contact-point", contact, who=admin)
        groups = [
            (i["cluster"], "Cụm thi đua các sở, ban, ngành số 1", "CLUSTER", [i["finance"], i["health"]]),
            (i["bloc"], "Khối thi đua văn hóa - xã hội", "BLOC", [i["information"], i["press"], i["radio"]]),
        ]
        for group_id, name, kind, member_ids in groups:
            cluster = {
                "id": group_id,
                "name": name,
                "kind": kind,
                "year": YEAR,
                "formed_on": f"{YEAR}-01-15",
                "members": [
                    {"organization_id": org, "role": "LEADER" if n == 0 else "MEMBER"}
                    for n, org in enumerate(member_ids)
                ],
            }
            await self._call(registry, "POST", "/clusters", cluster, who=admin)
        await self._call(registry, "POST", "/persons", {"id": i["person"], "full_name": "Nguyễn Thị Lan"}, who=admin)
        council = {
            "id": i["council"],
            "name": "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Kạn",
            "level": "PROVINCE",
            "organization_id": i["province"],
            "term_from": "2021-01-01",
            "members": [{"person_id": i["person"], "role": "CHAIR"}],
        }
        await self._call(registry, "POST", "/councils", council, who=admin)

        events = []
        for org_id, *_ in orgs:
            events.append((org_id, await self.log.expect(org_id, ["registry.organization.registered.v1"])))
        for holder in (i["home_affairs"], i["information"], i["press"], i["radio"]):
            role_id = assignments[holder]  # a role assignment is its own aggregate, keyed by its id
            events.append((role_id, await self.log.expect(role_id, ["registry.role.assigned.v1"])))
        events.append((i["press"], await self.log.expect(i["press"], ["registry.contact_point.set.v1"])))
        for group_id, *_ in groups:
            events.append((group_id, await self.log.expect(group_id, ["registry.cluster.formed.v1"])))
        events.append((i["person"], await self.log.expect(i["person"], ["registry.person.registered.v1"])))
        events.append((i["council"], await self.log.expect(i["council"], ["registry.council.constituted.v1"])))

        # the other services learn it from the bus, not from calls
        for org_id in (i["province"], i["finance"], i["health"]):
            await self._found(reporting, f"/organizations/{org_id}", f"{org_id} in reporting's directory")
        await self._found(reporting, f"/clusters/{i['cluster']}", "the cluster in reporting's read model")

        async def press_reachable() -> Json | None:
            body = await self._get(notify, f"/recipients/{i['press']}", self.press_officer) or {}
            return body if body.get("webhook_url") else None

        await eventually(press_reachable, what="the press body's webhook in notify")
        # the secret is shared with the press body out of band; its receiver checks every request with it
        secret = {"secret": self.webhook_secret}
        await self._call(notify, "PUT", f"/recipients/{i['press']}/webhook-secret", secret, who=self.operator)

        async def press_holds() -> bool:
            holders = await self._get(notify, "/roles/PRESS_COMMUNICATION/holders", on="2025-06-01")
            text = json.dumps(holders)
            return all(org in text for org in (i["information"], i["press"], i["radio"]))

        await eventually(press_holds, what="the three press bodies in notify")
        self._record(
            "1",
            "Registry seeded",
            f"{len(orgs)} organisations; Sở Nội vụ the TĐKT body; Sở TT&TT, Báo Bắc Kạn and Đài PT-TH Bắc Kạn the "
            "press bodies; 1 cluster, 1 bloc, 1 council; reporting and notify learned them from the bus",
            events,
        )

    async def launch_movement(self, reporting: httpx.AsyncClient) -> None:
        i = self.ids
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
        await self._call(reporting, "POST", "/movements", movement, who=self.specialist, settle=i["movement"])
        launched = await self._call(
            reporting,
            "POST",
            f"/movements/{i['movement']}/launch",
            {"version": 1, "decision": {"number": "645/KH-UBND", "date": "2024-09-25"}},
            who=self.specialist,
            settle=i["movement"],
        )
        if launched["status"] != "LAUNCHED":
            raise ScenarioError(f"movement not launched: {launched['status']}")
        found = await self.log.expect(
            i["movement"], ["reporting.movement.drafted.v1", "reporting.movement.launched.v1"]
        )
        self._record("2", "Plan 645 drive launched", "movement LAUNCHED under 645/KH-UBND", [(i["movement"], found)])

    async def reports(self, reporting: httpx.AsyncClient) -> None:
        i, unit = self.ids, self.ids["health"]
        preliminary, final = f"so-ket-{self.run_id}", f"tong-ket-{self.run_id}"
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
            await self._call(reporting, "POST", "/reports", body, who=self.officer(unit), settle=report_id)
        await self._call(
            reporting,
            "POST",
            f"/reports/{preliminary}/submit",
            {"version": 1},
            who=self.officer(unit),
            settle=preliminary,
        )
        await self._call(
            reporting,
            "POST",
            f"/reports/{preliminary}/accept",
            {"version": 2},
            who=self.specialist,
            settle=preliminary,
        )
        await self._call(
            reporting, "POST", f"/reports/{final}/submit", {"version": 1}, who=self.officer(unit), settle=final
        )
        reason = "Thiếu số liệu khen thưởng theo Kế hoạch 645"
        await self._call(
            reporting,
            "POST",
            f"/reports/{final}/return",
            {"version": 2, "reason": reason},
            who=self.specialist,
            settle=final,
        )
        await self._call(
            reporting, "POST", f"/reports/{final}/submit", {"version": 3}, who=self.officer(unit), settle=final
        )
        accepted = await self._call(
            reporting, "POST", f"/reports/{final}/accept", {"version": 4}, who=self.specialist, settle=final
        )
        if accepted["status"] != "ACCEPTED":
            raise ScenarioError(f"final report not accepted: {accepted['status']}")
        first = await self.log.expect(
            preliminary,
            ["reporting.report.drafted.v1", "reporting.report.submitted.v1", "reporting.report.accepted.v1"],
        )
        second = await self.log.expect(
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
        self._record(
            "3",
            "Reports",
            "preliminary report accepted; final report returned, resubmitted (revision 2) and accepted",
            [(preliminary, first), (final, second)],
        )

    async def ranking(self, reporting: httpx.AsyncClient, awards: httpx.AsyncClient) -> None:
        i = self.ids
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
        await self._call(reporting, "POST", "/criteria-sets", criteria, who=self.specialist)
        events = []
        for org_id, points in ((i["finance"], 95.0), (i["health"], 88.0)):
            card = f"sc-{org_id}"
            body = {
                "id": card,
                "criteria_set_id": i["criteria"],
                "organization_id": org_id,
                "cluster_id": i["cluster"],
                "year": YEAR,
            }
            await self._call(reporting, "POST", "/scorecards", body, who=self.officer(org_id), settle=card)
            score = {"kind": "SELF", "value": points}
            await self._call(
                reporting,
                "PUT",
                f"/scorecards/{card}/scores/tc-1",
                {"version": 1, **score},
                who=self.officer(org_id),
                settle=card,
            )
            await self._call(
                reporting, "POST", f"/scorecards/{card}/submit", {"version": 2}, who=self.officer(org_id), settle=card
            )
            review = {"version": 3, "kind": "REVIEWER", "value": points}
            await self._call(
                reporting, "PUT", f"/scorecards/{card}/scores/tc-1", review, who=self.specialist, settle=card
            )
            await self._call(
                reporting, "POST", f"/scorecards/{card}/publish", {"version": 4}, who=self.specialist, settle=card
            )
            found = await self.log.expect(
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
        ranking = await self._call(
            reporting,
            "POST",
            f"/clusters/{i['cluster']}/rankings",
            {"year": YEAR, "criteria_set_id": i["criteria"]},
            who=self.specialist,
        )
        ranking_id = f"{i['cluster']}.{YEAR}"
        [published] = await self.log.expect(ranking_id, ["reporting.cluster.ranking_published.v1"])
        events.append((ranking_id, [published]))
        if published.data["leaders"] != [i["finance"]]:
            raise ScenarioError(f"unexpected leaders {published.data['leaders']} (response {ranking})")

        async def drafted() -> Json | None:
            page = await self._get(awards, "/nominations", self.specialist, status="DRAFT", limit=200) or {"items": []}
            mine = [n for n in page["items"] if n["submitting_organization_id"] == i["finance"]]
            return mine[0] if mine else None

        nomination = await eventually(drafted, what="awards' Cờ thi đua draft for the cluster leader")
        if (nomination["award_code"], nomination["status"]) != ("CO_THI_DUA_TINH", "DRAFT"):
            raise ScenarioError(f"unexpected draft {nomination}")
        self.ids["flag_nomination"] = nomination["id"]
        events.append(
            (nomination["id"], await self.log.expect(nomination["id"], ["awards.nomination.status_changed.v1"]))
        )
        self._record(
            "4",
            "Scorecards and cluster ranking",
            f"2 scorecards published; leader {i['finance']}; awards drafted {nomination['award_code']} "
            f"({nomination['rule_set_id']}) from the bus",
            events,
        )

    async def _advance(
        self, awards: httpx.AsyncClient, nomination_id: str, *steps: str, who: Who | None = None, **extra: Any
    ) -> Json:
        """Workflow steps on a nomination, by the TĐKT specialist unless `who` says otherwise."""
        who = who or self.specialist
        body = await self._call(awards, "GET", f"/nominations/{nomination_id}", who=who)
        acting = {"actor": who.subject, "organization_id": who.organization_id}
        for step in steps:
            body = await self._call(
                awards,
                "POST",
                f"/nominations/{nomination_id}/{step}",
                {"version": body["version"], **acting, **extra},
                who=who,
                settle=nomination_id,
            )
        return body

    async def _propose(self, awards: httpx.AsyncClient, draft: Json, proposer: Who) -> Json:
        """The proposer drafts and submits; the TĐKT body receives and appraises (the verdict is in the body)."""
        nomination_id = str(draft["id"])
        await self._call(awards, "POST", "/nominations", draft, who=proposer, settle=nomination_id)
        await self._advance(awards, nomination_id, "submit", who=proposer)
        return await self._advance(awards, nomination_id, "receive", "start-appraisal", "appraise")

    async def nominations(self, awards: httpx.AsyncClient) -> None:
        """CSTĐ cấp tỉnh for two persons with an imported history: one eligible (a chain of CSTĐ cơ sở that spans
        the 1/7/2025 reorganisation), one not; then the council votes and the decision grants the award."""
        i, r = self.ids, self.run_id
        history = [(i["eligible"], "Hoàng Văn Nam", y) for y in (2023, 2024, 2025)]
        history += [(i["ineligible"], "Lý Thị Mai", 2025)]
        lines = [
            {
                "recipient_id": who,
                "recipient_kind": "INDIVIDUAL",
                "recipient_name": name,
                "award_code": "CSTD_CO_SO",
                "year": year,
                "decision_number": f"{year}/QĐ-SNV",
                "decision_date": f"{year}-12-10",
            }
            for who, name, year in history
        ]
        imports = {"batch_id": f"lich-su-{r}", "grants": lines}
        await self._call(awards, "POST", "/grants/imports", imports, who=self.specialist)
        verdicts: dict[str, Json] = {}
        for person, name in ((i["eligible"], "Hoàng Văn Nam"), (i["ineligible"], "Lý Thị Mai")):
            nomination_id = f"cstd-tinh-{person}"
            draft: Json = {
                "id": nomination_id,
                "kind": "ANNUAL_MERIT",
                "award_code": "CSTD_TINH",
                "year": 2025,
                "territory": "thai-nguyen",
                "submitting_organization_id": i["health"],
                "actor": self.officer(i["health"]).subject,
                "nominees": [
                    {
                        "nominee_id": person,
                        "kind": "INDIVIDUAL",
                        "name": name,
                        "organization_id": i["health"],
                        "initiatives": [{"initiative_id": f"sk-{person}", "scope": 2, "recognized_on": "2025-04-01"}],
                    }
                ],
                "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET", "CHUNG_NHAN_SANG_KIEN"],
            }
            verdicts[person] = await self._propose(awards, draft, self.officer(i["health"]))
        eligible, ineligible = verdicts[i["eligible"]], verdicts[i["ineligible"]]
        if (eligible["status"], ineligible["status"]) != ("ELIGIBLE", "INELIGIBLE"):
            raise ScenarioError(f"verdicts {eligible['status']} / {ineligible['status']}")
        reasons = [
            f"{result['rule']}: {result['explanation']}"
            for result in ineligible["evaluations"][0]["results"]
            if not result["passed"]
        ]
        if not reasons:
            raise ScenarioError("an ineligible nominee without a reason")
        self.ids["reasons"] = "; ".join(reasons)
        nomination_id = eligible["id"]
        await self._advance(awards, nomination_id, "to-council", who=self.secretary)
        vote = {
            "session_id": f"phien-hop-{r}",
            "held_on": "2025-12-18",
            "members_total": 11,
            "attendees": 10,
            "ballots": [{"nominee_id": i["eligible"], "yes_present": 9, "no_present": 1, "yes_written": 1}],
        }
        approved = await self._advance(awards, nomination_id, "council-votes", who=self.council_member, vote=vote)
        if approved["status"] != "APPROVED":
            raise ScenarioError(f"council outcome {approved['status']}")
        decision = {
            "decision_id": f"qd-{r}",
            "number": "123/QĐ-UBND",
            "date": "2025-12-20",
            "signer_role": "PROVINCE_CHAIRMAN",
            "version": approved["version"],
            "actor": self.specialist.subject,
            "organization_id": self.specialist.organization_id,
        }
        decided = await self._call(
            awards,
            "POST",
            f"/nominations/{nomination_id}/decision",
            decision,
            who=self.specialist,
            settle=nomination_id,
        )
        grant = decided["decision"]["grants"][0]
        self.ids["approved_nomination"] = nomination_id
        changed, evaluated = "awards.nomination.status_changed.v1", "awards.eligibility.evaluated.v1"
        flow = await self.log.expect(
            nomination_id,
            [*[changed] * 4, evaluated, changed, changed, changed, "awards.nomination.approved.v1", changed],
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
        refused = await self.log.expect(ineligible["id"], [*[changed] * 4, evaluated, changed])
        if refused[-1].data["to_status"] != "INELIGIBLE":
            raise ScenarioError(f"the ineligible nomination ended {refused[-1].data['to_status']}")
        granted = [
            e
            for e in await self.log.expect(i["eligible"], ["awards.award.granted.v1"] * 4)
            if not e.data.get("imported")
        ]
        if [(e.data["award_code"], e.data["year"]) for e in granted] != [("CSTD_TINH", 2025)]:
            raise ScenarioError(f"unexpected grants {[e.data for e in granted]}")
        self._record(
            "5",
            "CSTĐ cấp tỉnh nominations",
            f"{i['eligible']} ELIGIBLE under {eligible['evaluations'][0]['rule_set_id']} (chain 2023–2025 across "
            f"1/7/2025); {i['ineligible']} INELIGIBLE: {self.ids['reasons']}",
            [(nomination_id, flow[:6]), (ineligible["id"], refused)],
        )
        self._record(
            "7",
            "Council vote, decision, grant",
            f"APPROVED at {vote['session_id']}; decision {decision['number']}; grant {grant['award_code']} with a "
            f"bonus of {grant['bonus_amount']:,} đồng",
            [(nomination_id, flow[6:]), (i["eligible"], granted)],
        )

    async def registrations(self, reporting: httpx.AsyncClient) -> None:
        """Each unit's emulation officer registers its targets and titles for the year (đăng ký thi đua); the TĐKT
        body accepts."""
        i, found = self.ids, []
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
            officer = self.officer(unit)
            await self._call(reporting, "POST", "/registrations", body, who=officer, settle=registration_id)
            submit = f"/registrations/{registration_id}/submit"
            await self._call(reporting, "POST", submit, {"version": 1}, who=officer, settle=registration_id)
            accept = f"/registrations/{registration_id}/accept"
            accepted = await self._call(
                reporting, "POST", accept, {"version": 2}, who=self.specialist, settle=registration_id
            )
            if accepted["status"] != "ACCEPTED":
                raise ScenarioError(f"registration {registration_id} is {accepted['status']}")
            flow = ["reporting.registration.drafted.v1", "reporting.registration.submitted.v1"]
            flow.append("reporting.registration.accepted.v1")
            events = await self.log.expect(registration_id, flow)
            if events[1].data["requested_titles"] != body["requested_titles"]:
                raise ScenarioError(f"registered titles {events[1].data['requested_titles']}")
            found.append((registration_id, events))
        self._record(
            "3",
            "Registrations",
            f"{i['finance']} and {i['health']} registered their 2024 targets and titles (unit officers); accepted by "
            "Sở Nội vụ",
            found,
        )

    async def collective_title(self, awards: httpx.AsyncClient) -> None:
        """Tập thể lao động xuất sắc (TTLDXS) for two departments: the engine computes the share of members who
        hold an individual title in the year from the grant records, and the count of CSTĐ among them."""
        i, r = self.ids, self.run_id
        units = {i["health"]: ("Sở Y tế tỉnh Bắc Kạn", 7), i["finance"]: ("Sở Tài chính tỉnh Bắc Kạn", 5)}
        lines: list[Json] = []
        members: dict[str, list[Json]] = {}
        for unit, (_name, ldtt) in units.items():
            people = [f"{unit}-cb-{n:02d}" for n in range(1, 11)]
            members[unit] = [
                {"person_id": p, "ratings": [{"year": YEAR, "rating": "EXCELLENT" if n < 3 else "GOOD"}]}
                for n, p in enumerate(people)
            ]
            titled = [(p, "LDTT") for p in people[:ldtt]] + [(people[ldtt], "CSTD_CO_SO")]
            lines += [
                {
                    "recipient_id": p,
                    "recipient_kind": "INDIVIDUAL",
                    "recipient_name": f"Cán bộ {p}",
                    "award_code": code,
                    "year": YEAR,
                    "decision_number": f"{n + 1}/QĐ-{unit}",
                    "decision_date": f"{YEAR}-12-15",
                }
                for n, (p, code) in enumerate(titled)
            ]
        imports = {"batch_id": f"danh-hieu-ca-nhan-{r}", "grants": lines}
        await self._call(awards, "POST", "/grants/imports", imports, who=self.specialist)
        verdicts: dict[str, Json] = {}
        events = []
        for unit, (name, _ldtt) in units.items():
            draft: Json = {
                "id": f"ttldxs-{unit}",
                "kind": "ANNUAL_MERIT",
                "award_code": "TTLDXS",
                "year": YEAR,
                "submitting_organization_id": unit,
                "actor": self.officer(unit).subject,
                "nominees": [
                    {
                        "nominee_id": unit,
                        "kind": "COLLECTIVE",
                        "name": name,
                        "organization_id": unit,
                        "members": members[unit],
                    }
                ],
                "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_BINH_XET"],
            }
            verdicts[unit] = await self._propose(awards, draft, self.officer(unit))
            evaluated = await self.log.expect(draft["id"], ["awards.eligibility.evaluated.v1"])
            events.append((str(draft["id"]), evaluated))
        lines_out = []
        for unit, verdict in verdicts.items():
            results = {res["rule"]: res for res in verdict["evaluations"][0]["results"]}
            ratio = results["member_title_ratio"]
            lines_out.append(f"{unit} {verdict['status']}: {ratio['explanation']}")
            self.ids[f"ratio_{unit}"] = json.dumps(ratio["facts"])
            if verdict["status"] == "INELIGIBLE":
                self.ids["collective_reasons"] = "; ".join(
                    f"{res['rule']}: {res['explanation']}" for res in results.values() if not res["passed"]
                )
        health = {res["rule"]: res for res in verdicts[i["health"]]["evaluations"][0]["results"]}
        finance = {res["rule"]: res for res in verdicts[i["finance"]]["evaluations"][0]["results"]}
        expected = [
            (verdicts[i["health"]]["status"], health["member_title_ratio"]["facts"]["percent"]),
            (verdicts[i["finance"]]["status"], finance["member_title_ratio"]["facts"]["percent"]),
        ]
        if expected != [("ELIGIBLE", 80.0), ("INELIGIBLE", 60.0)]:
            raise ScenarioError(f"the collective verdicts and ratios were {expected}")
        self._record("5", "Tập thể lao động xuất sắc (computed ratios)", "; ".join(lines_out), events)

    async def state_consultation(self, awards: httpx.AsyncClient) -> None:
        """A State-level proposal (Huân chương Lao động hạng Ba) must be made public for comments before the council
        (Điều 84 khoản 5 Luật TĐKT 2022): the window opens, comments arrive, and the council waits for its end."""
        i = self.ids
        nomination_id = f"hcld3-{i['state_nominee']}"
        draft: Json = {
            "id": nomination_id,
            "kind": "ANNUAL_MERIT",
            "award_code": "HCLD_HANG_BA",
            "year": 2025,
            "submitting_organization_id": i["province"],
            "actor": self.specialist.subject,
            "nominees": [
                {
                    "nominee_id": i["state_nominee"],
                    "kind": "INDIVIDUAL",
                    "name": "Đinh Văn Hùng",
                    "organization_id": i["health"],
                }
            ],
            "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG", "KET_QUA_BO_PHIEU_KIN"],
        }
        appraised = await self._propose(awards, draft, self.specialist)
        if appraised["status"] != "ELIGIBLE":
            raise ScenarioError(f"the State-level proposal is {appraised['status']}")
        today = datetime.now(UTC).date()
        opened = await self._advance(
            awards, nomination_id, "consultation", channel="Cổng Thông tin điện tử tỉnh Bắc Kạn", start=str(today)
        )
        window = opened["consultation"]
        comments = [
            (self.press_officer, "Đồng ý, đề nghị đăng tải thành tích trên Báo Bắc Kạn", False),
            (self.officer(i["finance"]), "Đề nghị bổ sung số liệu năm 2024", True),
        ]
        for who, text, objection in comments:
            # the author is whoever the token names (awards refuses a comment in someone else's name)
            comment = {"text": text, "objection": objection}
            path = f"/nominations/{nomination_id}/consultation/comments"
            await self._call(awards, "POST", path, comment, who=who)
        current = await self._call(awards, "GET", f"/nominations/{nomination_id}", who=self.specialist)
        taken = current["consultation"]["comments"]
        if [c["author"] for c in taken] != [who.subject for who, _, _ in comments]:
            raise ScenarioError(f"consultation comments {taken}")
        early = {
            "version": current["version"],
            "actor": self.secretary.subject,
            "organization_id": self.secretary.organization_id,
        }
        refused = await self._call(
            awards, "POST", f"/nominations/{nomination_id}/to-council", early, who=self.secretary, expect=409
        )
        changed = "awards.nomination.status_changed.v1"
        flow = await self.log.expect(nomination_id, [changed] * 4 + ["awards.eligibility.evaluated.v1"] + [changed] * 2)
        if flow[-1].data["to_status"] != "PUBLIC_CONSULTATION" or flow[-1].data["consultation_until"] != window["end"]:
            raise ScenarioError(f"the consultation event {flow[-1].data}")
        press_path = f"/{i['press']}"

        async def publicised() -> Received | None:
            hits = [r for r in self.webhooks.requests if r.path == press_path and flow[-1].id.encode() in r.body]
            return hits[0] if hits else None

        await eventually(publicised, what="the consultation's publication request at the press webhook")
        self.ids["consultation_nomination"] = nomination_id
        self.ids["consultation_end"] = str(window["end"])
        self._record(
            "6",
            "Public consultation of a State-level proposal",
            f"HCLĐ hạng Ba for {i['state_nominee']}: ELIGIBLE, then công khai on {window['channel']} "
            f"{window['start']}–{window['end']} ({window['working_days']} working days); {len(taken)} comments "
            f"(1 objection); sent to the press webhook; to-council refused until the window ends: {refused['detail']}",
            [(nomination_id, flow)],
        )

    async def congress(self, reporting: httpx.AsyncClient) -> None:
        i = self.ids
        body = {
            "id": i["congress"],
            "kind": "PATRIOTIC_EMULATION_CONGRESS",
            "title": "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI",
            "level": "province",
            "organizer_id": i["province"],
            "held_on": "2025-06-20",
            "invited_organization_ids": [i["finance"], i["health"]],
            "honouree_quota": 120,
        }
        await self._call(reporting, "POST", "/congresses", body, who=self.specialist)
        [scheduled] = await self.log.expect(i["congress"], ["reporting.congress.scheduled.v1"])
        if scheduled.data["title"] != body["title"]:
            raise ScenarioError(f"unexpected congress title {scheduled.data['title']}")
        self._record("8", "Congress scheduled", str(body["title"]), [(i["congress"], [scheduled])])

    async def notifications(self, notify: httpx.AsyncClient) -> None:
        i = self.ids
        congress_event = next(
            e for e in self.log.events if e.type.endswith("congress.scheduled.v1") and e.partitionkey == i["congress"]
        )

        async def in_inbox(recipient: str) -> Json | None:
            page = await self._get(notify, f"/inbox/{recipient}", self.officer(recipient), limit=100) or {"items": []}
            mine = [m for m in page["items"] if congress_event.id in json.dumps(m)]
            return mine[0] if mine else None

        for unit in (i["finance"], i["health"]):
            await eventually(lambda unit=unit: in_inbox(unit), what=f"the congress in {unit}'s inbox")  # type: ignore[misc]

        async def approval_in_inbox() -> Json | None:
            page = await self._get(notify, f"/inbox/{i['health']}", self.officer(i["health"]), limit=100)
            if page is None:
                return None
            kinds = {m["event_type"] for m in page["items"]}
            wanted = {"tdkt.awards.nomination.approved.v1", "tdkt.reporting.report.submitted.v1"}
            return page if wanted <= kinds else None

        inbox = await eventually(
            approval_in_inbox, what=f"the approval and the report receipts in {i['health']}'s inbox"
        )

        press_path = f"/{i['press']}"

        async def published() -> list[Received] | None:
            hits = [r for r in self.webhooks.requests if r.path == press_path and congress_event.id.encode() in r.body]
            return hits or None

        [hook, *_] = await eventually(published, what="the publication request at the press body's webhook")
        if hook.headers.get("x-tdkt-purpose") != "PUBLICATION_REQUEST":
            raise ScenarioError(f"webhook purpose {hook.headers.get('x-tdkt-purpose')}")
        if not signed(hook, self.webhook_secret):
            raise ScenarioError(f"the webhook signature does not verify: {hook.headers}")
        if CloudEvent.model_validate_json(hook.body).type != congress_event.type:
            raise ScenarioError("the webhook body is not the congress event")
        requested = await self.log.expect(i["press"], ["notify.publication.requested.v1"])

        async def all_published() -> set[str] | None:
            kinds = {
                CloudEvent.model_validate_json(r.body).type for r in self.webhooks.requests if r.path == press_path
            }
            wanted = {
                "tdkt.awards.nomination.approved.v1",
                "tdkt.awards.award.granted.v1",
                "tdkt.reporting.congress.scheduled.v1",
            }
            return kinds if wanted <= kinds else None

        published_kinds = await eventually(all_published, what="publication requests for approval, grant and congress")

        async def delivered() -> list[CloudEvent] | None:
            found = [
                e
                for e in self.log.events
                if e.type.endswith("notification.delivered.v1") and congress_event.id in json.dumps(e.data)
            ]
            return found if len(found) >= 3 else None

        done = await eventually(delivered, what="notification.delivered for the congress")
        mailed = ""
        if self.mail is not None:
            mail = self.mail
            addresses = [f"vanthu@{i['finance']}.example", f"vanthu@{i['health']}.example"]
            addresses.append(f"toasoan@{i['press']}.example")

            async def congress_mailed() -> list[Mail] | None:
                title = "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI"
                found = [m for a in addresses for m in mail.to(a) if title in m.subject + m.body]
                return found if {r for m in found for r in m.recipients} >= set(addresses) else None

            congress_mails = await eventually(congress_mailed, what="the congress e-mails at the SMTP server")
            self.ids["mail_subject"] = congress_mails[0].subject
            mine = [m for m in mail.messages if any(self.run_id in r for r in m.recipients)]
            mailed = f"; {len(mine)} e-mails at the SMTP server, e.g. «{congress_mails[0].subject}»"
        self._record(
            "9",
            "Notifications",
            f"congress in the inboxes of {i['finance']} and {i['health']} ({inbox['total']} messages for "
            f"{i['health']}); signed publication requests at the press webhook for "
            f"{', '.join(sorted(published_kinds))}{mailed}",
            [(i["press"], requested), ("deliveries", done)],
        )

    async def reorganize(self, registry: httpx.AsyncClient) -> None:
        i = self.ids
        batch = {
            "batch_id": i["reorganization"],
            "legal_basis": "Nghị quyết 202/2025/QH15",
            "effective_date": "2025-07-01",
            "mappings": [
                *(
                    {"kind": "CHANGE", "from_ids": [child], "changes": {"parent_id": i["thai_nguyen"]}}
                    for child in (
                        i["home_affairs"],
                        i["information"],
                        i["press"],
                        i["radio"],
                        i["finance"],
                        i["health"],
                    )
                ),
                {"kind": "MERGE", "from_ids": [i["province"]], "to_ids": [i["thai_nguyen"]]},
            ],
        }
        applied = await self._call(registry, "POST", "/reorganizations", batch, who=self.registry_admin)
        if applied.get("applied_now") is not True:
            raise ScenarioError(f"reorganisation not applied: {applied}")
        successor = await self._call(registry, "GET", f"/organizations/{i['province']}/successor?on=2025-07-01")
        if i["thai_nguyen"] not in json.dumps(successor):
            raise ScenarioError(f"unexpected successor {successor}")
        events = [
            (i["reorganization"], await self.log.expect(i["reorganization"], ["registry.reorganization.applied.v1"])),
            (i["thai_nguyen"], await self.log.expect(i["thai_nguyen"], ["registry.organizations.merged.v1"])),
            (i["finance"], await self.log.expect(i["finance"], ["registry.organization.changed.v1"])),
        ]
        self._record(
            "10",
            "Reorganisation of 1/7/2025",
            f"Bắc Kạn merged into Thái Nguyên ({applied.get('batch_id', i['reorganization'])}); successor on 1/7/2025 "
            "resolved",
            events,
        )

    async def chain_across_the_merger(self, awards: httpx.AsyncClient) -> None:
        """A collective chain that spans 1/7/2025: four years of Bắc Kạn's People's Committee, one of Thái
        Nguyên's. Awards learns the lineage from the registry's merger event and counts the predecessor's years."""
        i, r = self.ids, self.run_id
        old, new = i["province"], i["thai_nguyen"]

        def line(who: str, name: str, year: int) -> Json:
            return {
                "recipient_id": who,
                "recipient_kind": "COLLECTIVE",
                "recipient_name": name,
                "award_code": "TTLDXS",
                "year": year,
                "decision_number": f"{year}/QĐ-UBND",
                "decision_date": f"{year}-12-20",
            }

        lines = [line(old, "UBND tỉnh Bắc Kạn", y) for y in (2021, 2022, 2023, 2024)]
        lines.append(line(new, "UBND tỉnh Thái Nguyên", 2025))
        imports = {"batch_id": f"tap-the-{r}", "grants": lines}
        await self._call(awards, "POST", "/grants/imports", imports, who=self.specialist)

        async def lineage_known() -> Json | None:
            body = await self._get(awards, f"/organizations/{new}") or {}
            known = [p["organization_id"] for p in body.get("predecessors", [])]
            return body if old in known else None

        await eventually(lineage_known, what="the merger in awards' lineage read model")
        nomination_id = f"hcld-3-{new}"
        draft: Json = {
            "id": nomination_id,
            "kind": "ANNUAL_MERIT",
            "award_code": "HCLD_HANG_BA_TAP_THE",
            "year": 2025,
            "territory": "thai-nguyen",
            "submitting_organization_id": new,
            "actor": self.officer(new).subject,
            "nominees": [{"nominee_id": new, "kind": "COLLECTIVE", "name": "UBND tỉnh Thái Nguyên"}],
            "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG", "KET_QUA_BO_PHIEU_KIN"],
        }
        body = await self._propose(awards, draft, self.officer(new))
        chains = [res for res in body["evaluations"][0]["results"] if "consecutive_ending_in_period" in res["facts"]]
        if body["status"] != "ELIGIBLE" or not chains:
            raise ScenarioError(f"the chain across the merger: {body['status']} {body['evaluations']}")
        facts = chains[0]["facts"]
        if (facts.get("predecessors"), facts["consecutive_ending_in_period"]) != ([old], 5):
            raise ScenarioError(f"the chain across the merger counted {facts}")
        found = await self.log.expect(nomination_id, ["awards.eligibility.evaluated.v1"])
        self._record(
            "10",
            "A chain across the merger",
            f"HCLĐ hạng Ba (tập thể) for {new}: ELIGIBLE, 5 consecutive years (4 of {old} through the merger)",
            [(nomination_id, found)],
        )


def summary(result: Result, console: Console) -> None:
    """What happened and which events were seen, as rich tables."""
    steps = Table("step", "what", "outcome", "events seen (type \\[key])", title=f"Seed letter, run {result.run_id}")
    for step in result.steps:
        steps.add_row(step.number, escape(step.title), escape(step.outcome), escape("\n".join(step.events)))
    console.print(steps)
    by_type: dict[str, int] = {}
    for event in result.log.events:
        by_type[event.type] = by_type.get(event.type, 0) + 1
    totals = Table("event type", "count", title=f"All events of this run on the bus ({len(result.log.events)})")
    for event_type, count in sorted(by_type.items()):
        totals.add_row(event_type, str(count))
    console.print(totals)
    if result.mail is not None:
        mine = [m for m in result.mail.messages if any(result.run_id in r for r in m.recipients)]
        mails = Table("to", "subject", title=f"E-mails of this run at the SMTP server on port {result.mail.port}")
        for message in mine:
            mails.add_row(escape(", ".join(message.recipients)), escape(message.subject))
        console.print(mails)


async def run_demo(endpoints: Endpoints, console: Console, smtp_port: int | None = None) -> Result:
    """Play the scenario; with `smtp_port`, serve SMTP there (notify's `SMTP_PORT`) and show what arrived."""
    with smtp_sink(smtp_port) if smtp_port else nullcontext() as mail:
        async with webhook_receiver() as webhooks:
            result = await Scenario(endpoints, webhooks, mail=mail).run()
    summary(result, console)
    return result
