"""Reporting's events drive awards: cluster leaders' Cờ thi đua drafts, congress deadlines, final reviews."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain.cluster_flags import cluster_leader_drafts, cluster_nomination_id
from tdkt_awards.service import DEFINITION
from tdkt_awards.store import CONGRESSES, MOVEMENTS, NOMINATIONS
from tdkt_shared.contract import make_event, parse_data
from tdkt_shared.contract.awards import NominationStatusChanged
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.contract.reporting import (
    ClusterRankingPublished,
    CongressCancelled,
    CongressRescheduled,
    CongressScheduled,
    HonourEventKind,
    MovementFinalReviewed,
    MovementStatus,
    ProposedTitle,
    RankedUnit,
)
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError
from tdkt_shared.runtime import InMemoryRuntime
from tests.clock import MONDAY_MORNING, ManualClock
from tests.helpers import attach_files, post_draft, serve

ORG = "so-noi-vu-thai-nguyen"
WHO = {"actor": "chuyen-vien-ha", "organization_id": ORG}


@pytest.fixture
def clock() -> ManualClock[datetime]:
    return ManualClock(MONDAY_MORNING)


@pytest.fixture
def runtime(clock: ManualClock[datetime]) -> InMemoryRuntime:
    runtime = InMemoryRuntime(DEFINITION)
    setattr(runtime, "clock", clock)  # noqa: B010
    return runtime


@pytest.fixture
async def client(runtime: InMemoryRuntime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(DEFINITION, runtime) as client:
        yield client


async def deliver(runtime: InMemoryRuntime, data: EventData, event_id: str | None = None) -> bool:
    event = make_event(data, partitionkey="k")
    if event_id is not None:
        event = event.model_copy(update={"id": event_id})
    return bool(await runtime.handlers()[data.event_type](event, data))


def ranking(ranking_id: str = "rk-2025-cum-1", leaders: list[str] | None = None) -> ClusterRankingPublished:
    leaders = ["ubnd-dinh-hoa", "ubnd-phu-luong"] if leaders is None else leaders
    return ClusterRankingPublished(
        ranking_id=ranking_id,
        cluster_id="cum-1",
        year=2025,
        ranks=[
            RankedUnit(organization_id="ubnd-dinh-hoa", total=96.5, rank=1),
            RankedUnit(organization_id="ubnd-phu-luong", total=95.0, rank=2),
            RankedUnit(organization_id="ubnd-vo-nhai", total=80.0, rank=3),
        ],
        leaders=leaders,
        proposed_titles=[ProposedTitle(organization_id=u, award_code="CO_THI_DUA_TINH") for u in leaders],
    )


# --- cluster ranking -> Cờ thi đua drafts ---------------------------------------------------------------------


async def test_a_published_ranking_drafts_one_flag_nomination_per_leader(runtime: InMemoryRuntime) -> None:
    await deliver(
        runtime,
        OrganizationRegistered(
            organization_id="ubnd-dinh-hoa",
            name="UBND huyện Định Hóa",
            kind=OrganizationKind.PEOPLES_COMMITTEE,
            valid_from=date(2000, 1, 1),
        ),
    )
    assert await deliver(runtime, ranking()) is True

    nominations = runtime.store(NOMINATIONS)
    drafted = await nominations.find({}, limit=10)
    assert sorted(s.id for s in drafted) == sorted(
        [
            cluster_nomination_id("rk-2025-cum-1", "ubnd-dinh-hoa"),
            cluster_nomination_id("rk-2025-cum-1", "ubnd-phu-luong"),
        ]
    )
    stored = await nominations.get(cluster_nomination_id("rk-2025-cum-1", "ubnd-dinh-hoa"))
    assert stored is not None
    state = stored.state
    assert state["status"] == "DRAFT"
    assert state["award_code"] == "CO_THI_DUA_TINH"
    assert state["kind"] == "ANNUAL_MERIT"
    assert state["year"] == 2025
    assert state["rule_set_id"] == "VN-2025-D152"  # the national set in force at the end of the year judged
    assert state["submitting_organization_id"] == "ubnd-dinh-hoa"
    assert [(n["nominee_id"], n["kind"], n["name"]) for n in state["nominees"]] == [
        ("ubnd-dinh-hoa", "COLLECTIVE", "UBND huyện Định Hóa")
    ]
    other = await nominations.get(cluster_nomination_id("rk-2025-cum-1", "ubnd-phu-luong"))
    assert other is not None
    assert other.state["nominees"][0]["name"] == "ubnd-phu-luong"  # not known to the registry yet: its id

    drafted_events = [parse_data(e) for e in runtime.store(NOMINATIONS).events]
    assert all(isinstance(d, NominationStatusChanged) for d in drafted_events)
    assert sorted((d.nomination_id, d.to_status) for d in drafted_events if isinstance(d, NominationStatusChanged)) == (
        sorted((s.id, "DRAFT") for s in drafted)
    )


async def test_a_redelivered_ranking_drafts_nothing_more(runtime: InMemoryRuntime) -> None:
    data = ranking()
    event = make_event(data, partitionkey=data.ranking_id)
    handler = runtime.handlers()[data.event_type]
    assert await handler(event, data) is True
    events_after_first = len(runtime.store(NOMINATIONS).events)

    assert await handler(event, data) is False  # same delivery again
    republished = make_event(data, partitionkey=data.ranking_id)  # same ranking, new event id
    assert await handler(republished, data) is False

    assert await runtime.store(NOMINATIONS).count({}) == 2
    assert len(runtime.store(NOMINATIONS).events) == events_after_first == 2


async def test_a_redelivery_leaves_a_draft_already_worked_on_untouched(
    runtime: InMemoryRuntime, client: httpx.AsyncClient
) -> None:
    data = ranking(leaders=["ubnd-dinh-hoa"])
    event = make_event(data, partitionkey=data.ranking_id)
    handler = runtime.handlers()[data.event_type]
    await handler(event, data)
    nid = cluster_nomination_id(data.ranking_id, "ubnd-dinh-hoa")
    r = await attach_files(client, nid, ["TO_TRINH"])
    assert r.status_code == 201, r.text
    before = await runtime.store(NOMINATIONS).get(nid)
    assert before is not None
    assert (before.version, before.state["attachments"]) == (2, ["TO_TRINH"])

    assert await handler(make_event(data, partitionkey=data.ranking_id), data) is False

    after = await runtime.store(NOMINATIONS).get(nid)
    assert after is not None
    assert (after.version, after.state) == (before.version, before.state)


async def test_distinct_rankings_draft_distinct_nominations(runtime: InMemoryRuntime) -> None:
    await deliver(runtime, ranking("rk-2025-cum-1", ["ubnd-dinh-hoa"]))
    await deliver(runtime, ranking("rk-2025-cum-2", ["ubnd-dinh-hoa"]))
    assert cluster_nomination_id("rk-2025-cum-1", "ubnd-dinh-hoa") != cluster_nomination_id(
        "rk-2025-cum-2", "ubnd-dinh-hoa"
    )
    assert await runtime.store(NOMINATIONS).count({}) == 2


async def test_a_ranking_without_leaders_drafts_nothing(runtime: InMemoryRuntime) -> None:
    assert await deliver(runtime, ranking(leaders=[])) is False
    assert await runtime.store(NOMINATIONS).count({}) == 0


# --- congress deadlines ----------------------------------------------------------------------------------------


def nomination(nid: str, **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": nid,
        "kind": "ANNUAL_MERIT",
        "award_code": "BANG_KHEN_TINH",
        "year": 2025,
        "territory": "thai-nguyen",
        "submitting_organization_id": ORG,
        "actor": "van-thu",
        "nominees": [{"nominee_id": "p-ha", "kind": "INDIVIDUAL", "name": "Nguyễn Thị Hà", "organization_id": ORG}],
        "attachments": ["TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_XET_KHEN_THUONG"],
    }
    body.update(kw)
    return body


DRAFTED_VERSION = 4
"""A nomination drafted (1) with its three files (2, 3, 4)."""


async def submit(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
    r = await post_draft(client, json=body)
    assert r.status_code == 201, r.text
    return await client.post(f"/nominations/{body['id']}/submit", json={"version": r.json()["version"], **WHO})


def congress(deadline: date | None = date(2026, 1, 10)) -> CongressScheduled:
    return CongressScheduled(
        congress_id="dh-tdyn-2026",
        kind=HonourEventKind.PATRIOTIC_EMULATION_CONGRESS,
        title="Đại hội Thi đua yêu nước tỉnh Thái Nguyên lần thứ VI",
        level="province",
        organizer_id="ubnd-tinh-thai-nguyen",
        held_on=date(2026, 2, 20),
        nomination_deadline=deadline,
    )


async def test_a_congress_linked_nomination_can_be_submitted_up_to_its_deadline(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress())
    clock.now = datetime(2026, 1, 10, 16, 0, tzinfo=UTC)  # the deadline day itself
    r = await submit(client, nomination("dh-1", congress_id="dh-tdyn-2026"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "SUBMITTED"
    assert r.json()["congress_id"] == "dh-tdyn-2026"


async def test_after_the_deadline_submission_is_refused_and_nothing_is_written(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress())
    clock.now = datetime(2026, 1, 11, 8, 0, tzinfo=UTC)
    r = await submit(client, nomination("dh-2", congress_id="dh-tdyn-2026"))
    assert r.status_code == 422
    assert r.json()["field"] == "congress_id"
    assert "2026-01-10" in r.json()["detail"]
    stored = await runtime.store(NOMINATIONS).get("dh-2")
    assert stored is not None
    assert (stored.version, stored.state["status"]) == (DRAFTED_VERSION, "DRAFT")


async def test_nominations_not_linked_to_a_congress_ignore_its_deadline(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress())
    clock.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    r = await submit(client, nomination("plain-1"))
    assert r.status_code == 200, r.text


async def test_without_a_published_deadline_nominations_close_when_the_congress_is_held(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress(deadline=None))
    clock.now = datetime(2026, 2, 21, 8, 0, tzinfo=UTC)
    r = await submit(client, nomination("dh-3", congress_id="dh-tdyn-2026"))
    assert (r.status_code, r.json()["field"]) == (422, "congress_id")


async def test_a_rescheduled_congress_moves_the_default_deadline(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress(deadline=None))
    await deliver(
        runtime,
        CongressRescheduled(congress_id="dh-tdyn-2026", held_on=date(2026, 3, 15), previous_held_on=date(2026, 2, 20)),
    )
    stored = await runtime.store(CONGRESSES).get("dh-tdyn-2026")
    assert stored is not None
    assert stored.state["held_on"] == "2026-03-15"
    clock.now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # after the old date, before the new one
    r = await submit(client, nomination("dh-4", congress_id="dh-tdyn-2026"))
    assert r.status_code == 200, r.text


async def test_a_rescheduled_congress_keeps_an_explicit_deadline(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress(deadline=date(2026, 1, 10)))
    await deliver(
        runtime,
        CongressRescheduled(congress_id="dh-tdyn-2026", held_on=date(2026, 3, 15), previous_held_on=date(2026, 2, 20)),
    )
    clock.now = datetime(2026, 1, 20, 8, 0, tzinfo=UTC)
    r = await submit(client, nomination("dh-5", congress_id="dh-tdyn-2026"))
    assert (r.status_code, r.json()["field"]) == (422, "congress_id")


async def test_a_cancelled_congress_closes_its_nominations(
    runtime: InMemoryRuntime, client: httpx.AsyncClient, clock: ManualClock[datetime]
) -> None:
    await deliver(runtime, congress())
    assert await deliver(runtime, CongressCancelled(congress_id="dh-tdyn-2026", reason="merger"), "ev-cancel") is True
    assert await deliver(runtime, CongressCancelled(congress_id="dh-tdyn-2026", reason="merger"), "ev-cancel") is False
    clock.now = datetime(2026, 1, 6, 8, 0, tzinfo=UTC)  # before the deadline
    r = await submit(client, nomination("dh-6", congress_id="dh-tdyn-2026"))
    assert r.status_code == 422
    assert r.json()["field"] == "congress_id"
    assert "cancelled" in r.json()["detail"]


async def test_an_unknown_congress_refuses_submission(client: httpx.AsyncClient) -> None:
    r = await submit(client, nomination("dh-7", congress_id="dh-khong-co"))
    assert (r.status_code, r.json()["field"]) == (422, "congress_id")


# --- final review -> topic awards --------------------------------------------------------------------------------


def topic(nid: str, movement: str | None = "pt-chuyen-doi-so") -> dict[str, Any]:
    return nomination(nid, kind="TOPIC", award_code="BANG_KHEN_TINH_CHUYEN_DE", movement_id=movement)


def final_review(movement: str = "pt-chuyen-doi-so") -> MovementFinalReviewed:
    return MovementFinalReviewed(
        movement_id=movement, status=MovementStatus.FINAL_REVIEWED, version=5, occurred_on=date(2025, 12, 15)
    )


async def test_a_topic_nomination_waits_for_the_movements_final_review(
    runtime: InMemoryRuntime, client: httpx.AsyncClient
) -> None:
    r = await submit(client, topic("cd-1"))
    assert r.status_code == 422
    assert r.json()["field"] == "movement_id"
    events_before = len(runtime.store(NOMINATIONS).events)

    await deliver(runtime, final_review("pt-khac"))  # another movement's review opens nothing here
    r = await client.post("/nominations/cd-1/submit", json={"version": DRAFTED_VERSION, **WHO})
    assert (r.status_code, r.json()["field"]) == (422, "movement_id")
    assert len(runtime.store(NOMINATIONS).events) == events_before

    await deliver(runtime, final_review())
    movement = await runtime.store(MOVEMENTS).get("pt-chuyen-doi-so")
    assert movement is not None
    assert movement.state["final_reviewed_on"] == "2025-12-15"
    r = await client.post("/nominations/cd-1/submit", json={"version": DRAFTED_VERSION, **WHO})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "SUBMITTED"


async def test_annual_nominations_linked_to_a_movement_do_not_wait(client: httpx.AsyncClient) -> None:
    r = await submit(client, nomination("an-1", movement_id="pt-chuyen-doi-so"))
    assert r.status_code == 200, r.text


async def test_a_final_review_is_applied_once(runtime: InMemoryRuntime) -> None:
    assert await deliver(runtime, final_review(), "ev-fr") is True
    assert await deliver(runtime, final_review(), "ev-fr") is False
    stored = await runtime.store(MOVEMENTS).get("pt-chuyen-doi-so")
    assert stored is not None
    assert stored.version == 1


# --- the award drafted for cluster leaders is rule-set data ----------------------------------------------------


def test_the_cluster_leader_award_comes_from_the_rule_set_parameter() -> None:
    rules = default_catalogue().rules_for(date(2025, 12, 31))
    assert rules.param("cluster_leader_award_code") == "CO_THI_DUA_TINH"
    layered = rules.model_copy(update={"parameters": {**rules.parameters, "cluster_leader_award_code": "TTLDXS"}})
    [draft] = cluster_leader_drafts(ranking(leaders=["ubnd-dinh-hoa"]), layered, {})
    assert (draft.award_code, draft.submitting_organization_id, draft.year) == ("TTLDXS", "ubnd-dinh-hoa", 2025)

    individual = rules.model_copy(update={"parameters": {**rules.parameters, "cluster_leader_award_code": "LDTT"}})
    with pytest.raises(DomainError) as refused:
        cluster_leader_drafts(ranking(), individual, {})
    assert refused.value.field == "cluster_leader_award_code"


def test_a_leader_listed_twice_gets_one_draft() -> None:
    rules = default_catalogue().rules_for(date(2025, 12, 31))
    drafts = cluster_leader_drafts(ranking(leaders=["ubnd-dinh-hoa", "ubnd-dinh-hoa"]), rules, {})
    assert [d.id for d in drafts] == [cluster_nomination_id("rk-2025-cum-1", "ubnd-dinh-hoa")]
