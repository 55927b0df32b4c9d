"""Events of notifications (`tdkt.notify.events`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from tdkt_shared.contract.types import EventData, event_type


class Channel(StrEnum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"
    INBOX = "INBOX"


@event_type("tdkt.notify.notification.delivered.v1", key="recipient_id")
class NotificationDelivered(EventData):
    notification_id: str
    source_event_id: str
    source_event_type: str
    recipient_id: str
    channel: Channel
    attempts: int = Field(ge=1)
    purpose: str | None = None
    """NOTIFICATION or PUBLICATION_REQUEST (a request to the press body to publicise)."""


@event_type("tdkt.notify.notification.failed.v1", key="recipient_id")
class NotificationFailed(EventData):
    notification_id: str
    source_event_id: str
    source_event_type: str
    recipient_id: str
    channel: Channel
    attempts: int = Field(ge=1)
    error: str
    purpose: str | None = None
