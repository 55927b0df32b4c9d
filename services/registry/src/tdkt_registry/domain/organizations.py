"""Organisations (đơn vị) as effective-dated versions in a tree of any depth, with their lineage.

Dates are inclusive: a version is in force from `valid_from` to `valid_to` (None: still in force). A change that
takes effect on day D closes the version in force with `valid_to = D - 1` and opens a new one from D, so the
versions of one organisation never overlap and leave no gap until the organisation ends.

An organisation ends by merger, split or dissolution: its last version is closed, its `status` says how, and the
lineage links (`successors` here, `predecessors` on the other side) keep the way to what came after.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from pydantic import Field, model_validator

from tdkt_shared.contract.registry import (
    OrganizationChanged,
    OrganizationField,
    OrganizationKind,
    OrganizationRegistered,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.errors import DomainError, InvalidTransition, UnknownReference
from tdkt_shared.kit.events import announce
from tdkt_shared.kit.models import Command, Value

ONE_DAY = timedelta(days=1)


class OrganizationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    MERGED = "MERGED"
    """Merged into a successor; no version is in force from the merger on."""
    SPLIT = "SPLIT"
    DISSOLVED = "DISSOLVED"


class LinkKind(StrEnum):
    """A lineage edge, seen from the organisation that holds it."""

    MERGED_INTO = "MERGED_INTO"
    MERGED_FROM = "MERGED_FROM"
    SPLIT_INTO = "SPLIT_INTO"
    SPLIT_FROM = "SPLIT_FROM"


class LineageLink(Value):
    kind: LinkKind
    organization_id: Identifier
    effective_date: Day
    legal_basis: Text
    operation_id: str
    batch_id: Identifier | None = None


class OrganizationVersion(Value):
    """What an organisation was between `valid_from` and `valid_to` (inclusive; None: still in force)."""

    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = None
    area_code: str | None = None
    valid_from: Day
    valid_to: Day | None = None
    legal_basis: Text | None = None

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def in_force_from(self, day: date) -> bool:
        """In force on `day` or on some later day."""
        return self.valid_to is None or day <= self.valid_to


class Organization(Value):
    id: Identifier
    versions: list[OrganizationVersion] = Field(min_length=1)
    status: OrganizationStatus = OrganizationStatus.ACTIVE
    ended_on: Day | None = None
    """The first day the organisation no longer exists (merger, split or dissolution)."""
    end_legal_basis: Text | None = None
    predecessors: list[LineageLink] = Field(default_factory=list)
    successors: list[LineageLink] = Field(default_factory=list)

    def as_of(self, day: date) -> OrganizationVersion | None:
        return next((v for v in self.versions if v.in_force_on(day)), None)

    @property
    def current(self) -> OrganizationVersion:
        return self.versions[-1]

    @property
    def is_open(self) -> bool:
        """Still in force with no end date."""
        return self.current.valid_to is None

    def parent_ids_from(self, day: date) -> set[str]:
        """The parents of every version in force on `day` or later."""
        return {v.parent_id for v in self.versions if v.parent_id and v.in_force_from(day)}

    def has_link(self, operation_id: str) -> bool:
        return any(link.operation_id == operation_id for link in (*self.predecessors, *self.successors))


class RegisterOrganization(Command):
    """Command: enter a new organisation in the registry."""

    id: Identifier
    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = Field(default=None, max_length=40)
    area_code: str | None = Field(default=None, max_length=40)
    valid_from: Day
    legal_basis: Text | None = None

    @model_validator(mode="after")
    def _not_own_parent(self) -> RegisterOrganization:
        if self.parent_id == self.id:
            raise ValueError("an organisation cannot be its own parent")
        return self


def check_parent(parent_id: str, parent: Organization | None, day: date, field: str = "parent_id") -> None:
    if parent is None:
        raise UnknownReference(f"unknown parent {parent_id}", field=field)
    if parent.as_of(day) is None:
        raise DomainError(f"parent {parent_id} is not in force on {day}", field=field)


def register(command: RegisterOrganization, parent: Organization | None) -> tuple[Organization, OrganizationRegistered]:
    """The new organisation and its event. The parent must exist and be in force on `valid_from`."""
    if command.parent_id is not None:
        check_parent(command.parent_id, parent, command.valid_from)
    version = OrganizationVersion(**command.model_dump(exclude={"id"}))
    organization = Organization(id=command.id, versions=[version])
    event = OrganizationRegistered(
        organization_id=command.id, **command.model_dump(exclude={"id", "legal_basis"}, exclude_none=True)
    )
    return organization, event


class OrganizationChanges(Command):
    """The fields a change can set; a field left out keeps its value (send `null` to clear an optional one)."""

    name: Text | None = None
    kind: OrganizationKind | None = None
    parent_id: Identifier | None = None
    official_code: str | None = Field(default=None, max_length=40)
    area_code: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _required_stay_set(self) -> OrganizationChanges:
        for name in ("name", "kind"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be cleared")
        return self

    def values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class ChangeOrganization(OrganizationChanges):
    """Command: a new version of an organisation from `effective_date` (rename, retype, reparent, recode)."""

    version: Whole = Field(ge=1, description="The version the client last read (optimistic concurrency)")
    effective_date: Day
    legal_basis: Text | None = None

    def values(self) -> dict[str, object]:
        return {n: getattr(self, n) for n in self.model_fields_set if n in OrganizationChanges.model_fields}


def change(
    organization: Organization,
    values: dict[str, object],
    effective_date: date,
    legal_basis: str | None,
    *,
    field_prefix: str = "",
) -> tuple[Organization, list[OrganizationField]]:
    """Close the version in force and open a new one from `effective_date` with `values` applied.

    Versions are only appended: the change must take effect after the start of the newest version, and the
    organisation must still be open (not merged, split or dissolved).
    """
    if not organization.is_open:
        raise InvalidTransition(
            f"{organization.id} ended on {organization.ended_on} ({organization.status})",
            field=f"{field_prefix}organization_id" if field_prefix else None,
        )
    current = organization.current
    if effective_date <= current.valid_from:
        raise DomainError(
            f"effective_date must be after {current.valid_from}, the start of the version in force: versions may "
            "not overlap and are only appended",
            field=f"{field_prefix}effective_date",
            code="overlapping_validity",
        )
    if "parent_id" in values and values["parent_id"] == organization.id:
        raise DomainError("an organisation cannot be its own parent", field=f"{field_prefix}parent_id", code="cycle")
    changed = [
        OrganizationField(n) for n in OrganizationField if n.value in values and values[n] != getattr(current, n)
    ]
    if not changed:
        raise DomainError("the change changes nothing", field=f"{field_prefix}name", code="no_change")
    new = current.model_copy(
        update={**values, "valid_from": effective_date, "valid_to": None, "legal_basis": legal_basis}
    )
    closed = current.model_copy(update={"valid_to": effective_date - ONE_DAY})
    return organization.model_copy(update={"versions": [*organization.versions[:-1], closed, new]}), changed


def changed_event(
    organization: Organization, changed: list[OrganizationField], version: int, batch_id: str | None = None
) -> OrganizationChanged:
    """The whole version now in force, and which of its fields the change set."""
    current = organization.current
    return announce(
        OrganizationChanged,
        current,
        organization_id=organization.id,
        changed=changed,
        version=version,
        batch_id=batch_id,
    )


def end(
    organization: Organization,
    effective_date: date,
    status: OrganizationStatus,
    legal_basis: str,
    links: list[LineageLink],
    *,
    field: str,
    date_field: str = "effective_date",
) -> Organization:
    """Close the organisation: its last day in force is the day before `effective_date`."""
    if not organization.is_open:
        raise InvalidTransition(
            f"{organization.id} already ended on {organization.ended_on} ({organization.status})", field=field
        )
    current = organization.current
    if effective_date <= current.valid_from:
        raise DomainError(
            f"{organization.id}: effective_date must be after {current.valid_from}, the start of its version in force",
            field=date_field,
            code="overlapping_validity",
        )
    closed = current.model_copy(update={"valid_to": effective_date - ONE_DAY})
    return organization.model_copy(
        update={
            "versions": [*organization.versions[:-1], closed],
            "status": status,
            "ended_on": effective_date,
            "end_legal_basis": legal_basis,
            "successors": [*organization.successors, *links],
        }
    )


def continue_split(organization: Organization, links: list[LineageLink], *, field: str) -> Organization:
    """A split whose predecessor goes on: it only records where the parts went."""
    if not organization.is_open:
        raise InvalidTransition(f"{organization.id} ended on {organization.ended_on}", field=field)
    return organization.model_copy(update={"successors": [*organization.successors, *links]})


def receive(organization: Organization, effective_date: date, links: list[LineageLink], *, field: str) -> Organization:
    """The successor side of a merger or split: it must be in force on the effective date and stay open."""
    if organization.as_of(effective_date) is None or not organization.current.in_force_from(effective_date):
        raise DomainError(
            f"successor {organization.id} is not in force on {effective_date} ({organization.status})",
            field=field,
            code="not_in_force",
        )
    if not organization.is_open:
        raise InvalidTransition(
            f"successor {organization.id} ends on {organization.ended_on} ({organization.status})", field=field
        )
    return organization.model_copy(update={"predecessors": [*organization.predecessors, *links]})
