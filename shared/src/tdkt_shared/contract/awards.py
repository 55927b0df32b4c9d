"""Events of award processing (`tdkt.awards.events`)."""

from __future__ import annotations

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
