"""Records the registry keeps for the bodies that own them (hồ sơ theo dõi): cases (discipline, inspection,
investigation, complaint, denunciation), initiatives and scientific works, and annual assessments of persons and
of collectives.

Each record's id follows from its natural key (the case number; the recognising body and the certificate number;
the person and the year), so loading the same history twice finds what the first load wrote.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, Field, model_validator

from tdkt_registry.domain.organizations import Organization
from tdkt_registry.domain.people import Person
from tdkt_shared.contract.records import (
    AssessmentRecorded,
    CaseConcluded,
    CaseKind,
    CaseOpened,
    CaseOutcome,
    CaseRecord,
    CaseStatus,
    CaseSubject,
    CaseWithdrawn,
    CollectiveAssessmentRecorded,
    DisciplineLevel,
    DutyCompletion,
    InitiativeKind,
    InitiativeRecognized,
    InitiativeScope,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.models import Command, Value


def natural_id(prefix: str, *parts: str) -> str:
    """A stable id from a natural key: case, spacing and Unicode form do not matter."""
    key = "\x1f".join(" ".join(unicodedata.normalize("NFC", p).casefold().split()) for p in parts)
    return f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


R = TypeVar("R", bound=Value)
E = TypeVar("E", bound=BaseModel)


def unless_same(current: R | None, new: R, event: E) -> tuple[R, E] | None:
    """A record written again: the new record and its event, or None when the record already says the same."""
    return None if current == new else (new, event)


# ---------------------------------------------------------------------------------------------------- cases


class CaseEnd(BaseModel):
    """How a case ended, once it has: concluded with an outcome (a discipline with its level and period), or
    withdrawn. A case carries it, and so does an import row."""

    concluded_on: Day | None = None
    outcome: CaseOutcome | None = None
    discipline_level: DisciplineLevel | None = None
    period_from: Day | None = None
    period_to: Day | None = None
    withdrawn_on: Day | None = None


class Case(CaseEnd, Value):
    id: str
    case_number: str
    kind: CaseKind
    subject: CaseSubject
    subject_id: str
    handled_by_organization_id: str
    opened_on: Day
    status: CaseStatus = CaseStatus.OPEN
    summary: str | None = None

    def record(self) -> dict[str, Any]:
        return {"case_id": self.id, **self.model_dump(exclude={"id"})}


class OpenCase(Command):
    """Open a case about a person or a collective: a hold on it until concluded or withdrawn."""

    case_number: Text
    kind: CaseKind
    subject: CaseSubject
    subject_id: Identifier
    handled_by_organization_id: Identifier
    opened_on: Day
    summary: Text | None = None


class ConcludeCase(Command):
    """Conclude with an outcome; a discipline names its level and its period (first and last day)."""

    version: int = Field(ge=1, le=2**31 - 1)
    concluded_on: Day
    outcome: CaseOutcome
    discipline_level: DisciplineLevel | None = None
    period_from: Day | None = None
    period_to: Day | None = None

    @model_validator(mode="after")
    def _shape(self) -> ConcludeCase:
        disciplined = self.outcome is CaseOutcome.DISCIPLINED
        if disciplined and (self.discipline_level is None or self.period_from is None or self.period_to is None):
            raise ValueError("a discipline names its discipline_level, period_from and period_to")
        if not disciplined and self.discipline_level is not None:
            raise ValueError("only a DISCIPLINED outcome has a discipline_level")
        if (self.period_from is None) != (self.period_to is None):
            raise ValueError("a period has both period_from and period_to")
        if self.period_from and self.period_to and self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        return self


class WithdrawCase(Command):
    version: int = Field(ge=1, le=2**31 - 1)
    withdrawn_on: Day


def case_id(case_number: str) -> str:
    return natural_id("case", case_number)


def open_case(command: OpenCase, subject_known: bool) -> tuple[Case, CaseOpened]:
    if not subject_known:
        raise DomainError(
            f"unknown {command.subject.value.lower()} {command.subject_id}",
            field="subject_id",
            code="unknown_reference",
        )
    case = Case(id=case_id(command.case_number), **command.model_dump())
    return case, CaseOpened(**case.record())


def _ensure_may_end(case: Case, on: date, field: str) -> None:
    """A case ends (concluded or withdrawn) only while open, and not before the day it was opened."""
    if case.status is not CaseStatus.OPEN:
        raise InvalidTransition(f"the case is {case.status.value}", field="status")
    if on < case.opened_on:
        raise DomainError(f"{field} is before {case.opened_on}", field=field)


def conclude_case(case: Case, command: ConcludeCase) -> tuple[Case, CaseConcluded]:
    _ensure_may_end(case, command.concluded_on, "concluded_on")
    concluded = case.model_copy(update={"status": CaseStatus.CONCLUDED, **command.model_dump(exclude={"version"})})
    return concluded, CaseConcluded(**concluded.record())


def withdraw_case(case: Case, command: WithdrawCase) -> tuple[Case, CaseWithdrawn]:
    _ensure_may_end(case, command.withdrawn_on, "withdrawn_on")
    withdrawn = case.model_copy(update={"status": CaseStatus.WITHDRAWN, "withdrawn_on": command.withdrawn_on})
    return withdrawn, CaseWithdrawn(**withdrawn.record())


class CaseRow(CaseEnd, OpenCase):  # fields in this order: the case as opened, then its end
    """One line of a case import: the case as opened, and its end when it has one."""

    @model_validator(mode="after")
    def _ends_once(self) -> CaseRow:
        if self.withdrawn_on is not None and self.concluded_on is not None:
            raise ValueError("a case is either concluded or withdrawn")
        if (self.concluded_on is None) != (self.outcome is None):
            raise ValueError("a concluded case has both concluded_on and outcome")
        if self.concluded_on is not None:
            self.conclusion(1)  # validates the conclusion's shape
        return self

    def conclusion(self, version: int) -> ConcludeCase:
        return ConcludeCase(version=version, **self.model_dump(include=set(ConcludeCase.model_fields) - {"version"}))


def import_case(current: Case | None, row: CaseRow, subject_known: bool) -> tuple[Case, list[CaseRecord]] | None:
    """What one import row does: open (and end) a new case, end an open one, or nothing when the record already
    says the same. A row contradicting the record is refused."""
    events: list[CaseRecord] = []
    case = current
    if case is None:
        case, opened = open_case(OpenCase(**row.model_dump(include=set(OpenCase.model_fields))), subject_known)
        events.append(opened)
    else:
        for field in ("kind", "subject", "subject_id", "opened_on"):
            if getattr(case, field) != getattr(row, field):
                raise DomainError(f"the case on record has another {field}", field=field, code="conflict")
    if row.withdrawn_on is not None and case.status is not CaseStatus.WITHDRAWN:
        case, withdrawn = withdraw_case(case, WithdrawCase(version=1, withdrawn_on=row.withdrawn_on))
        events.append(withdrawn)
    elif row.concluded_on is not None and case.status is not CaseStatus.CONCLUDED:
        case, concluded = conclude_case(case, row.conclusion(1))
        events.append(concluded)
    elif row.concluded_on is not None and any(
        getattr(case, f) != getattr(row, f) for f in ("concluded_on", "outcome", "discipline_level", "period_to")
    ):
        raise DomainError("the case on record was concluded otherwise", field="outcome", code="conflict")
    return (case, events) if events else None


# ---------------------------------------------------------------------------------------------------- initiatives


class Initiative(Value):
    id: str
    kind: InitiativeKind
    title: str
    author_ids: list[str]
    recognizing_organization_id: str
    scope: InitiativeScope
    recognized_on: Day
    certificate_number: str

    def event(self) -> InitiativeRecognized:
        return InitiativeRecognized(initiative_id=self.id, **self.model_dump(exclude={"id"}))


class RecognizeInitiative(Command):
    """Record an initiative or a scientific work as its recognising body certified it."""

    kind: InitiativeKind = InitiativeKind.INITIATIVE
    title: Text
    author_ids: list[Identifier] = Field(min_length=1, max_length=50)
    recognizing_organization_id: Identifier
    scope: InitiativeScope
    recognized_on: Day
    certificate_number: Text

    @model_validator(mode="after")
    def _distinct_authors(self) -> RecognizeInitiative:
        if len(set(self.author_ids)) != len(self.author_ids):
            raise ValueError("an author is listed twice")
        return self


def initiative_id(recognizing_organization_id: str, certificate_number: str) -> str:
    return natural_id("sk", recognizing_organization_id, certificate_number)


def recognize(
    current: Initiative | None, command: RecognizeInitiative, unknown_authors: list[str]
) -> tuple[Initiative, InitiativeRecognized] | None:
    """A new record, a correction of one (same certificate), or None when the record already says the same."""
    if unknown_authors:
        raise DomainError(
            f"unknown person(s): {', '.join(unknown_authors)}", field="author_ids", code="unknown_reference"
        )
    new = Initiative(
        id=initiative_id(command.recognizing_organization_id, command.certificate_number), **command.model_dump()
    )
    return unless_same(current, new, new.event())


# ---------------------------------------------------------------------------------------------------- assessments


class Assessment(Value):
    id: str
    person_id: str
    year: int
    rating: DutyCompletion
    organization_id: str


class RecordAssessment(Command):
    """Mức độ hoàn thành nhiệm vụ of one person for one year, as the employing organisation reports it."""

    person_id: Identifier
    year: Whole = Field(ge=1945, le=2200, description="One per person and year: recording it again corrects it")
    rating: DutyCompletion
    organization_id: Identifier = Field(description="The employer: it must have employed the person during the year")


def assessment_id(person_id: str, year: int) -> str:
    return natural_id("kq", person_id, str(year))


def in_year(valid_from: date, valid_to: date | None, year: int) -> bool:
    """Whether a period (open-ended when `valid_to` is None) covers some day of `year`."""
    return valid_from <= date(year, 12, 31) and (valid_to is None or valid_to >= date(year, 1, 1))


def employed_in_year(person: Person, organization_id: str, year: int) -> bool:
    return any(
        e.organization_id == organization_id and in_year(e.valid_from, e.valid_to, year) for e in person.employments
    )


def record_assessment(
    current: Assessment | None, command: RecordAssessment, person: Person | None
) -> tuple[Assessment, AssessmentRecorded] | None:
    """Record (or correct) an assessment; None when the record already says the same. The assessing organisation
    must have employed the person during the year."""
    if person is None:
        raise DomainError(f"unknown person {command.person_id}", field="person_id", code="unknown_reference")
    if not employed_in_year(person, command.organization_id, command.year):
        raise DomainError(
            f"{command.person_id} was not employed by {command.organization_id} in {command.year}",
            field="organization_id",
            code="not_employed",
        )
    new = Assessment(id=assessment_id(command.person_id, command.year), **command.model_dump())
    return unless_same(current, new, AssessmentRecorded(assessment_id=new.id, **command.model_dump()))


# ------------------------------------------------------------------------------------------ collective assessments


class CollectiveAssessment(Value):
    id: str
    organization_id: str
    year: int
    rating: DutyCompletion
    assessed_by_organization_id: str


class RecordCollectiveAssessment(Command):
    """Mức độ hoàn thành nhiệm vụ of a collective for one year, as the body that manages it reports it."""

    organization_id: Identifier = Field(description="The collective")
    year: Whole = Field(ge=1945, le=2200, description="One per collective and year: recording it again corrects it")
    rating: DutyCompletion
    assessed_by_organization_id: Identifier = Field(description="The managing body (its parent during the year)")


def collective_assessment_id(organization_id: str, year: int) -> str:
    return natural_id("kqtt", organization_id, str(year))


def managed_in_year(collective: Organization, manager_id: str, year: int) -> bool:
    """Whether `manager_id` was the collective's parent on some day of the year."""
    return any(v.parent_id == manager_id and in_year(v.valid_from, v.valid_to, year) for v in collective.versions)


def record_collective_assessment(
    current: CollectiveAssessment | None, command: RecordCollectiveAssessment, collective: Organization | None
) -> tuple[CollectiveAssessment, CollectiveAssessmentRecorded] | None:
    """Record (or correct) a collective's assessment; None when the record already says the same. The assessing
    body must have managed the collective (been its parent) during the year."""
    if collective is None:
        raise DomainError(
            f"unknown organisation {command.organization_id}", field="organization_id", code="unknown_reference"
        )
    if not managed_in_year(collective, command.assessed_by_organization_id, command.year):
        raise DomainError(
            f"{command.assessed_by_organization_id} did not manage {command.organization_id} in {command.year}",
            field="assessed_by_organization_id",
            code="not_managing",
        )
    new = CollectiveAssessment(
        id=collective_assessment_id(command.organization_id, command.year), **command.model_dump()
    )
    return unless_same(current, new, CollectiveAssessmentRecorded(assessment_id=new.id, **command.model_dump()))
