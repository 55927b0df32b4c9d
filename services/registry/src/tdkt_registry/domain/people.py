"""Persons with their employment history, and Emulation–Commendation Councils with their members.

A person has a stable id independent of any organisation: award chains follow the person across transfers, and
the organisations' lineage across mergers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import Field, model_validator

from tdkt_registry.domain.organizations import Organization
from tdkt_shared.contract.registry import (
    CouncilConstituted,
    CouncilMember,
    CouncilMembershipChanged,
    CouncilRole,
    Employment,
    PersonEmploymentChanged,
    PersonRegistered,
)
from tdkt_shared.contract.text import Day, Flag, Identifier, Text, Whole
from tdkt_shared.errors import DomainError, UnknownReference
from tdkt_shared.kit.models import Command, Value

ONE_DAY = timedelta(days=1)
SINGLE_ROLES = (CouncilRole.CHAIR, CouncilRole.STANDING_VICE_CHAIR)


def _overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def _overlapping(detail: str, field: str = "valid_from") -> DomainError:
    """The refusal of a period that would overlap another one of the same history."""
    return DomainError(detail, field=field, code="overlapping_validity")


def _in_force(org_id: str, org: Organization | None, day: date, field: str) -> None:
    if org is None:
        raise UnknownReference(f"unknown organisation {org_id}", field=field)
    if org.as_of(day) is None:
        raise DomainError(f"{org_id} is not in force on {day}", field=field, code="not_in_force")


# ---------------------------------------------------------------------------------------------------- persons


class Person(Value):
    id: Identifier
    full_name: Text
    birth_year: Whole | None = None
    gender: Literal["MALE", "FEMALE", "OTHER"] | None = None
    employments: list[Employment] = Field(default_factory=list)

    def employed_on(self, day: date) -> list[Employment]:
        return [e for e in self.employments if e.valid_from <= day and (e.valid_to is None or day <= e.valid_to)]

    def employment_event(self) -> PersonEmploymentChanged:
        return PersonEmploymentChanged(person_id=self.id, full_name=self.full_name, employments=self.employments)


class RegisterPerson(Command):
    id: Identifier
    full_name: Text
    birth_year: Whole | None = Field(default=None, ge=1900, le=2100)
    gender: Literal["MALE", "FEMALE", "OTHER"] | None = None


def register_person(command: RegisterPerson) -> tuple[Person, PersonRegistered]:
    person = Person(**command.model_dump())
    return person, PersonRegistered(person_id=person.id, **command.model_dump(exclude={"id"}))


class StartEmployment(Command):
    """Command: the person starts a position in an organisation. With `close_previous` (the default) the open
    employment ends the day before: a transfer. Without it, the new one runs alongside (kiêm nhiệm)."""

    version: Whole = Field(ge=1)
    organization_id: Identifier
    position: Text
    valid_from: Day
    close_previous: Flag = True


class EndEmployment(Command):
    """Command: the person's open employment in `organization_id` (or the only open one) ends on `valid_to`."""

    version: Whole = Field(ge=1)
    valid_to: Day
    organization_id: Identifier | None = None


def start_employment(person: Person, command: StartEmployment, org: Organization | None) -> Person:
    _in_force(command.organization_id, org, command.valid_from, "organization_id")
    employments = list(person.employments)
    if command.close_previous:
        for i, e in enumerate(employments):
            if e.valid_to is None:
                if command.valid_from <= e.valid_from:
                    raise _overlapping(f"valid_from must be after {e.valid_from}, the start of the open employment")
                employments[i] = e.model_copy(update={"valid_to": command.valid_from - ONE_DAY})
    for e in employments:
        if e.valid_to is not None and e.valid_to >= command.valid_from and command.close_previous:
            raise _overlapping(f"an employment in {e.organization_id} runs until {e.valid_to}")
        if e.organization_id == command.organization_id and _overlap(
            e.valid_from, e.valid_to, command.valid_from, None
        ):
            raise _overlapping(f"already employed in {e.organization_id} from {e.valid_from}")
    new = Employment(organization_id=command.organization_id, position=command.position, valid_from=command.valid_from)
    return person.model_copy(update={"employments": [*employments, new]})


def end_employment(person: Person, command: EndEmployment) -> Person:
    open_ones = [
        i
        for i, e in enumerate(person.employments)
        if e.valid_to is None and command.organization_id in (None, e.organization_id)
    ]
    if len(open_ones) != 1:
        detail = "no open employment" if not open_ones else "several open employments: name the organisation"
        raise DomainError(detail, field="organization_id", code="no_open_employment")
    [i] = open_ones
    current = person.employments[i]
    if command.valid_to < current.valid_from:
        raise _overlapping(f"valid_to is before {current.valid_from}", "valid_to")
    employments = list(person.employments)
    employments[i] = current.model_copy(update={"valid_to": command.valid_to})
    return person.model_copy(update={"employments": employments})


# ---------------------------------------------------------------------------------------------------- councils


class CouncilSeat(Command):
    """A person's seat when the council is constituted (from the start of the term)."""

    person_id: Identifier
    role: CouncilRole


class Council(Value):
    id: Identifier
    name: Text
    level: str
    organization_id: Identifier
    term_from: Day
    term_to: Day | None = Field(default=None, description="The last day of the term; null while it has no set end")
    legal_basis: Text | None = None
    members: list[CouncilMember] = Field(default_factory=list)

    def seated_on(self, day: date) -> list[CouncilMember]:
        return [m for m in self.members if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)]

    def event(self, person_id: str) -> CouncilMembershipChanged:
        return CouncilMembershipChanged(council_id=self.id, person_id=person_id, members=self.members)


class ConstituteCouncil(Command):
    id: Identifier
    name: Text
    level: str = Field(min_length=1, max_length=40)
    organization_id: Identifier
    term_from: Day
    term_to: Day | None = None
    legal_basis: Text | None = None
    members: list[CouncilSeat] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _shape(self) -> ConstituteCouncil:
        if self.term_to is not None and self.term_to < self.term_from:
            raise ValueError("term_to is before term_from")
        ids = [m.person_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("a person is listed twice in members")
        for role in SINGLE_ROLES:
            if sum(m.role is role for m in self.members) > 1:
                raise ValueError(f"a council has one {role}")
        return self


class SeatMember(Command):
    """Command: a person takes a seat (or a new role) from `valid_from`; a current seat of theirs ends the day
    before."""

    version: Whole = Field(ge=1)
    person_id: Identifier
    role: CouncilRole
    valid_from: Day


class UnseatMember(Command):
    version: Whole = Field(ge=1)
    valid_to: Day


def constitute(
    command: ConstituteCouncil, owner: Organization | None, known_persons: set[str]
) -> tuple[Council, CouncilConstituted]:
    _in_force(command.organization_id, owner, command.term_from, "organization_id")
    for i, seat in enumerate(command.members):
        if seat.person_id not in known_persons:
            raise UnknownReference(f"unknown person {seat.person_id}", field=f"members.{i}.person_id")
    members = [CouncilMember(person_id=s.person_id, role=s.role, valid_from=command.term_from) for s in command.members]
    council = Council(**command.model_dump(exclude={"members"}), members=members)
    event = CouncilConstituted(council_id=council.id, **council.model_dump(exclude={"id"}))
    return council, event


def _check_term(council: Council, day: date, field: str) -> None:
    if day < council.term_from or (council.term_to is not None and day > council.term_to):
        raise DomainError(f"{day} is outside the council's term", field=field, code="out_of_period")


def seat(council: Council, command: SeatMember, person_known: bool) -> Council:
    if not person_known:
        raise UnknownReference(f"unknown person {command.person_id}", field="person_id")
    _check_term(council, command.valid_from, "valid_from")
    members = list(council.members)
    for i, m in enumerate(members):
        if m.person_id == command.person_id and m.valid_to is None:
            if m.role == command.role:
                raise DomainError(f"{m.person_id} already sits as {m.role}", field="role", code="no_change")
            if command.valid_from <= m.valid_from:
                raise _overlapping(f"valid_from must be after {m.valid_from}")
            members[i] = m.model_copy(update={"valid_to": command.valid_from - ONE_DAY})
    if command.role in SINGLE_ROLES:
        for m in members:
            if m.role == command.role and _overlap(m.valid_from, m.valid_to, command.valid_from, None):
                raise DomainError(
                    f"{m.person_id} is {m.role} until {m.valid_to or 'further notice'}: unseat them first",
                    field="role",
                    code="role_taken",
                )
    new = CouncilMember(person_id=command.person_id, role=command.role, valid_from=command.valid_from)
    return council.model_copy(update={"members": [*members, new]})


def unseat(council: Council, person_id: str, command: UnseatMember) -> Council:
    members = list(council.members)
    open_seats = [i for i, m in enumerate(members) if m.person_id == person_id and m.valid_to is None]
    if not open_seats:
        raise DomainError(f"{person_id} holds no seat", field="person_id", code="not_a_member")
    [i] = open_seats
    if command.valid_to < members[i].valid_from:
        raise _overlapping("valid_to is before the seat began", "valid_to")
    members[i] = members[i].model_copy(update={"valid_to": command.valid_to})
    return council.model_copy(update={"members": members})
