"""Awards' read model of the registry's persons: chains follow a person across transfers."""

from __future__ import annotations

from tdkt_awards.domain.registry import KnownPerson, person_from
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import PersonEmploymentChanged
from tdkt_shared.kit import Repository


async def on_person_employment_changed(
    event: CloudEvent, data: PersonEmploymentChanged, persons: Repository[KnownPerson]
) -> bool:
    return await persons.apply_once(data.person_id, event, lambda _current: (person_from(data), ()))
