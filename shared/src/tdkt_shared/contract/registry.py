"""Events of the unit registry (`tdkt.registry.events`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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
