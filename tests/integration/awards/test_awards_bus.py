"""Award processing over the real Kafka and FerretDB: approval on the bus, lineage from registry events.

Each step is taken with the token of the role the policy names; bodies name nobody, so the audit and the events on
the bus record the token's `sub` and `org`."""

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
from tdkt_awards.store import RECORDS
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent, EventData, make_event, parse_data, service_topic
from tdkt_shared.contract.awards import AwardGranted, NominationApproved, NominationStatusChanged
from tdkt_shared.contract.records import InitiativeKind, InitiativeRecognized, InitiativeScope
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.runtime import Runtime
from tests.helpers import post_draft, serve
from tests.integration.awards.dossiers import cstd_co_so_history, cstd_tinh_draft
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
AWARDS_TOPIC = service_topic("awards")
NOI_VU = "so-noi-vu-thai-nguyen"
OFFICER = dev_headers(Role.UNIT_OFFICER, organization_id=NOI_VU, subject="van-thu")
SPECIALIST = dev_headers(Role.TDKT_SPECIALIST, organization_id=NOI_VU, subject="chuyen-vien")
MEMBER = dev_headers(Role.COUNCIL_MEMBER, organization_id="ubnd-tinh-thai-nguyen", subject="uv-hoa")


@pytest.fixture
async def awards_runtime(make_settings: SettingsFactory) -> Runtime:
    settings = make_settings("awards", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(TOPICS))
    return Runtime(AWARDS, settings)


@pytest.fixture
async def awards(awards_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(AWARDS, awards_runtime) as client:
        yield client


async def publish(bootstrap: str, *datas: EventData, key: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for data in datas:
            record = encode(make_event(data, partitionkey=key))
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def initiative_on_record(runtime: Runtime, person: str) -> None:
    """The registry recognises the person's initiative; awards judges from its read model once the event is in."""
    data = InitiativeRecognized(
        initiative_id=f"sk-{person}",
        kind=InitiativeKind.INITIATIVE,
        title="Sáng kiến",
        author_ids=[person],
        recognizing_organization_id="ubnd-tinh-thai-nguyen",
        scope=InitiativeScope.PROVINCE,
        recognized_on=date(2025, 4, 1),
        certificate_number=f"{person}/GCN",
    )
    await publish(runtime.settings.kafka_bootstrap_servers, data, key=person)

    async def arrived() -> bool:
        return await runtime.store(RECORDS).get(person) is not None

    await eventually(arrived, what="the initiative in awards' read model")


async def advance(
    client: httpx.AsyncClient, nid: str, *actions: str, by: dict[str, str] = SPECIALIST, **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/nominations/{nid}")).json()
    for action in actions:
        r = await client.post(f"/nominations/{nid}/{action}", json={"version": body["version"], **extra}, headers=by)
        assert r.status_code == 200, r.text
        body = r.json()
    return body


async def test_council_approval_reaches_the_bus(
    awards: httpx.AsyncClient, awards_runtime: Runtime, make_settings: SettingsFactory, run_id: str
) -> None:
    person, nid = f"p-{run_id}", f"n-{run_id}"
    await initiative_on_record(awards_runtime, person)
    lines = cstd_co_so_history(person, "Hoàng Văn Nam", "QĐ-SNV")
    assert (await awards.post("/grants/imports", json={"batch_id": f"b-{run_id}", "grants": lines})).status_code == 201
    initiatives = [{"initiative_id": "sk", "scope": 2, "recognized_on": "2025-04-01"}]
    draft = cstd_tinh_draft(nid, person, "Hoàng Văn Nam", NOI_VU, territory="thai-nguyen", initiatives=initiatives)
    assert (await post_draft(awards, json=draft, headers=OFFICER)).status_code == 201
    submitted = await advance(awards, nid, "submit", by=OFFICER)
    # the specialist cannot record the step under the officer's name: 403, nothing written
    r = await awards.post(
        f"/nominations/{nid}/receive", json={"version": submitted["version"], "actor": "van-thu"}, headers=SPECIALIST
    )
    assert (r.status_code, r.json()["field"]) == (403, "actor")
    assert (await awards.get(f"/nominations/{nid}/audit")).json() == submitted["audit"]
    body = await advance(awards, nid, "receive", "start-appraisal", "appraise", "to-council")
    assert body["status"] == "COUNCIL_REVIEW"
    vote = {
        "session_id": f"s-{run_id}",
        "held_on": "2025-12-18",
        "members_total": 11,
        "attendees": 10,
        "ballots": [{"nominee_id": person, "yes_present": 9, "no_present": 1, "yes_written": 1}],
    }
    approved = await advance(awards, nid, "council-votes", by=MEMBER, vote=vote)
    assert approved["status"] == "APPROVED"

    bootstrap = make_settings("awards").kafka_bootstrap_servers
    changes = await wait_for_records(
        bootstrap,
        AWARDS_TOPIC,
        lambda r: r.key == nid.encode() and json.loads(r.value)["type"] == NominationStatusChanged.event_type,
        count=7,
    )
    steps = [parse_data(CloudEvent.model_validate_json(r.value)) for r in changes]
    assert [(s.to_status, s.actor, s.organization_id) for s in steps if isinstance(s, NominationStatusChanged)] == [
        ("DRAFT", "van-thu", NOI_VU),
        ("SUBMITTED", "van-thu", NOI_VU),
        *((status, "chuyen-vien", NOI_VU) for status in ("RECEIVED", "UNDER_APPRAISAL", "ELIGIBLE", "COUNCIL_REVIEW")),
        ("APPROVED", "uv-hoa", "ubnd-tinh-thai-nguyen"),
    ]
    [record] = await wait_for_records(
        bootstrap,
        AWARDS_TOPIC,
        lambda r: r.key == nid.encode() and json.loads(r.value)["type"] == NominationApproved.event_type,
    )
    data = parse_data(CloudEvent.model_validate_json(record.value))
    assert isinstance(data, NominationApproved)
    assert (data.award_code, data.rule_set_id, [n.nominee_id for n in data.nominees]) == (
        "CSTD_TINH",
        "VN-2025-D152+THAI-NGUYEN-2025",
        [person],
    )
    assert [(c.votes_yes, c.votes_cast, c.passed) for c in data.council_results] == [(10, 11, True)]
    granted = await wait_for_records(
        bootstrap,
        AWARDS_TOPIC,
        lambda r: r.key == person.encode() and json.loads(r.value)["type"] == AwardGranted.event_type,
        count=3,
    )
    assert len(granted) == 3

    # the leader signs the decision: the stored decision names them, the bus carries them as the actor
    leader = dev_headers(Role.LEADER, organization_id="ubnd-tinh-thai-nguyen", subject="chu-tich")
    decision = {
        "decision_id": f"qd-{run_id}",
        "number": "7/QĐ-UBND",
        "date": "2025-12-20",
        "signer_role": "PROVINCE_CHAIRMAN",
    }
    r = await awards.post(
        f"/nominations/{nid}/decision", json={**decision, "version": approved["version"]}, headers=leader
    )
    assert r.status_code == 201, r.text
    stored = (await awards.get(f"/decisions/qd-{run_id}")).json()
    assert (stored["signed_by"], stored["nomination_id"]) == ("chu-tich", nid)

    def decided(r: Any) -> bool:
        event: dict[str, Any] = json.loads(r.value)
        return bool(
            r.key == nid.encode()
            and event["type"] == NominationStatusChanged.event_type
            and event["data"]["to_status"] == "DECIDED"
        )

    [record] = await wait_for_records(bootstrap, AWARDS_TOPIC, decided)
    step = parse_data(CloudEvent.model_validate_json(record.value))
    assert isinstance(step, NominationStatusChanged)
    assert (step.actor, step.organization_id) == ("chu-tich", "ubnd-tinh-thai-nguyen")


async def test_merger_lineage_from_the_registry_carries_a_collective_chain(
    awards: httpx.AsyncClient, make_settings: SettingsFactory, run_id: str
) -> None:
    old, new = f"sb-{run_id}", f"stn-{run_id}"
    merged = OrganizationsMerged(
        predecessor_ids=[old], successor_id=new, effective_date=date(2025, 7, 1), legal_basis="Nghị quyết 202/2025/QH15"
    )
    record = encode(make_event(merged, partitionkey=new))
    producer = AIOKafkaProducer(bootstrap_servers=make_settings("awards").kafka_bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()

    def line(who: str, year: int) -> dict[str, Any]:
        return {
            "recipient_id": who,
            "recipient_kind": "COLLECTIVE",
            "recipient_name": "Sở Nội vụ",
            "award_code": "TTLDXS",
            "year": year,
            "decision_number": f"{year}/QĐ-UBND",
            "decision_date": f"{year}-12-20",
        }

    lines = [line(old, y) for y in (2021, 2022, 2023, 2024)] + [line(new, 2025)]
    assert (await awards.post("/grants/imports", json={"batch_id": f"h-{run_id}", "grants": lines})).status_code == 201
    draft = {
        "id": f"c-{run_id}",
        "kind": "ANNUAL_MERIT",
        "award_code": "HCLD_HANG_BA_TAP_THE",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": "ubnd-thai-nguyen",
        "nominees": [{"nominee_id": new, "kind": "COLLECTIVE", "name": "Sở Nội vụ Thái Nguyên"}],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG", "KET_QUA_BO_PHIEU_KIN"],
    }
    assert (await post_draft(awards, json=draft, headers=SPECIALIST)).status_code == 201
    await advance(awards, f"c-{run_id}", "submit", "receive", "start-appraisal")

    async def lineage_known() -> bool:
        # appraising before the merger arrives would judge without lineage: wait for the read model first
        r = await awards.get(f"/organizations/{new}")
        return r.status_code == 200 and bool(r.json()["predecessors"])

    await eventually(lineage_known, what="the merger in the read model")
    body = await advance(awards, f"c-{run_id}", "appraise")
    assert body["status"] == "ELIGIBLE", body["evaluations"]
    chain = body["evaluations"][0]["results"][1]
    assert chain["facts"]["predecessors"] == [old]
    assert chain["facts"]["consecutive_ending_in_period"] == 5


async def test_revocation_judges_a_dependent_nomination_again_on_ferretdb(
    awards: httpx.AsyncClient, awards_runtime: Runtime, make_settings: SettingsFactory, run_id: str
) -> None:
    person, nid = f"r-{run_id}", f"rn-{run_id}"
    await initiative_on_record(awards_runtime, person)
    lines = cstd_co_so_history(person, "Lý Thị Mai")
    imported = (await awards.post("/grants/imports", json={"batch_id": f"rb-{run_id}", "grants": lines})).json()
    initiatives = [{"initiative_id": "sk", "scope": 2, "recognized_on": "2025-04-01"}]
    draft = cstd_tinh_draft(nid, person, "Lý Thị Mai", NOI_VU, initiatives=initiatives)
    assert (await post_draft(awards, json=draft, headers=SPECIALIST)).status_code == 201
    body = await advance(awards, nid, "submit", "receive", "start-appraisal", "appraise")
    assert body["status"] == "ELIGIBLE"
    revoker = dev_headers(Role.TDKT_SPECIALIST, organization_id=NOI_VU, subject="thanh-tra-vien")
    r = await awards.post(
        f"/grants/rb-{run_id}.3/revocation",
        json={
            "reason": "LATER_FINDING",
            "decision_number": "9/QĐ",
            "revoked_on": "2026-02-02",
            "version": imported["version"],
        },
        headers=revoker,
    )
    assert r.status_code == 200, r.text
    assert (r.json()["reopened_nominations"], r.json()["flagged_grants"]) == ([nid], [])
    judged = (await awards.get(f"/nominations/{nid}")).json()
    assert judged["status"] == "INELIGIBLE"  # judged again at once: the chain broke
    assert [(a["actor"], a["organization_id"], a["reason"]) for a in judged["audit"][-1:]] == [
        ("thanh-tra-vien", NOI_VU, f"grant rb-{run_id}.3 revoked")
    ]
    grants = (await awards.get("/grants", params={"recipient_id": person})).json()
    assert [g["status"] for g in grants["items"]] == ["ACTIVE", "ACTIVE", "REVOKED"]
    [revoked] = await wait_for_records(
        make_settings("awards").kafka_bootstrap_servers,
        AWARDS_TOPIC,
        lambda r: r.key == person.encode() and json.loads(r.value)["type"] == "tdkt.awards.award.revoked.v1",
    )
    assert json.loads(revoked.value)["data"]["reason"] == "LATER_FINDING"
