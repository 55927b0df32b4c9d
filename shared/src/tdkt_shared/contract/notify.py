"""Events of notifications (`tdkt.notify.events`)."""

from __future__ import annotations

from datetime import date, datetime
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


@event_type("tdkt.notify.notification.read.v1", key="recipient_id")
class NotificationRead(EventData):
    """The recipient marked an inbox message read (once: marking it again emits nothing)."""

    notification_id: str
    source_event_id: str
    source_event_type: str
    recipient_id: str
    read_at: datetime


@event_type("tdkt.notify.publication.requested.v1", key="organization_id")
class PublicationRequested(EventData):
    """A publication request (đề nghị đăng tải) went to a press body holding PRESS_COMMUNICATION on `on`.

    Once per (source event, press body), whatever the number of channels it went over.
    """

    source_event_id: str
    source_event_type: str
    organization_id: str
    on: date
    """The date the press role was resolved on."""
    rule_id: str
    channels: list[Channel] = Field(min_length=1)
