"""Criteria sets, scorecards and cluster rankings (chấm điểm, suy tôn). Criteria sets, reviews, publication and
rankings are the TĐKT specialists' (the role is the router's); a unit officer opens, self-scores and submits its own
organisation's scorecards (or one in its lineage)."""

from __future__ import annotations

from functools import partial

from tdkt_reporting import policy, store
from tdkt_reporting.domain import scoring as domain
from tdkt_reporting.domain.scoring import CriteriaSet, Ranking, Scorecard
from tdkt_reporting.handlers.clusters import cluster_members
from tdkt_reporting.handlers.common import change_own
from tdkt_shared.contract.reporting import ScoreKind
from tdkt_shared.errors import UnknownReference
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores


async def create_criteria_set(
    stores: Stores, command: domain.CreateCriteriaSet, ctx: CommandContext
) -> Loaded[CriteriaSet]:
    criteria_set, event = domain.create_criteria_set(command)
    return await store.criteria_sets(stores).add(criteria_set, event, ctx)


async def revise_criteria_set(
    stores: Stores, criteria_set_id: str, version: int, content: domain.CriteriaContent, ctx: CommandContext
) -> Loaded[CriteriaSet]:
    """A new revision; earlier ones are kept."""
    return await store.criteria_sets(stores).change(criteria_set_id, version, lambda c: domain.revise(c, content), ctx)


async def open_scorecard(stores: Stores, command: domain.OpenScorecard, ctx: CommandContext) -> Loaded[Scorecard]:
    """For an organisation the principal acts for, under the current revision of a known criteria set."""
    await policy.ensure_own(store.directory(stores), ctx.principal, command.organization_id)
    criteria_set = await store.criteria_sets(stores).get(command.criteria_set_id)
    if criteria_set is None:
        raise UnknownReference(f"unknown criteria set {command.criteria_set_id}", field="criteria_set_id")
    card, event = domain.open_scorecard(command, criteria_set.aggregate)
    return await store.scorecards(stores).add(card, event, ctx)


async def record_score(
    stores: Stores,
    scorecard_id: str,
    version: int,
    criterion_code: str,
    kind: ScoreKind,
    value: float,
    ctx: CommandContext,
) -> Loaded[Scorecard]:
    """A self-score (the unit's officer or a specialist) or a reviewer score (a specialist), audited."""
    policy.ensure_may_score(ctx.principal, kind)
    actor = policy.acting_organization(ctx)
    score = partial(domain.record_score, criterion=criterion_code, kind=kind, value=value, by=actor, at=ctx.now)
    return await change_own(store.scorecards(stores), store.directory(stores), ctx, scorecard_id, version, score)


async def submit_scorecard(stores: Stores, scorecard_id: str, version: int, ctx: CommandContext) -> Loaded[Scorecard]:
    """Blocked until every criterion has a self-score."""
    submit = domain.submit_scorecard
    return await change_own(store.scorecards(stores), store.directory(stores), ctx, scorecard_id, version, submit)


async def publish_scorecard(stores: Stores, scorecard_id: str, version: int, ctx: CommandContext) -> Loaded[Scorecard]:
    """Blocked until every criterion is reviewed; afterwards the scorecard never changes."""
    return await store.scorecards(stores).change(scorecard_id, version, domain.publish_scorecard, ctx)


async def rank_cluster(
    stores: Stores, cluster_id: str, command: domain.RankCluster, ctx: CommandContext
) -> Loaded[Ranking]:
    """Rank the members of the cluster for the year (from the read model, or the explicit list of older clients);
    a merged predecessor's scorecard filed under this cluster may count for its successor. Once per cluster and
    year."""
    members = command.member_organization_ids or await cluster_members(stores, cluster_id, command.year)
    query = {
        "cluster_id": cluster_id,
        "year": command.year,
        "criteria_set_id": command.criteria_set_id,
        "status": domain.SC.PUBLISHED.value,
    }
    published = [found.aggregate for found in await store.scorecards(stores).find_all(query)]
    directory = store.directory(stores)
    successor_of: dict[str, str] = {}
    for card in published:
        if card.organization_id not in members:
            chain = await directory.successors(card.organization_id)
            if (target := next((o for o in chain if o in members), None)) is not None:
                successor_of[card.organization_id] = target
    data = domain.rank_cluster(cluster_id, command, published, members, successor_of)
    ranking = Ranking(**data.model_dump(), criteria_set_id=command.criteria_set_id)
    return await store.rankings(stores).add(ranking, data, ctx, aggregate_id=data.ranking_id)
