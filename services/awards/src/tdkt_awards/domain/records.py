"""What awards knows of the registry's records (cases, initiatives, assessments of persons and of collectives), per
person or collective, and
how they become the facts the eligibility engine judges.

The engine judges the records, never the declaration: what the proposing unit typed on the dossier is compared
with the record and every difference is a warning shown beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import Field

from tdkt_awards.domain.eligibility import (
    DeclarationWarning,
    DisciplineFact,
    DisciplineLevel,
    HoldFact,
    HoldReason,
    InitiativeFact,
    InitiativeScope,
    MemberFacts,
    Rating,
    RatingFact,
)
from tdkt_awards.domain.nominations import Nominee
from tdkt_awards.domain.registry import KnownPerson
from tdkt_shared.contract.records import (
    AssessmentRecorded,
    CaseKind,
    CaseOutcome,
    CaseRecord,
    CaseStatus,
    CollectiveAssessmentRecorded,
    InitiativeRecognized,
)
from tdkt_shared.kit.directory import Predecessor
from tdkt_shared.kit.models import Value


class KnownRecords(Value):
    """The records about one person or collective, as the registry announced them (the latest of each)."""

    id: str
    cases: list[CaseRecord] = Field(default_factory=list)
    initiatives: list[InitiativeRecognized] = Field(default_factory=list)
    assessments: list[AssessmentRecorded] = Field(default_factory=list)
    collective_assessments: list[CollectiveAssessmentRecorded] = Field(default_factory=list)
    """A collective's own completion of duties, as the body that manages it reported it."""


def with_case(current: KnownRecords | None, case: CaseRecord) -> KnownRecords:
    base = current or KnownRecords(id=case.subject_id)
    record = CaseRecord.model_validate(case.model_dump())
    return base.model_copy(update={"cases": [*(c for c in base.cases if c.case_id != case.case_id), record]})


def with_initiative(current: KnownRecords | None, author_id: str, data: InitiativeRecognized) -> KnownRecords:
    base = current or KnownRecords(id=author_id)
    kept = [i for i in base.initiatives if i.initiative_id != data.initiative_id]
    return base.model_copy(update={"initiatives": [*kept, data]})


def with_assessment(current: KnownRecords | None, data: AssessmentRecorded) -> KnownRecords:
    base = current or KnownRecords(id=data.person_id)
    kept = [a for a in base.assessments if a.year != data.year]
    return base.model_copy(update={"assessments": sorted([*kept, data], key=lambda a: a.year)})


def with_collective_assessment(current: KnownRecords | None, data: CollectiveAssessmentRecorded) -> KnownRecords:
    base = current or KnownRecords(id=data.organization_id)
    kept = [a for a in base.collective_assessments if a.year != data.year]
    return base.model_copy(update={"collective_assessments": sorted([*kept, data], key=lambda a: a.year)})


HOLD_REASONS = {
    CaseKind.DISCIPLINE: HoldReason.DISCIPLINE,
    CaseKind.INSPECTION: HoldReason.INSPECTION,
    CaseKind.INVESTIGATION: HoldReason.INVESTIGATION,
    CaseKind.COMPLAINT: HoldReason.COMPLAINT,
    CaseKind.DENUNCIATION: HoldReason.DENUNCIATION,
}


def holds(records: KnownRecords | None) -> list[HoldFact]:
    """Every case is a hold while it is open; a concluded or withdrawn one closed it on that day."""
    if records is None:
        return []
    return [
        HoldFact(
            reason=HOLD_REASONS[c.kind],
            opened=c.opened_on,
            closed=c.concluded_on or c.withdrawn_on if c.status is not CaseStatus.OPEN else None,
            record_id=c.case_id,
        )
        for c in records.cases
    ]


def disciplines(records: KnownRecords | None) -> list[DisciplineFact]:
    if records is None:
        return []
    return [
        DisciplineFact(
            level=DisciplineLevel[c.discipline_level.value],
            start=c.period_from,
            end=c.period_to,
            record_id=c.case_id,
        )
        for c in records.cases
        if c.status is CaseStatus.CONCLUDED
        and c.outcome is CaseOutcome.DISCIPLINED
        and c.discipline_level is not None
        and c.period_from is not None
        and c.period_to is not None
    ]


def ratings(records: KnownRecords | None) -> list[RatingFact]:
    """A person's yearly assessments, or a collective's own (reported by the body that manages it)."""
    if records is None:
        return []
    found: list[AssessmentRecorded | CollectiveAssessmentRecorded] = [
        *records.assessments,
        *records.collective_assessments,
    ]
    return sorted(
        (RatingFact(year=a.year, rating=Rating(a.rating.value), record_id=a.assessment_id) for a in found),
        key=lambda r: r.year,
    )


def initiatives(records: KnownRecords | None) -> list[InitiativeFact]:
    if records is None:
        return []
    return [
        InitiativeFact(
            initiative_id=i.initiative_id, scope=InitiativeScope[i.scope.value], recognized_on=i.recognized_on
        )
        for i in records.initiatives
    ]


def member_facts(person_id: str, records: KnownRecords | None) -> MemberFacts:
    return MemberFacts(person_id=person_id, ratings=ratings(records), disciplines=disciplines(records))


def membership_day(year: int, as_of: date) -> date:
    """Whose members a collective's title for `year` counts: those employed at the year's end (or today, before)."""
    return min(date(year, 12, 31), as_of)


def members_on(
    organization_id: str, predecessors: Sequence[Predecessor], persons: Sequence[KnownPerson], day: date
) -> list[str]:
    """The persons employed on `day` by the collective, or by a predecessor it still was on that day (lineage)."""
    units = {organization_id} | {p.organization_id for p in predecessors if day <= p.until}
    return sorted(
        p.id
        for p in persons
        if any(
            e.organization_id in units and e.valid_from <= day and (e.valid_to is None or day <= e.valid_to)
            for e in p.employments
        )
    )


# ---------------------------------------------------------------------------------------------------- warnings


def declaration_warnings(
    nominee: Nominee,
    recorded_ratings: Sequence[RatingFact],
    recorded_disciplines: Sequence[DisciplineFact],
    recorded_holds: Sequence[HoldFact],
    recorded_initiatives: Sequence[InitiativeFact],
    recorded_members: Sequence[MemberFacts],
) -> list[DeclarationWarning]:
    """Each declared fact the record differs from (absent, or otherwise), with what the record says."""
    out: list[DeclarationWarning] = []

    def warn(field: str, declared: Any, recorded: Any, detail: str) -> None:
        out.append(
            DeclarationWarning(
                nominee_id=nominee.nominee_id, field=field, declared=declared, recorded=recorded, detail=detail
            )
        )

    by_year = {r.year: r.rating.value for r in recorded_ratings}
    for r in nominee.ratings:
        if by_year.get(r.year) != r.rating.value:
            warn("ratings", {"year": r.year, "rating": r.rating.value}, by_year.get(r.year), f"rating {r.year}")
    kept = {(d.level, d.start, d.end) for d in recorded_disciplines}
    for d in nominee.disciplines:
        if (d.level, d.start, d.end) not in kept:
            warn("disciplines", d.model_dump(mode="json"), None, "no such discipline on record")
    if nominee.holds and not recorded_holds:
        warn("holds", [h.model_dump(mode="json") for h in nominee.holds], [], "no case on record")
    known = {i.initiative_id for i in recorded_initiatives}
    for i in nominee.initiatives:
        if i.initiative_id not in known:
            warn("initiatives", i.initiative_id, sorted(known), "initiative not on record")
    if nominee.members:
        declared = sorted(m.person_id for m in nominee.members)
        recorded = sorted(m.person_id for m in recorded_members)
        if declared != recorded:
            warn("members", declared, recorded, "members differ from the employment records")
        member_ratings = {m.person_id: {r.year: r.rating.value for r in m.ratings} for m in recorded_members}
        for m in nominee.members:
            for r in m.ratings:
                got = member_ratings.get(m.person_id, {}).get(r.year)
                if got != r.rating.value:
                    warn(f"members.{m.person_id}.ratings", r.rating.value, got, f"rating {r.year}")
    return out
