"""Local read models of the registry: organisations with their merger lineage, and persons."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from tdkt_awards.domain.eligibility import Predecessor
from tdkt_shared.contract.registry import (
    CouncilConstituted,
    CouncilMember,
    CouncilMembershipChanged,
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


class KnownCouncil(BaseModel):
    """A Hội đồng Thi đua – Khen thưởng and its members with their periods, as the registry announced them."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str | None = None
    members: list[CouncilMember] = Field(default_factory=list)

    def seats(self, person_id: str, on: date) -> bool:
        """True when `person_id` sits on the council on `on`."""
        return any(
            m.person_id == person_id and m.valid_from <= on and (m.valid_to is None or on <= m.valid_to)
            for m in self.members
        )


def council_constituted(data: CouncilConstituted) -> KnownCouncil:
    return KnownCouncil(id=data.council_id, name=data.name, members=data.members)


def council_membership_changed(current: KnownCouncil | None, data: CouncilMembershipChanged) -> KnownCouncil:
    base = current or KnownCouncil(id=data.council_id)
    return base.model_copy(update={"members": data.members})
