"""Criteria sets, scorecards and cluster rankings (chấm điểm, xếp hạng, suy tôn cụm/khối thi đua).

Scorecard: DRAFT (self-assessment) -> SUBMITTED (reviewers score) -> PUBLISHED (immutable). Each score change is
kept in an append-only audit trail with the old and new value, who and when.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tdkt_reporting.domain.common import Forbidden, require_status
from tdkt_shared.contract.reporting import (
    CarriedScore,
    ClusterRankingPublished,
    CriteriaSetRevised,
    ProposedTitle,
    RankedUnit,
    ScorecardOpened,
    ScorecardPublished,
    ScorecardSubmitted,
    ScoreKind,
    ScoreRecorded,
)
from tdkt_shared.contract.text import Identifier, Text, Whole
from tdkt_shared.errors import DomainError, UnknownReference
from tdkt_shared.kit.events import announce
from tdkt_shared.kit.models import Command

# --- Criteria sets ---------------------------------------------------------------------------------------------------


class Criterion(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Identifier
    name: Text
    max_points: float = Field(gt=0)
    evidence: list[Text] = Field(default_factory=list)
    """The evidence a unit must attach for this criterion."""


class CriteriaGroup(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Identifier
    name: Text
    criteria: list[Criterion] = Field(min_length=1)


class CriteriaContent(Command):
    title: Text
    groups: list[CriteriaGroup] = Field(min_length=1)
    participant_organization_ids: list[Identifier] = Field(default_factory=list)
    change_note: Text | None = None

    @model_validator(mode="after")
    def _unique_codes(self) -> CriteriaContent:
        codes = [c.code for g in self.groups for c in g.criteria]
        if len(codes) != len(set(codes)):
            raise ValueError("criterion codes must be unique within a set")
        return self

    def criteria(self) -> dict[str, Criterion]:
        return {c.code: c for g in self.groups for c in g.criteria}


class CreateCriteriaSet(CriteriaContent):
    id: Identifier
    movement_id: Identifier | None = None


class CriteriaSet(BaseModel):
    """Every revision is kept; scorecards pin the revision they were opened under."""

    model_config = ConfigDict(extra="ignore")

    id: Identifier
    movement_id: Identifier | None = None
    revisions: list[CriteriaContent]

    @property
    def current(self) -> CriteriaContent:
        return self.revisions[-1]

    def revision(self, number: int) -> CriteriaContent:
        if not 1 <= number <= len(self.revisions):
            raise UnknownReference(f"{self.id} has no revision {number}", field="criteria_set_revision")
        return self.revisions[number - 1]


def _revised(criteria_set: CriteriaSet) -> CriteriaSetRevised:
    current = criteria_set.current
    return CriteriaSetRevised(
        criteria_set_id=criteria_set.id,
        revision=len(criteria_set.revisions),
        title=current.title,
        criteria_count=len(current.criteria()),
        max_total=sum(c.max_points for c in current.criteria().values()),
        participant_organization_ids=current.participant_organization_ids,
        change_note=current.change_note,
    )


def create_criteria_set(command: CreateCriteriaSet) -> tuple[CriteriaSet, CriteriaSetRevised]:
    content = CriteriaContent.model_validate(command.model_dump(exclude={"id", "movement_id"}))
    criteria_set = CriteriaSet(id=command.id, movement_id=command.movement_id, revisions=[content])
    return criteria_set, _revised(criteria_set)


def revise(criteria_set: CriteriaSet, content: CriteriaContent) -> tuple[CriteriaSet, CriteriaSetRevised]:
    revised = criteria_set.model_copy(update={"revisions": [*criteria_set.revisions, content]})
    return revised, _revised(revised)


# --- Scorecards ------------------------------------------------------------------------------------------------------


class ScorecardStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    PUBLISHED = "PUBLISHED"


SC = ScorecardStatus


class OpenScorecard(Command):
    id: Identifier
    criteria_set_id: Identifier
    organization_id: Identifier
    cluster_id: Identifier
    year: Whole = Field(ge=2000, le=2100)


class Score(BaseModel):
    self_score: float | None = None
    reviewer_score: float | None = None


class Scorecard(OpenScorecard):
    model_config = ConfigDict(extra="ignore")

    criteria_set_revision: Whole
    max_points: dict[str, float]
    """Criterion code -> maximum, copied from the pinned revision."""
    status: ScorecardStatus = SC.DRAFT
    scores: dict[str, Score] = Field(default_factory=dict)
    audit: list[dict[str, str | float | None]] = Field(default_factory=list)
    total: float | None = None

    def missing(self, kind: ScoreKind) -> list[str]:
        attribute = "self_score" if kind is ScoreKind.SELF else "reviewer_score"
        return [code for code in self.max_points if getattr(self.scores.get(code, Score()), attribute) is None]

    def sum_of(self, kind: ScoreKind) -> float:
        attribute = "self_score" if kind is ScoreKind.SELF else "reviewer_score"
        return float(sum(getattr(s, attribute) or 0 for s in self.scores.values()))


def open_scorecard(command: OpenScorecard, criteria_set: CriteriaSet) -> tuple[Scorecard, ScorecardOpened]:
    current = criteria_set.current
    card = Scorecard(
        **command.model_dump(),
        criteria_set_revision=len(criteria_set.revisions),
        max_points={code: c.max_points for code, c in current.criteria().items()},
    )
    return card, announce(ScorecardOpened, card, scorecard_id=card.id)


def record_score(
    card: Scorecard, criterion: str, kind: ScoreKind, value: float, by: str, at: datetime
) -> tuple[Scorecard, ScoreRecorded]:
    """Self-scores while DRAFT; reviewer scores while SUBMITTED, never by the scored unit itself (`by`, the acting
    organisation). Published cards never change. Who may score at all is the API's decision."""
    if kind is ScoreKind.SELF:
        require_status("scorecard", card.status, [SC.DRAFT], "self-score")
    else:
        require_status("scorecard", card.status, [SC.SUBMITTED], "review")
        if by == card.organization_id:
            raise Forbidden("a unit does not review its own scorecard", field="kind")
    if criterion not in card.max_points:
        raise UnknownReference(f"no criterion {criterion} in this scorecard", field="criterion_code")
    if not 0 <= value <= card.max_points[criterion]:
        raise DomainError(f"the score must lie between 0 and {card.max_points[criterion]}", field="value")
    current = card.scores.get(criterion, Score())
    old = current.self_score if kind is ScoreKind.SELF else current.reviewer_score
    updated = current.model_copy(update={"self_score" if kind is ScoreKind.SELF else "reviewer_score": value})
    entry: dict[str, str | float | None] = {
        "criterion_code": criterion,
        "kind": kind,
        "old": old,
        "new": value,
        "by": by,
        "at": at.isoformat(),
    }
    changed = card.model_copy(update={"scores": {**card.scores, criterion: updated}, "audit": [*card.audit, entry]})
    return changed, ScoreRecorded(
        scorecard_id=card.id, criterion_code=criterion, kind=kind, old=old, new=value, by=by, at=at
    )


def submit_scorecard(card: Scorecard) -> tuple[Scorecard, ScorecardSubmitted]:
    require_status("scorecard", card.status, [SC.DRAFT], "submit")
    if missing := card.missing(ScoreKind.SELF):
        raise DomainError(f"criteria not yet scored: {', '.join(missing)}", field="scores", code="incomplete")
    total = card.sum_of(ScoreKind.SELF)
    return card.model_copy(update={"status": SC.SUBMITTED}), ScorecardSubmitted(
        scorecard_id=card.id,
        organization_id=card.organization_id,
        cluster_id=card.cluster_id,
        year=card.year,
        self_total=total,
    )


def publish_scorecard(card: Scorecard) -> tuple[Scorecard, ScorecardPublished]:
    require_status("scorecard", card.status, [SC.SUBMITTED], "publish")
    if missing := card.missing(ScoreKind.REVIEWER):
        raise DomainError(f"criteria not yet reviewed: {', '.join(missing)}", field="scores", code="incomplete")
    total = card.sum_of(ScoreKind.REVIEWER)
    return card.model_copy(update={"status": SC.PUBLISHED, "total": total}), ScorecardPublished(
        scorecard_id=card.id,
        organization_id=card.organization_id,
        cluster_id=card.cluster_id,
        year=card.year,
        total=total,
    )


# --- Cluster ranking -------------------------------------------------------------------------------------------------


class RankCluster(Command):
    year: Whole = Field(ge=2000, le=2100)
    criteria_set_id: Identifier
    member_organization_ids: list[Identifier] = Field(default_factory=list)
    """Deprecated: an explicit member list, kept for older clients. When empty (the default) the members are those
    of the cluster for `year` in the read model built from the registry's cluster events."""
    leaders_count: Whole = Field(default=1, ge=1)
    proposed_award_code: Identifier | None = Field(default=None, examples=["co-thi-dua-tinh"])
    """The title proposed for each leader (e.g. the province's Cờ thi đua), if any."""


def ranking_id(cluster_id: str, year: int) -> str:
    return f"{cluster_id}.{year}"


class Ranking(ClusterRankingPublished):
    """A cluster's ranking as stored: the published event's data and the criteria set it ranked on."""

    criteria_set_id: str


def attribute(
    members: Sequence[str], published: Sequence[Scorecard], successor_of: Mapping[str, str]
) -> tuple[list[Scorecard], list[CarriedScore]]:
    """The scorecards that count for the members: their own, or, for a member with none, the one published
    scorecard of a predecessor merged into it (`successor_of`: predecessor -> member). Several predecessors'
    scorecards are not combined (their totals measure different units): such a member stays unscored.
    Scorecards of units that are neither members nor merged into one do not count."""
    member_set = set(members)
    own = [c for c in published if c.organization_id in member_set]
    scored = {c.organization_id for c in own}
    inherited: dict[str, list[Scorecard]] = {}
    for card in published:
        target = successor_of.get(card.organization_id)
        if card.organization_id not in member_set and target in member_set and target not in scored:
            inherited.setdefault(target, []).append(card)
    carried = [
        CarriedScore(organization_id=target, from_organization_id=cards[0].organization_id, scorecard_id=cards[0].id)
        for target, cards in sorted(inherited.items())
        if len(cards) == 1
    ]
    counted = own + [
        inherited[c.organization_id][0].model_copy(update={"organization_id": c.organization_id}) for c in carried
    ]
    return counted, carried


def rank_cluster(
    cluster_id: str,
    command: RankCluster,
    published: Sequence[Scorecard],
    members: Sequence[str] | None = None,
    successor_of: Mapping[str, str] | None = None,
) -> ClusterRankingPublished:
    """Competition ranking on the published totals (equal totals share a rank: 1, 1, 3).

    Leaders are the units ranked within `leaders_count`. When a tie straddles the cut-off (more units would lead
    than allowed), the tied units are not leaders: they are listed in `tied_at_cutoff` for the council to decide,
    and get no proposed title. Members without a published scorecard are not ranked and are listed as unscored.

    With `members` (the cluster's members for the year) only their scorecards count, with those carried over from
    merged predecessors (see `attribute`); without, every published scorecard of the cluster counts.
    """
    if any(c.cluster_id != cluster_id or c.status != SC.PUBLISHED or c.total is None for c in published):
        raise DomainError("only published scorecards of this cluster can be ranked", field="cluster_id")
    carried: list[CarriedScore] = []
    if members is not None:
        published, carried = attribute(members, published, successor_of or {})
    by_unit: dict[str, float] = {}
    for card in published:
        if card.organization_id in by_unit:
            raise DomainError(f"{card.organization_id} has two published scorecards", field="scorecards")
        by_unit[card.organization_id] = card.total or 0.0
    ordered = sorted(by_unit.items(), key=lambda item: (-item[1], item[0]))
    ranks: list[RankedUnit] = []
    for position, (unit, total) in enumerate(ordered, start=1):
        rank = ranks[-1].rank if ranks and ranks[-1].total == total else position
        ranks.append(RankedUnit(organization_id=unit, total=total, rank=rank))
    within = [r for r in ranks if r.rank <= command.leaders_count]
    tied: list[str] = []
    if len(within) > command.leaders_count:
        cutoff_rank = within[-1].rank
        tied = [r.organization_id for r in within if r.rank == cutoff_rank]
        within = [r for r in within if r.rank != cutoff_rank]
    leaders = [r.organization_id for r in within]
    titles = (
        [ProposedTitle(organization_id=u, award_code=command.proposed_award_code) for u in leaders]
        if command.proposed_award_code
        else []
    )
    unscored = sorted(set(command.member_organization_ids if members is None else members) - set(by_unit))
    return ClusterRankingPublished(
        ranking_id=ranking_id(cluster_id, command.year),
        cluster_id=cluster_id,
        year=command.year,
        ranks=ranks,
        leaders=leaders,
        proposed_titles=titles,
        unscored_organization_ids=unscored,
        tied_at_cutoff=tied,
        carried_over=carried,
    )
