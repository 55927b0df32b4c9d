"""Nominations (hồ sơ đề nghị): dossier, workflow, public consultation and council vote.

Every transition appends one entry to the audit log and emits one status event; nothing rewrites the log.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tdkt_awards.domain.calendar import WorkingDays, window_end
from tdkt_awards.domain.catalogue import AwardKind, AwardType, EffectiveRules, VoteBase, VoteRule, reaches
from tdkt_awards.domain.eligibility import (
    DisciplineFact,
    Evaluation,
    HoldFact,
    InitiativeFact,
    MemberFacts,
    RatingFact,
)
from tdkt_awards.domain.files import AttachedFile
from tdkt_awards.domain.links import SubmissionLinks, check_links
from tdkt_shared.contract.awards import (
    ApprovedNominee,
    CouncilResult,
    EligibilityEvaluated,
    NominationApproved,
    NominationStatusChanged,
    NomineeKind,
)
from tdkt_shared.contract.text import Day, Flag, Identifier, Instant, Text, Whole
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.carry import carried
from tdkt_shared.kit.models import Command, Value


class NominationKind(StrEnum):
    ANNUAL_MERIT = "ANNUAL_MERIT"
    TOPIC = "TOPIC"
    EXCEPTIONAL = "EXCEPTIONAL"
    CONTRIBUTION = "CONTRIBUTION"
    SERVICE_YEARS = "SERVICE_YEARS"
    SIMPLIFIED = "SIMPLIFIED"
    """Thủ tục đơn giản: the dossier shrinks to a tờ trình."""


class Status(StrEnum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    RECEIVED = "RECEIVED"
    UNDER_APPRAISAL = "UNDER_APPRAISAL"
    RETURNED = "RETURNED"
    INELIGIBLE = "INELIGIBLE"
    ELIGIBLE = "ELIGIBLE"
    PUBLIC_CONSULTATION = "PUBLIC_CONSULTATION"
    COUNCIL_REVIEW = "COUNCIL_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    DECIDED = "DECIDED"
    ON_HOLD = "ON_HOLD"


HOLDABLE = frozenset(
    {
        Status.DRAFT,
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.UNDER_APPRAISAL,
        Status.RETURNED,
        Status.ELIGIBLE,
        Status.PUBLIC_CONSULTATION,
        Status.COUNCIL_REVIEW,
        Status.APPROVED,
    }
)
"""States before the decision from which ON_HOLD can be entered."""

OPEN = frozenset(HOLDABLE | {Status.ON_HOLD})


class Nominee(BaseModel):
    """A person, collective or household proposed, with what the proposing unit declared about it.

    The engine never judges the declaration: it reads grants, lineage, cases, assessments, initiatives and a
    collective's members from the records, and shows each declared fact that differs from them as a warning.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    nominee_id: Identifier
    kind: NomineeKind
    name: Text
    organization_id: Identifier | None = None
    ratings: list[RatingFact] = Field(default_factory=list)
    disciplines: list[DisciplineFact] = Field(default_factory=list)
    holds: list[HoldFact] = Field(default_factory=list)
    initiatives: list[InitiativeFact] = Field(default_factory=list)
    members: list[MemberFacts] = Field(default_factory=list)
    """Members of a collective as declared, with their ratings and discipline (compared with the records)."""

    @model_validator(mode="after")
    def _no_declared_grants(self) -> Nominee:
        if any(m.grants for m in self.members):
            raise ValueError("members' grants are read from the grant records, never declared")
        return self


class AuditEntry(Value):
    at: Instant
    actor: str
    organization_id: str
    action: str
    from_status: Status | None
    to_status: Status
    reason: str | None = None


class Comment(Value):
    at: Instant
    author: str
    text: str
    objection: Flag = False


class PublicConsultation(Value):
    channel: str
    start: Day
    end: Day
    working_days: Whole
    comments: list[Comment] = Field(default_factory=list)


class CouncilSession(Value):
    session_id: str
    held_on: Day
    members_total: Whole
    attendees: Whole
    results: list[CouncilResult]


class Nomination(Value):
    id: str
    kind: NominationKind
    award_code: str
    year: Whole
    territory: str | None = None
    submitting_organization_id: str
    movement_id: str | None = None
    congress_id: str | None = None
    """The congress that honours the nominees, whose deadline closes submission."""
    nominees: list[Nominee]
    attachments: list[str]
    """The checklist items a file satisfies (follows `files`)."""
    files: list[AttachedFile] = Field(default_factory=list)
    """The dossier's files (stored apart, in GridFS), each under its checklist item."""
    status: Status
    held_from: Status | None = None
    held_by_cases: list[str] = Field(default_factory=list)
    """The registry's open cases holding the dossier (Decree 152/2025): it waits until each is concluded."""
    held_by_hand: bool = False
    """A specialist's hold (put through the API), beside any case holds: only a release by hand lifts it, and a
    case's end leaves the dossier waiting while it stands. (Stored before this field existed, an ON_HOLD dossier
    with no case holds was held by hand: `holds` reads it so.)"""
    rule_set_id: str
    evaluations: list[Evaluation] = Field(default_factory=list)
    missing_items: list[str] = Field(default_factory=list)
    consultation: PublicConsultation | None = None
    council: CouncilSession | None = None
    council_id: str | None = None
    """The council (Hội đồng TĐKT) the dossier was sent to, when named: only its members vote on it."""
    decision_id: str | None = None
    relied_on_grants: list[str] = Field(default_factory=list)
    """Grants the last appraisal used: a revocation of any of them re-opens the appraisal."""
    audit: list[AuditEntry]

    @property
    def approved_nominee_ids(self) -> list[str]:
        return [r.nominee_id for r in self.council.results if r.passed] if self.council else []


class Actor(BaseModel):
    """Who acts, for which organisation, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: Text
    organization_id: Identifier
    reason: Text | None = None


class DraftNomination(Command):
    id: Identifier
    kind: NominationKind
    award_code: str
    year: Whole = Field(ge=1990, le=2100)
    territory: Identifier | None = None
    submitting_organization_id: Identifier
    movement_id: Identifier | None = None
    congress_id: Identifier | None = None
    nominees: list[Nominee] = Field(min_length=1)
    actor: Text | None = None
    """Through the API, the token's `sub` (a different name is refused); the service's own drafts name their
    source here."""
    organization_id: Identifier | None = None
    """The organisation the actor acts for: through the API, the token's `org`; otherwise the proposer."""


Events = list[EventData]


def _status_event(
    n: Nomination,
    entry: AuditEntry,
    *,
    missing: list[str] | None = None,
    until: date | None = None,
    session_on: date | None = None,
) -> NominationStatusChanged:
    return NominationStatusChanged(
        nomination_id=n.id,
        award_code=n.award_code,
        **carried(entry, NominationStatusChanged),
        missing_items=missing or [],
        consultation_until=until,
        council_session_on=session_on,
    )


def _move(
    n: Nomination,
    to: Status,
    action: str,
    who: Actor,
    at: datetime,
    *,
    allowed: frozenset[Status],
    missing: list[str] | None = None,
    until: date | None = None,
    session_on: date | None = None,
    **changes: object,
) -> tuple[Nomination, Events]:
    if n.status not in allowed:
        raise InvalidTransition(f"cannot {action} a nomination in {n.status.value}", field="status")
    entry = AuditEntry(at=at, **carried(who, AuditEntry), action=action, from_status=n.status, to_status=to)
    moved = n.model_copy(update={**changes, "status": to, "audit": [*n.audit, entry]})
    return moved, [_status_event(moved, entry, missing=missing, until=until, session_on=session_on)]


def _check_award(award: AwardType, kind: NominationKind, nominees: list[Nominee]) -> None:
    for i, nominee in enumerate(nominees):
        if nominee.kind is not award.subject:
            raise DomainError(
                f"{award.code} is for {award.subject.value} nominees", field=f"nominees.{i}.kind", code="wrong_subject"
            )
    topicish = {AwardKind.TOPIC: NominationKind.TOPIC, AwardKind.EXCEPTIONAL: NominationKind.EXCEPTIONAL}
    expected = topicish.get(award.kind)
    if expected is not None and kind not in (expected, NominationKind.SIMPLIFIED):
        raise DomainError(f"{award.code} is a {award.kind.value} award", field="kind", code="wrong_kind")
    ids = [n.nominee_id for n in nominees]
    if len(set(ids)) != len(ids):
        raise DomainError("a nominee appears twice", field="nominees", code="duplicate_nominee")


def draft(
    command: DraftNomination, rules: EffectiveRules, at: datetime, who: Actor | None = None
) -> tuple[Nomination, Events]:
    """`who` is recorded in the audit; without it (drafts the service makes from events) the command's actor for
    the proposer."""
    award = rules.award(command.award_code)
    _check_award(award, command.kind, command.nominees)
    who = who or Actor(
        actor=command.actor or "system", organization_id=command.organization_id or command.submitting_organization_id
    )
    by = carried(who, AuditEntry, "reason")  # a draft records no reason
    entry = AuditEntry(at=at, **by, action="draft", from_status=None, to_status=Status.DRAFT)
    # the dossier as the command describes it (not its actor), under the rules in force
    dossier = carried(command, Nomination)
    nomination = Nomination(**dossier, attachments=[], status=Status.DRAFT, rule_set_id=rules.id, audit=[entry])
    return nomination, [_status_event(nomination, entry)]


def required_attachments(n: Nomination, rules: EffectiveRules) -> list[str]:
    """Art. 84 checklist for the award type; the simplified procedure needs only what the rule set lists."""
    if n.kind is NominationKind.SIMPLIFIED:
        return list(rules.param("simplified_attachments"))
    return list(rules.award(n.award_code).attachments)


def missing_attachments(n: Nomination, rules: EffectiveRules) -> list[str]:
    """Checklist items without a file (a bare code satisfies nothing)."""
    filed = {f.item for f in n.files}
    return [a for a in required_attachments(n, rules) if a not in filed]


def submit(
    n: Nomination,
    who: Actor,
    at: datetime,
    links: SubmissionLinks | None = None,
    holds: dict[str, list[HoldFact]] | None = None,
    rules: EffectiveRules | None = None,
) -> tuple[Nomination, Events]:
    """Nothing may be proposed while a discipline, inspection or complaint case is open (Decree 152/2025).

    `holds`: each nominee's cases as the records have them (without it, what the dossier declares). A
    congress-linked nomination is refused after the congress's deadline or once it is cancelled, and a topic
    nomination before its movement's final review (`links`: what reporting told us about them). With `rules`, every
    checklist item needs a file (422 naming the first item without one).
    """
    if n.status in (Status.DRAFT, Status.RETURNED) and rules is not None:
        missing = missing_attachments(n, rules)
        if missing:
            raise DomainError(
                f"no file for {', '.join(missing)}: attach one to each checklist item before submitting",
                field=f"files.{missing[0]}",
                code="missing_attachment",
            )
    if n.status in (Status.DRAFT, Status.RETURNED):
        check_links(n.congress_id, n.movement_id, n.kind is NominationKind.TOPIC, links or SubmissionLinks(), at.date())
    for i, nominee in enumerate(n.nominees):
        cases = nominee.holds if holds is None else holds.get(nominee.nominee_id, [])
        open_holds = [h.reason.value for h in cases if h.open_on(at.date())]
        if open_holds and n.status in (Status.DRAFT, Status.RETURNED):
            raise DomainError(
                f"{nominee.nominee_id} has open case(s): {', '.join(open_holds)}",
                field=f"nominees.{i}.holds",
                code="hold_open",
            )
    return _move(n, Status.SUBMITTED, "submit", who, at, allowed=frozenset({Status.DRAFT, Status.RETURNED}))


def receive(n: Nomination, who: Actor, at: datetime) -> tuple[Nomination, Events]:
    return _move(n, Status.RECEIVED, "receive", who, at, allowed=frozenset({Status.SUBMITTED}))


def start_appraisal(n: Nomination, who: Actor, at: datetime) -> tuple[Nomination, Events]:
    return _move(n, Status.UNDER_APPRAISAL, "start_appraisal", who, at, allowed=frozenset({Status.RECEIVED}))


def appraise(
    n: Nomination, evaluations: list[Evaluation], relied_on: list[str], rules: EffectiveRules, who: Actor, at: datetime
) -> tuple[Nomination, Events]:
    """Thẩm định: RETURNED if the checklist is incomplete, else ELIGIBLE when at least one nominee passes."""
    if n.status is not Status.UNDER_APPRAISAL:
        raise InvalidTransition(f"cannot appraise a nomination in {n.status.value}", field="status")
    missing = missing_attachments(n, rules)
    if missing:
        reason = who.model_copy(update={"reason": who.reason or f"missing: {', '.join(missing)}"})
        return _move(
            n,
            Status.RETURNED,
            "return",
            reason,
            at,
            allowed=frozenset({n.status}),
            missing=missing,
            missing_items=missing,
        )
    eligible = any(e.eligible for e in evaluations)
    moved, events = _move(
        n,
        Status.ELIGIBLE if eligible else Status.INELIGIBLE,
        "appraise",
        who,
        at,
        allowed=frozenset({n.status}),
        evaluations=evaluations,
        missing_items=[],
        relied_on_grants=sorted(set(relied_on)),
        rule_set_id=rules.id,
    )
    return moved, [*_judged(n, evaluations), *events]


def open_consultation(
    n: Nomination, channel: str, start: date, rules: EffectiveRules, calendar: WorkingDays, who: Actor, at: datetime
) -> tuple[Nomination, Events]:
    """Công khai lấy ý kiến: only for awards whose rules require it; the window is in working days."""
    consultation = rules.award(n.award_code).consultation
    if not consultation.required:
        raise InvalidTransition(f"{n.award_code} needs no public consultation", field="status")
    end = window_end(calendar, start, consultation.working_days)
    window = PublicConsultation(channel=channel, start=start, end=end, working_days=consultation.working_days)
    return _move(
        n,
        Status.PUBLIC_CONSULTATION,
        "open_consultation",
        who,
        at,
        allowed=frozenset({Status.ELIGIBLE}),
        until=end,
        consultation=window,
    )


def add_comment(n: Nomination, comment: Comment) -> Nomination:
    if n.status is not Status.PUBLIC_CONSULTATION or n.consultation is None:
        raise InvalidTransition("comments are taken only during the public consultation", field="status")
    if not (n.consultation.start <= comment.at.date() <= n.consultation.end):
        raise DomainError("the consultation window is closed", field="at", code="window_closed")
    consultation = n.consultation.model_copy(update={"comments": [*n.consultation.comments, comment]})
    return n.model_copy(update={"consultation": consultation})


def to_council(
    n: Nomination,
    rules: EffectiveRules,
    who: Actor,
    at: datetime,
    session_on: date | None = None,
    council_id: str | None = None,
) -> tuple[Nomination, Events]:
    """Send to the council: straight from ELIGIBLE when no consultation is required, else after the window.

    `session_on`, the day of the council session, lets reminders go out before it; `council_id` names the council."""
    if session_on is not None and session_on < at.date():
        raise DomainError(f"the council session cannot be in the past ({session_on})", field="council_session_on")
    if rules.award(n.award_code).consultation.required:
        if n.status is Status.PUBLIC_CONSULTATION and n.consultation and at.date() <= n.consultation.end:
            raise InvalidTransition(f"the public consultation runs until {n.consultation.end}", field="status")
        allowed = frozenset({Status.PUBLIC_CONSULTATION})
    else:
        allowed = frozenset({Status.ELIGIBLE})
    return _move(
        n, Status.COUNCIL_REVIEW, "to_council", who, at, allowed=allowed, session_on=session_on, council_id=council_id
    )


class Ballot(BaseModel):
    """Votes on one nominee. Written votes come from absent members and count."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nominee_id: str
    yes_present: Whole = Field(ge=0)
    no_present: Whole = Field(ge=0)
    yes_written: Whole = Field(default=0, ge=0)
    no_written: Whole = Field(default=0, ge=0)


class CouncilVote(Command):
    session_id: Identifier
    held_on: Day
    members_total: Whole = Field(gt=0)
    attendees: Whole = Field(ge=0)
    ballots: list[Ballot] = Field(min_length=1)


def council_result(
    nominee_id: str, rule: VoteRule, members_total: int, cast: int, yes: int, *, taking_part: int | None = None
) -> CouncilResult:
    """One nominee's outcome: yes against the base, exactly. The base is all members seated, or those who took
    part (`taking_part`: attendees and written voters; the votes cast when the session gave only totals)."""
    base = members_total if rule.base is VoteBase.ALL_MEMBERS else (cast if taking_part is None else taking_part)
    return CouncilResult(
        nominee_id=nominee_id,
        members_total=members_total,
        votes_cast=cast,
        votes_yes=yes,
        threshold_percent=rule.threshold.percent,
        threshold_numerator=rule.threshold.numerator,
        threshold_denominator=rule.threshold.denominator,
        passed=reaches(yes, base, rule.threshold, inclusive=rule.inclusive),
    )


def tally(vote: CouncilVote, rules: EffectiveRules, award_code: str) -> list[CouncilResult]:
    """Per nominee: quorum on attendance, then yes against the base (all members, or those who voted), as exact
    fractions. Written votes of absent members count only where the award's vote rule allows them."""
    rule = rules.award(award_code).vote_rule
    if vote.attendees > vote.members_total:
        raise DomainError("more attendees than members", field="attendees")
    if not reaches(vote.attendees, vote.members_total, rule.quorum):
        raise DomainError(
            f"no quorum: {vote.attendees} of {vote.members_total} present, {rule.quorum} needed",
            field="attendees",
            code="no_quorum",
        )
    results = []
    for i, b in enumerate(vote.ballots):
        if b.yes_present + b.no_present > vote.attendees:
            raise DomainError("more votes in the room than attendees", field=f"ballots.{i}")
        if b.yes_written + b.no_written > vote.members_total - vote.attendees:
            raise DomainError("more written votes than absent members", field=f"ballots.{i}")
        if (b.yes_written or b.no_written) and not rule.written_votes:
            raise DomainError(
                f"written votes do not count for {award_code}", field=f"ballots.{i}", code="written_votes_not_allowed"
            )
        cast = b.yes_present + b.no_present + b.yes_written + b.no_written
        results.append(council_result(b.nominee_id, rule, vote.members_total, cast, b.yes_present + b.yes_written))
    return results


def record_council_vote(
    n: Nomination, vote: CouncilVote, rules: EffectiveRules, who: Actor, at: datetime
) -> tuple[Nomination, Events]:
    """A session's totals typed in from its minutes (a session held on paper). A session run in the platform
    (`domain.council_sessions`) concludes the dossier itself."""
    if n.status is not Status.COUNCIL_REVIEW:
        raise InvalidTransition(f"no council vote on a nomination in {n.status.value}", field="status")
    known = {x.nominee_id for x in n.nominees}
    voted = [b.nominee_id for b in vote.ballots]
    if set(voted) != known or len(voted) != len(known):
        raise DomainError("give exactly one ballot per nominee", field="ballots", code="ballots_mismatch")
    session = CouncilSession(
        session_id=vote.session_id,
        held_on=vote.held_on,
        members_total=vote.members_total,
        attendees=vote.attendees,
        results=tally(vote, rules, n.award_code),
    )
    return conclude_council(n, session, who, at)


def conclude_council(n: Nomination, session: CouncilSession, who: Actor, at: datetime) -> tuple[Nomination, Events]:
    """The council's result: APPROVED when a nominee passed (nomination.approved names those), else REJECTED."""
    if n.status is not Status.COUNCIL_REVIEW:
        raise InvalidTransition(f"no council result on a nomination in {n.status.value}", field="status")
    known = {x.nominee_id for x in n.nominees}
    if {r.nominee_id for r in session.results} != known or len(session.results) != len(known):
        raise DomainError("one result per nominee", field="results", code="results_mismatch")
    approved = [r.nominee_id for r in session.results if r.passed]
    to = Status.APPROVED if approved else Status.REJECTED
    moved, events = _move(n, to, "council_vote", who, at, allowed=frozenset({n.status}), council=session)
    if approved:
        events.append(
            NominationApproved(
                nomination_id=n.id,
                award_code=n.award_code,
                rule_set_id=n.rule_set_id,
                submitting_organization_id=n.submitting_organization_id,
                nominees=[
                    ApprovedNominee(
                        nominee_id=x.nominee_id, kind=x.kind, name=x.name, organization_id=x.organization_id
                    )
                    for x in n.nominees
                    if x.nominee_id in approved
                ],
                council_session_id=session.session_id,
                council_results=session.results,
                movement_id=n.movement_id,
                year=n.year,
            )
        )
    return moved, events


def put_on_hold(n: Nomination, who: Actor, at: datetime) -> tuple[Nomination, Events]:
    """A hold by hand (a specialist's, with a reason). A dossier already held only by cases keeps waiting for
    them and is held by hand too, so their end does not release it."""
    if not who.reason:
        raise DomainError("a hold needs a reason", field="reason")
    if n.status is Status.ON_HOLD and n.held_by_cases and not n.held_by_hand:
        return stay_on_hold(n, "hold", who, at, held_by_hand=True)
    return _move(n, Status.ON_HOLD, "hold", who, at, allowed=HOLDABLE, held_from=n.status, held_by_hand=True)


def stay_on_hold(n: Nomination, action: str, who: Actor, at: datetime, **changes: object) -> tuple[Nomination, Events]:
    """A change to an ON_HOLD dossier's holds or verdict that leaves it waiting, audited with `action`."""
    changed = n.model_copy(update=changes)
    return _move(changed, Status.ON_HOLD, action, who, at, allowed=frozenset({Status.ON_HOLD}))


def release_hold(n: Nomination, who: Actor, at: datetime) -> tuple[Nomination, Events]:
    """A release by hand: refused while any case holds the dossier (only the case's end lifts its hold)."""
    if n.status is not Status.ON_HOLD or n.held_from is None:
        raise InvalidTransition("the nomination is not on hold", field="status")
    if n.held_by_cases:
        raise InvalidTransition(f"held until case(s) {', '.join(n.held_by_cases)} end", field="status")
    return _move(
        n, n.held_from, "release", who, at, allowed=frozenset({Status.ON_HOLD}), held_from=None, held_by_hand=False
    )


APPRAISED = frozenset({Status.ELIGIBLE, Status.PUBLIC_CONSULTATION, Status.COUNCIL_REVIEW, Status.APPROVED})
"""States whose verdict stands on an appraisal: a later change of the records re-runs it."""


def reevaluate(n: Nomination, evaluations: list[Evaluation], who: Actor, at: datetime) -> tuple[Nomination, Events]:
    """The appraisal re-run on the records as they now stand: the new verdicts are kept, and a dossier none of whose
    nominees is still eligible becomes INELIGIBLE."""
    if n.status not in APPRAISED:
        raise InvalidTransition(f"no appraisal to re-run in {n.status.value}", field="status")
    judged = _judged(n, evaluations)
    if any(e.eligible for e in evaluations):
        return n.model_copy(update={"evaluations": evaluations}), judged
    moved, events = _move(n, Status.INELIGIBLE, "reevaluate", who, at, allowed=APPRAISED, evaluations=evaluations)
    return moved, [*judged, *events]


def _judged(n: Nomination, evaluations: list[Evaluation]) -> Events:
    """An `eligibility.evaluated` per verdict: its nominee, award, year, rule set and outcome, and the rules failed."""
    return [
        EligibilityEvaluated(nomination_id=n.id, **carried(e, EligibilityEvaluated), failed_rules=e.failed_rules)
        for e in evaluations
    ]


def mark_decided(n: Nomination, decision_id: str, who: Actor, at: datetime) -> tuple[Nomination, Events]:
    return _move(n, Status.DECIDED, "decide", who, at, allowed=frozenset({Status.APPROVED}), decision_id=decision_id)


def after_revocation(
    n: Nomination, grant_id: str, by: Actor, at: datetime, evaluations: list[Evaluation]
) -> tuple[Nomination, Events] | None:
    """A grant this nomination relied on was revoked: an appraised dossier is judged again at once on the records
    as they now stand (`evaluations`), and becomes INELIGIBLE if no nominee still passes. One on hold from an
    appraised state is judged at once too and keeps waiting: the new verdicts are kept, and if no nominee passes
    apart from the open cases holding it, it will leave the hold as INELIGIBLE. None if unaffected, closed, or not
    appraised yet. The audit records `by`, who revoked the grant."""
    if grant_id not in n.relied_on_grants or n.status not in OPEN:
        return None
    who = by.model_copy(update={"reason": f"grant {grant_id} revoked"})
    if n.status is Status.ON_HOLD:
        if n.held_from not in APPRAISED:
            return None
        held_from = n.held_from if any(passes_but_for_holds(e) for e in evaluations) else Status.INELIGIBLE
        noted, events = stay_on_hold(n, "revocation", who, at, evaluations=evaluations, held_from=held_from)
        return noted, [*events, *_judged(n, evaluations)]
    if n.status not in APPRAISED:
        return None
    noted, events = _move(n, n.status, "revocation", who, at, allowed=frozenset({n.status}))
    judged, more = reevaluate(noted, evaluations, who, at)
    return judged, [*events, *more]


HOLD_RULE = "no_open_hold"
"""The rule an open case fails: a dossier waiting on the case is judged on the others."""


def passes_but_for_holds(e: Evaluation) -> bool:
    """Whether the nominee passes every rule except the one the open cases (the hold itself) fail."""
    return all(r.passed or r.rule == HOLD_RULE for r in e.results)
