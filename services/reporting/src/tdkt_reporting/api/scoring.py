from __future__ import annotations

from functools import partial
from urllib.parse import quote

from fastapi import APIRouter, Response, status
from pydantic import Field

from tdkt_reporting import policy, store
from tdkt_reporting.api.access import OFFICER_OR_SPECIALIST, SPECIALIST, OptionalPrincipal, ensure_reader
from tdkt_reporting.api.deps import StoresDep
from tdkt_reporting.domain import scoring as domain
from tdkt_reporting.handlers import scoring as handlers
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.contract.reporting import ScoreKind
from tdkt_shared.contract.text import Whole, Year
from tdkt_shared.kit.http import Context, Versioned, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(tags=["scoring"], responses=ERROR_RESPONSES)
"""Criteria sets, published scorecards and rankings are public; a unit officer opens, scores (self-assessment) and
submits its own organisation's scorecards, a specialist any, and only a specialist reviews and publishes."""
writes = APIRouter(tags=["scoring"], responses=ERROR_RESPONSES, dependencies=[SPECIALIST])
"""Criteria sets and rankings: TĐKT specialists."""


class CriteriaSetView(domain.CriteriaSet):
    version: Whole


class ScorecardView(domain.Scorecard):
    version: Whole


class RankingView(domain.Ranking):
    version: Whole


class Revise(Versioned):
    content: domain.CriteriaContent


class SetScore(Versioned):
    kind: ScoreKind
    value: float = Field(ge=0)


_card = partial(versioned, ScorecardView)


_set = partial(versioned, CriteriaSetView)


_ranking = partial(versioned, RankingView)


@writes.post("/criteria-sets", status_code=status.HTTP_201_CREATED, response_model=CriteriaSetView)
async def create_criteria_set(
    command: domain.CreateCriteriaSet, stores: StoresDep, ctx: Context, response: Response
) -> CriteriaSetView:
    """Groups and criteria with maximum points and evidence; emits `tdkt.reporting.criteria_set.revised.v1`."""
    criteria_set = await handlers.create_criteria_set(stores, command, ctx)
    return created(response, f"/criteria-sets/{criteria_set.id}", _set(criteria_set))


@router.get("/criteria-sets/{criteria_set_id}", response_model=CriteriaSetView)
async def get_criteria_set(criteria_set_id: str, stores: StoresDep) -> CriteriaSetView:
    return _set(await store.criteria_sets(stores).load(criteria_set_id))


@writes.post("/criteria-sets/{criteria_set_id}/revisions", response_model=CriteriaSetView)
async def revise(criteria_set_id: str, body: Revise, stores: StoresDep, ctx: Context) -> CriteriaSetView:
    """A new revision (earlier ones are kept); emits `tdkt.reporting.criteria_set.revised.v1` for the participants."""
    return _set(await handlers.revise_criteria_set(stores, criteria_set_id, body.version, body.content, ctx))


@router.post(
    "/scorecards",
    status_code=status.HTTP_201_CREATED,
    response_model=ScorecardView,
    dependencies=[OFFICER_OR_SPECIALIST],
)
async def open_scorecard(
    command: domain.OpenScorecard, stores: StoresDep, ctx: Context, response: Response
) -> ScorecardView:
    """Open a unit's scorecard under the current revision of a criteria set; emits
    `tdkt.reporting.scorecard.opened.v1`."""
    card = await handlers.open_scorecard(stores, command, ctx)
    return created(response, f"/scorecards/{card.id}", _card(card))


@router.get("/scorecards/{scorecard_id}", response_model=ScorecardView)
async def get_scorecard(scorecard_id: str, stores: StoresDep, principal: OptionalPrincipal) -> ScorecardView:
    """Public once published; before, for its organisation's officers and specialists."""
    card = await store.scorecards(stores).load(scorecard_id)
    if card.aggregate.status is not domain.SC.PUBLISHED:
        reader = ensure_reader(principal)
        await policy.ensure_own(store.directory(stores), reader, card.aggregate.organization_id)
    return _card(card)


@router.put(
    "/scorecards/{scorecard_id}/scores/{criterion_code}",
    response_model=ScorecardView,
    dependencies=[OFFICER_OR_SPECIALIST],
)
async def set_score(
    scorecard_id: str, criterion_code: str, body: SetScore, stores: StoresDep, ctx: Context
) -> ScorecardView:
    """Record a self-score (the unit's officer or a specialist) or a reviewer score (a specialist), audited; emits
    `tdkt.reporting.scorecard.score_recorded.v1`."""
    return _card(
        await handlers.record_score(stores, scorecard_id, body.version, criterion_code, body.kind, body.value, ctx)
    )


@router.post("/scorecards/{scorecard_id}/submit", response_model=ScorecardView, dependencies=[OFFICER_OR_SPECIALIST])
async def submit_scorecard(scorecard_id: str, body: Versioned, stores: StoresDep, ctx: Context) -> ScorecardView:
    """Blocked until every criterion has a self-score; emits `tdkt.reporting.scorecard.submitted.v1`."""
    return _card(await handlers.submit_scorecard(stores, scorecard_id, body.version, ctx))


@router.post("/scorecards/{scorecard_id}/publish", response_model=ScorecardView, dependencies=[SPECIALIST])
async def publish_scorecard(scorecard_id: str, body: Versioned, stores: StoresDep, ctx: Context) -> ScorecardView:
    """Blocked until every criterion is reviewed; afterwards the scorecard never changes. Emits
    `tdkt.reporting.scorecard.published.v1`."""
    return _card(await handlers.publish_scorecard(stores, scorecard_id, body.version, ctx))


@writes.post("/clusters/{cluster_id}/rankings", status_code=status.HTTP_201_CREATED, response_model=RankingView)
async def rank(
    cluster_id: str, command: domain.RankCluster, stores: StoresDep, ctx: Context, response: Response
) -> RankingView:
    """Rank the published scorecards of the cluster's members for a year (members from the registry's cluster
    events; 422 on `cluster_id` / `year` when unknown) and publish the leaders with their proposed titles; emits
    `tdkt.reporting.cluster.ranking_published.v1`. Once per cluster and year."""
    ranking = await handlers.rank_cluster(stores, cluster_id, command, ctx)
    # percent-encoded: the path's cluster_id may be any text, and a header is latin-1
    return created(response, f"/clusters/{quote(cluster_id, safe='')}/rankings/{command.year}", _ranking(ranking))


@router.get("/clusters/{cluster_id}/rankings/{year}", response_model=RankingView)
async def get_ranking(cluster_id: str, year: Year, stores: StoresDep) -> RankingView:
    return _ranking(await store.rankings(stores).load(domain.ranking_id(cluster_id, year)))
