"""A council session over the real Kafka and FerretDB: the council and the nominee's initiative learnt from the
registry's events, a session with
an exact 2/3 quorum, secret ballots, the close, and the session's events and the approval on the bus."""

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
from tdkt_shared.auth import Role, dev_headers
from tdkt_shared.bus.codec import encode
from tdkt_shared.contract import CloudEvent, EventData, make_event, parse_data, service_topic
from tdkt_shared.contract.awards import (
    CouncilBallotCast,
    CouncilSessionClosed,
    CouncilSessionOpened,
    NominationApproved,
)
from tdkt_shared.contract.records import InitiativeKind, InitiativeRecognized, InitiativeScope
from tdkt_shared.contract.registry import CouncilConstituted, CouncilMember, CouncilRole
from tdkt_shared.runtime import Runtime
from tests.helpers import post_draft, serve
from tests.integration.awards.dossiers import cstd_co_so_history, cstd_tinh_draft
from tests.integration.conftest import SettingsFactory
from tests.integration.kafka_tools import commit_group_at_end, eventually, wait_for_records

pytestmark = pytest.mark.usefixtures("drop_databases")
AWARDS_TOPIC = service_topic("awards")
NOI_VU = "so-noi-vu-thai-nguyen"
SPECIALIST = dev_headers(Role.TDKT_SPECIALIST, organization_id=NOI_VU, subject="chuyen-vien")
SECRETARY = dev_headers(Role.COUNCIL_SECRETARY, organization_id=NOI_VU, subject="thu-ky")


@pytest.fixture
async def awards(make_settings: SettingsFactory) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings("awards", bus_consumer="aiokafka")
    await commit_group_at_end(settings.kafka_bootstrap_servers, settings.group_id, list(TOPICS))
    async with serve(AWARDS, Runtime(AWARDS, settings)) as client:
        yield client


async def publish(bootstrap: str, data: EventData, key: str) -> None:
    record = encode(make_event(data, partitionkey=key))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def test_a_session_with_an_exact_quorum_decides_on_the_bus(
    awards: httpx.AsyncClient, make_settings: SettingsFactory, run_id: str
) -> None:
    bootstrap = make_settings("awards").kafka_bootstrap_servers
    council, person, nid, sid = f"hd-{run_id}", f"p-{run_id}", f"n-{run_id}", f"phien-{run_id}"
    people = [f"uv-{i}-{run_id}" for i in range(9)]
    await publish(
        bootstrap,
        CouncilConstituted(
            council_id=council,
            name="Hội đồng TĐKT tỉnh Thái Nguyên",
            level="PROVINCE",
            organization_id="ubnd-tinh-thai-nguyen",
            term_from=date(2025, 7, 1),
            members=[CouncilMember(person_id=p, role=CouncilRole.MEMBER, valid_from=date(2025, 7, 1)) for p in people],
        ),
        council,
    )
    # the nominee's initiative of provincial scope, recognised by the province (the record the engine reads)
    recognised = InitiativeRecognized(
        initiative_id=f"sk-{run_id}",
        kind=InitiativeKind.INITIATIVE,
        title="Số hóa hồ sơ thi đua",
        author_ids=[person],
        recognizing_organization_id="ubnd-tinh-thai-nguyen",
        scope=InitiativeScope.PROVINCE,
        recognized_on=date(2025, 4, 1),
        certificate_number=f"{run_id}/GCN",
    )
    await publish(bootstrap, recognised, person)
    lines = cstd_co_so_history(person, "Hoàng Văn Nam", "QĐ-SNV")
    r = await awards.post("/grants/imports", json={"batch_id": f"b-{run_id}", "grants": lines}, headers=SPECIALIST)
    assert r.status_code == 201, r.text
    draft = cstd_tinh_draft(nid, person, "Hoàng Văn Nam", NOI_VU, territory="thai-nguyen")
    await eventually(lambda: _initiative_known(awards, person), what="the initiative in awards' records")
    body: dict[str, Any] = (await post_draft(awards, draft, SPECIALIST)).json()
    for action in ("submit", "receive", "start-appraisal", "appraise", "to-council"):
        extra = {"council_id": council} if action == "to-council" else {}
        r = await awards.post(
            f"/nominations/{nid}/{action}", json={"version": body["version"], **extra}, headers=SPECIALIST
        )
        assert r.status_code == 200, r.text
        body = r.json()

    session = {"id": sid, "council_id": council, "held_on": "2026-01-05", "attendees": people[:6], "agenda": [nid]}

    too_few = {**session, "attendees": people[:5]}
    r = await eventually(lambda: _first_known(awards, too_few), what="the council in the read model")
    assert (r.status_code, r.json()["error"]) == (422, "no_quorum"), r.text  # 5 of 9 < 2/3
    r = await awards.post("/council-sessions", json=session, headers=SECRETARY)  # 6 of 9 = 2/3
    assert r.status_code == 201, r.text

    # 9 members seated; 6 present and 3 voting in writing; 9/10 of all members needed: 9 yes pass
    for voter in people:
        member = dev_headers(Role.COUNCIL_MEMBER, organization_id="ubnd-tinh-thai-nguyen", subject=voter)
        choice = {"nomination_id": nid, "choices": [{"nominee_id": person, "choice": "YES"}]}
        r = await awards.post(f"/council-sessions/{sid}/ballots", json=choice, headers=member)
        assert r.status_code == 201, r.text
    again = dev_headers(Role.COUNCIL_MEMBER, organization_id="ubnd-tinh-thai-nguyen", subject=people[0])
    r = await awards.post(f"/council-sessions/{sid}/ballots", json=choice, headers=again)
    assert (r.status_code, r.json()["error"]) == (409, "already_voted")
    version = (await awards.get(f"/council-sessions/{sid}", headers=SECRETARY)).json()["version"]
    r = await awards.post(f"/council-sessions/{sid}/close", json={"version": version}, headers=SECRETARY)
    assert r.status_code == 200, r.text
    assert r.json()["concluded"] == [nid]
    assert (await awards.get(f"/nominations/{nid}", headers=SPECIALIST)).json()["status"] == "APPROVED"

    records = await wait_for_records(bootstrap, AWARDS_TOPIC, lambda r: r.key == sid.encode(), count=11)
    events = [CloudEvent.model_validate_json(r.value) for r in records]
    assert [e.type for e in events] == [
        CouncilSessionOpened.event_type,
        *[CouncilBallotCast.event_type] * 9,
        CouncilSessionClosed.event_type,
    ]
    cast = [parse_data(e) for e in events[1:-1]]
    assert sorted((c.voter_id, c.written) for c in cast if isinstance(c, CouncilBallotCast)) == sorted(
        (p, i >= 6) for i, p in enumerate(people)
    )
    assert all("choice" not in json.dumps(e.data) for e in events)
    closed = parse_data(events[-1])
    assert isinstance(closed, CouncilSessionClosed)
    assert [(x.nominee_id, x.votes_yes, x.members_total, x.passed) for x in closed.results] == [(person, 9, 9, True)]
    [approval] = await wait_for_records(
        bootstrap,
        AWARDS_TOPIC,
        lambda r: r.key == nid.encode() and json.loads(r.value)["type"] == NominationApproved.event_type,
    )
    approved = parse_data(CloudEvent.model_validate_json(approval.value))
    assert isinstance(approved, NominationApproved)
    assert approved.council_session_id == sid


async def _first_known(awards: httpx.AsyncClient, session: dict[str, Any]) -> httpx.Response | None:
    """The answer to opening `session` once awards knows its council (not a 422 on `council_id`)."""
    r = await awards.post("/council-sessions", json=session, headers=SECRETARY)
    return r if r.status_code != 422 or r.json()["field"] != "council_id" else None


async def _initiative_known(awards: httpx.AsyncClient, person: str) -> bool:
    r = await awards.get(f"/records/{person}", headers=SPECIALIST)
    return r.status_code == 200 and bool(r.json()["initiatives"])
