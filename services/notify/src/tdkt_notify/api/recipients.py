"""Recipients: organisations and persons known from registry events, and explicit subscribers.

Operators (`admin`) list recipients, add subscribers and set webhook secrets; a recipient reads itself and sets its
own preferences.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from tdkt_notify.api.deps import ADMIN_ONLY, RECIPIENT_ONLY, RecipientsDep
from tdkt_notify.domain.directory import NewSubscriber, Recipient, RecipientKind
from tdkt_notify.handlers import add_subscriber, load_recipient, set_daily_digest, set_webhook_secret
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.store import NotFound

router = APIRouter(tags=["recipients"], responses=ERROR_RESPONSES, dependencies=[ADMIN_ONLY])
own_router = APIRouter(
    prefix="/recipients/{recipient_id}", tags=["recipients"], responses=ERROR_RESPONSES, dependencies=[RECIPIENT_ONLY]
)


class RecipientView(BaseModel):
    """A recipient without its webhook secret."""

    id: str
    kind: RecipientKind
    name: str | None
    email: str | None
    webhook_url: str | None
    has_webhook_secret: bool
    daily_digest: bool


def _view(recipient: Recipient) -> RecipientView:
    return RecipientView(
        id=recipient.id,
        kind=recipient.kind,
        name=recipient.name,
        email=recipient.email,
        webhook_url=recipient.webhook_url,
        has_webhook_secret=recipient.webhook_secret is not None,
        daily_digest=recipient.daily_digest,
    )


@router.get("/recipients", response_model=Page[RecipientView])
async def list_recipients(
    recipients: RecipientsDep, page: PageQuery, kind: RecipientKind | None = None
) -> Page[RecipientView]:
    query = {} if kind is None else {"kind": kind.value}
    found = await recipients.find(query, skip=page.offset, limit=page.limit)
    items = [_view(Recipient.model_validate(s.state)) for s in found]
    return Page(items=items, total=await recipients.count(query), offset=page.offset, limit=page.limit)


@own_router.get("", response_model=RecipientView)
async def get_recipient(recipient_id: str, recipients: RecipientsDep) -> RecipientView:
    """One recipient with its preferences, without its webhook secret."""
    recipient = await load_recipient(recipients, recipient_id)
    if recipient is None:
        raise NotFound(recipient_id)
    return _view(recipient)


class SubscriberCreated(RecipientView):
    webhook_secret: str | None
    """Shown once, at creation: the subscriber verifies webhook signatures with it."""


@router.post("/subscribers", status_code=status.HTTP_201_CREATED, response_model=SubscriberCreated)
async def subscribe(command: NewSubscriber, recipients: RecipientsDep, response: Response) -> SubscriberCreated:
    """Register an explicit subscriber; rules name it with a `SUBSCRIBERS` recipient."""
    recipient, _version = await add_subscriber(recipients, command)
    response.headers["Location"] = f"/recipients/{recipient.id}"
    return SubscriberCreated(**_view(recipient).model_dump(), webhook_secret=recipient.webhook_secret)


class SecretChange(BaseModel):
    secret: str = Field(min_length=16, max_length=200)


@router.put("/recipients/{recipient_id}/webhook-secret", status_code=status.HTTP_204_NO_CONTENT)
async def rotate_secret(recipient_id: str, change: SecretChange, recipients: RecipientsDep) -> Response:
    """Set the secret that signs this recipient's webhooks (shared with the recipient out of band)."""
    await set_webhook_secret(recipients, recipient_id, change.secret)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class Preferences(BaseModel):
    model_config = ConfigDict(extra="forbid")

    daily_digest: bool


@own_router.put("/preferences", response_model=RecipientView)
async def set_preferences(recipient_id: str, preferences: Preferences, recipients: RecipientsDep) -> RecipientView:
    """Switch the daily digest on or off: e-mails then wait for one message a day (at `DIGEST_HOUR`, UTC+7)."""
    return _view(await set_daily_digest(recipients, recipient_id, preferences.daily_digest))
