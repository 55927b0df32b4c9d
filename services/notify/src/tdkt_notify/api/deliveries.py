"""The delivery log (every attempt; operators only) and the in-app inbox (its recipient only)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from tdkt_notify.api.deps import ADMIN_ONLY, RECIPIENT_ONLY, DeliveriesDep
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus
from tdkt_notify.handlers import load_delivery, mark_read
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.notify import Channel
from tdkt_shared.store import NotFound

router = APIRouter(prefix="/deliveries", tags=["deliveries"], responses=ERROR_RESPONSES, dependencies=[ADMIN_ONLY])
inbox_router = APIRouter(
    prefix="/inbox/{recipient_id}", tags=["inbox"], responses=ERROR_RESPONSES, dependencies=[RECIPIENT_ONLY]
)


class DeliveryView(Delivery):
    version: int


@router.get("", response_model=Page[DeliveryView])
async def list_deliveries(
    deliveries: DeliveriesDep,
    page: PageQuery,
    event_id: str | None = None,
    recipient_id: str | None = None,
    channel: Channel | None = None,
    status: DeliveryStatus | None = None,
) -> Page[DeliveryView]:
    """Deliveries with their attempts, newest first, filtered by any of the parameters."""
    query: dict[str, Any] = {}
    filters = {"event_id": event_id, "recipient_id": recipient_id, "channel": channel, "status": status}
    for name, value in filters.items():
        if value is not None:
            query[name] = str(value)
    found = await deliveries.find(query, skip=page.offset, limit=page.limit, sort="-created_at")
    items = [DeliveryView(version=s.version, **s.state) for s in found]
    return Page(items=items, total=await deliveries.count(query), offset=page.offset, limit=page.limit)


@router.get("/{delivery_id}", response_model=DeliveryView)
async def get_delivery(delivery_id: str, deliveries: DeliveriesDep) -> DeliveryView:
    stored = await deliveries.get(delivery_id)
    if stored is None:
        raise NotFound(delivery_id)
    return DeliveryView(version=stored.version, **stored.state)


class InboxMessage(BaseModel):
    id: str
    event_id: str
    event_type: str
    purpose: str
    subject: str | None
    body: str | None
    created_at: datetime
    read: bool
    read_at: datetime | None


def _message(delivery: Delivery) -> InboxMessage:
    return InboxMessage(
        id=delivery.id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        purpose=delivery.purpose.value,
        subject=delivery.subject,
        body=delivery.body,
        created_at=delivery.created_at,
        read=delivery.read,
        read_at=delivery.read_at,
    )


def _inbox(recipient_id: str, unread_only: bool = False) -> dict[str, Any]:
    query: dict[str, Any] = {
        "recipient_id": recipient_id,
        "channel": Channel.INBOX.value,
        "status": DeliveryStatus.DELIVERED.value,
    }
    if unread_only:
        query["read"] = False
    return query


@inbox_router.get("", response_model=Page[InboxMessage])
async def inbox(
    recipient_id: str, deliveries: DeliveriesDep, page: PageQuery, unread_only: bool = False
) -> Page[InboxMessage]:
    """One recipient's in-app messages, newest first."""
    query = _inbox(recipient_id, unread_only)
    found = await deliveries.find(query, skip=page.offset, limit=page.limit, sort="-created_at")
    items = [_message(Delivery.model_validate(s.state)) for s in found]
    return Page(items=items, total=await deliveries.count(query), offset=page.offset, limit=page.limit)


class UnreadCount(BaseModel):
    recipient_id: str
    unread: int


@inbox_router.get("/unread-count", response_model=UnreadCount)
async def unread_count(recipient_id: str, deliveries: DeliveriesDep) -> UnreadCount:
    return UnreadCount(recipient_id=recipient_id, unread=await deliveries.count(_inbox(recipient_id, True)))


@inbox_router.post("/{message_id}/read", response_model=InboxMessage)
async def read(recipient_id: str, message_id: str, deliveries: DeliveriesDep) -> InboxMessage:
    """Mark a message read (again is harmless); 404 for another recipient's message."""
    await load_delivery(deliveries, message_id)
    return _message(await mark_read(deliveries, recipient_id, message_id, now=datetime.now(UTC)))
