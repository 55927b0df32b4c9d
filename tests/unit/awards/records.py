"""The registry's records as awards receives them: events applied through awards' own consumers."""

from __future__ import annotations

from datetime import date

from tdkt_shared.contract import EventData, make_event
from tdkt_shared.contract.records import InitiativeKind, InitiativeRecognized, InitiativeScope
from tdkt_shared.runtime import InMemoryRuntime


async def recorded(runtime: InMemoryRuntime, *datas: EventData) -> None:
    """Each event delivered to awards' consumer of its type, as the bus would."""
    handlers = runtime.handlers()
    for data in datas:
        event = make_event(data, partitionkey="k")
        assert await handlers[data.event_type](event, data) is True


def initiative(
    initiative_id: str, *authors: str, scope: InitiativeScope = InitiativeScope.NATIONAL, on: date = date(2025, 5, 2)
) -> InitiativeRecognized:
    return InitiativeRecognized(
        initiative_id=initiative_id,
        kind=InitiativeKind.INITIATIVE,
        title=f"Sáng kiến {initiative_id}",
        author_ids=list(authors),
        recognizing_organization_id="ubnd-tinh-thai-nguyen",
        scope=scope,
        recognized_on=on,
        certificate_number=f"{initiative_id}/GCN",
    )
