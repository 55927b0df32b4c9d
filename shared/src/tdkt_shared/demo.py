"""The seed letter played end to end over the public HTTP APIs and the bus (issue 7, first slice).

Shared by `make demo` / `tdkt demo` (against `make run`'s services) and `tests/e2e` (against services started as
processes). It talks to the services over HTTP only and reads the topics with a plain aiokafka consumer; every id
carries a run id, so a run never collides with the seed or with an earlier run.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

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


class ScenarioError(AssertionError):
    """A step did not have the effect or the events it should have."""


async def eventually(check: Callable[[], Awaitable[T | None]], *, what: str, timeout_s: float = 45) -> T:
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

    async def expect(self, key: str, types: list[str], *, timeout_s: float = 45) -> list[CloudEvent]:
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


class Scenario:
    """The seed letter, step by step. Each step asserts its effects and its events per aggregate."""

    def __init__(self, endpoints: Endpoints, webhooks: WebhookReceiver, run_id: str | None = None) -> None:
        self.endpoints = endpoints
        self.webhooks = webhooks
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
            "finance": f"so-tai-chinh-{r}",
            "health": f"so-y-te-{r}",
            "cluster": f"cum-cac-so-{r}",
            "person": f"nguyen-thi-lan-{r}",
            "council": f"hd-tdkt-tinh-{r}",
            "movement": f"ke-hoach-645-{r}",
            "criteria": f"tieu-chi-cum-{r}",
            "congress": f"dai-hoi-tdyn-vi-{r}",
            "reorganization": f"sap-xep-2025-{r}",
            "eligible": f"hoang-van-nam-{r}",
            "ineligible": f"ly-thi-mai-{r}",
        }

    # --- plumbing ------------------------------------------------------------------------------------------------

    async def _call(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        body: Json | None = None,
        *,
        actor: str | None = None,
        settle: str | None = None,
    ) -> Json:
        """One API call. With `settle` (an aggregate key), wait until the change's event is on the bus before the
        next change of that aggregate, so each step of the summary shows its own events."""
        before = len([e for e in self.log.events if e.partitionkey == settle]) if settle else 0
        headers = {"X-Organization-Id": actor} if actor else {}
        response = await client.request(method, url, json=body, headers=headers)
        if not response.is_success:
            raise ScenarioError(f"{method} {client.base_url}{url}: {response.status_code} {response.text[:500]}")
        result: Json = response.json() if response.content else {}
        if settle:

            async def published() -> bool:
                return len([e for e in self.log.events if e.partitionkey == settle]) > before

            await eventually(published, what=f"the event of {method} {url} on the bus")
        return result

    def _record(self, number: str, title: str, outcome: str, events: list[tuple[str, list[CloudEvent]]]) -> None:
        seen = [f"{_short(e.type)} [{key}]" for key, found in events for e in found]
        self.steps.append(Step(number, title, outcome, seen))

    async def _found(self, client: httpx.AsyncClient, url: str, what: str) -> Json:
        async def get() -> Json | None:
            response = await client.get(url)
            return response.json() if response.status_code == 200 else None

        return await eventually(get, what=what)

    # --- the scenario --------------------------------------------------------------------------------------------

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
                await self.reports(reporting)
                await self.ranking(reporting, awards)
                await self.nominations(awards)
                await self.congress(reporting)
                await self.notifications(notify)
                await self.reorganize(registry)
                await self.chain_across_the_merger(awards)
        finally:
            await self.log.stop()
        return Result(self.run_id, self.steps, self.log, self.ids)

    async def seed_registry(
        self, registry: httpx.AsyncClient, reporting: httpx.AsyncClient, notify: httpx.AsyncClient
    ) -> None:
        i = self.ids
        orgs: list[tuple[str, str, str, str | None]] = [
            (i["province"], "UBND tỉnh Bắc Kạn", "PEOPLES_COMMITTEE", None),
            (i["thai_nguyen"], "UBND tỉnh Thái Nguyên", "PEOPLES_COMMITTEE", None),
            (i["home_affairs"], "Sở Nội vụ tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
            (i["press"], "Báo Bắc Kạn", "AGENCY", i["province"]),
            (i["finance"], "Sở Tài chính tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
            (i["health"], "Sở Y tế tỉnh Bắc Kạn", "DEPARTMENT", i["province"]),
        ]
        for org_id, name, kind, parent in orgs:
            body: Json = {"id": org_id, "name": name, "kind": kind, "valid_from": "2000-01-01"}
            await self._call(registry, "POST", "/organizations", body | ({"parent_id": parent} if parent else {}))
        assignments: dict[str, str] = {}
        for role, holder in (("TDKT_STATE_MANAGEMENT", i["home_affairs"]), ("PRESS_COMMUNICATION", i["press"])):
            assignment = {
                "role": role,
                "organization_id": holder,
                "valid_from": "2008-01-01",
                "scope_organization_id": i["province"],
            }
            created = await self._call(registry, "POST", "/role-assignments", assignment)
            assignments[holder] = str(created["id"])
        contacts = {
            i["press"]: {"email": f"toasoan@{i['press']}.example", "webhook_url": self.webhooks.url(f"/{i['press']}")},
            i["finance"]: {"email": f"vanthu@{i['finance']}.example"},
            i["health"]: {"email": f"vanthu@{i['health']}.example"},
        }
        for org_id, contact in contacts.items():
            await self._call(registry, "PUT", f"/organizations/{org_id}/contact-point", contact)
        members = [
            {"organization_id": i["finance"], "role": "LEADER"},
            {"organization_id": i["health"], "role": "MEMBER"},
        ]
        cluster = {
            "id": i["cluster"],
            "name": "Cụm thi đua các sở, ban, ngành số 1",
            "kind": "CLUSTER",
            "year": YEAR,
            "formed_on": f"{YEAR}-01-15",
            "members": members,
        }
        await self._call(registry, "POST", "/clusters", cluster)
        await self._call(registry, "POST", "/persons", {"id": i["person"], "full_name": "Nguyễn Thị Lan"})
        council = {
            "id": i["council"],
            "name": "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Kạn",
            "level": "PROVINCE",
            "organization_id": i["province"],
            "term_from": "2021-01-01",
            "members": [{"person_id": i["person"], "role": "CHAIR"}],
        }
        await self._call(registry, "POST", "/councils", council)

        events = []
        for org_id, *_ in orgs:
            events.append((org_id, await self.log.expect(org_id, ["registry.organization.registered.v1"])))
        press_role = assignments[i["press"]]  # a role assignment is its own aggregate, keyed by its id
        events.append((press_role, await self.log.expect(press_role, ["registry.role.assigned.v1"])))
        events.append((i["press"], await self.log.expect(i["press"], ["registry.contact_point.set.v1"])))
        events.append((i["cluster"], await self.log.expect(i["cluster"], ["registry.cluster.formed.v1"])))
        events.append((i["person"], await self.log.expect(i["person"], ["registry.person.registered.v1"])))
        events.append((i["council"], await self.log.expect(i["council"], ["registry.council.constituted.v1"])))

        # the other services learn it from the bus, not from calls
        for org_id in (i["province"], i["finance"], i["health"]):
            await self._found(reporting, f"/organizations/{org_id}", f"{org_id} in reporting's directory")
        await self._found(reporting, f"/clusters/{i['cluster']}", "the cluster in reporting's read model")

        async def press_reachable() -> Json | None:
            response = await notify.get(f"/recipients/{i['press']}")
            body: Json = response.json() if response.status_code == 200 else {}
            return body if body.get("webhook_url") else None

        await eventually(press_reachable, what="the press body's webhook in notify")
        # the secret is shared with the press body out of band; its receiver checks every request with it
        await self._call(notify, "PUT", f"/recipients/{i['press']}/webhook-secret", {"secret": self.webhook_secret})

        async def press_holds() -> bool:
            holders = (await notify.get("/roles/PRESS_COMMUNICATION/holders", params={"on": "2025-06-01"})).json()
            return i["press"] in json.dumps(holders)

        await eventually(press_holds, what="the press role in notify")
        self._record(
            "1",
            "Registry seeded",
            f"{len(orgs)} organisations, TĐKT body and press body, 1 cluster, 1 council; "
            "reporting and notify learned them from the bus",
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
        await self._call(reporting, "POST", "/movements", movement, settle=i["movement"])
        launched = await self._call(
            reporting,
            "POST",
            f"/movements/{i['movement']}/launch",
            {"version": 1, "decision": {"number": "645/KH-UBND", "date": "2024-09-25"}},
            actor=i["province"],
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
            await self._call(reporting, "POST", "/reports", body, settle=report_id)
        await self._call(
            reporting, "POST", f"/reports/{preliminary}/submit", {"version": 1}, actor=unit, settle=preliminary
        )
        await self._call(
            reporting,
            "POST",
            f"/reports/{preliminary}/accept",
            {"version": 2},
            actor=i["home_affairs"],
            settle=preliminary,
        )
        await self._call(reporting, "POST", f"/reports/{final}/submit", {"version": 1}, actor=unit, settle=final)
        reason = "Thiếu số liệu khen thưởng theo Kế hoạch 645"
        await self._call(
            reporting,
            "POST",
            f"/reports/{final}/return",
            {"version": 2, "reason": reason},
            actor=i["home_affairs"],
            settle=final,
        )
        await self._call(reporting, "POST", f"/reports/{final}/submit", {"version": 3}, actor=unit, settle=final)
        accepted = await self._call(
            reporting, "POST", f"/reports/{final}/accept", {"version": 4}, actor=i["home_affairs"], settle=final
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
        await self._call(reporting, "POST", "/criteria-sets", criteria)
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
            await self._call(reporting, "POST", "/scorecards", body, settle=card)
            score = {"kind": "SELF", "value": points}
            await self._call(
                reporting, "PUT", f"/scorecards/{card}/scores/tc-1", {"version": 1, **score}, actor=org_id, settle=card
            )
            await self._call(reporting, "POST", f"/scorecards/{card}/submit", {"version": 2}, actor=org_id, settle=card)
            review = {"version": 3, "kind": "REVIEWER", "value": points}
            await self._call(
                reporting, "PUT", f"/scorecards/{card}/scores/tc-1", review, actor=i["home_affairs"], settle=card
            )
            await self._call(
                reporting, "POST", f"/scorecards/{card}/publish", {"version": 4}, actor=i["home_affairs"], settle=card
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
            reporting, "POST", f"/clusters/{i['cluster']}/rankings", {"year": YEAR, "criteria_set_id": i["criteria"]}
        )
        ranking_id = f"{i['cluster']}.{YEAR}"
        [published] = await self.log.expect(ranking_id, ["reporting.cluster.ranking_published.v1"])
        events.append((ranking_id, [published]))
        if published.data["leaders"] != [i["finance"]]:
            raise ScenarioError(f"unexpected leaders {published.data['leaders']} (response {ranking})")

        async def drafted() -> Json | None:
            page = (await awards.get("/nominations", params={"status": "DRAFT", "limit": 200})).json()
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

    async def _advance(self, awards: httpx.AsyncClient, nomination_id: str, *steps: str, **extra: Any) -> Json:
        body = await self._call(awards, "GET", f"/nominations/{nomination_id}")
        who = {"actor": "chuyen-vien-tdkt", "organization_id": self.ids["home_affairs"]}
        for step in steps:
            body = await self._call(
                awards,
                "POST",
                f"/nominations/{nomination_id}/{step}",
                {"version": body["version"], **who, **extra},
                settle=nomination_id,
            )
        return body

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
        await self._call(awards, "POST", "/grants/imports", {"batch_id": f"lich-su-{r}", "grants": lines})
        verdicts: dict[str, Json] = {}
        for person, name in ((i["eligible"], "Hoàng Văn Nam"), (i["ineligible"], "Lý Thị Mai")):
            nomination_id = f"cstd-tinh-{person}"
            draft: Json = {
                "id": nomination_id,
                "kind": "ANNUAL_MERIT",
                "award_code": "CSTD_TINH",
                "year": 2025,
                "territory": "thai-nguyen",
                "submitting_organization_id": i["home_affairs"],
                "actor": "van-thu",
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
            await self._call(awards, "POST", "/nominations", draft, settle=nomination_id)
            verdicts[person] = await self._advance(
                awards, nomination_id, "submit", "receive", "start-appraisal", "appraise"
            )
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
        await self._advance(awards, nomination_id, "to-council")
        vote = {
            "session_id": f"phien-hop-{r}",
            "held_on": "2025-12-18",
            "members_total": 11,
            "attendees": 10,
            "ballots": [{"nominee_id": i["eligible"], "yes_present": 9, "no_present": 1, "yes_written": 1}],
        }
        approved = await self._advance(awards, nomination_id, "council-votes", vote=vote)
        if approved["status"] != "APPROVED":
            raise ScenarioError(f"council outcome {approved['status']}")
        decision = {
            "decision_id": f"qd-{r}",
            "number": "123/QĐ-UBND",
            "date": "2025-12-20",
            "signer_role": "PROVINCE_CHAIRMAN",
            "version": approved["version"],
            "actor": "chuyen-vien-tdkt",
            "organization_id": i["home_affairs"],
        }
        decided = await self._call(
            awards, "POST", f"/nominations/{nomination_id}/decision", decision, settle=nomination_id
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
            "6/7",
            "Council vote, decision, grant",
            f"APPROVED at {vote['session_id']}; decision {decision['number']}; grant {grant['award_code']} with a "
            f"bonus of {grant['bonus_amount']:,} đồng",
            [(nomination_id, flow[6:]), (i["eligible"], granted)],
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
        await self._call(reporting, "POST", "/congresses", body)
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
            page = (await notify.get(f"/inbox/{recipient}", params={"limit": 100})).json()
            mine = [m for m in page["items"] if congress_event.id in json.dumps(m)]
            return mine[0] if mine else None

        for unit in (i["finance"], i["health"]):
            await eventually(lambda unit=unit: in_inbox(unit), what=f"the congress in {unit}'s inbox")  # type: ignore[misc]

        async def approval_in_inbox() -> Json | None:
            page = (await notify.get(f"/inbox/{i['health']}", params={"limit": 100})).json()
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
        self._record(
            "9",
            "Notifications",
            f"congress in the inboxes of {i['finance']} and {i['health']} ({inbox['total']} messages for "
            f"{i['health']}); signed publication requests at the press webhook for "
            f"{', '.join(sorted(published_kinds))}",
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
                    for child in (i["home_affairs"], i["press"], i["finance"], i["health"])
                ),
                {"kind": "MERGE", "from_ids": [i["province"]], "to_ids": [i["thai_nguyen"]]},
            ],
        }
        applied = await self._call(registry, "POST", "/reorganizations", batch)
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
        await self._call(awards, "POST", "/grants/imports", {"batch_id": f"tap-the-{r}", "grants": lines})

        async def lineage_known() -> Json | None:
            response = await awards.get(f"/organizations/{new}")
            body: Json = response.json() if response.status_code == 200 else {}
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
            "actor": "van-thu",
            "nominees": [{"nominee_id": new, "kind": "COLLECTIVE", "name": "UBND tỉnh Thái Nguyên"}],
            "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG", "KET_QUA_BO_PHIEU_KIN"],
        }
        await self._call(awards, "POST", "/nominations", draft, settle=nomination_id)
        body = await self._advance(awards, nomination_id, "submit", "receive", "start-appraisal", "appraise")
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
    steps = Table("step", "what", "outcome", "events seen (type [key])", title=f"Seed letter, run {result.run_id}")
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


async def run_demo(endpoints: Endpoints, console: Console) -> Result:
    async with webhook_receiver() as webhooks:
        result = await Scenario(endpoints, webhooks).run()
    summary(result, console)
    return result
