"""Events of movement reporting (`tdkt.reporting.events`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from tdkt_shared.contract.types import EventData, event_type


class ReportKind(StrEnum):
    PERIODIC = "PERIODIC"
    PRELIMINARY_REVIEW = "PRELIMINARY_REVIEW"
    """Báo cáo sơ kết."""
    FINAL_REVIEW = "FINAL_REVIEW"
    """Báo cáo tổng kết."""
    FIVE_YEAR = "FIVE_YEAR"


class HonourEventKind(StrEnum):
    PATRIOTIC_EMULATION_CONGRESS = "PATRIOTIC_EMULATION_CONGRESS"
    """Đại hội Thi đua yêu nước (every five years, per level)."""
    ADVANCED_MODELS_CONFERENCE = "ADVANCED_MODELS_CONFERENCE"
    """Hội nghị điển hình tiên tiến."""
    REVIEW_CONFERENCE = "REVIEW_CONFERENCE"
    """Hội nghị sơ kết / tổng kết."""


@event_type("tdkt.reporting.report.submitted.v1", key="report_id")
class ReportSubmitted(EventData):
    """A unit submitted (or resubmitted after a return) a report."""

    report_id: str
    organization_id: str
    kind: ReportKind
    period: str = Field(description="The reporting period, e.g. 2025, 2025-H1, 2025-Q3")
    due_date: date
    submitted_at: datetime
    movement_id: str | None = None
    submitted_by: str | None = None
    revision: int = Field(default=1, ge=1, description="1 for the first submission, +1 per resubmission")


@event_type("tdkt.reporting.congress.scheduled.v1", key="congress_id")
class CongressScheduled(EventData):
    """An emulation congress or conference was scheduled."""

    congress_id: str
    kind: HonourEventKind
    title: str = Field(min_length=1)
    level: str = Field(description="Organising level, e.g. province")
    organizer_id: str
    held_on: date
    venue: str | None = None
    agenda: list[str] = Field(default_factory=list)
    invited_organization_ids: list[str] = Field(default_factory=list)
    honouree_quota: int | None = Field(default=None, ge=0)
    nomination_deadline: date | None = None


# --- Movements (phong trào thi đua) -------------------------------------------------------------------------------


class MovementKind(StrEnum):
    REGULAR = "REGULAR"
    """Thi đua thường xuyên."""
    TOPIC = "TOPIC"
    """Thi đua theo chuyên đề (theo đợt)."""


class MovementStatus(StrEnum):
    DRAFT = "DRAFT"
    LAUNCHED = "LAUNCHED"
    """Phát động."""
    IN_PROGRESS = "IN_PROGRESS"
    PRELIMINARY_REVIEWED = "PRELIMINARY_REVIEWED"
    """Sơ kết (may happen several times)."""
    FINAL_REVIEWED = "FINAL_REVIEWED"
    """Tổng kết."""
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class MovementChange(EventData):
    """Common fields of every movement transition."""

    movement_id: str
    status: MovementStatus
    version: int = Field(ge=1, description="The movement's version after this change")
    occurred_on: date | None = None
    by: str | None = Field(default=None, description="The acting organisation, when known")


@event_type("tdkt.reporting.movement.drafted.v1", key="movement_id")
class MovementDrafted(MovementChange):
    """A movement was drafted."""

    title: str
    kind: MovementKind
    level: str
    launching_organization_id: str
    period_start: date
    period_end: date
    parent_movement_id: str | None = None
    scope_organization_ids: list[str] = Field(default_factory=list)
    scope_cluster_ids: list[str] = Field(default_factory=list)
    scope_area_codes: list[str] = Field(default_factory=list)


@event_type("tdkt.reporting.movement.launched.v1", key="movement_id")
class MovementLaunched(MovementChange):
    """The launching organisation issued its decision (phát động)."""

    decision_number: str
    decision_date: date
    period_start: date
    period_end: date
    scope_organization_ids: list[str] = Field(default_factory=list)
    scope_cluster_ids: list[str] = Field(default_factory=list)
    scope_area_codes: list[str] = Field(default_factory=list)


@event_type("tdkt.reporting.movement.started.v1", key="movement_id")
class MovementStarted(MovementChange):
    """The movement is under way."""


@event_type("tdkt.reporting.movement.preliminary_reviewed.v1", key="movement_id")
class MovementPreliminaryReviewed(MovementChange):
    """A preliminary review (sơ kết) was held; `review_number` counts them from 1."""

    review_number: int = Field(ge=1)


@event_type("tdkt.reporting.movement.final_reviewed.v1", key="movement_id")
class MovementFinalReviewed(MovementChange):
    """The final review (tổng kết) was held."""


@event_type("tdkt.reporting.movement.closed.v1", key="movement_id")
class MovementClosed(MovementChange):
    """The movement is closed."""


@event_type("tdkt.reporting.movement.cancelled.v1", key="movement_id")
class MovementCancelled(MovementChange):
    """The movement was cancelled before it closed."""

    reason: str


# --- Reports ------------------------------------------------------------------------------------------------------


@event_type("tdkt.reporting.report.drafted.v1", key="report_id")
class ReportDrafted(EventData):
    """A report was opened for an organisation, with its due date."""

    report_id: str
    organization_id: str
    kind: ReportKind
    period: str
    due_date: date
    movement_id: str | None = None


@event_type("tdkt.reporting.report.returned.v1", key="report_id")
class ReportReturned(EventData):
    """The reviewer sent a submitted report back with a reason."""

    report_id: str
    organization_id: str
    reason: str
    revision: int = Field(ge=1, description="The submission that was returned")
    returned_at: datetime
    returned_by: str | None = None


@event_type("tdkt.reporting.report.accepted.v1", key="report_id")
class ReportAccepted(EventData):
    """The reviewer accepted a submitted report."""

    report_id: str
    organization_id: str
    revision: int = Field(ge=1)
    accepted_at: datetime
    accepted_by: str | None = None


@event_type("tdkt.reporting.report.reassigned.v1", key="report_id")
class ReportReassigned(EventData):
    """An open report moved to the successor of its merged organisation."""

    report_id: str
    from_organization_id: str
    to_organization_id: str
    effective_date: date
    legal_basis: str


@event_type("tdkt.reporting.report.due_soon.v1", key="report_id")
class ReportDueSoon(EventData):
    """A report not yet submitted is due within the configured number of days."""

    report_id: str
    organization_id: str
    due_date: date
    days_left: int = Field(ge=0)
    period: str | None = None
    kind: ReportKind | None = None


@event_type("tdkt.reporting.report.overdue.v1", key="report_id")
class ReportOverdue(EventData):
    """A report was not submitted by its due date."""

    report_id: str
    organization_id: str
    due_date: date
    days_late: int = Field(ge=1)
    period: str | None = None
    kind: ReportKind | None = None


# --- Congresses and conferences ------------------------------------------------------------------------------------


@event_type("tdkt.reporting.congress.rescheduled.v1", key="congress_id")
class CongressRescheduled(EventData):
    """A scheduled congress or conference moved to another date (and possibly venue)."""

    congress_id: str
    held_on: date
    previous_held_on: date
    venue: str | None = None


@event_type("tdkt.reporting.congress.cancelled.v1", key="congress_id")
class CongressCancelled(EventData):
    congress_id: str
    reason: str


class Honouree(BaseModel):
    """A person or collective honoured at a congress."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1)
    kind: str = Field(description="INDIVIDUAL or COLLECTIVE")
    organization_id: str | None = None
    person_id: str | None = None


@event_type("tdkt.reporting.congress.held.v1", key="congress_id")
class CongressHeld(EventData):
    """The congress or conference took place and honoured these people and collectives."""

    congress_id: str
    held_on: date
    honourees: list[Honouree] = Field(default_factory=list)


# --- Criteria sets, scorecards and cluster rankings -----------------------------------------------------------------


@event_type("tdkt.reporting.criteria_set.revised.v1", key="criteria_set_id")
class CriteriaSetRevised(EventData):
    """A criteria set got a new revision (1 when created); its participants should be told."""

    criteria_set_id: str
    revision: int = Field(ge=1)
    title: str
    criteria_count: int = Field(ge=0)
    max_total: float = Field(ge=0)
    participant_organization_ids: list[str] = Field(default_factory=list)
    change_note: str | None = None


class ScoreKind(StrEnum):
    SELF = "SELF"
    """Tự chấm."""
    REVIEWER = "REVIEWER"
    """Điểm thẩm định."""


@event_type("tdkt.reporting.scorecard.score_recorded.v1", key="scorecard_id")
class ScoreRecorded(EventData):
    """One score of one criterion changed (audited: old, new, who, when)."""

    scorecard_id: str
    criterion_code: str
    kind: ScoreKind
    old: float | None = None
    new: float
    by: str
    at: datetime


@event_type("tdkt.reporting.scorecard.submitted.v1", key="scorecard_id")
class ScorecardSubmitted(EventData):
    """The unit submitted its self-assessment, every criterion scored."""

    scorecard_id: str
    organization_id: str
    cluster_id: str
    year: int
    self_total: float


@event_type("tdkt.reporting.scorecard.published.v1", key="scorecard_id")
class ScorecardPublished(EventData):
    """The reviewed scorecard is published and can no longer change."""

    scorecard_id: str
    organization_id: str
    cluster_id: str
    year: int
    total: float


class RankedUnit(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: str
    total: float
    rank: int = Field(ge=1)


class ProposedTitle(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: str
    award_code: str


class CarriedScore(BaseModel):
    """A merged predecessor's published scorecard counted for its successor, a member of the cluster."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: str
    """The successor, ranked with the predecessor's total."""
    from_organization_id: str
    scorecard_id: str


@event_type("tdkt.reporting.cluster.ranking_published.v1", key="ranking_id")
class ClusterRankingPublished(EventData):
    """A cluster's yearly ranking (suy tôn) from published scorecards, with its leaders and proposed titles."""

    ranking_id: str
    cluster_id: str
    year: int
    ranks: list[RankedUnit]
    leaders: list[str]
    proposed_titles: list[ProposedTitle] = Field(default_factory=list)
    unscored_organization_ids: list[str] = Field(default_factory=list)
    """Members without a published scorecard: not ranked."""
    tied_at_cutoff: list[str] = Field(default_factory=list)
    """Units tied across the leaders' cut-off: left for the council, no title proposed."""
    carried_over: list[CarriedScore] = Field(default_factory=list)
    """Members ranked with a merged predecessor's scorecard (sáp nhập), having none of their own."""


# --- Registrations (đăng ký thi đua) and emulation pacts (giao ước thi đua) ---------------------------------------


class TitleRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    award_code: str
    count: int = Field(ge=1)


@event_type("tdkt.reporting.registration.submitted.v1", key="registration_id")
class RegistrationSubmitted(EventData):
    """An organisation registered its emulation targets and the number of titles it plans to propose."""

    registration_id: str
    organization_id: str
    year: int
    movement_id: str | None = None
    targets: list[str] = Field(default_factory=list)
    requested_titles: list[TitleRequest] = Field(default_factory=list)
    revision: int = Field(default=1, ge=1)


@event_type("tdkt.reporting.registration.returned.v1", key="registration_id")
class RegistrationReturned(EventData):
    registration_id: str
    organization_id: str
    reason: str


@event_type("tdkt.reporting.registration.accepted.v1", key="registration_id")
class RegistrationAccepted(EventData):
    registration_id: str
    organization_id: str


@event_type("tdkt.reporting.registration.reassigned.v1", key="registration_id")
class RegistrationReassigned(EventData):
    """An open registration moved to the successor of its merged organisation."""

    registration_id: str
    from_organization_id: str
    to_organization_id: str
    effective_date: date
    legal_basis: str


@event_type("tdkt.reporting.emulation_pact.signed.v1", key="pact_id")
class EmulationPactSigned(EventData):
    """The members of a cluster signed their yearly emulation pact."""

    pact_id: str
    cluster_id: str
    year: int
    signed_on: date
    signatory_organization_ids: list[str] = Field(min_length=1)


# --- Further changes that carry no decision but are recorded all the same -----------------------------------------


@event_type("tdkt.reporting.report.content_edited.v1", key="report_id")
class ReportContentEdited(EventData):
    """The reporting organisation changed a draft or returned report's content."""

    report_id: str
    organization_id: str
    edited_by: str
    indicator_codes: list[str] = Field(default_factory=list)
    attachment_count: int = Field(default=0, ge=0)


@event_type("tdkt.reporting.scorecard.opened.v1", key="scorecard_id")
class ScorecardOpened(EventData):
    """A unit's scorecard was opened under a revision of a criteria set."""

    scorecard_id: str
    organization_id: str
    cluster_id: str
    year: int
    criteria_set_id: str
    criteria_set_revision: int = Field(ge=1)


@event_type("tdkt.reporting.registration.drafted.v1", key="registration_id")
class RegistrationDrafted(EventData):
    registration_id: str
    organization_id: str
    year: int
    movement_id: str | None = None
