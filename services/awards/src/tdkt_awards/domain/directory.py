"""Local read models of the registry: organisations with their merger lineage, and persons."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from tdkt_awards.domain.eligibility import Predecessor
from tdkt_shared.contract.registry import (
    Employment,
    OrganizationRegistered,
    OrganizationsMerged,
    PersonEmploymentChanged,
)


class KnownOrganization(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None = None
    predecessors: list[Predecessor] = Field(default_factory=list)
    """Organisations merged into this one, with the last day their own history counts."""
    merged_into: str | None = None


def registered(current: KnownOrganization | None, data: OrganizationRegistered) -> KnownOrganization:
    base = current or KnownOrganization(id=data.organization_id)
    return base.model_copy(update={"name": data.name})


def merged_successor(current: KnownOrganization | None, data: OrganizationsMerged) -> KnownOrganization:
    base = current or KnownOrganization(id=data.successor_id)
    until = data.effective_date - timedelta(days=1)
    known = {p.organization_id for p in base.predecessors}
    added = [Predecessor(organization_id=p, until=until) for p in data.predecessor_ids if p not in known]
    return base.model_copy(update={"predecessors": [*base.predecessors, *added]})


def merged_predecessor(current: KnownOrganization | None, organization_id: str, successor: str) -> KnownOrganization:
    base = current or KnownOrganization(id=organization_id)
    return base.model_copy(update={"merged_into": successor})


class KnownPerson(BaseModel):
    """Achievements belong to the person, so chains follow them across transfers whatever the organisation."""

    model_config = ConfigDict(frozen=True)

    id: str
    full_name: str
    employments: list[Employment] = Field(default_factory=list)


def person_from(data: PersonEmploymentChanged) -> KnownPerson:
    return KnownPerson(id=data.person_id, full_name=data.full_name, employments=data.employments)
