"""The full revocation cascade on FerretDB and Kafka: more than 500 open dossiers relying on the revoked grant are
all judged again (read in batches, no cap), and the grant decided on its strength is flagged for review on the bus."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tdkt_awards.consumers import TOPICS
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_awards.store import NOMINATIONS, RECORDS
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import make_event, service_topic
from tdkt_shared.contract.awards import GrantReviewRequested
from tdkt_shared.contract.records import InitiativeKind, InitiativeRecognized, InitiativeScope
from tdkt_shared.runtime import Runtime
from tests.helpers import post_draft, serve
from tests.integration.awards.dossiers import cstd_co_so_history, cstd_tinh_draft
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
DEPENDENTS = 510
SPECIALIST = dev_headers(Role.TDKT_SPECIALIST, organization_id="so-noi-vu", subject="chuyen-vien")
MEMBER = dev_headers(Role.COUNCIL_MEMBER, organization_id="ubnd-tinh", subject="uv-hoa")


@pytest.fixture
async def awards(make_settings: SettingsFactory) -> AsyncIterator[tuple[httpx.AsyncClient, Runtime]]:
    settings = make_settings("awards", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(TOPICS))
    runtime = Runtime(AWARDS, settings)
    async with serve(AWARDS, runtime) as client:
        yield client, runtime


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


async def walk(
    client: httpx.AsyncClient, nid: str, *actions: str, by: dict[str, str] = SPECIALIST, **extra: Any
) -> dict[str, Any]:
    body = await ok(await client.get(f"/nominations/{nid}", headers=SPECIALIST))
    for action in actions:
        status = 201 if action == "decision" else 200
        reply = await ok(
            await client.post(f"/nominations/{nid}/{action}", json={"version": body["version"], **extra}, headers=by),
            status,
        )
        body = reply.get("nomination", reply)
    return body


@pytest.mark.timeout(600)
async def test_more_than_500_dependents_are_judged_again_and_the_decided_grant_is_flagged(
    awards: tuple[httpx.AsyncClient, Runtime], run_id: str
) -> None:
    client, runtime = awards
    bootstrap = runtime.settings.kafka_bootstrap_servers
    person = f"p-{run_id}"
    initiative = InitiativeRecognized(
        initiative_id=f"sk-{run_id}",
        kind=InitiativeKind.INITIATIVE,
        title="Sáng kiến",
        author_ids=[person],
        recognizing_organization_id="ubnd-tinh",
        scope=InitiativeScope.PROVINCE,
        recognized_on=date(2025, 4, 1),
        certificate_number=f"{run_id}/GCN",
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        record = encode(make_event(initiative, partitionkey=person))
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()

    async def on_record() -> bool:
        return await runtime.store(RECORDS).get(person) is not None

    await eventually(on_record, what="the initiative in awards")
    lines = cstd_co_so_history(person, "Lý Thị Mai")
    batch = f"h-{run_id}"
    imported = await ok(
        await client.post("/grants/imports", json={"batch_id": batch, "grants": lines}, headers=SPECIALIST), 201
    )

    def draft(nid: str) -> dict[str, Any]:
        return cstd_tinh_draft(nid, person, "Lý Thị Mai", "so-noi-vu")

    decided_id, template_id = f"d-{run_id}", f"n-{run_id}-0"
    for nid in (decided_id, template_id):
        await ok(await post_draft(client, draft(nid), SPECIALIST), 201)
        appraised = await walk(client, nid, "submit", "receive", "start-appraisal", "appraise")
        assert appraised["status"] == "ELIGIBLE", appraised["evaluations"]
    await walk(client, decided_id, "to-council")
    vote = {
        "session_id": f"s-{run_id}",
        "held_on": "2025-12-18",
        "members_total": 10,
        "attendees": 10,
        "ballots": [{"nominee_id": person, "yes_present": 10, "no_present": 0}],
    }
    await walk(client, decided_id, "council-votes", by=MEMBER, vote=vote)
    decision: dict[str, Any] = {
        "decision_id": f"qd-{run_id}",
        "number": "1/QĐ-UBND",
        "date": "2025-12-20",
        "signer_role": "PROVINCE_CHAIRMAN",
    }
    assert (await walk(client, decided_id, "decision", **decision))["status"] == "DECIDED"

    store = runtime.store(NOMINATIONS)
    template = await store.get(template_id)
    assert template is not None
    for i in range(1, DEPENDENTS):
        await store.create(f"n-{run_id}-{i}", {**template.state, "id": f"n-{run_id}-{i}"}, [])

    revocation = {
        "reason": "LATER_FINDING",
        "decision_number": "9/QĐ",
        "revoked_on": "2026-02-02",
        "version": imported["version"],
    }
    body = await ok(await client.post(f"/grants/{batch}.3/revocation", json=revocation, headers=SPECIALIST))
    assert len(body["reopened_nominations"]) == DEPENDENTS
    assert len(body["flagged_grants"]) == 1
    ineligible = await store.count({"status": "INELIGIBLE", "nominees.nominee_id": person})
    assert ineligible == DEPENDENTS
    [flagged] = await wait_for_records(
        bootstrap,
        service_topic("awards"),
        lambda r: r.key == person.encode() and json.loads(r.value)["type"] == GrantReviewRequested.event_type,
    )
    data = json.loads(flagged.value)["data"]
    assert (data["grant_id"], data["revoked_grant_id"], data["deciding_authority"]) == (
        body["flagged_grants"][0],
        f"{batch}.3",
        "PROVINCE_CHAIRMAN",
    )
