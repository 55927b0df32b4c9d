"""Reports (báo cáo) of organisations: periodic, preliminary review, final review and five-year.

DRAFT -> SUBMITTED -> (RETURNED -> SUBMITTED)* -> ACCEPTED. OVERDUE is never stored: it is derived from the due
date and a date the caller passes in.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from tdkt_reporting.domain import common
from tdkt_reporting.domain.common import recorded, require_status
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.contract.reporting import (
    ReportAccepted,
    ReportContentEdited,
    ReportDrafted,
    ReportDueSoon,
    ReportKind,
    ReportOverdue,
    ReportReassigned,
    ReportReturned,
    ReportSubmitted,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.contract.types import EventData
from tdkt_shared.kit.events import announce
from tdkt_shared.kit.models import Command


class ReportStatus(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    RETURNED = "RETURNED"
    ACCEPTED = "ACCEPTED"


R = ReportStatus
EDITABLE = (R.DRAFT, R.RETURNED)
OPEN = (R.DRAFT, R.SUBMITTED, R.RETURNED)
"""A report that is not yet accepted follows its organisation through a merger."""


class Attachment(BaseModel):
    """Metadata of an attached file; the file itself lives elsewhere (`url`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Text
    size: Whole = Field(ge=0, description="Bytes")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    url: str = Field(pattern=r"^https?://\S+$")
    validated: StrictBool = False
    """Whether the checksum was verified against the stored file."""


class ReportContent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    indicators: dict[Identifier, float | Text] = Field(default_factory=dict)
    narrative: str = Field(default="", max_length=100_000)
    attachments: list[Attachment] = Field(default_factory=list)


class OpenReport(Command):
    id: Identifier
    organization_id: Identifier
    kind: ReportKind
    period: str = Field(
        pattern=r"^\d{4}(-(H[12]|Q[1-4]|\d{4}))?$", examples=["2025", "2025-H1", "2025-Q3", "2021-2025"]
    )
    due_date: Day
    movement_id: Identifier | None = None


class Report(OpenReport):
    model_config = ConfigDict(extra="ignore")

    status: ReportStatus = R.DRAFT
    content: ReportContent = Field(default_factory=ReportContent)
    revision: Whole = 0
    """Number of submissions so far."""
    history: list[dict[str, str | int]] = Field(default_factory=list)
    """Every transition and ownership change, oldest first; never rewritten."""
    reminders_sent: list[str] = Field(default_factory=list)


def is_overdue(report: Report, today: date) -> bool:
    """Not submitted (or returned and not resubmitted) after its due date."""
    return report.status in EDITABLE and today > report.due_date


def open_report(command: OpenReport) -> tuple[Report, ReportDrafted]:
    report = Report(**command.model_dump(), history=[{"status": R.DRAFT, "organization_id": command.organization_id}])
    return report, announce(ReportDrafted, report, report_id=report.id)


def edit(report: Report, content: ReportContent, actor: str) -> tuple[Report, ReportContentEdited]:
    """`actor` is the acting organisation; the API has checked that it may act for the report's organisation."""
    require_status("report", report.status, EDITABLE, "edit")
    return report.model_copy(update={"content": content}), ReportContentEdited(
        report_id=report.id,
        organization_id=report.organization_id,
        edited_by=actor,
        indicator_codes=sorted(content.indicators),
        attachment_count=len(content.attachments),
    )


def submit(report: Report, actor: str, now: datetime) -> tuple[Report, ReportSubmitted]:
    require_status("report", report.status, EDITABLE, "submit")
    revision = report.revision + 1
    submitted = recorded(report.model_copy(update={"revision": revision}), R.SUBMITTED, now, actor, revision=revision)
    return submitted, announce(ReportSubmitted, submitted, report_id=report.id, submitted_at=now, submitted_by=actor)


def return_(report: Report, reason: str, by: str | None, now: datetime) -> tuple[Report, ReportReturned]:
    require_status("report", report.status, [R.SUBMITTED], "return")
    returned = recorded(report, R.RETURNED, now, by, reason=reason)
    return returned, announce(
        ReportReturned, report, report_id=report.id, reason=reason, returned_at=now, returned_by=by
    )


def accept(report: Report, by: str | None, now: datetime) -> tuple[Report, ReportAccepted]:
    require_status("report", report.status, [R.SUBMITTED], "accept")
    accepted = recorded(report, R.ACCEPTED, now, by)
    return accepted, announce(ReportAccepted, report, report_id=report.id, accepted_at=now, accepted_by=by)


def reassign(report: Report, merger: OrganizationsMerged) -> tuple[Report, ReportReassigned] | None:
    """Move an open report of a merged organisation to its successor; None if it does not concern this report."""
    return common.reassign(report, merger, OPEN, ReportReassigned, "report_id")


REMINDER_NAMESPACE = uuid.UUID("6f1b0e52-3c1d-4a57-9a55-0c5d1f0e7a11")


def reminder_event_id(report_id: str, kind: str, due_date: date) -> str:
    """The same reminder of the same report always gets the same event id."""
    return str(uuid.uuid5(REMINDER_NAMESPACE, f"{report_id}|{kind}|{due_date.isoformat()}"))


def due_reminders(report: Report, today: date, days_before: int) -> list[tuple[str, EventData]]:
    """Reminders this report needs on `today` and has not had yet, as (reminder key, event data)."""
    if report.status not in EDITABLE:
        return []
    found: list[tuple[str, EventData]] = []
    days_left = (report.due_date - today).days
    soon = f"due_soon|{report.due_date.isoformat()}"
    late = f"overdue|{report.due_date.isoformat()}"
    if 0 <= days_left <= days_before and soon not in report.reminders_sent:
        found.append((soon, announce(ReportDueSoon, report, report_id=report.id, days_left=days_left)))
    if days_left < 0 and late not in report.reminders_sent:
        found.append((late, announce(ReportOverdue, report, report_id=report.id, days_late=-days_left)))
    return found
