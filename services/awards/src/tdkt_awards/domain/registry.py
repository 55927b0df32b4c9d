"""Local read models of the registry: persons and councils (organisations are the kit's `Directory`)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tdkt_shared.contract.registry import (
    CouncilConstituted,
    CouncilMember,
    CouncilMembershipChanged,
    Employment,
    PersonEmploymentChanged,
)
from tdkt_shared.kit.models import Value


class KnownPerson(Value):
    """Achievements belong to the person, so chains follow them across transfers whatever the organisation."""

    id: str
    full_name: str
    employments: list[Employment] = Field(default_factory=list)


def person_from(data: PersonEmploymentChanged) -> KnownPerson:
    return KnownPerson(id=data.person_id, full_name=data.full_name, employments=data.employments)


class KnownCouncil(Value):
    """A Hội đồng Thi đua – Khen thưởng and its members with their periods, as the registry announced them."""

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
