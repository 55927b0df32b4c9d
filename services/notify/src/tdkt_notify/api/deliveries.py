"""The delivery log (every attempt; operators only) and the in-app inbox (its recipient only)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from tdkt_notify.api.deps import ADMIN_ONLY, RECIPIENT_ONLY, DeliveriesDep
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus
from tdkt_notify.handlers.deliveries import mark_read
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.text import Flag, Instant, Whole
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.filters import Filters
from tdkt_shared.kit.http import Context, page_of, versioned

router = APIRouter(prefix="/deliveries", tags=["deliveries"], responses=ERROR_RESPONSES, dependencies=[ADMIN_ONLY])
inbox_router = APIRouter(
    prefix="/inbox/{recipient_id}", tags=["inbox"], responses=ERROR_RESPONSES, dependencies=[RECIPIENT_ONLY]
)


class DeliveryView(Delivery):
    version: Whole


class DeliveryFilters(Filters):
    event_id: str | None = Field(default=None, description="Only the deliveries of this event (its CloudEvent `id`)")
    recipient_id: str | None = None
    channel: Channel | None = None
    status: DeliveryStatus | None = None


@router.get("", response_model=Page[DeliveryView])
async def list_deliveries(
    deliveries: DeliveriesDep, page: PageQuery, filters: Annotated[DeliveryFilters, Query()]
) -> Page[DeliveryView]:
    """Deliveries with their attempts, newest first, filtered by any of the parameters."""
    query = {name: str(value) for name, value in filters.query().items()}
    return await page_of(deliveries, query, page, partial(versioned, DeliveryView), sort="-created_at")


@router.get("/{delivery_id}", response_model=DeliveryView)
async def get_delivery(delivery_id: str, deliveries: DeliveriesDep) -> DeliveryView:
    return versioned(DeliveryView, await deliveries.load(delivery_id))


class InboxMessage(BaseModel):
    id: str
    event_id: str
    event_type: str
    purpose: str
    subject: str | None
    body: str | None
    created_at: Instant
    read: Flag
    read_at: Instant | None

    @classmethod
    def of(cls, delivery: Delivery) -> InboxMessage:
        return cls.model_validate(delivery.model_dump(mode="json", include=set(cls.model_fields)))

    @classmethod
    def loaded(cls, loaded: Loaded[Delivery]) -> InboxMessage:
        return cls.of(loaded.aggregate)


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
    return await page_of(deliveries, _inbox(recipient_id, unread_only), page, InboxMessage.loaded, sort="-created_at")


class UnreadCount(BaseModel):
    recipient_id: str
    unread: Whole


@inbox_router.get("/unread-count", response_model=UnreadCount)
async def unread_count(recipient_id: str, deliveries: DeliveriesDep) -> UnreadCount:
    return UnreadCount(recipient_id=recipient_id, unread=await deliveries.count(_inbox(recipient_id, True)))


@inbox_router.post("/{message_id}/read", response_model=InboxMessage)
async def read(recipient_id: str, message_id: str, deliveries: DeliveriesDep, ctx: Context) -> InboxMessage:
    """Mark a message read (again is harmless); 404 for another recipient's message."""
    return InboxMessage.of(await mark_read(deliveries, recipient_id, message_id, ctx))
