"""CloudEvents over Kafka in structured content mode."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tdkt_shared.contract import CONTENT_TYPE, CloudEvent, topic_of

Headers = Sequence[tuple[str, bytes]]


@dataclass(frozen=True)
class OutgoingRecord:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class ConsumedRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = field(default=())

    def header(self, name: str) -> bytes | None:
        return next((v for k, v in self.headers if k == name), None)


def encode(event: CloudEvent) -> OutgoingRecord:
    return OutgoingRecord(
        topic=topic_of(event),
        key=event.partitionkey.encode(),
        value=event.to_json_bytes(),
        headers=[("content-type", CONTENT_TYPE.encode())],
    )


def decode(value: bytes | None) -> CloudEvent:
    """Parse a record value; raises pydantic.ValidationError on anything that is not a valid envelope."""
    return CloudEvent.model_validate_json(value or b"")
