from __future__ import annotations

from typing import Any

import httpx
import pytest

from tdkt_reporting.domain.scoring import SC, RankCluster, Scorecard, rank_cluster
from tdkt_reporting.store import CRITERIA_SETS, RANKINGS, SCORECARDS
from tdkt_shared.auth import Role
from tdkt_shared.contract import parse_data
from tdkt_shared.contract.reporting import ClusterRankingPublished, CriteriaSetRevised, ScoreRecorded
from tdkt_shared.errors import DomainError
from tdkt_shared.runtime import InMemoryRuntime
from tests.authz import headers as token

CRITERIA: dict[str, Any] = {
    "id": "tieu-chi-cum-1",
    "title": "Tiêu chí Cụm thi đua số 1",
    "participant_organization_ids": ["so-noi-vu", "so-tai-chinh"],
    "groups": [
        {
            "code": "nhom-1",
            "name": "Thực hiện nhiệm vụ chuyên môn",
            "criteria": [
                {"code": "tc-1", "name": "Hoàn thành kế hoạch", "max_points": 60, "evidence": ["Báo cáo năm"]},
                {"code": "tc-2", "name": "Cải cách hành chính", "max_points": 40},
            ],
        }
    ],
}
NOI_VU = token(Role.UNIT_OFFICER, "so-noi-vu")
REVIEWER = token(Role.TDKT_SPECIALIST, "ban-tdkt")


async def _card(client: httpx.AsyncClient, card_id: str = "sc-noi-vu", org: str = "so-noi-vu") -> None:
    body = {
        "id": card_id,
        "criteria_set_id": "tieu-chi-cum-1",
        "organization_id": org,
        "cluster_id": "cum-1",
        "year": 2025,
    }
    response = await client.post("/scorecards", json=body)
    assert response.status_code == 201, response.text


async def _score(
    client: httpx.AsyncClient, card: str, code: str, kind: str, value: float, version: int, headers: dict[str, str]
) -> httpx.Response:
    return await client.put(
        f"/scorecards/{card}/scores/{code}", json={"version": version, "kind": kind, "value": value}, headers=headers
    )


async def _published(client: httpx.AsyncClient, card: str, org: str, scores: tuple[float, float]) -> None:
    await _card(client, card, org)
    own = token(Role.UNIT_OFFICER, org)
    assert (await _score(client, card, "tc-1", "SELF", scores[0], 1, own)).is_success
    assert (await _score(client, card, "tc-2", "SELF", scores[1], 2, own)).is_success
    assert (await client.post(f"/scorecards/{card}/submit", json={"version": 3}, headers=own)).is_success
    assert (await _score(client, card, "tc-1", "REVIEWER", scores[0], 4, REVIEWER)).is_success
    assert (await _score(client, card, "tc-2", "REVIEWER", scores[1], 5, REVIEWER)).is_success
    assert (await client.post(f"/scorecards/{card}/publish", json={"version": 6})).is_success


@pytest.fixture
async def criteria(client: httpx.AsyncClient) -> None:
    assert (await client.post("/criteria-sets", json=CRITERIA)).status_code == 201


async def test_criteria_sets_are_versioned_and_changes_notify_participants(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, criteria: None
) -> None:
    await _card(client)
    content = {k: v for k, v in CRITERIA.items() if k != "id"} | {"change_note": "Thêm tiêu chí chuyển đổi số"}
    content["groups"] = [
        {
            **CRITERIA["groups"][0],
            "criteria": [
                *CRITERIA["groups"][0]["criteria"],
                {"code": "tc-3", "name": "Chuyển đổi số", "max_points": 10},
            ],
        }
    ]
    revised = await client.post("/criteria-sets/tieu-chi-cum-1/revisions", json={"version": 1, "content": content})
    assert revised.status_code == 200, revised.text
    assert len(revised.json()["revisions"]) == 2
    first, second = (parse_data(e) for e in runtime.store(CRITERIA_SETS).events)
    assert isinstance(first, CriteriaSetRevised)
    assert isinstance(second, CriteriaSetRevised)
    assert (first.revision, first.max_total, second.revision, second.max_total) == (1, 100, 2, 110)
    assert second.participant_organization_ids == ["so-noi-vu", "so-tai-chinh"]
    # a scorecard opened before keeps the revision it was opened under
    card = (await client.get("/scorecards/sc-noi-vu")).json()
    assert (card["criteria_set_revision"], sorted(card["max_points"])) == (1, ["tc-1", "tc-2"])


async def test_submit_is_blocked_until_every_criterion_is_scored(client: httpx.AsyncClient, criteria: None) -> None:
    await _card(client)
    assert (await _score(client, "sc-noi-vu", "tc-1", "SELF", 50, 1, NOI_VU)).is_success
    blocked = await client.post("/scorecards/sc-noi-vu/submit", json={"version": 2}, headers=NOI_VU)
    assert (blocked.status_code, blocked.json()["error"], blocked.json()["field"]) == (422, "incomplete", "scores")
    assert "tc-2" in blocked.json()["detail"]
    assert (await _score(client, "sc-noi-vu", "tc-2", "SELF", 30, 2, NOI_VU)).is_success
    submitted = await client.post("/scorecards/sc-noi-vu/submit", json={"version": 3}, headers=NOI_VU)
    assert submitted.json()["status"] == "SUBMITTED"
    unreviewed = await client.post("/scorecards/sc-noi-vu/publish", json={"version": 4})
    assert (unreviewed.status_code, unreviewed.json()["error"]) == (422, "incomplete")
    own_review = await _score(client, "sc-noi-vu", "tc-1", "REVIEWER", 50, 4, NOI_VU)
    assert (own_review.status_code, own_review.json()["error"]) == (403, "forbidden")
    late_self = await _score(client, "sc-noi-vu", "tc-1", "SELF", 40, 4, NOI_VU)
    assert late_self.status_code == 409


async def test_every_score_edit_is_audited(client: httpx.AsyncClient, runtime: InMemoryRuntime, criteria: None) -> None:
    await _card(client)
    await _score(client, "sc-noi-vu", "tc-1", "SELF", 50, 1, NOI_VU)
    response = await _score(client, "sc-noi-vu", "tc-1", "SELF", 55, 2, NOI_VU)
    audit = response.json()["audit"]
    assert [(a["old"], a["new"], a["by"], a["kind"]) for a in audit] == [
        (None, 50, "so-noi-vu", "SELF"),
        (50, 55, "so-noi-vu", "SELF"),
    ]
    assert all(a["at"] for a in audit)
    opened = runtime.store(SCORECARDS).events[0]
    assert (opened.type, opened.data["criteria_set_revision"]) == ("tdkt.reporting.scorecard.opened.v1", 1)
    data = parse_data(runtime.store(SCORECARDS).events[-1])
    assert isinstance(data, ScoreRecorded)
    assert (data.old, data.new, data.criterion_code) == (50, 55, "tc-1")


@pytest.mark.parametrize(
    ("code", "value", "headers", "status", "field"),
    [
        ("tc-1", 61, NOI_VU, 422, "value"),
        ("tc-9", 1, NOI_VU, 422, "criterion_code"),
        ("tc-1", 1, token(Role.UNIT_OFFICER, "so-tai-chinh"), 403, "organization_id"),
    ],
)
async def test_bad_scores_are_refused(
    client: httpx.AsyncClient, criteria: None, code: str, value: float, headers: dict[str, str], status: int, field: str
) -> None:
    await _card(client)
    response = await _score(client, "sc-noi-vu", code, "SELF", value, 1, headers)
    assert (response.status_code, response.json()["field"]) == (status, field)
    assert (await client.get("/scorecards/sc-noi-vu")).json()["version"] == 1


async def test_a_published_scorecard_is_immutable(client: httpx.AsyncClient, criteria: None) -> None:
    await _published(client, "sc-noi-vu", "so-noi-vu", (50, 30))
    card = (await client.get("/scorecards/sc-noi-vu")).json()
    assert (card["status"], card["total"], card["version"]) == ("PUBLISHED", 80, 7)
    for response in (
        await _score(client, "sc-noi-vu", "tc-1", "REVIEWER", 10, 7, REVIEWER),
        await _score(client, "sc-noi-vu", "tc-1", "SELF", 10, 7, NOI_VU),
        await client.post("/scorecards/sc-noi-vu/submit", json={"version": 7}, headers=NOI_VU),
        await client.post("/scorecards/sc-noi-vu/publish", json={"version": 7}),
    ):
        assert (response.status_code, response.json()["error"]) == (409, "invalid_transition")
    assert (await client.get("/scorecards/sc-noi-vu")).json() == card


async def test_cluster_ranking_with_a_missing_scorecard_is_published_once(
    client: httpx.AsyncClient, runtime: InMemoryRuntime, criteria: None
) -> None:
    await _published(client, "sc-noi-vu", "so-noi-vu", (55, 35))
    await _published(client, "sc-tai-chinh", "so-tai-chinh", (50, 30))
    await _card(client, "sc-y-te", "so-y-te")  # opened, never published
    body = {
        "year": 2025,
        "criteria_set_id": "tieu-chi-cum-1",
        "member_organization_ids": ["so-noi-vu", "so-tai-chinh", "so-y-te", "so-xay-dung"],
        "proposed_award_code": "co-thi-dua-tinh",
    }
    response = await client.post("/clusters/cum-1/rankings", json=body)
    assert response.status_code == 201, response.text
    ranking = response.json()
    assert [(r["organization_id"], r["total"], r["rank"]) for r in ranking["ranks"]] == [
        ("so-noi-vu", 90, 1),
        ("so-tai-chinh", 80, 2),
    ]
    assert ranking["leaders"] == ["so-noi-vu"]
    assert ranking["proposed_titles"] == [{"organization_id": "so-noi-vu", "award_code": "co-thi-dua-tinh"}]
    assert ranking["unscored_organization_ids"] == ["so-xay-dung", "so-y-te"]
    [event] = runtime.store(RANKINGS).events
    assert (event.type, event.partitionkey) == ("tdkt.reporting.cluster.ranking_published.v1", "cum-1.2025")
    assert isinstance(parse_data(event), ClusterRankingPublished)
    assert (await client.post("/clusters/cum-1/rankings", json=body)).status_code == 409
    assert (await client.get("/clusters/cum-1/rankings/2025")).json()["leaders"] == ["so-noi-vu"]


def _published_card(org: str, total: float) -> Scorecard:
    return Scorecard(
        id=f"sc-{org}",
        criteria_set_id="cs",
        organization_id=org,
        cluster_id="cum-1",
        year=2025,
        criteria_set_revision=1,
        max_points={"tc": 100},
        status=SC.PUBLISHED,
        total=total,
    )


def test_equal_totals_share_a_rank_and_the_next_rank_skips() -> None:
    cards = [_published_card(o, t) for o, t in (("a", 90), ("b", 95), ("c", 90), ("d", 80))]
    result = rank_cluster("cum-1", RankCluster(year=2025, criteria_set_id="cs", leaders_count=2), cards)
    assert [(r.organization_id, r.rank) for r in result.ranks] == [("b", 1), ("a", 2), ("c", 2), ("d", 4)]
    # a tie across the cut-off: b leads; a and c are left to the council, with no title proposed
    assert (result.leaders, result.tied_at_cutoff) == (["b"], ["a", "c"])


def test_a_tie_within_the_leaders_is_kept() -> None:
    cards = [_published_card(o, t) for o, t in (("a", 90), ("b", 90), ("c", 70))]
    result = rank_cluster(
        "cum-1", RankCluster(year=2025, criteria_set_id="cs", leaders_count=2, proposed_award_code="co"), cards
    )
    assert (result.leaders, result.tied_at_cutoff) == (["a", "b"], [])
    assert [t.organization_id for t in result.proposed_titles] == ["a", "b"]


def test_a_tie_for_first_with_one_leader_leaves_no_leader() -> None:
    cards = [_published_card(o, 88) for o in ("a", "b")]
    result = rank_cluster("cum-1", RankCluster(year=2025, criteria_set_id="cs", proposed_award_code="co"), cards)
    assert (result.leaders, result.tied_at_cutoff, result.proposed_titles) == ([], ["a", "b"], [])


def test_no_published_scorecards_ranks_nobody() -> None:
    result = rank_cluster("cum-1", RankCluster(year=2025, criteria_set_id="cs", member_organization_ids=["a"]), [])
    assert (result.ranks, result.leaders, result.unscored_organization_ids) == ([], [], ["a"])


def test_unpublished_scorecards_cannot_be_ranked() -> None:
    draft = _published_card("a", 1).model_copy(update={"status": SC.SUBMITTED})
    with pytest.raises(DomainError):
        rank_cluster("cum-1", RankCluster(year=2025, criteria_set_id="cs"), [draft])


async def test_a_scorecard_needs_a_known_criteria_set(client: httpx.AsyncClient) -> None:
    body = {"id": "sc", "criteria_set_id": "none", "organization_id": "a", "cluster_id": "c", "year": 2025}
    response = await client.post("/scorecards", json=body)
    assert (response.status_code, response.json()["field"]) == (422, "criteria_set_id")
