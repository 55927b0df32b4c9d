"""Events of award processing (`tdkt.awards.events`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from tdkt_shared.contract.types import EventData, event_type


class NomineeKind(StrEnum):
    INDIVIDUAL = "INDIVIDUAL"
    COLLECTIVE = "COLLECTIVE"
    HOUSEHOLD = "HOUSEHOLD"


class ApprovedNominee(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    nominee_id: str
    kind: NomineeKind
    name: str
    organization_id: str | None = None


class CouncilResult(BaseModel):
    """The council's vote on one nominee (Hội đồng Thi đua – Khen thưởng)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    nominee_id: str
    members_total: int = Field(ge=0)
    votes_cast: int = Field(ge=0)
    votes_yes: int = Field(ge=0)
    threshold_percent: float = Field(ge=0, le=100)
    passed: bool
    threshold_numerator: int | None = Field(default=None, ge=0)
    """The exact threshold (added later: optional), e.g. 9/10 of all members; `threshold_percent` rounds it."""
    threshold_denominator: int | None = Field(default=None, ge=1)


@event_type("tdkt.awards.nomination.approved.v1", key="nomination_id")
class NominationApproved(EventData):
    """The council approved a nomination (hồ sơ đề nghị); the decision follows."""

    nomination_id: str
    award_code: str
    rule_set_id: str
    submitting_organization_id: str
    nominees: list[ApprovedNominee] = Field(min_length=1)
    council_session_id: str
    council_results: list[CouncilResult] = Field(default_factory=list)
    movement_id: str | None = None
    year: int | None = None
    """The period judged (added later: optional)."""


@event_type("tdkt.awards.nomination.status_changed.v1", key="nomination_id")
class NominationStatusChanged(EventData):
    """A nomination moved through its workflow; `from_status` is None when it was drafted."""

    nomination_id: str
    award_code: str
    from_status: str | None = None
    to_status: str
    action: str
    actor: str
    organization_id: str
    reason: str | None = None
    at: datetime
    missing_items: list[str] = Field(default_factory=list)
    """What a RETURNED dossier lacks."""
    consultation_until: date | None = None
    """Last day of the public consultation window, when one opened."""
    council_session_on: date | None = None
    """The day of the council session (phiên họp Hội đồng) the dossier was sent to, when one was set."""


@event_type("tdkt.awards.eligibility.evaluated.v1", key="nomination_id")
class EligibilityEvaluated(EventData):
    """The appraisal judged one nominee against the rules in force for the period."""

    nomination_id: str
    nominee_id: str
    award_code: str
    year: int
    rule_set_id: str
    eligible: bool
    failed_rules: list[str] = Field(default_factory=list)


class RevocationReason(StrEnum):
    FRAUD = "FRAUD"
    FALSE_INFO = "FALSE_INFO"
    UNLAWFUL_REVIEW = "UNLAWFUL_REVIEW"
    LATER_FINDING = "LATER_FINDING"


@event_type("tdkt.awards.award.granted.v1", key="recipient_id")
class AwardGranted(EventData):
    """A grant exists (by decision or by import of history); grants are the source of truth for chains."""

    grant_id: str
    recipient_id: str
    recipient_kind: NomineeKind
    recipient_name: str
    award_code: str
    award_kind: str
    year: int
    rule_set_id: str
    decision_id: str | None = None
    decision_number: str | None = None
    decision_date: date | None = None
    bonus_amount: int = Field(default=0, ge=0)
    """VND: the award's multiple of the base salary in force on the decision date."""
    nomination_id: str | None = None
    organization_id: str | None = None
    imported: bool = False


@event_type("tdkt.awards.award.revoked.v1", key="recipient_id")
class AwardRevoked(EventData):
    """A grant was revoked (hủy bỏ); nominations that relied on it are appraised again."""

    grant_id: str
    recipient_id: str
    award_code: str
    reason: RevocationReason
    decision_number: str
    revoked_on: date
    recover_artifact: bool = True
    recover_amount: int = Field(default=0, ge=0)


@event_type("tdkt.awards.grant.review_requested.v1", key="recipient_id")
class GrantReviewRequested(EventData):
    """A grant already decided relied on a grant since revoked: the deciding authority is asked to review it. The
    software flags it; revoking it is the authority's decision under the law, never the software's."""

    grant_id: str
    decision_id: str
    decision_number: str
    recipient_id: str
    recipient_name: str
    award_code: str
    year: int
    revoked_grant_id: str
    """The revoked grant this one relied on."""
    revocation_reason: RevocationReason
    deciding_authority: str
    """Who decides on the grant (the award type's deciding authority, e.g. `PROVINCE_CHAIRMAN`)."""
    signer_role: str
    nomination_id: str | None = None
    organization_id: str | None = None
    """The organisation the recipient was in when it was granted."""
    submitting_organization_id: str | None = None
    """The organisation that proposed it."""


@event_type("tdkt.awards.attachment.added.v1", key="nomination_id")
class AttachmentAdded(EventData):
    """A file was added to a dossier's checklist item (tờ trình, báo cáo thành tích, biên bản...); its kind was
    detected from the bytes, and `sha256` is the digest of exactly what was stored."""

    nomination_id: str
    item: str
    file_id: str
    filename: str
    content_type: str
    size: int = Field(ge=1)
    sha256: str
    actor: str
    organization_id: str
    at: datetime


@event_type("tdkt.awards.attachment.removed.v1", key="nomination_id")
class AttachmentRemoved(EventData):
    """A file was removed from a dossier (DRAFT or RETURNED only)."""

    nomination_id: str
    item: str
    file_id: str
    sha256: str
    actor: str
    organization_id: str
    at: datetime


@event_type("tdkt.awards.document.issued.v1", key="nomination_id")
class DocumentIssued(EventData):
    """An official document was issued for a dossier (tờ trình, danh sách, biên bản, quyết định, bằng khen/giấy khen),
    numbered where it carries a number, and stored as DOCX and PDF.

    The PDF travels in `pdf_base64` when it is at most `inline_limit` bytes (so a notification can attach it without
    asking awards); larger ones are only linked (`pdf_url`, a path on the awards API). `pdf_sha256` is the digest
    of the PDF either way."""

    document_id: str
    kind: str
    """PROPOSAL, NOMINEE_LIST, COUNCIL_MINUTES, DECISION or CERTIFICATE."""
    nomination_id: str
    award_code: str
    title: str
    number: str | None = None
    """Số và ký hiệu, e.g. `05/QĐ-UBND` (a list has none of its own)."""
    issuer_id: str
    issued_on: date
    decision_id: str | None = None
    recipient_id: str | None = None
    """The certificate's recipient."""
    organization_ids: list[str] = Field(default_factory=list)
    """The proposer and the nominees' organisations: whom a notification about it concerns."""
    filename: str
    pdf_sha256: str
    pdf_size: int = Field(ge=1)
    pdf_url: str
    pdf_base64: str | None = None
    inline_limit: int = Field(default=0, ge=0)


class SessionResult(CouncilResult):
    """A council session's outcome for one nominee of one dossier on its agenda."""

    nomination_id: str
    award_code: str


@event_type("tdkt.awards.council_session.opened.v1", key="session_id")
class CouncilSessionOpened(EventData):
    """A council session (phiên họp Hội đồng TĐKT) opened: the council as constituted on the day, who attends, and
    the dossiers on its agenda."""

    session_id: str
    council_id: str
    held_on: date
    members: list[str] = Field(default_factory=list)
    """The members seated on the session day."""
    attendees: list[str] = Field(default_factory=list)
    agenda: list[str] = Field(default_factory=list)
    """The nominations voted on."""


@event_type("tdkt.awards.council_session.ballot_cast.v1", key="session_id")
class CouncilBallotCast(EventData):
    """A member cast a ballot on one dossier of the agenda. The choice is never published (secret ballot)."""

    session_id: str
    nomination_id: str
    voter_id: str
    written: bool = False
    """A written vote (phiếu ý kiến bằng văn bản) of a member absent from the session."""


@event_type("tdkt.awards.council_session.closed.v1", key="session_id")
class CouncilSessionClosed(EventData):
    """A council session closed: the tally of each nominee against its vote rule (the minutes' results)."""

    session_id: str
    council_id: str
    held_on: date
    members_total: int = Field(ge=0)
    attendees_total: int = Field(ge=0)
    results: list[SessionResult] = Field(default_factory=list)


@event_type("tdkt.awards.rule_set.published.v1", key="rule_set_id")
class RuleSetPublished(EventData):
    """A rule-set version (national, or a territory's provincial layer) was published: from `valid_from` it judges
    the periods it covers. A published version never changes; a later version of the same layer ends it."""

    rule_set_id: str
    name: str
    layer: str
    territory: str | None = None
    valid_from: date
    valid_to: date | None = None
    extends: str | None = None
    instruments: list[str] = Field(default_factory=list)
