"""`carried`: the fields a record hands to the event that announces it, under the same names."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tdkt_shared.kit.carry import carried


class Record(BaseModel):
    record_id: str
    organization_id: str
    on: date
    notes: str = ""


class Announced(BaseModel):
    record_id: str
    organization_id: str
    on: date
    actor: str


def test_only_the_fields_the_target_declares_but_those_named() -> None:
    record = Record(record_id="r-1", organization_id="so-y-te", on=date(2025, 5, 1), notes="kept out")
    assert carried(record, Announced) == {"record_id": "r-1", "organization_id": "so-y-te", "on": date(2025, 5, 1)}
    assert carried(record, Announced, "organization_id", "on") == {"record_id": "r-1"}
    event = Announced(**carried(record, Announced, "organization_id"), organization_id="so-noi-vu", actor="an")
    assert (event.organization_id, event.on) == ("so-noi-vu", date(2025, 5, 1))
