"""Organisations (đơn vị) as effective-dated versions in a tree of any depth."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered
from tdkt_shared.contract.text import Identifier, Text
from tdkt_shared.errors import DomainError


class OrganizationVersion(BaseModel):
    """What an organisation was between `valid_from` and `valid_to` (inclusive; None: still in force)."""

    model_config = ConfigDict(frozen=True)

    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = None
    area_code: str | None = None
    valid_from: date
    valid_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Organization(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: Identifier
    versions: list[OrganizationVersion] = Field(min_length=1)

    def as_of(self, day: date) -> OrganizationVersion | None:
        return next((v for v in self.versions if v.in_force_on(day)), None)

    @property
    def current(self) -> OrganizationVersion:
        return self.versions[-1]


class RegisterOrganization(BaseModel):
    """Command: enter a new organisation in the registry."""

    model_config = ConfigDict(extra="forbid")

    id: Identifier
    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = Field(default=None, max_length=40)
    area_code: str | None = Field(default=None, max_length=40)
    valid_from: date

    @model_validator(mode="after")
    def _not_own_parent(self) -> RegisterOrganization:
        if self.parent_id == self.id:
            raise ValueError("an organisation cannot be its own parent")
        return self


def register(command: RegisterOrganization, parent: Organization | None) -> tuple[Organization, OrganizationRegistered]:
    """The new organisation and its event. The parent must exist and be in force on `valid_from`."""
    if command.parent_id is not None:
        if parent is None:
            raise DomainError(f"unknown parent {command.parent_id}", field="parent_id", code="unknown_reference")
        if parent.as_of(command.valid_from) is None:
            raise DomainError(f"parent {command.parent_id} is not in force on {command.valid_from}", field="parent_id")
    version = OrganizationVersion(**command.model_dump(exclude={"id"}))
    organization = Organization(id=command.id, versions=[version])
    event = OrganizationRegistered(organization_id=command.id, **command.model_dump(exclude={"id"}))
    return organization, event
