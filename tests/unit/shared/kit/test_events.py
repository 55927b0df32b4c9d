"""Events built from the aggregate they announce."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tdkt_shared.contract.reporting import CongressCancelled
from tdkt_shared.kit.events import announce


class Congress(BaseModel):
    id: str
    reason: str
    held_on: date


def test_an_event_takes_the_fields_it_shares_with_its_source_then_the_data() -> None:
    congress = Congress(id="dh-1", reason="storm", held_on=date(2026, 5, 1))
    event = announce(CongressCancelled, congress, congress_id=congress.id)
    assert event == CongressCancelled(congress_id="dh-1", reason="storm")


def test_the_data_wins_over_the_source() -> None:
    congress = Congress(id="dh-1", reason="storm", held_on=date(2026, 5, 1))
    assert announce(CongressCancelled, congress, congress_id="dh-1", reason="flood").reason == "flood"
