"""Deliveries: one per (event id, recipient, channel), recorded before anything is sent.

The id is derived from that triple, so recording the same event twice finds the first record and sends nothing
more. Every attempt is appended to the record, and the outcome is an event in the same write.

    PENDING ──claim──> SENDING ──ok──> DELIVERED
                          │ └─error, attempts left──> SENDING (next attempt after a backoff)
                          └─error, no attempt left──> FAILED
An in-app (INBOX) delivery is DELIVERED when it is recorded: the record is the inbox message.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from tdkt_notify.domain.routing import VIETNAM, Purpose, Target
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.notify import Channel, NotificationDelivered, NotificationFailed, NotificationRead
from tdkt_shared.contract.text import Flag, Instant, Whole
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.kit.models import Value

DELIVERY_NAMESPACE = uuid.UUID("6c1f2b1e-4d7a-5c55-9a51-7464b74b7401")


def delivery_id(event_id: str, recipient_id: str, channel: Channel, reminder_rule: str | None = None) -> str:
    """The same (event, recipient, channel) always gives the same id; a scheduled reminder has its own."""
    key = event_id if reminder_rule is None else f"{event_id}#reminder:{reminder_rule}"
    return str(uuid.uuid5(DELIVERY_NAMESPACE, f"{key}|{recipient_id}|{channel.value}"))


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SENDING = "SENDING"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"


class Attempt(Value):
    number: Whole = Field(ge=1)
    at: Instant
    ok: Flag
    error: str | None = None


class Delivery(Value):
    id: str
    event_id: str
    event_type: str
    event: dict[str, Any]
    """The source CloudEvent, as published (the webhook body)."""
    rule_id: str
    purpose: Purpose
    recipient_id: str
    recipient_name: str | None = None
    addressed_to: str | None = None
    """The organisation the rule named when it had merged (sáp nhập) into `recipient_id`, its successor."""
    channel: Channel
    address: str | None = None
    subject: str | None = None
    body: str | None = None
    status: DeliveryStatus
    attempts: list[Attempt] = Field(default_factory=list)
    created_at: Instant
    not_before: Instant | None = None
    """A scheduled reminder is not sent before this moment."""
    reminder_rule: str | None = None
    digest: Flag = False
    """Part of the recipient's daily digest e-mail."""
    lease_until: Instant | None = None
    read: Flag = False
    read_at: Instant | None = None

    def due(self, now: datetime) -> bool:
        return self.not_before is None or self.not_before <= now

    @property
    def final(self) -> bool:
        return self.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


FROM_TARGET = {"rule_id", "purpose", "recipient_id", "addressed_to", "channel", "reminder_rule"}
"""What a delivery keeps of its target as it is: the rule that put it there, the recipient, the channel."""


def new_delivery(
    event: CloudEvent,
    target: Target,
    *,
    recipient_name: str | None,
    address: str | None,
    subject: str | None,
    body: str | None,
    now: datetime,
    digest_at: datetime | None = None,
) -> tuple[Delivery, list[NotificationDelivered]]:
    """The record to write before sending; an inbox message is delivered by being written (when it is due)."""
    inbox = target.channel == Channel.INBOX and (target.not_before is None or target.not_before <= now)
    delivery = Delivery(
        id=delivery_id(event.id, target.recipient_id, target.channel, target.reminder_rule),
        event_id=event.id,
        event_type=event.type,
        event=event.to_document(),
        **target.model_dump(include=FROM_TARGET),
        recipient_name=recipient_name,
        address=address,
        subject=subject,
        body=body,
        status=DeliveryStatus.DELIVERED if inbox else DeliveryStatus.PENDING,
        attempts=[Attempt(number=1, at=now, ok=True)] if inbox else [],
        created_at=now,
        not_before=digest_at or target.not_before,
        digest=digest_at is not None,
    )
    return delivery, [_delivered(delivery)] if inbox else []


def claim(delivery: Delivery, *, now: datetime, lease_until: datetime) -> Delivery:
    """A worker takes the delivery until `lease_until`; a lapsed lease (a crashed worker) can be taken over."""
    lapsed = delivery.status == DeliveryStatus.SENDING and (delivery.lease_until is None or delivery.lease_until < now)
    if delivery.status != DeliveryStatus.PENDING and not lapsed:
        raise InvalidTransition(f"delivery {delivery.id} is {delivery.status}", field="status")
    if not delivery.due(now):
        raise InvalidTransition(f"delivery {delivery.id} is not due before {delivery.not_before}", field="not_before")
    return delivery.model_copy(update={"status": DeliveryStatus.SENDING, "lease_until": lease_until})


def record_attempt(
    delivery: Delivery, *, ok: bool, error: str | None, now: datetime, max_attempts: int, lease_until: datetime
) -> tuple[Delivery, list[NotificationDelivered | NotificationFailed]]:
    if delivery.status != DeliveryStatus.SENDING:
        raise InvalidTransition(f"delivery {delivery.id} is {delivery.status}", field="status")
    attempts = [*delivery.attempts, Attempt(number=len(delivery.attempts) + 1, at=now, ok=ok, error=error)]
    if ok:
        done = delivery.model_copy(
            update={"attempts": attempts, "status": DeliveryStatus.DELIVERED, "lease_until": None}
        )
        return done, [_delivered(done)]
    if len(attempts) >= max_attempts:
        failed = delivery.model_copy(
            update={"attempts": attempts, "status": DeliveryStatus.FAILED, "lease_until": None}
        )
        return failed, [_failed(failed, error or "failed")]
    return delivery.model_copy(update={"attempts": attempts, "lease_until": lease_until}), []


def mark_read(delivery: Delivery, *, now: datetime) -> Delivery | None:
    """Mark an inbox message read; None when it already is (nothing to write)."""
    if delivery.channel != Channel.INBOX:
        raise InvalidTransition(f"delivery {delivery.id} is not an inbox message", field="delivery_id")
    if delivery.status != DeliveryStatus.DELIVERED:
        raise InvalidTransition(f"inbox message {delivery.id} is not delivered yet", field="delivery_id")
    if delivery.read:
        return None
    return delivery.model_copy(update={"read": True, "read_at": now})


def _about(delivery: Delivery) -> dict[str, Any]:
    """What every outcome event says of its delivery."""
    return {
        "notification_id": delivery.id,
        "source_event_id": delivery.event_id,
        "source_event_type": delivery.event_type,
        "recipient_id": delivery.recipient_id,
    }


def read_event(delivery: Delivery, *, now: datetime) -> NotificationRead:
    return NotificationRead(**_about(delivery), read_at=now)


def _delivered(delivery: Delivery) -> NotificationDelivered:
    return NotificationDelivered(
        **_about(delivery),
        channel=delivery.channel,
        attempts=max(1, len(delivery.attempts)),
        purpose=delivery.purpose.value,
    )


def _failed(delivery: Delivery, error: str) -> NotificationFailed:
    return NotificationFailed(
        **_about(delivery),
        channel=delivery.channel,
        attempts=len(delivery.attempts),
        error=error[:1000],
        purpose=delivery.purpose.value,
    )


def next_digest_at(now: datetime, hour: int) -> datetime:
    """The next daily digest moment: `hour` o'clock in Vietnam (UTC+7), today if still ahead, else tomorrow."""
    local = now.astimezone(VIETNAM)
    moment = datetime.combine(local.date(), time(hour), VIETNAM)
    if moment <= local:
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def digest_message(members: list[Delivery], *, subject: str, body: str) -> Delivery:
    """One e-mail standing for several deliveries to one recipient; its id follows from theirs."""
    first = members[0]
    key = "digest|" + "|".join(sorted(m.id for m in members))
    return first.model_copy(update={"id": str(uuid.uuid5(DELIVERY_NAMESPACE, key)), "subject": subject, "body": body})
