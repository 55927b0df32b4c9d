"""The CloudEvents 1.0 envelope every event travels in (structured content mode)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONTENT_TYPE = "application/cloudevents+json"


def new_event_id() -> str:
    return str(uuid.uuid4())


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event with the project's extensions.

    `partitionkey` is the aggregate id and becomes the Kafka record key, so the events of one aggregate stay in
    order. `correlationid` ties together everything caused by one user action; `causationid` is the id of the
    event (or request) that directly caused this one. `traceparent` and `tracestate` (the CloudEvents
    distributed-tracing extension, W3C Trace Context) continue the trace of the request that caused the event.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=new_event_id, min_length=1)
    source: str = Field(min_length=1, examples=["/tdkt/registry"])
    type: str = Field(min_length=1, examples=["tdkt.registry.organization.registered.v1"])
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    partitionkey: str = Field(min_length=1)
    correlationid: str | None = None
    causationid: str | None = None
    traceparent: str | None = Field(default=None, max_length=55)
    tracestate: str | None = Field(default=None, max_length=512)
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("time")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("time must carry a timezone")
        return value

    def to_json_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    def to_document(self) -> dict[str, Any]:
        """The JSON-compatible dict stored in an outbox."""
        return self.model_dump(mode="json", exclude_none=True)
