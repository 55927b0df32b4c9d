"""The system, with the four real service processes on the local stack:

report opened and submitted on reporting's API -> its store + embedded outbox -> relay -> Kafka
`tdkt.reporting.events` -> an external subscriber, awards' consumer (it skips report events: its effect is its
committed offset) and notify's consumer -> its delivery records (the inbox notice to the reporting organisation).

Organisations are first registered on registry's API and reach reporting and notify through the bus. Each run uses
fresh databases (`bench_<service>_<run>`) and fresh consumer groups whose offsets are committed at the topics' ends
first, so the services never chew through the shared stack's history.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from httpx_aiohttp import AiohttpTransport

from bench.cpu import CpuMeter
from bench.progress import phase
from bench.raw import free_port
from bench.stats import Result
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.bus.kafka import ensure_topics, topic_partitions
from tdkt_shared.contract import ALL_DLQ_TOPICS, ALL_TOPICS, service_topic
from tdkt_shared.settings import load_settings
from tdkt_shared.store import connect

BIN = Path(sys.executable).parent
SERVICES = ("registry", "reporting", "awards", "notify")
SUBMITTED = "tdkt.reporting.report.submitted.v1"
REPORTING_TOPIC = service_topic("reporting")
NOTIFY_TOPIC = service_topic("notify")
DELIVERED = "tdkt.notify.notification.delivered.v1"


@dataclass
class Service:
    name: str
    port: int
    group: str
    process: subprocess.Popen[bytes]

    def peak_rss_mb(self) -> float:
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return float("nan")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start(name: str, run: str, bus: str, extra_env: dict[str, str]) -> Service:
    port = free_port()
    group = f"bench-{name}-{run}"
    env = {
        **os.environ,
        "HTTP_PORT": str(port),
        "MONGODB_DATABASE": f"bench_{name}_{run}",
        "CONSUMER_GROUP": group,
        "BUS_CONSUMER": bus,
        "LOG_LEVEL": "WARNING",
        **extra_env,
    }
    process = subprocess.Popen([str(BIN / f"tdkt-{name}")], env=env, stdout=subprocess.DEVNULL)
    return Service(name, port, group, process)


def pooled(url: str, connections: int) -> httpx.AsyncClient:
    """httpx over aiohttp's pool, as the portal calls the services: httpcore's pool checks every idle connection's
    socket on each request, CPU the load generator takes from the same two cores as the platform."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=url, timeout=30, transport=AiohttpTransport(limits=limits))


async def wait_ready(service: Service, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited with {service.process.returncode}")
            try:
                if (await client.get(f"{service.url}/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{service.name} not ready within {within_s:.0f} s")


async def commit_at_end(bootstrap: str, groups: Iterable[str]) -> None:
    """Start the bench consumer groups at the topics' current ends."""
    for group in groups:
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = await topic_partitions(
                consumer, [service_topic(s) for s in ("registry", "reporting", "awards")]
            )
            consumer.assign(partitions)
            ends = await consumer.end_offsets(partitions)
            await consumer.commit(dict(ends.items()))
        finally:
            await consumer.stop()


async def group_lag(bootstrap: str, group: str, partitions: list[TopicPartition]) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for tp in partitions:
            committed = await consumer.committed(tp)
            lag += ends[tp] - (committed or 0)
        return lag
    finally:
        await consumer.stop()


@dataclass
class Subscriber:
    """An external subscriber of `tdkt.reporting.events` (when did each report's `submitted` event arrive?) and of
    `tdkt.notify.events` (when did notify write its first delivery of that event? An inbox delivery is written
    with its `notification.delivered` event in one insert, and the event's `time` is that write's clock)."""

    bootstrap: str
    prefix: str
    arrivals: dict[str, float] = field(default_factory=dict)
    accepted_at: dict[str, float] = field(default_factory=dict)
    """report id -> wall-clock time reporting accepted the submission (its event's `time`)"""
    arrived_at: dict[str, float] = field(default_factory=dict)
    """report id -> wall-clock time the event reached this subscriber"""
    event_ids: dict[str, str] = field(default_factory=dict)
    """event id -> report id"""
    delivered: dict[str, float] = field(default_factory=dict)
    """source event id -> wall-clock time of notify's first delivery record"""

    def _seen(self, record: ConsumerRecord[bytes, bytes], now: float, wall: float) -> None:
        value = record.value or b""
        if record.topic == NOTIFY_TOPIC:
            if b'"' + SUBMITTED.encode() + b'"' in value and b'"' + DELIVERED.encode() + b'"' in value:
                event = json.loads(value)
                at = datetime.fromisoformat(event["time"]).timestamp()
                source = event["data"]["source_event_id"]
                self.delivered[source] = min(self.delivered.get(source, at), at)
            return
        key = (record.key or b"").decode()
        if key.startswith(self.prefix) and b'"' + SUBMITTED.encode() + b'"' in value:
            event = json.loads(value)
            self.arrivals.setdefault(key, now)
            self.accepted_at.setdefault(key, datetime.fromisoformat(event["time"]).timestamp())
            self.arrived_at.setdefault(key, wall)
            self.event_ids[event["id"]] = key

    async def run(self, ready: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = await topic_partitions(consumer, [REPORTING_TOPIC, NOTIFY_TOPIC])
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            for tp in partitions:
                await consumer.position(tp)
            ready.set()
            while True:
                batches = await consumer.getmany(timeout_ms=200)
                now, wall = time.perf_counter(), time.time()
                for records in batches.values():
                    for record in records:
                        self._seen(record, now, wall)
        finally:
            await consumer.stop()


def wall_to_perf(ts: float) -> float:
    return ts - (time.time() - time.perf_counter())


@dataclass
class RunResult:
    api: Result
    to_subscriber: Result
    to_notify: Result
    to_awards: Result
    drain_s: float
    cpu: str = ""
    """Platform CPU per report over the submissions and the drain: services, Kafka, FerretDB, PostgreSQL."""


class Pipeline:
    def __init__(self, bootstrap: str, mongo_url: str, *, bus: str, timeout_s: float, organizations: int) -> None:
        self.bootstrap = bootstrap
        self.mongo_url = mongo_url
        self.bus = bus
        self.timeout_s = timeout_s
        self.organizations = organizations
        self.run = uuid.uuid4().hex[:6]
        self.prefix = f"b{self.run}-"
        self.services: dict[str, Service] = {}
        self.subscriber = Subscriber(bootstrap, self.prefix)
        self._sub_task: asyncio.Task[None] | None = None
        self.mongo = connect(mongo_url)
        self.opened: list[tuple[str, str]] = []
        self.rss: dict[str, float] = {}
        self._headers: dict[str, dict[str, str]] = {}

    def org(self, i: int) -> str:
        return f"{self.prefix}org-{i % self.organizations}"

    async def __aenter__(self) -> Pipeline:
        # a new broker has no topics until a service starts, and the groups must start at their ends first
        await ensure_topics(
            load_settings("registry", kafka_bootstrap_servers=self.bootstrap), [*ALL_TOPICS, *ALL_DLQ_TOPICS]
        )
        await commit_at_end(self.bootstrap, [f"bench-{s}-{self.run}" for s in SERVICES])
        self.services = {s: start(s, self.run, self.bus, {}) for s in SERVICES}
        try:
            within = max(120.0, self.timeout_s)  # four interpreters importing at once on a loaded machine
            async with phase("pipeline start services", len(SERVICES), within) as p:
                for service in self.services.values():
                    await wait_ready(service, within)
                    p.tick()
            if p.partial:
                raise RuntimeError(f"the services did not start within {p.timeout_s:.0f} s")
            ready = asyncio.Event()
            self._sub_task = asyncio.create_task(self.subscriber.run(ready))
            await asyncio.wait_for(ready.wait(), 30)
            await self._register_organizations()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    def peak_rss(self) -> dict[str, float]:
        """Each service's peak RSS so far (`VmHWM`), in MB."""
        return {name: s.peak_rss_mb() for name, s in self.services.items()}

    async def __aexit__(self, *exc: object) -> None:
        self.rss = self.peak_rss()
        if self._sub_task is not None:
            self._sub_task.cancel()
        for service in self.services.values():
            service.process.terminate()
        for service in self.services.values():
            try:
                service.process.wait(30)
            except subprocess.TimeoutExpired:
                service.process.kill()
        for name in SERVICES:
            await self.mongo.drop_database(f"bench_{name}_{self.run}")
        await self.mongo.close()

    async def _register_organizations(self) -> None:
        registry = self.services["registry"]
        async with (
            httpx.AsyncClient(base_url=registry.url, timeout=30, headers=dev_headers(Role.ADMIN)) as client,
            phase("pipeline register organisations", self.organizations, self.timeout_s) as p,
        ):
            for i in range(self.organizations):
                body = {
                    "id": self.org(i),
                    "name": f"UBND xã {i}",
                    "kind": "PEOPLES_COMMITTEE",
                    "valid_from": "2025-07-01",
                }
                (await client.post("/organizations", json=body)).raise_for_status()
                p.tick()
        async with phase(
            "pipeline organisations reach reporting and notify", 2 * self.organizations, self.timeout_s
        ) as p:
            while True:
                known = 0
                for svc, coll in (("reporting", "organizations"), ("notify", "recipients")):
                    known += await self.mongo[f"bench_{svc}_{self.run}"][coll].count_documents({})
                p.done = known
                if known >= 2 * self.organizations:
                    break
                await asyncio.sleep(0.5)

    def headers(self, org: str) -> dict[str, str]:
        """One token per organisation for the run, as a client keeps its token until it expires (signing one for
        each request cost this process about 0.46 ms)."""
        if org not in self._headers:
            self._headers[org] = {**dev_headers(Role.ADMIN, organization_id=org), "X-Organization-Id": org}
        return self._headers[org]

    async def open_reports(self, start: int, count: int, concurrency: int) -> Result:
        """Drafts the reports a run submits (not part of the measured submissions)."""
        reporting = self.services["reporting"]
        ids = iter(range(start, start + count))
        async with (
            pooled(reporting.url, concurrency) as client,
            phase("pipeline open reports", count, self.timeout_s) as p,
        ):

            async def worker() -> None:
                for i in ids:
                    report, org = f"{self.prefix}r-{i}", self.org(i)
                    body = {
                        "id": report,
                        "organization_id": org,
                        "kind": "FINAL_REVIEW",
                        "period": "2025",
                        "due_date": "2025-11-30",
                    }
                    (await client.post("/reports", json=body, headers=self.headers(org))).raise_for_status()
                    self.opened.append((report, org))
                    p.tick()

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        return Result("open report (setup)", p.done, p.elapsed, note=p.note)

    async def submit(self, reports: list[tuple[str, str]], rate: float | None, concurrency: int) -> RunResult:
        """Submit `reports` (open loop at `rate` submissions/s, or as fast as `concurrency` allows), then wait for
        the subscriber, notify's deliveries and awards' offsets."""
        reporting = self.services["reporting"]
        accepted: dict[str, float] = {}
        latencies: list[float] = []
        mode = "as fast as possible" if rate is None else f"{rate:.0f}/s offered"
        pending = iter(enumerate(reports))
        meter = CpuMeter(
            {name: service.process.pid for name, service in self.services.items()},
            beside={"load generator": os.getpid()},
        )
        meter.start()
        async with (
            pooled(reporting.url, concurrency) as client,
            phase(f"pipeline submit ({mode})", len(reports), self.timeout_s) as api,
        ):
            begin = time.perf_counter()

            async def worker() -> None:
                for n, (report, org) in pending:
                    if rate is not None:  # open loop: request n is due at begin + n/rate
                        await asyncio.sleep(max(0.0, begin + n / rate - time.perf_counter()))
                    tick = time.perf_counter()
                    response = await client.post(
                        f"/reports/{report}/submit", json={"version": 1}, headers=self.headers(org)
                    )
                    response.raise_for_status()
                    accepted[report] = time.perf_counter()
                    latencies.append((accepted[report] - tick) * 1000)
                    api.tick()

            await asyncio.gather(*(worker() for _ in range(concurrency)))
        api_done = time.perf_counter()

        async with phase("pipeline -> external subscriber", len(accepted), self.timeout_s) as sub:
            while (n := sum(1 for r in accepted if r in self.subscriber.arrivals)) < len(accepted):
                sub.done = n
                await asyncio.sleep(0.2)
            sub.done = len(accepted)
        # latencies from the accept as the server clocked it (the event's `time`, stamped in the request that
        # accepted it), not from when this client read the response
        seen = self.subscriber
        to_sub = [(seen.arrived_at[r] - seen.accepted_at[r]) * 1000 for r in accepted if r in seen.arrived_at]

        first_delivery: dict[str, float] = {}
        delivered_at: dict[str, float] = {}
        async with phase("pipeline -> notify deliveries", len(accepted), self.timeout_s) as eff:
            while len(first_delivery) < len(accepted):
                for event_id, report in self.subscriber.event_ids.items():
                    at = self.subscriber.delivered.get(event_id)
                    if report in accepted and at is not None:
                        first_delivery[report] = wall_to_perf(at)
                        delivered_at[report] = at
                eff.done = len(first_delivery)
                if len(first_delivery) < len(accepted):
                    await asyncio.sleep(0.5)
        notify_done = max(first_delivery.values(), default=api_done)
        to_notify = [(at - seen.accepted_at[r]) * 1000 for r, at in delivered_at.items()]

        awards = self.services["awards"]
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await consumer.start()
        partitions = await topic_partitions(consumer, [REPORTING_TOPIC])
        await consumer.stop()
        async with phase("pipeline -> awards offsets", 1, self.timeout_s) as aw:
            while await group_lag(self.bootstrap, awards.group, partitions) > 0:  # noqa: ASYNC110 - another process
                await asyncio.sleep(0.5)
            aw.done = 1
        awards_done = time.perf_counter()
        meter.stop()
        started = api.started
        last = max(notify_done, awards_done)
        return RunResult(
            api=Result(
                f"submit API ({mode})",
                api.done,
                api.elapsed,
                tuple(latencies),
                f"concurrency {concurrency}; {api.note}".strip("; "),
            ),
            to_subscriber=Result(
                "accept -> external subscriber",
                sub.done,
                max(sub.ended or 0, api_done) - started,
                tuple(to_sub),
                sub.note,
            ),
            to_notify=Result(
                "accept -> notify delivery written", eff.done, notify_done - started, tuple(to_notify), eff.note
            ),
            to_awards=Result(
                "awards consumer caught up", api.done if not aw.partial else 0, awards_done - started, (), aw.note
            ),
            drain_s=last - api_done,
            cpu=meter.per_unit_ms(api.done),
        )
