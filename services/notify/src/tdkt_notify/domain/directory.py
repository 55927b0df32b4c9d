"""Local read models built from registry events: who a recipient is, where it is reached, who holds a role."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from tdkt_shared.contract.registry import ContactPointSet, FunctionalRole, OrganizationRegistered, RoleAssigned
from tdkt_shared.contract.text import Identifier, Text


class RecipientKind(StrEnum):
    ORGANIZATION = "ORGANIZATION"
    PERSON = "PERSON"
    SUBSCRIBER = "SUBSCRIBER"
    """An explicit subscriber registered by an operator (e.g. a portal or an external system)."""


class Recipient(BaseModel):
    """Anyone a notification can go to, with the addresses known for it.

    `webhook_secret` signs the webhooks sent to this recipient; the API never shows it.
    """

    model_config = ConfigDict(frozen=True)

    id: Identifier
    kind: RecipientKind
    name: str | None = None
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    daily_digest: bool = False
    """E-mails wait for one daily digest instead of going one by one (bản tin tổng hợp hằng ngày)."""


class NewSubscriber(BaseModel):
    """Command: register an explicit subscriber."""

    model_config = ConfigDict(extra="forbid")

    id: Identifier
    name: Text
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)
    webhook_url: HttpUrl | None = None
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=200)


def subscriber(command: NewSubscriber, generated_secret: str) -> Recipient:
    url = str(command.webhook_url) if command.webhook_url else None
    secret = command.webhook_secret or (generated_secret if url else None)
    return Recipient(
        id=command.id,
        kind=RecipientKind.SUBSCRIBER,
        name=command.name,
        email=command.email,
        webhook_url=url,
        webhook_secret=secret,
    )


def with_organization(current: Recipient | None, event: OrganizationRegistered) -> Recipient:
    if current is None:
        return Recipient(id=event.organization_id, kind=RecipientKind.ORGANIZATION, name=event.name)
    return current.model_copy(update={"name": event.name})


def with_contact_point(current: Recipient | None, event: ContactPointSet, generated_secret: str) -> Recipient:
    """The contact point replaces the previous one; a webhook gets a secret the first time it is needed."""
    base = current or Recipient(id=event.owner_id, kind=RecipientKind(event.owner_kind))
    secret = base.webhook_secret or (generated_secret if event.webhook_url else None)
    return base.model_copy(update={"email": event.email, "webhook_url": event.webhook_url, "webhook_secret": secret})


class RoleAssignment(BaseModel):
    """An organisation holding a functional role from `valid_from` to `valid_to` (inclusive)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    assignment_id: Identifier
    role: FunctionalRole
    organization_id: Identifier
    valid_from: date
    valid_to: date | None = None
    scope_organization_id: Identifier | None = None

    @classmethod
    def from_event(cls, event: RoleAssigned) -> RoleAssignment:
        return cls.model_validate(event.model_dump())

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def holders_on(assignments: Iterable[RoleAssignment], role: FunctionalRole, day: date) -> list[str]:
    """Every organisation holding `role` on `day` (several may), sorted by id."""
    return sorted({a.organization_id for a in assignments if a.role == role and a.in_force_on(day)})
