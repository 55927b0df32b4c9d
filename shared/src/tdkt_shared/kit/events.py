"""Events built from the aggregate (or the part of it) they announce."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from tdkt_shared.contract.types import EventData

E = TypeVar("E", bound=EventData)


def announce(event: type[E], source: BaseModel, **data: object) -> E:
    """`event` carrying every field it shares by name with `source` (the aggregate it announces), then `data` (its
    id and what the aggregate does not hold)."""
    shared = set(event.model_fields) & set(type(source).model_fields)
    return event.model_validate({**source.model_dump(include=shared), **data})
