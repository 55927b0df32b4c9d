"""Reporting's events on the real bus drive award processing: a published cluster ranking drafts Cờ thi đua."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tdkt_awards.consumers import TOPICS
from tdkt_awards.domain.cluster_flags import cluster_nomination_id
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent, make_event, service_topic
from tdkt_shared.contract.awards import NominationStatusChanged
from tdkt_shared.contract.reporting import ClusterRankingPublished, RankedUnit
from tdkt_shared.runtime import Runtime
from tests.helpers import serve
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")


@pytest.fixture
async def awards(make_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings("awards", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(TOPICS))
    async with serve(AWARDS, Runtime(AWARDS, settings)) as client:
        yield client


async def publish(bootstrap: str, events: list[CloudEvent]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for event in events:
            record = encode(event)
            assert record.topic == service_topic("reporting")
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def test_a_published_ranking_drafts_flag_nominations_once(
    awards: httpx.AsyncClient, make_settings: SettingsFactory, run_id: str
) -> None:
    leaders = [f"dinh-hoa-{run_id}", f"phu-luong-{run_id}"]
    ranking = ClusterRankingPublished(
        ranking_id=f"rk-{run_id}",
        cluster_id=f"cum-{run_id}",
        year=2025,
        ranks=[RankedUnit(organization_id=u, total=90.0 - i, rank=i + 1) for i, u in enumerate(leaders)],
        leaders=leaders,
    )
    event = make_event(ranking, partitionkey=ranking.ranking_id)
    bootstrap = make_settings("awards").kafka_bootstrap_servers
    await publish(bootstrap, [event, event])  # the second is a redelivery of the same event
    ids = sorted(cluster_nomination_id(ranking.ranking_id, u) for u in leaders)

    async def drafted() -> bool:
        r = await awards.get("/nominations", params={"status": "DRAFT"})
        return sorted(n["id"] for n in r.json()["items"]) == ids

    await eventually(drafted, what="the leaders' drafts")
    for leader in leaders:
        body = (await awards.get(f"/nominations/{cluster_nomination_id(ranking.ranking_id, leader)}")).json()
        assert (body["award_code"], body["kind"], body["status"], body["rule_set_id"]) == (
            "CO_THI_DUA_TINH",
            "ANNUAL_MERIT",
            "DRAFT",
            "VN-2025-D152",
        )
        assert body["submitting_organization_id"] == leader
        assert [(n["nominee_id"], n["kind"]) for n in body["nominees"]] == [(leader, "COLLECTIVE")]
        assert body["version"] == 1

    records = await wait_for_records(
        bootstrap,
        service_topic("awards"),
        lambda r: (
            r.key is not None
            and r.key.decode() in ids
            and json.loads(r.value)["type"] == NominationStatusChanged.event_type
        ),
        count=2,
    )
    assert sorted(json.loads(r.value)["data"]["to_status"] for r in records) == ["DRAFT", "DRAFT"]
    r = await awards.get("/nominations", params={"status": "DRAFT"})
    assert r.json()["total"] == 2
