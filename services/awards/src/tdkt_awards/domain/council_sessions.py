"""Council sessions (phiên họp Hội đồng Thi đua – Khen thưởng): the council as constituted on the day, who attends,
the dossiers on the agenda, one ballot per member and dossier, and the result per nominee.

The ballot is secret: the session records who voted on each dossier, and separately how many yes and no votes each
nominee received, never which member cast which choice. The tallies are shown only once the session is closed.
Quorum and thresholds are exact fractions of the award's vote rule, taken from the rules recorded on each dossier.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from tdkt_awards.domain.catalogue import EffectiveRules, VoteBase, VoteRule, reaches
from tdkt_awards.domain.nominations import Actor, Nomination, Status, council_result
from tdkt_awards.domain.registry import KnownCouncil
from tdkt_shared.contract.awards import CouncilBallotCast, CouncilSessionClosed, CouncilSessionOpened, SessionResult
from tdkt_shared.contract.registry import CouncilRole
from tdkt_shared.contract.text import Day, Flag, Identifier, Instant, Whole
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition
from tdkt_shared.kit.carry import carried
from tdkt_shared.kit.models import Command, Value

MAX_AGENDA = 100
MAX_ATTENDEES = 200


class SessionStatus(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class Seat(Value):
    """A member seated on the session day, with their role in the council."""

    person_id: str
    role: CouncilRole


class Tally(Value):
    """The yes and no votes one nominee received; no voter is named here."""

    nominee_id: str
    yes: Whole = 0
    no: Whole = 0


class AgendaNominee(Value):
    nominee_id: str
    name: str


class AgendaItem(Value):
    """One dossier voted on, under the vote rule of the rules recorded on it."""

    nomination_id: str
    award_code: str
    rule_set_id: str
    """The rules the dossier's merit was judged by (those of the period)."""
    vote_rules_id: str | None = None
    """The rules the vote follows: those in force on the session day when they apply to procedure."""
    vote_rule: VoteRule
    nominees: list[AgendaNominee]
    voters: list[str] = Field(default_factory=list)
    """Members who voted on this dossier in the session, in name order (not the order they voted in)."""
    written_voters: list[str] = Field(default_factory=list)
    """Absent members who voted in writing, in name order."""
    tallies: list[Tally] = Field(default_factory=list)


class MinutesItem(Value):
    """One dossier in the minutes: how it was voted on and what the count was."""

    nomination_id: str
    award_code: str
    rule_set_id: str
    secret: Flag
    quorum: str
    """The quorum required, as a fraction (2/3)."""
    threshold: str
    base: str
    nominees: list[AgendaNominee]
    voters: list[str]
    written_voters: list[str]
    results: list[SessionResult]


class Minutes(Value):
    """Biên bản họp Hội đồng: the data the minutes are written from."""

    session_id: str
    council_id: str
    council_name: str | None = None
    held_on: Day
    chair: str | None = None
    """The chair seated on the day (Chủ tịch Hội đồng), when the registry names one."""
    members: list[Seat]
    attendees: list[str]
    absent: list[str]
    opened_at: Instant
    closed_at: Instant
    recorded_by: str
    items: list[MinutesItem]


class Session(Value):
    id: str
    council_id: str
    council_name: str | None = None
    held_on: Day
    status: SessionStatus
    seats: list[Seat]
    attendees: list[str]
    agenda: list[AgendaItem]
    opened_at: Instant
    opened_by: Actor
    closed_at: Instant | None = None
    results: list[SessionResult] = Field(default_factory=list)
    minutes: Minutes | None = None

    def seated(self, person_id: str) -> bool:
        return any(s.person_id == person_id for s in self.seats)

    def item(self, nomination_id: str) -> AgendaItem:
        for item in self.agenda:
            if item.nomination_id == nomination_id:
                return item
        raise DomainError(
            f"{nomination_id} is not on the agenda of {self.id}", field="nomination_id", code="not_on_agenda"
        )


class OpenSession(Command):
    id: Identifier
    council_id: Identifier
    held_on: Day
    attendees: list[Identifier] = Field(min_length=1, max_length=MAX_ATTENDEES)
    """The members present in person."""
    agenda: list[Identifier] = Field(min_length=1, max_length=MAX_AGENDA)
    """Nominations at the council stage (COUNCIL_REVIEW) sent to this council or to none in particular."""


class Choice(StrEnum):
    YES = "YES"
    """Đồng ý."""
    NO = "NO"
    """Không đồng ý."""


class NomineeChoice(Command):
    nominee_id: Identifier
    choice: Choice


class CastBallot(Command):
    nomination_id: Identifier
    choices: list[NomineeChoice] = Field(min_length=1, max_length=500)
    """One choice per nominee of the dossier."""


Events = list[EventData]


def seats_on(council: KnownCouncil, day: date) -> list[Seat]:
    """The council as constituted on `day`, from the registry's membership periods."""
    seated = {
        m.person_id: Seat(person_id=m.person_id, role=m.role)
        for m in council.members
        if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)
    }
    return sorted(seated.values(), key=lambda s: s.person_id)


def _unique(values: list[str], field: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise DomainError(f"{value} is given twice", field=f"{field}.{i}", code="duplicate")
        seen.add(value)


def open_session(
    command: OpenSession,
    council: KnownCouncil,
    dossiers: list[Nomination],
    rules: dict[str, EffectiveRules],
    who: Actor,
    at: datetime,
) -> tuple[Session, Events]:
    """Open the session: attendees must sit on the council that day, each dossier must be at the council stage, and
    the attendance must meet the quorum of every dossier's vote rule. `dossiers` and `rules` follow the agenda."""
    seats = seats_on(council, command.held_on)
    if not seats:
        raise DomainError(f"{council.id} has no members on {command.held_on}", field="council_id", code="no_members")
    _unique(command.attendees, "attendees")
    _unique(command.agenda, "agenda")
    seated = {s.person_id for s in seats}
    for i, person in enumerate(command.attendees):
        if person not in seated:
            raise DomainError(
                f"{person} does not sit on {council.id} on {command.held_on}",
                field=f"attendees.{i}",
                code="not_seated",
            )
    agenda = []
    for i, n in enumerate(dossiers):
        if n.status is not Status.COUNCIL_REVIEW:
            raise DomainError(
                f"{n.id} is {n.status.value}, not at the council stage",
                field=f"agenda.{i}",
                code="not_at_council_stage",
            )
        if n.council_id is not None and n.council_id != council.id:
            raise DomainError(f"{n.id} was sent to {n.council_id}", field=f"agenda.{i}", code="other_council")
        rule = rules[n.id].award(n.award_code).vote_rule
        if not reaches(len(command.attendees), len(seats), rule.quorum):
            raise DomainError(
                f"no quorum for {n.id}: {len(command.attendees)} of {len(seats)} present, {rule.quorum} needed",
                field="attendees",
                code="no_quorum",
            )
        agenda.append(
            AgendaItem(
                nomination_id=n.id,
                award_code=n.award_code,
                rule_set_id=n.rule_set_id,
                vote_rules_id=rules[n.id].id,
                vote_rule=rule,
                nominees=[AgendaNominee(nominee_id=x.nominee_id, name=x.name) for x in n.nominees],
                tallies=[Tally(nominee_id=x.nominee_id) for x in n.nominees],
            )
        )
    session = Session(
        id=command.id,
        council_id=council.id,
        council_name=council.name,
        held_on=command.held_on,
        status=SessionStatus.OPEN,
        seats=seats,
        attendees=sorted(command.attendees),
        agenda=agenda,
        opened_at=at,
        opened_by=who,
    )
    opened = CouncilSessionOpened(
        session_id=session.id,
        council_id=session.council_id,
        held_on=session.held_on,
        members=sorted(seated),
        attendees=session.attendees,
        agenda=[item.nomination_id for item in agenda],
    )
    return session, [opened]


def cast_ballot(session: Session, voter: str, ballot: CastBallot) -> tuple[Session, Events]:
    """One member's ballot on one dossier: in person when attending, in writing when absent (where the vote rule
    allows it). The choices are added to the tallies; the voter only to the list of those who voted."""
    if session.status is not SessionStatus.OPEN:
        raise InvalidTransition(f"session {session.id} is closed", field="status")
    if not session.seated(voter):
        raise DomainError(f"{voter} does not sit on {session.council_id}", field="voter", code="not_seated")
    item = session.item(ballot.nomination_id)
    if voter in item.voters or voter in item.written_voters:
        raise InvalidTransition(
            f"{voter} has already voted on {item.nomination_id}", field="nomination_id", code="already_voted"
        )
    written = voter not in session.attendees
    if written and not item.vote_rule.written_votes:
        raise DomainError(
            f"{item.award_code} counts no written votes: {voter} is not present",
            field="voter",
            code="written_votes_not_allowed",
        )
    chosen = {c.nominee_id: c.choice for c in ballot.choices}
    if len(chosen) != len(ballot.choices) or set(chosen) != {x.nominee_id for x in item.nominees}:
        raise DomainError("give exactly one choice per nominee of the dossier", field="choices", code="ballot_mismatch")
    tallies = [
        t.model_copy(update={"yes": t.yes + 1} if chosen[t.nominee_id] is Choice.YES else {"no": t.no + 1})
        for t in item.tallies
    ]
    if written:
        changes = {"written_voters": sorted([*item.written_voters, voter]), "tallies": tallies}
    else:
        changes = {"voters": sorted([*item.voters, voter]), "tallies": tallies}
    agenda = [item.model_copy(update=changes) if i is item else i for i in session.agenda]
    cast = CouncilBallotCast(session_id=session.id, nomination_id=item.nomination_id, voter_id=voter, written=written)
    return session.model_copy(update={"agenda": agenda}), [cast]


def _base(rule: VoteRule) -> str:
    return "all members seated" if rule.base is VoteBase.ALL_MEMBERS else "members taking part"


def _results(session: Session, item: AgendaItem) -> list[SessionResult]:
    taking_part = len(session.attendees) + len(item.written_voters)
    return [
        SessionResult(
            nomination_id=item.nomination_id,
            award_code=item.award_code,
            **council_result(
                t.nominee_id, item.vote_rule, len(session.seats), t.yes + t.no, t.yes, taking_part=taking_part
            ).model_dump(),
        )
        for t in item.tallies
    ]


def close_session(session: Session, who: Actor, at: datetime) -> tuple[Session, Events]:
    """Count: each nominee's yes votes against the base of its vote rule (all members seated that day, or those
    who took part: the attendees and the written voters), exactly. The minutes record the whole session."""
    if session.status is not SessionStatus.OPEN:
        raise InvalidTransition(f"session {session.id} is already closed", field="status")
    items = []
    results: list[SessionResult] = []
    for item in session.agenda:
        found = _results(session, item)
        results += found
        rule = item.vote_rule
        threshold = f"{'at least' if rule.inclusive else 'more than'} {rule.threshold}"
        voted = carried(item, MinutesItem)  # the dossier, its nominees and who voted
        counted = MinutesItem(
            **voted, secret=rule.secret, quorum=str(rule.quorum), threshold=threshold, base=_base(rule), results=found
        )
        items.append(counted)
    chair = next((s.person_id for s in session.seats if s.role is CouncilRole.CHAIR), None)
    absent = [s.person_id for s in session.seats if s.person_id not in session.attendees]
    minutes = Minutes(
        session_id=session.id,
        **carried(session, Minutes, "closed_at"),  # the council, the day, who attended, when it opened
        chair=chair,
        members=session.seats,
        absent=absent,
        closed_at=at,
        recorded_by=who.actor,
        items=items,
    )
    closed = session.model_copy(
        update={"status": SessionStatus.CLOSED, "closed_at": at, "results": results, "minutes": minutes}
    )
    event = CouncilSessionClosed(
        session_id=session.id,
        council_id=session.council_id,
        held_on=session.held_on,
        members_total=len(session.seats),
        attendees_total=len(session.attendees),
        results=results,
    )
    return closed, [event]


def results_for(session: Session, nomination_id: str) -> list[SessionResult]:
    return [r for r in session.results if r.nomination_id == nomination_id]
