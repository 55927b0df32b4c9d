"""Events of the records the registry keeps for other bodies (`tdkt.registry.events`).

Discipline, inspection, complaint and denunciation cases; initiatives and scientific works; annual assessments of
persons and of collectives. The eligibility engine judges from these, never from what a proposing unit types.
Every event carries the whole record as it stands, so a reader can build its copy from any one of them.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from tdkt_shared.contract.text import Identifier, Text
from tdkt_shared.contract.types import EventData, event_type


class CaseKind(StrEnum):
    DISCIPLINE = "DISCIPLINE"
    """Xem xét kỷ luật."""
    INSPECTION = "INSPECTION"
    """Thanh tra, kiểm tra, kiểm toán with signs of violation."""
    INVESTIGATION = "INVESTIGATION"
    """Điều tra."""
    COMPLAINT = "COMPLAINT"
    """Khiếu nại."""
    DENUNCIATION = "DENUNCIATION"
    """Tố cáo (a corruption case reported in the press included)."""


class CaseSubject(StrEnum):
    PERSON = "PERSON"
    ORGANIZATION = "ORGANIZATION"
    """A collective (tập thể)."""


class CaseStatus(StrEnum):
    OPEN = "OPEN"
    """An open case is a hold: nothing may be proposed or awarded for its subject."""
    CONCLUDED = "CONCLUDED"
    WITHDRAWN = "WITHDRAWN"


class CaseOutcome(StrEnum):
    DISCIPLINED = "DISCIPLINED"
    """A discipline level for a period."""
    VIOLATION_FOUND = "VIOLATION_FOUND"
    """A violation without a discipline (e.g. an inspection's conclusion)."""
    NO_VIOLATION = "NO_VIOLATION"


class DisciplineLevel(StrEnum):
    """Hình thức kỷ luật, mildest first."""

    REPRIMAND = "REPRIMAND"
    """Khiển trách."""
    WARNING = "WARNING"
    """Cảnh cáo."""
    SALARY_DOWNGRADE = "SALARY_DOWNGRADE"
    """Hạ bậc lương."""
    DEMOTION = "DEMOTION"
    """Giáng chức."""
    REMOVAL = "REMOVAL"
    """Cách chức."""
    DISMISSAL = "DISMISSAL"
    """Buộc thôi việc."""


class CaseRecord(EventData):
    """A case as it stands (the data of every case event)."""

    case_id: Identifier
    case_number: Text
    """The natural key: the number of the deciding document (e.g. `15/QĐ-UBKT`)."""
    kind: CaseKind
    subject: CaseSubject
    subject_id: Identifier
    handled_by_organization_id: Identifier
    opened_on: date
    status: CaseStatus
    summary: Text | None = None
    concluded_on: date | None = None
    outcome: CaseOutcome | None = None
    discipline_level: DisciplineLevel | None = None
    period_from: date | None = None
    """First day of the discipline (or violation) period."""
    period_to: date | None = None
    """Last day of that period."""
    withdrawn_on: date | None = None


@event_type("tdkt.registry.case.opened.v1", key="subject_id")
class CaseOpened(CaseRecord):
    """A discipline, inspection, investigation, complaint or denunciation case was opened about a person or a
    collective: a hold on any proposal for it until the case is concluded or withdrawn."""


@event_type("tdkt.registry.case.concluded.v1", key="subject_id")
class CaseConcluded(CaseRecord):
    """A case was concluded with an outcome (and, for a discipline, its level and period): the hold ends."""


@event_type("tdkt.registry.case.withdrawn.v1", key="subject_id")
class CaseWithdrawn(CaseRecord):
    """A case was withdrawn (đình chỉ, rút đơn): the hold ends and the case leaves no record against its subject."""


class InitiativeKind(StrEnum):
    INITIATIVE = "INITIATIVE"
    """Sáng kiến."""
    SCIENCE_WORK = "SCIENCE_WORK"
    """Đề tài, công trình khoa học."""


class InitiativeScope(StrEnum):
    """Phạm vi ảnh hưởng, narrowest first."""

    BASE = "BASE"
    """Cơ sở."""
    PROVINCE = "PROVINCE"
    """Bộ, ngành, tỉnh."""
    NATIONAL = "NATIONAL"
    """Toàn quốc."""


@event_type("tdkt.registry.initiative.recognized.v1", key="initiative_id")
class InitiativeRecognized(EventData):
    """An initiative or a scientific work was recognised (or its record corrected): the whole record."""

    initiative_id: Identifier
    kind: InitiativeKind
    title: Text
    author_ids: list[Identifier] = Field(min_length=1, max_length=50)
    recognizing_organization_id: Identifier
    scope: InitiativeScope
    recognized_on: date
    certificate_number: Text
    """With the recognising body, the natural key."""


class DutyCompletion(StrEnum):
    """Mức độ hoàn thành nhiệm vụ, the yearly assessment of a person."""

    EXCELLENT = "EXCELLENT"
    """Hoàn thành xuất sắc nhiệm vụ."""
    GOOD = "GOOD"
    """Hoàn thành tốt nhiệm vụ."""
    COMPLETED = "COMPLETED"
    """Hoàn thành nhiệm vụ."""
    NOT_COMPLETED = "NOT_COMPLETED"
    """Không hoàn thành nhiệm vụ."""


@event_type("tdkt.registry.assessment.recorded.v1", key="person_id")
class AssessmentRecorded(EventData):
    """The employing organisation reported (or corrected) a person's assessment for a year."""

    assessment_id: Identifier
    person_id: Identifier
    year: int = Field(ge=1945, le=2200)
    rating: DutyCompletion
    organization_id: Identifier
    """The employing organisation that assessed."""


@event_type("tdkt.registry.collective_assessment.recorded.v1", key="organization_id")
class CollectiveAssessmentRecorded(EventData):
    """The body that manages a collective reported (or corrected) the collective's own completion of duties for a
    year (xếp loại mức độ hoàn thành nhiệm vụ của tập thể)."""

    assessment_id: Identifier
    organization_id: Identifier
    """The collective assessed."""
    year: int = Field(ge=1945, le=2200)
    rating: DutyCompletion
    assessed_by_organization_id: Identifier
    """The managing body that assessed it (the collective's parent during the year)."""
