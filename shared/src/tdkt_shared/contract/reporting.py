"""Events of movement reporting (`tdkt.reporting.events`)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

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
