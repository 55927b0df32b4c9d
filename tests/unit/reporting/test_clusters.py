"""The cluster read model from registry events, and the cluster ranking over its members."""

from __future__ import annotations

from datetime import date

import httpx

from tdkt_reporting.domain import clusters
from tdkt_reporting.domain.scoring import RankCluster, rank_cluster
from tdkt_reporting.store import CLUSTERS, RANKINGS
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.registry import (
    ClusterChangeReason,
    ClusterFormed,
    ClusterKind,
    ClusterMember,
    ClusterMembershipChanged,
    ClusterRole,
)
from tdkt_shared.runtime import InMemoryRuntime
from tests.unit.reporting.conftest import merge, register
from tests.unit.reporting.test_scoring import _published, _published_card, criteria

__all__ = ["criteria"]  # the fixture, used by name

RANK = {"year": 2025, "criteria_set_id": "tieu-chi-cum-1", "proposed_award_code": "co-thi-dua-tinh"}


def _member(org: str, role: ClusterRole = ClusterRole.MEMBER) -> ClusterMember:
    return ClusterMember(organization_id=org, role=role)


def _formed(members: list[ClusterMember], year: int = 2025, cluster_id: str = "cum-1") -> ClusterFormed:
    return ClusterFormed(
        cluster_id=cluster_id,
        name="Cụm thi đua các sở số 1",
        kind=ClusterKind.CLUSTER,
        year=year,
        formed_on=date(year, 1, 15),
        managing_organization_id="ubnd-tinh",
        members=members,
    )


def _changed(
    members: list[ClusterMember], about: str, on: date, reason: ClusterChangeReason = ClusterChangeReason.MEMBER_ADDED
) -> ClusterMembershipChanged:
    return ClusterMembershipChanged(
        cluster_id="cum-1", year=2025, reason=reason, organization_id=about, effective_date=on, members=members
    )


async def deliver(runtime: InMemoryRuntime, data: ClusterFormed | ClusterMembershipChanged) -> CloudEvent:
    event = make_event(data, partitionkey=data.cluster_id)
    assert await runtime.handlers()[data.event_type](event, data)
    return event


async def test_the_read_model_keeps_members_and_roles_per_year_once_per_event(
    client: httpx.AsyncClient, runtime: InMemoryRuntime
) -> None:
    await deliver(runtime, _formed([_member("so-noi-vu", ClusterRole.LEADER), _member("so-y-te")], year=2024))
    await deliver(runtime, _formed([_member("so-noi-vu", ClusterRole.DEPUTY), _member("so-y-te")]))
    rotated = _changed(
        [_member("so-noi-vu"), _member("so-y-te", ClusterRole.LEADER), _member("so-xay-dung", ClusterRole.DEPUTY)],
        "so-y-te",
        date(2025, 6, 1),
        ClusterChangeReason.LEADER_ROTATED,
    )
    event = await deliver(runtime, rotated)
    # a redelivery of the same event changes nothing
    assert not await runtime.handlers()[rotated.event_type](event, rotated)
    assert (await runtime.store(CLUSTERS).get("cum-1")).version == 3  # type: ignore[union-attr]

    cluster = (await client.get("/clusters/cum-1")).json()
    assert (cluster["name"], cluster["kind"], cluster["managing_organization_id"]) == (
        "Cụm thi đua các sở số 1",
        "CLUSTER",
        "ubnd-tinh",
    )
    by_year = {y["year"]: y for y in cluster["years"]}
    assert [(m["organization_id"], m["role"]) for m in by_year[2024]["members"]] == [
        ("so-noi-vu", "LEADER"),
        ("so-y-te", "MEMBER"),
    ]
    assert [(m["organization_id"], m["role"]) for m in by_year[2025]["members"]] == [
        ("so-noi-vu", "MEMBER"),
        ("so-y-te", "LEADER"),
        ("so-xay-dung", "DEPUTY"),
    ]
    assert (by_year[2025]["formed_on"], by_year[2025]["changed_on"], by_year[2025]["last_change"]) == (
        "2025-01-15",
        "2025-06-01",
        "LEADER_ROTATED",
    )
    page = (await client.get("/clusters")).json()
    assert (page["total"], [c["id"] for c in page["items"]]) == (1, ["cum-1"])
    missing = await client.get("/clusters/cum-9")
    assert missing.status_code == 404


def test_an_older_membership_change_does_not_overwrite_a_newer_one() -> None:
    newer = clusters.membership_changed(None, _changed([_member("a"), _member("b")], "b", date(2025, 6, 1)))
    older = clusters.membership_changed(newer, _changed([_member("a")], "a", date(2025, 3, 1)))
    assert older.member_ids(2025) == ["a", "b"]
    # the formed event, if seen after a change, keeps the changed membership and fills in the name
    formed = clusters.formed(older, _formed([_member("a")]))
    assert (formed.member_ids(2025), formed.name, formed.member_ids(2024)) == (
        ["a", "b"],
        "Cụm thi đua các sở số 1",
        None,
    )


async def test_the_ranking_takes_the_members_from_the_read_model(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, criteria: None
) -> None:
    await deliver(runtime, _formed([_member("so-noi-vu", ClusterRole.LEADER), _member("so-tai-chinh")]))
    await deliver(
        runtime,
        _changed(
            [_member("so-noi-vu", ClusterRole.LEADER), _member("so-tai-chinh"), _member("so-y-te")],
            "so-y-te",
            date(2025, 3, 1),
        ),
    )
    await _published(client, "sc-noi-vu", "so-noi-vu", (50, 30))
    await _published(client, "sc-tai-chinh", "so-tai-chinh", (55, 35))
    await _published(client, "sc-cong-thuong", "so-cong-thuong", (60, 40))  # filed under cum-1, not a member

    response = await client.post("/clusters/cum-1/rankings", json=RANK)
    assert response.status_code == 201, response.text
    ranking = response.json()
    assert [(r["organization_id"], r["total"], r["rank"]) for r in ranking["ranks"]] == [
        ("so-tai-chinh", 90, 1),
        ("so-noi-vu", 80, 2),
    ]
    assert (ranking["leaders"], ranking["unscored_organization_ids"]) == (["so-tai-chinh"], ["so-y-te"])
    assert ranking["carried_over"] == []


async def test_an_unknown_cluster_or_year_is_refused_with_its_field_and_nothing_written(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, criteria: None
) -> None:
    response = await client.post("/clusters/cum-9/rankings", json=RANK)
    assert (response.status_code, response.json()["field"]) == (422, "cluster_id")
    await deliver(runtime, _formed([_member("so-noi-vu")], year=2024))
    response = await client.post("/clusters/cum-1/rankings", json=RANK)
    assert (response.status_code, response.json()["field"]) == (422, "year")
    assert runtime.store(RANKINGS).events == []
    # an explicit member list (older clients) still works without the read model
    explicit = await client.post("/clusters/cum-9/rankings", json={**RANK, "member_organization_ids": ["so-noi-vu"]})
    assert (explicit.status_code, explicit.json()["unscored_organization_ids"]) == (201, ["so-noi-vu"])


async def test_a_merged_predecessors_scorecard_counts_for_its_successor(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, criteria: None
) -> None:
    for org in ("ubnd-huyen-ba-be", "ubnd-xa-cho-ra", "so-noi-vu"):
        await register(runtime, org)
    await deliver(runtime, _formed([_member("ubnd-huyen-ba-be", ClusterRole.LEADER), _member("so-noi-vu")]))
    await _published(client, "sc-ba-be", "ubnd-huyen-ba-be", (58, 38))
    await _published(client, "sc-noi-vu", "so-noi-vu", (50, 30))
    await merge(runtime, ["ubnd-huyen-ba-be"], "ubnd-xa-cho-ra")
    await deliver(
        runtime,
        _changed(
            [_member("ubnd-xa-cho-ra", ClusterRole.LEADER), _member("so-noi-vu")],
            "ubnd-xa-cho-ra",
            date(2025, 7, 1),
            ClusterChangeReason.MEMBER_ADDED,
        ),
    )
    response = await client.post("/clusters/cum-1/rankings", json=RANK)
    assert response.status_code == 201, response.text
    ranking = response.json()
    assert [(r["organization_id"], r["total"], r["rank"]) for r in ranking["ranks"]] == [
        ("ubnd-xa-cho-ra", 96, 1),
        ("so-noi-vu", 80, 2),
    ]
    assert ranking["proposed_titles"] == [{"organization_id": "ubnd-xa-cho-ra", "award_code": "co-thi-dua-tinh"}]
    assert ranking["carried_over"] == [
        {"organization_id": "ubnd-xa-cho-ra", "from_organization_id": "ubnd-huyen-ba-be", "scorecard_id": "sc-ba-be"}
    ]
    assert ranking["unscored_organization_ids"] == []


def test_several_predecessors_are_not_combined_and_an_own_scorecard_wins() -> None:
    command = RankCluster(year=2025, criteria_set_id="cs")
    cards = [_published_card(o, t) for o, t in (("p1", 90), ("p2", 70), ("p3", 99), ("s2", 60), ("x", 100))]
    result = rank_cluster(
        "cum-1", command, cards, members=["s1", "s2", "m"], successor_of={"p1": "s1", "p2": "s1", "p3": "s2"}
    )
    # s1 has two predecessors' scorecards: not combined, unscored; s2 keeps its own; x is no member
    assert [(r.organization_id, r.total) for r in result.ranks] == [("s2", 60)]
    assert (result.unscored_organization_ids, result.carried_over) == (["m", "s1"], [])
