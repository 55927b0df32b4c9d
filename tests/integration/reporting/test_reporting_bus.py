"""Reporting over the real Kafka and FerretDB: registry events in, design events out, reminders across restarts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta

import httpx
import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from tdkt_reporting.scheduler import today_in_vietnam
from tdkt_reporting.service import DEFINITION as REPORTING
from tdkt_shared.auth import Role
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent, EventData, make_event, service_topic
from tdkt_shared.contract.registry import (
    ClusterChangeReason,
    ClusterFormed,
    ClusterKind,
    ClusterMember,
    ClusterMembershipChanged,
    ClusterRole,
    OrganizationKind,
    OrganizationRegistered,
    OrganizationsMerged,
)
from tdkt_shared.runtime import Runtime
from tests.authz import headers
from tests.helpers import serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, read_topic, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
REGISTRY_TOPIC = service_topic("registry")
REPORTING_TOPIC = service_topic("reporting")


@pytest.fixture
async def reporting(make_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings("reporting", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, [REGISTRY_TOPIC])
    async with serve(REPORTING, Runtime(REPORTING, settings)) as client:
        yield client


@pytest.fixture
def bootstrap(make_settings: SettingsFactory) -> str:
    return make_settings("reporting").kafka_bootstrap_servers


@pytest.fixture
async def producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    yield producer
    await producer.stop()


async def publish(producer: AIOKafkaProducer, data: EventData, key: str) -> CloudEvent:
    """Put a registry event on the real registry topic, as the registry's relay would."""
    event = make_event(data, partitionkey=key)
    record = encode(event)
    await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    return event


def of_type(key: str, event_type: str) -> Callable[[ConsumerRecord[bytes, bytes]], bool]:
    return lambda r: r.key == key.encode() and json.loads(r.value)["type"] == event_type


def registered(organization_id: str, name: str) -> OrganizationRegistered:
    return OrganizationRegistered(
        organization_id=organization_id, name=name, kind=OrganizationKind.PEOPLES_COMMITTEE, valid_from=date(2000, 1, 1)
    )


async def test_after_a_merger_on_the_bus_the_successor_owns_and_submits_the_report(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer, bootstrap: str, run_id: str
) -> None:
    old, new = f"ubnd-huyen-ba-be-{run_id}", f"ubnd-xa-cho-ra-{run_id}"
    report_id = f"r-{run_id}"
    for org_id, name in ((old, "UBND huyện Ba Bể"), (new, "UBND xã Chợ Rã")):
        await publish(producer, registered(org_id, name), org_id)

    async def known(org_id: str) -> bool:
        return (await reporting.get(f"/organizations/{org_id}")).status_code == 200

    await eventually(lambda: known(old), what="the predecessor in the directory")
    await eventually(lambda: known(new), what="the successor in the directory")
    body = {"id": report_id, "organization_id": old, "kind": "FINAL_REVIEW", "period": "2025", "due_date": "2025-11-30"}
    assert (await reporting.post("/reports", json=body)).status_code == 201

    merger = OrganizationsMerged(
        predecessor_ids=[old],
        successor_id=new,
        effective_date=date(2025, 7, 1),
        legal_basis="Nghị quyết 1683/NQ-UBTVQH15",
    )
    merged = await publish(producer, merger, new)

    async def moved() -> dict[str, object] | None:
        report = (await reporting.get(f"/reports/{report_id}")).json()
        return report if report["organization_id"] == new else None

    report = await eventually(moved, what="the report moved to the successor")
    refused = await reporting.post(
        f"/reports/{report_id}/submit",
        json={"version": report["version"]},
        headers=headers(Role.UNIT_OFFICER, f"{new}-unrelated"),
    )
    assert refused.status_code == 403
    submitted = await reporting.post(
        f"/reports/{report_id}/submit", json={"version": report["version"]}, headers=headers(Role.UNIT_OFFICER, new)
    )
    assert submitted.status_code == 200, submitted.text

    [record] = await wait_for_records(
        bootstrap, REPORTING_TOPIC, of_type(report_id, "tdkt.reporting.report.submitted.v1")
    )
    event = CloudEvent.model_validate_json(record.value)
    assert (event.data["organization_id"], event.data["submitted_by"], event.data["revision"]) == (new, new, 1)
    [reassigned] = await wait_for_records(
        bootstrap, REPORTING_TOPIC, of_type(report_id, "tdkt.reporting.report.reassigned.v1")
    )
    moved_event = CloudEvent.model_validate_json(reassigned.value)
    assert moved_event.causationid == merged.id
    assert (moved_event.data["from_organization_id"], moved_event.data["to_organization_id"]) == (old, new)


async def test_congress_scheduled_is_on_the_bus_with_its_fields(
    reporting: httpx.AsyncClient, bootstrap: str, run_id: str
) -> None:
    congress_id = f"dai-hoi-vi-{run_id}"
    body = {
        "id": congress_id,
        "kind": "PATRIOTIC_EMULATION_CONGRESS",
        "title": "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI",
        "level": "province",
        "organizer_id": "ubnd-tinh-bac-kan",
        "held_on": "2025-06-20",
        "invited_organization_ids": ["so-noi-vu"],
        "honouree_quota": 120,
    }
    response = await reporting.post("/congresses", json=body, headers={"X-Correlation-Id": run_id})
    assert response.status_code == 201, response.text
    [record] = await wait_for_records(
        bootstrap, REPORTING_TOPIC, of_type(congress_id, "tdkt.reporting.congress.scheduled.v1")
    )
    event = CloudEvent.model_validate_json(record.value)
    assert (event.partitionkey, event.correlationid, event.source) == (congress_id, run_id, "/tdkt/reporting")
    assert event.data["title"] == "Đại hội Thi đua yêu nước tỉnh Bắc Kạn lần thứ VI"
    assert (event.data["held_on"], event.data["honouree_quota"]) == ("2025-06-20", 120)


async def test_a_reminder_goes_out_once_across_a_restart(
    make_settings: SettingsFactory, bootstrap: str, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORT_REMINDER_ENABLED", "false")  # sweeps only on request, with the dates given here
    settings = make_settings("reporting")
    org_id, report_id = f"ubnd-na-ri-{run_id}", f"r-due-{run_id}"
    sweep = {"today": "2025-06-10", "days_before": 7}
    first_runtime = Runtime(REPORTING, settings)
    async with serve(REPORTING, first_runtime) as client:
        data = registered(org_id, "UBND huyện Na Rì")
        await REPORTING.handlers(first_runtime)[OrganizationRegistered.event_type](
            make_event(data, partitionkey=org_id), data
        )
        body = {
            "id": report_id,
            "organization_id": org_id,
            "kind": "PERIODIC",
            "period": "2025-H1",
            "due_date": "2025-06-15",
        }
        assert (await client.post("/reports", json=body)).status_code == 201
        assert (await client.post("/reminders/sweep", json=sweep)).json() == {"sent": 1}
    due_soon = of_type(report_id, "tdkt.reporting.report.due_soon.v1")
    assert len(await wait_for_records(bootstrap, REPORTING_TOPIC, due_soon)) == 1

    async with serve(REPORTING, Runtime(REPORTING, settings)) as client:
        assert (await client.post("/reminders/sweep", json=sweep)).json() == {"sent": 0}
        overdue = await client.post("/reminders/sweep", json={"today": "2025-06-16"})
        assert overdue.json() == {"sent": 1}
        await wait_for_records(bootstrap, REPORTING_TOPIC, of_type(report_id, "tdkt.reporting.report.overdue.v1"))
    assert len(await read_topic(bootstrap, REPORTING_TOPIC, due_soon)) == 1


async def test_the_scheduler_sends_each_reminder_once_across_a_restart(
    make_settings: SettingsFactory, bootstrap: str, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORT_REMINDER_INTERVAL_S", "0.2")
    monkeypatch.setenv("REPORT_REMINDER_DAYS_BEFORE", "7")
    settings = make_settings("reporting")
    org_id = f"ubnd-pac-nam-{run_id}"
    due = (today_in_vietnam() + timedelta(days=3)).isoformat()

    async def open_report(client: httpx.AsyncClient, runtime: Runtime, report_id: str) -> None:
        data = registered(org_id, "UBND huyện Pác Nặm")
        await REPORTING.handlers(runtime)[OrganizationRegistered.event_type](
            make_event(data, partitionkey=org_id), data
        )
        body = {"id": report_id, "organization_id": org_id, "kind": "PERIODIC", "period": "2025", "due_date": due}
        assert (await client.post("/reports", json=body)).status_code == 201

    first, second = f"r-first-{run_id}", f"r-second-{run_id}"
    runtime = Runtime(REPORTING, settings)
    async with serve(REPORTING, runtime) as client:
        await open_report(client, runtime, first)
        await wait_for_records(bootstrap, REPORTING_TOPIC, of_type(first, "tdkt.reporting.report.due_soon.v1"))

    runtime = Runtime(REPORTING, settings)
    async with serve(REPORTING, runtime) as client:
        # a report opened after the restart gets its reminder: the restarted scheduler has swept since
        await open_report(client, runtime, second)
        await wait_for_records(bootstrap, REPORTING_TOPIC, of_type(second, "tdkt.reporting.report.due_soon.v1"))
        report = (await client.get(f"/reports/{first}")).json()
    assert report["reminders_sent"] == [f"due_soon|{due}"]
    records = await read_topic(bootstrap, REPORTING_TOPIC, of_type(first, "tdkt.reporting.report.due_soon.v1"))
    assert len(records) == 1
    assert json.loads(records[0].value)["data"]["days_left"] == 3


async def _publish_scorecard(
    client: httpx.AsyncClient, card_id: str, criteria_set_id: str, cluster_id: str, org: str, points: float
) -> None:
    body = {
        "id": card_id,
        "criteria_set_id": criteria_set_id,
        "organization_id": org,
        "cluster_id": cluster_id,
        "year": 2025,
    }
    assert (await client.post("/scorecards", json=body)).status_code == 201
    officer, specialist = headers(Role.UNIT_OFFICER, org), headers(Role.TDKT_SPECIALIST, "ban-tdkt")
    steps = [
        ("PUT", f"/scorecards/{card_id}/scores/tc-1", {"version": 1, "kind": "SELF", "value": points}, officer),
        ("POST", f"/scorecards/{card_id}/submit", {"version": 2}, officer),
        ("PUT", f"/scorecards/{card_id}/scores/tc-1", {"version": 3, "kind": "REVIEWER", "value": points}, specialist),
        ("POST", f"/scorecards/{card_id}/publish", {"version": 4}, specialist),
    ]
    for method, url, payload, sent in steps:
        response = await client.request(method, url, json=payload, headers=sent)
        assert response.is_success, response.text


async def test_registry_cluster_events_on_the_bus_feed_the_ranking(
    reporting: httpx.AsyncClient, producer: AIOKafkaProducer, bootstrap: str, run_id: str
) -> None:
    cluster_id, criteria_set_id = f"cum-{run_id}", f"tieu-chi-{run_id}"
    leader, deputy, newcomer = (f"{name}-{run_id}" for name in ("so-noi-vu", "so-tai-chinh", "so-y-te"))
    formed = ClusterFormed(
        cluster_id=cluster_id,
        name="Cụm thi đua các sở số 1",
        kind=ClusterKind.CLUSTER,
        year=2025,
        formed_on=date(2025, 1, 15),
        members=[
            ClusterMember(organization_id=leader, role=ClusterRole.LEADER),
            ClusterMember(organization_id=deputy, role=ClusterRole.DEPUTY),
        ],
    )
    added = ClusterMembershipChanged(
        cluster_id=cluster_id,
        year=2025,
        reason=ClusterChangeReason.MEMBER_ADDED,
        organization_id=newcomer,
        effective_date=date(2025, 4, 1),
        members=[*formed.members, ClusterMember(organization_id=newcomer, role=ClusterRole.MEMBER)],
    )
    await publish(producer, formed, cluster_id)
    await publish(producer, added, cluster_id)

    async def three_members() -> list[dict[str, str]] | None:
        response = await reporting.get(f"/clusters/{cluster_id}")
        if response.status_code != 200:
            return None
        members: list[dict[str, str]] = response.json()["years"][0]["members"]
        return members if len(members) == 3 else None

    members = await eventually(three_members, what="the cluster with its three members")
    assert [(m["organization_id"], m["role"]) for m in members] == [
        (leader, "LEADER"),
        (deputy, "DEPUTY"),
        (newcomer, "MEMBER"),
    ]
    criteria = {
        "id": criteria_set_id,
        "title": "Tiêu chí cụm",
        "groups": [
            {"code": "g", "name": "Nhiệm vụ", "criteria": [{"code": "tc-1", "name": "Kế hoạch", "max_points": 100}]}
        ],
    }
    assert (await reporting.post("/criteria-sets", json=criteria)).status_code == 201
    await _publish_scorecard(reporting, f"sc-1-{run_id}", criteria_set_id, cluster_id, leader, 85)
    await _publish_scorecard(reporting, f"sc-2-{run_id}", criteria_set_id, cluster_id, deputy, 92)

    response = await reporting.post(
        f"/clusters/{cluster_id}/rankings", json={"year": 2025, "criteria_set_id": criteria_set_id}
    )
    assert response.status_code == 201, response.text
    ranking_id = f"{cluster_id}.2025"
    [record] = await wait_for_records(
        bootstrap, REPORTING_TOPIC, of_type(ranking_id, "tdkt.reporting.cluster.ranking_published.v1")
    )
    data = CloudEvent.model_validate_json(record.value).data
    assert [(r["organization_id"], r["rank"]) for r in data["ranks"]] == [(deputy, 1), (leader, 2)]
    assert (data["leaders"], data["unscored_organization_ids"]) == ([deputy], [newcomer])
