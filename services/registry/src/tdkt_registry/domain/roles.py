"""Functional roles held by an organisation for a period, and contact points for notifications."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

from tdkt_registry.domain.organizations import Organization
from tdkt_shared.contract.registry import AuthorityCode, ContactPointSet, FunctionalRole, RoleAssigned
from tdkt_shared.contract.text import Day, Identifier, Whole
from tdkt_shared.errors import DomainError, UnknownReference
from tdkt_shared.kit.models import Command, Value


class RoleTerms(BaseModel):
    """The terms of an assignment, the same in the command that makes it and in the assignment kept."""

    role: FunctionalRole
    organization_id: Identifier
    valid_from: Day
    valid_to: Day | None = Field(default=None, description="The last day in force (inclusive); null: open-ended")
    scope_organization_id: Identifier | None = None
    authority: AuthorityCode | None = None
    """For DECIDING_AUTHORITY only, where it is required: the deciding authority the organisation serves, as the
    award catalogue names it (e.g. PROVINCE_CHAIRMAN)."""


class RoleAssignment(Value, RoleTerms):
    """`organization_id` holds `role` from `valid_from` to `valid_to` (inclusive; None: open-ended)."""

    id: Identifier

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def overlaps(self, other: RoleAssignment) -> bool:
        return (self.valid_to is None or other.valid_from <= self.valid_to) and (
            other.valid_to is None or self.valid_from <= other.valid_to
        )

    def event(self) -> RoleAssigned:
        return RoleAssigned(assignment_id=self.id, **self.model_dump(exclude={"id"}))


class _Period(BaseModel):
    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        start, end = getattr(self, "valid_from", None), getattr(self, "valid_to", None)
        if start is not None and end is not None and end < start:
            raise ValueError("valid_to is before valid_from")
        return self


class AssignRole(_Period, RoleTerms):
    """Command: an organisation takes a functional role for a period."""

    model_config = ConfigDict(extra="forbid")

    id: Identifier | None = None
    """Optional: a stable id makes the request safe to re-send (a second one is 409 already_exists)."""

    @model_validator(mode="after")
    def _authority(self) -> AssignRole:
        deciding = self.role is FunctionalRole.DECIDING_AUTHORITY
        if deciding and self.authority is None:
            raise ValueError("authority: DECIDING_AUTHORITY names the deciding authority served")
        if not deciding and self.authority is not None:
            raise ValueError("authority: only DECIDING_AUTHORITY names a deciding authority")
        return self


class EndRole(Command):
    """Command: set the last day of an assignment (the event is `role.assigned` again, with its `valid_to`)."""

    version: Whole = Field(ge=1)
    valid_to: Day


def _check_holder(org_id: str, org: Organization | None, start: date, end: date | None, field: str) -> None:
    if org is None:
        raise UnknownReference(f"unknown organisation {org_id}", field=field)
    if org.as_of(start) is None:
        raise DomainError(f"{org_id} is not in force on {start}", field=field, code="not_in_force")
    last = org.current.valid_to
    if last is not None and (end is None or end > last):
        raise DomainError(
            f"{org_id} ceases after {last}: the role must end by then", field="valid_to", code="not_in_force"
        )


def assign(
    assignment_id: str,
    command: AssignRole,
    holder: Organization | None,
    scope: Organization | None,
    existing: list[RoleAssignment],
) -> RoleAssignment:
    """A new assignment; the same organisation cannot hold the same role twice in overlapping periods."""
    _check_holder(command.organization_id, holder, command.valid_from, command.valid_to, "organization_id")
    if command.scope_organization_id is not None and scope is None:
        raise UnknownReference(f"unknown organisation {command.scope_organization_id}", field="scope_organization_id")
    new = RoleAssignment(id=assignment_id, **command.model_dump(exclude={"id"}))
    for other in existing:
        same = (other.organization_id, other.scope_organization_id, other.role, other.authority)
        if same == (new.organization_id, new.scope_organization_id, new.role, new.authority) and other.overlaps(new):
            raise DomainError(
                f"{new.organization_id} already holds {new.role} in {other.id} from {other.valid_from}",
                field="valid_from",
                code="overlapping_validity",
            )
    return new


def end_assignment(assignment: RoleAssignment, valid_to: date) -> RoleAssignment:
    if valid_to < assignment.valid_from:
        raise DomainError("valid_to is before valid_from", field="valid_to", code="overlapping_validity")
    if assignment.valid_to is not None and valid_to >= assignment.valid_to:
        raise DomainError(f"the assignment already ends on {assignment.valid_to}", field="valid_to", code="no_change")
    return assignment.model_copy(update={"valid_to": valid_to})


OwnerKind = Literal["ORGANIZATION", "PERSON"]


class ContactPoint(Value):
    owner_id: Identifier
    owner_kind: OwnerKind
    email: str | None = None
    webhook_url: str | None = None

    def event(self) -> ContactPointSet:
        return ContactPointSet(**self.model_dump())


class SetContactPoint(Command):
    """Command: where notifications for an organisation or a person go (replaces the previous contact point)."""

    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    webhook_url: AnyHttpUrl | None = None
    version: Whole | None = Field(default=None, ge=1, description="Required to replace an existing contact point")

    @model_validator(mode="after")
    def _something(self) -> SetContactPoint:
        if self.email is None and self.webhook_url is None:
            raise ValueError("give an email, a webhook_url or both")
        return self


def contact_point_id(owner_kind: OwnerKind, owner_id: str) -> str:
    return f"{owner_kind.lower()}:{owner_id}"
