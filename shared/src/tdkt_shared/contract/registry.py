"""Events of the unit registry (`tdkt.registry.events`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tdkt_shared.contract.text import Identifier, Text
from tdkt_shared.contract.types import EventData, event_type


class OrganizationKind(StrEnum):
    """What an organisation is. Levels are not kinds: the tree gives the level, so abolishing one is data."""

    PEOPLES_COMMITTEE = "PEOPLES_COMMITTEE"
    """Ủy ban nhân dân (province, commune or ward)."""
    DEPARTMENT = "DEPARTMENT"
    """Sở, ban, ngành."""
    AGENCY = "AGENCY"
    """Cơ quan, đơn vị sự nghiệp."""
    PARTY_BODY = "PARTY_BODY"
    """Cơ quan tham mưu, giúp việc Tỉnh ủy."""
    FATHERLAND_FRONT = "FATHERLAND_FRONT"
    """Ủy ban Mặt trận Tổ quốc Việt Nam."""
    MASS_ORGANIZATION = "MASS_ORGANIZATION"
    """Tổ chức chính trị - xã hội, hội."""
    PRESS = "PRESS"
    """Báo, đài (cơ quan báo chí)."""
    ENTERPRISE = "ENTERPRISE"
    """Doanh nghiệp."""
    SCHOOL = "SCHOOL"
    OTHER = "OTHER"


@event_type("tdkt.registry.organization.registered.v1", key="organization_id")
class OrganizationRegistered(EventData):
    """An organisation entered the registry with its first effective-dated version."""

    organization_id: Identifier
    name: Text
    kind: OrganizationKind
    parent_id: Identifier | None = None
    official_code: str | None = None
    area_code: str | None = None
    valid_from: date
    version: int = 1


class FunctionalRole(StrEnum):
    """A function an organisation holds for a period; other services ask who holds it on a date."""

    TDKT_STATE_MANAGEMENT = "TDKT_STATE_MANAGEMENT"
    """Cơ quan quản lý nhà nước về thi đua, khen thưởng (Sở Nội vụ / Ban Thi đua – Khen thưởng)."""
    PRESS_COMMUNICATION = "PRESS_COMMUNICATION"
    """Cơ quan báo chí, truyền thông (publicises results)."""
    COUNCIL_STANDING_BODY = "COUNCIL_STANDING_BODY"
    """Cơ quan thường trực Hội đồng Thi đua – Khen thưởng."""


@event_type("tdkt.registry.role.assigned.v1", key="organization_id")
class RoleAssigned(EventData):
    """An organisation holds a functional role from `valid_from` to `valid_to` (inclusive; None: open-ended).

    Several organisations may hold one role at once (e.g. several press bodies).
    """

    assignment_id: Identifier
    role: FunctionalRole
    organization_id: Identifier
    valid_from: date
    valid_to: date | None = None
    scope_organization_id: Identifier | None = None
    """The organisation (e.g. the province) on whose behalf the role is held."""


@event_type("tdkt.registry.organizations.merged.v1", key="successor_id")
class OrganizationsMerged(EventData):
    """Predecessors merged into a successor on `effective_date`; their open work moves to the successor."""

    predecessor_ids: list[Identifier] = Field(min_length=1)
    successor_id: Identifier
    effective_date: date
    legal_basis: Text
    """e.g. Nghị quyết 202/2025/QH15."""
    batch_id: Identifier | None = None


class Employment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    organization_id: Identifier
    position: Text
    valid_from: date
    valid_to: date | None = None


@event_type("tdkt.registry.person.employment.changed.v1", key="person_id")
class PersonEmploymentChanged(EventData):
    """A person's employment history after a change: the whole history, newest last (transfers included)."""

    person_id: Identifier
    full_name: Text
    employments: list[Employment] = Field(default_factory=list)


@event_type("tdkt.registry.contact_point.set.v1", key="owner_id")
class ContactPointSet(EventData):
    """Where notifications for an organisation or a person go; replaces the owner's previous contact point."""

    owner_id: Identifier
    owner_kind: Literal["ORGANIZATION", "PERSON"]
    email: str | None = None
    webhook_url: str | None = None
