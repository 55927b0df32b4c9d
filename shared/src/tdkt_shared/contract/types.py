"""Event data models and the registry that maps an event type to its model.

A type is named `tdkt.<service>.<entity>.<verb>.v<N>`. Within one version, fields may only be added as optional;
a breaking change is a new `.vN` type. Models ignore unknown fields, so older consumers read newer producers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from tdkt_shared.contract.envelope import CloudEvent
from tdkt_shared.contract.topics import SERVICES, topic_for_type
from tdkt_shared.observability.tracing import trace_context

TYPE_PATTERN = re.compile(r"^tdkt\.(?P<service>[a-z]+)(\.[a-z][a-z_]*){2,}\.v(?P<version>[1-9][0-9]*)$")


class EventData(BaseModel):
    """Base of every event's `data` model."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_type: ClassVar[str]
    key_description: ClassVar[str]


_REGISTRY: dict[str, type[EventData]] = {}

D = TypeVar("D", bound=type[EventData])


def event_type(name: str, *, key: str) -> Callable[[D], D]:
    """Register a data model under its versioned type name; `key` says which id is the partition key."""
    match = TYPE_PATTERN.match(name)
    if match is None or match.group("service") not in SERVICES:
        raise ValueError(f"event type {name!r} does not follow tdkt.<service>.<entity>.<verb>.v<N>")

    def register(model: D) -> D:
        if name in _REGISTRY:
            raise ValueError(f"event type {name!r} registered twice")
        model.event_type = name
        model.key_description = key
        _REGISTRY[name] = model
        return model

    return register


def registered_types() -> dict[str, type[EventData]]:
    return dict(sorted(_REGISTRY.items()))


def data_model(event_type_name: str) -> type[EventData] | None:
    return _REGISTRY.get(event_type_name)


def parse_data(event: CloudEvent) -> EventData | None:
    """The typed data of a known event, or None for a type this reader does not know (tolerant reader)."""
    model = data_model(event.type)
    return None if model is None else model.model_validate(event.data)


def make_event(
    data: EventData,
    *,
    partitionkey: str,
    subject: str | None = None,
    correlationid: str | None = None,
    causationid: str | None = None,
    time: datetime | None = None,
    event_id: str | None = None,
) -> CloudEvent:
    """Wrap typed data in an envelope whose source and topic follow from the type; inside a span, the envelope
    carries its trace context (the CloudEvents distributed-tracing extension)."""
    service = data.event_type.split(".")[1]
    fields: dict[str, Any] = {
        "source": f"/tdkt/{service}",
        "type": data.event_type,
        "partitionkey": partitionkey,
        "subject": subject,
        "correlationid": correlationid,
        "causationid": causationid,
        "data": data.model_dump(mode="json", exclude_none=True),
    }
    if time is not None:
        fields["time"] = time
    if event_id is not None:
        fields["id"] = event_id
    return CloudEvent(**fields, **trace_context())


def topic_of(event: CloudEvent) -> str:
    return topic_for_type(event.type)
