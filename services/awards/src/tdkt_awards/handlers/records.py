"""Awards' read model of the registry's records (cases, initiatives, assessments), and the facts the eligibility
engine judges, built from them: a nominee's own records, and a collective's members as the employment records
have them on the day that counts, following its lineage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tdkt_awards.domain import records as domain
from tdkt_awards.domain.catalogue import EffectiveRules
from tdkt_awards.domain.eligibility import (
    DeclarationWarning,
    Evaluation,
    HoldFact,
    NomineeFacts,
    evaluate,
    members_cases_hold,
)
from tdkt_awards.domain.nominations import Nomination, Nominee
from tdkt_awards.domain.records import KnownRecords
from tdkt_awards.handlers import decisions
from tdkt_awards.store import Repositories
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.records import (
    AssessmentRecorded,
    CaseRecord,
    CollectiveAssessmentRecorded,
    InitiativeRecognized,
)
from tdkt_shared.kit import Repository

# consumed events


async def on_case(event: CloudEvent, data: CaseRecord, records: Repository[KnownRecords]) -> bool:
    """`case.opened`, `case.concluded`, `case.withdrawn`: the case as it now stands, on its subject's records."""
    return await records.apply_once(data.subject_id, event, lambda current: (domain.with_case(current, data), ()))


async def on_initiative_recognized(
    event: CloudEvent, data: InitiativeRecognized, records: Repository[KnownRecords]
) -> bool:
    """On each author's records (once per author, whatever the deliveries)."""
    applied = False
    for author in data.author_ids:
        step = lambda current, a=author: (domain.with_initiative(current, a, data), ())  # noqa: E731
        applied = await records.apply_once(author, event, step) or applied
    return applied


async def on_assessment_recorded(
    event: CloudEvent, data: AssessmentRecorded, records: Repository[KnownRecords]
) -> bool:
    return await records.apply_once(data.person_id, event, lambda current: (domain.with_assessment(current, data), ()))


async def on_collective_assessment_recorded(
    event: CloudEvent, data: CollectiveAssessmentRecorded, records: Repository[KnownRecords]
) -> bool:
    """On the collective's records: its own completion of duties for the year."""
    step = lambda current: (domain.with_collective_assessment(current, data), ())  # noqa: E731
    return await records.apply_once(data.organization_id, event, step)


# what the engine judges


async def _records_of(repositories: Repositories, subject_ids: list[str]) -> dict[str, KnownRecords]:
    if not subject_ids:
        return {}
    found = await repositories.records.find_all({"id": {"$in": sorted(set(subject_ids))}})
    return {f.id: f.aggregate for f in found}


async def holds_of(repositories: Repositories, nominee_ids: list[str]) -> dict[str, list[HoldFact]]:
    """Each nominee's holds from its recorded cases."""
    found = await _records_of(repositories, nominee_ids)
    return {nominee_id: domain.holds(found.get(nominee_id)) for nominee_id in nominee_ids}


async def nominee_facts(
    repositories: Repositories, nominee: Nominee, year: int, as_of: date
) -> tuple[NomineeFacts, list[DeclarationWarning]]:
    """The facts from the records (grants, cases, assessments, initiatives; a collective's members from the
    employment records, following its lineage), and where the dossier's declaration differs from them."""
    collective = nominee.kind is NomineeKind.COLLECTIVE
    predecessors = await repositories.directory.predecessors(nominee.nominee_id) if collective else []
    member_ids: list[str] = []
    if collective:
        units = sorted({nominee.nominee_id, *(p.organization_id for p in predecessors)})
        staff = await repositories.persons.find_all({"employments.organization_id": {"$in": units}})
        day = domain.membership_day(year, as_of)
        member_ids = domain.members_on(nominee.nominee_id, predecessors, [p.aggregate for p in staff], day)
    own = {nominee.nominee_id, *(p.organization_id for p in predecessors)}
    all_grants = await decisions.grants_of(repositories.decisions, [*own, *member_ids])
    records = await _records_of(repositories, [nominee.nominee_id, *member_ids])
    mine = records.get(nominee.nominee_id)
    members = [
        domain.member_facts(pid, records.get(pid)).model_copy(
            update={"grants": [g for g in all_grants if g.recipient_id == pid]}
        )
        for pid in member_ids
    ]
    facts = NomineeFacts(
        nominee_id=nominee.nominee_id,
        kind=nominee.kind,
        grants=[g for g in all_grants if g.recipient_id in own],
        ratings=domain.ratings(mine),
        disciplines=domain.disciplines(mine),
        holds=domain.holds(mine),
        initiatives=domain.initiatives(mine),
        predecessors=predecessors,
        members=members,
        member_holds=[h for pid in member_ids for h in domain.holds(records.get(pid))],
    )
    warnings = domain.declaration_warnings(
        nominee, facts.ratings, facts.disciplines, facts.holds, facts.initiatives, facts.members
    )
    return facts, warnings


@dataclass(frozen=True)
class Verdicts:
    """A dossier judged on the records: each nominee's evaluation, the grants they relied on, the open cases that
    hold it (a nominee's own, and a collective's members' where the award's rules say so)."""

    evaluations: list[Evaluation]
    relied_on: list[str]
    open_cases: list[str]


async def judge(repositories: Repositories, n: Nomination, rules: EffectiveRules, as_of: date) -> Verdicts:
    evaluations: list[Evaluation] = []
    relied: list[str] = []
    open_cases: list[str] = []
    for nominee in n.nominees:
        facts, warnings = await nominee_facts(repositories, nominee, n.year, as_of)
        verdict = evaluate(facts, n.award_code, n.year, as_of, rules)
        evaluations.append(verdict.model_copy(update={"warnings": warnings}))
        relied += [g.grant_id for g in facts.grants if not g.revoked]
        relied += [g.grant_id for m in facts.members for g in m.grants if not g.revoked]
        holds = facts.holds + (facts.member_holds if members_cases_hold(rules, n.award_code) else [])
        open_cases += [h.record_id for h in holds if h.record_id and h.open_on(as_of)]
    return Verdicts(evaluations, relied, sorted(set(open_cases)))
