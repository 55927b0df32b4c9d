from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Response, status
from pydantic import Field

from tdkt_reporting import handlers
from tdkt_reporting.api.access import (
    SPECIALIST,
    OfficerOrSpecialist,
    OptionalPrincipal,
    ensure_own,
    ensure_reader,
    load_own,
)
from tdkt_reporting.api.deps import (
    ClustersDep,
    CorrelationDep,
    CriteriaSetsDep,
    OrganizationsDep,
    RankingsDep,
    ScorecardsDep,
    Versioned,
)
from tdkt_reporting.domain import scoring as domain
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Forbidden, Role
from tdkt_shared.contract.reporting import ClusterRankingPublished, ScoreKind
from tdkt_shared.contract.text import Year
from tdkt_shared.store import NotFound

router = APIRouter(tags=["scoring"], responses=ERROR_RESPONSES)
"""Criteria sets, published scorecards and rankings are public; a unit officer opens, scores (self-assessment) and
submits its own organisation's scorecards, a specialist any, and only a specialist reviews and publishes."""
writes = APIRouter(tags=["scoring"], responses=ERROR_RESPONSES, dependencies=[SPECIALIST])
"""Criteria sets and rankings: TĐKT specialists."""


class CriteriaSetView(domain.CriteriaSet):
    version: int


class ScorecardView(domain.Scorecard):
    version: int


class RankingView(ClusterRankingPublished):
    criteria_set_id: str
    version: int


class Revise(Versioned):
    content: domain.CriteriaContent


class SetScore(Versioned):
    kind: ScoreKind
    value: float = Field(ge=0)


def _card(card: domain.Scorecard, version: int) -> ScorecardView:
    return ScorecardView(**card.model_dump(), version=version)


def _set(criteria_set: domain.CriteriaSet, version: int) -> CriteriaSetView:
    return CriteriaSetView(**criteria_set.model_dump(), version=version)


@writes.post("/criteria-sets", status_code=status.HTTP_201_CREATED, response_model=CriteriaSetView)
async def create_criteria_set(
    command: domain.CreateCriteriaSet, store: CriteriaSetsDep, response: Response, correlation: CorrelationDep = None
) -> CriteriaSetView:
    """Groups and criteria with maximum points and evidence; emits `tdkt.reporting.criteria_set.revised.v1`."""
    criteria_set, version = await handlers.create_criteria_set(command, store, correlation)
    response.headers["Location"] = f"/criteria-sets/{criteria_set.id}"
    return _set(criteria_set, version)


@router.get("/criteria-sets/{criteria_set_id}", response_model=CriteriaSetView)
async def get_criteria_set(criteria_set_id: str, store: CriteriaSetsDep) -> CriteriaSetView:
    return _set(*await handlers.load(store, criteria_set_id, domain.CriteriaSet))


@writes.post("/criteria-sets/{criteria_set_id}/revisions", response_model=CriteriaSetView)
async def revise(
    criteria_set_id: str, body: Revise, store: CriteriaSetsDep, correlation: CorrelationDep = None
) -> CriteriaSetView:
    """A new revision (earlier ones are kept); emits `tdkt.reporting.criteria_set.revised.v1` for the participants."""
    return _set(
        *await handlers.transition(
            store,
            criteria_set_id,
            body.version,
            domain.CriteriaSet,
            lambda c, _v: domain.revise(c, body.content),
            correlation,
        )
    )


@router.post("/scorecards", status_code=status.HTTP_201_CREATED, response_model=ScorecardView)
async def open_scorecard(
    command: domain.OpenScorecard,
    store: ScorecardsDep,
    criteria_sets: CriteriaSetsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    response: Response,
    correlation: CorrelationDep = None,
) -> ScorecardView:
    """Open a unit's scorecard under the current revision of a criteria set; emits
    `tdkt.reporting.scorecard.opened.v1`."""
    await ensure_own(principal, organizations, command.organization_id)
    card, version = await handlers.open_scorecard(command, store, criteria_sets, correlation)
    response.headers["Location"] = f"/scorecards/{card.id}"
    return _card(card, version)


@router.get("/scorecards/{scorecard_id}", response_model=ScorecardView)
async def get_scorecard(
    scorecard_id: str, store: ScorecardsDep, organizations: OrganizationsDep, principal: OptionalPrincipal
) -> ScorecardView:
    """Public once published; before, for its organisation's officers and specialists."""
    card, version = await handlers.load(store, scorecard_id, domain.Scorecard)
    if card.status is not domain.SC.PUBLISHED:
        await load_own(ensure_reader(principal), store, scorecard_id, organizations)
    return _card(card, version)


@router.put("/scorecards/{scorecard_id}/scores/{criterion_code}", response_model=ScorecardView)
async def set_score(
    scorecard_id: str,
    criterion_code: str,
    body: SetScore,
    store: ScorecardsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    correlation: CorrelationDep = None,
) -> ScorecardView:
    """Record a self-score (the unit's officer or a specialist) or a reviewer score (a specialist), audited; emits
    `tdkt.reporting.scorecard.score_recorded.v1`."""
    if body.kind is ScoreKind.REVIEWER and not principal.has(Role.TDKT_SPECIALIST):
        raise Forbidden("only TĐKT specialists review scorecards", field="kind")
    loaded = await load_own(principal, store, scorecard_id, organizations, body.version)
    at, actor = handlers.now(), principal.organization_id
    return _card(
        *await handlers.transition(
            store,
            scorecard_id,
            body.version,
            domain.Scorecard,
            lambda c, _v: domain.record_score(c, criterion_code, body.kind, body.value, actor, at),
            correlation,
            loaded,
        )
    )


@router.post("/scorecards/{scorecard_id}/submit", response_model=ScorecardView)
async def submit_scorecard(
    scorecard_id: str,
    body: Versioned,
    store: ScorecardsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    correlation: CorrelationDep = None,
) -> ScorecardView:
    """Blocked until every criterion has a self-score; emits `tdkt.reporting.scorecard.submitted.v1`."""
    loaded = await load_own(principal, store, scorecard_id, organizations, body.version)
    return _card(
        *await handlers.transition(
            store,
            scorecard_id,
            body.version,
            domain.Scorecard,
            lambda c, _v: domain.submit_scorecard(c),
            correlation,
            loaded,
        )
    )


@router.post("/scorecards/{scorecard_id}/publish", response_model=ScorecardView, dependencies=[SPECIALIST])
async def publish_scorecard(
    scorecard_id: str, body: Versioned, store: ScorecardsDep, correlation: CorrelationDep = None
) -> ScorecardView:
    """Blocked until every criterion is reviewed; afterwards the scorecard never changes. Emits
    `tdkt.reporting.scorecard.published.v1`."""
    return _card(
        *await handlers.transition(
            store, scorecard_id, body.version, domain.Scorecard, lambda c, _v: domain.publish_scorecard(c), correlation
        )
    )


@writes.post("/clusters/{cluster_id}/rankings", status_code=status.HTTP_201_CREATED, response_model=RankingView)
async def rank(
    cluster_id: str,
    command: domain.RankCluster,
    store: RankingsDep,
    scorecards: ScorecardsDep,
    cluster_store: ClustersDep,
    organizations: OrganizationsDep,
    response: Response,
    correlation: CorrelationDep = None,
) -> Any:
    """Rank the published scorecards of the cluster's members for a year (members from the registry's cluster
    events; 422 on `cluster_id` / `year` when unknown) and publish the leaders with their proposed titles; emits
    `tdkt.reporting.cluster.ranking_published.v1`. Once per cluster and year."""
    state, version = await handlers.rank_cluster(
        cluster_id, command, store, scorecards, cluster_store, organizations, correlation
    )
    # percent-encoded: the path's cluster_id may be any text, and a header is latin-1
    response.headers["Location"] = f"/clusters/{quote(cluster_id, safe='')}/rankings/{command.year}"
    return RankingView.model_validate({**state, "version": version})


@router.get("/clusters/{cluster_id}/rankings/{year}", response_model=RankingView)
async def get_ranking(cluster_id: str, year: Year, store: RankingsDep) -> Any:
    stored = await store.get(domain.ranking_id(cluster_id, year))
    if stored is None:
        raise NotFound(domain.ranking_id(cluster_id, year))
    return RankingView.model_validate({**stored.state, "version": stored.version})
