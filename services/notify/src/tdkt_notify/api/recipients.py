"""Recipients: organisations and persons known from registry events, and explicit subscribers.

Operators (`admin`) list recipients, add subscribers and set webhook secrets; a recipient reads itself and sets its
own preferences.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from tdkt_notify.api.deps import ADMIN_ONLY, RECIPIENT_ONLY, RecipientsDep
from tdkt_notify.domain.directory import NewSubscriber, Recipient, RecipientKind
from tdkt_notify.handlers.recipients import add_subscriber, set_daily_digest, set_webhook_secret
from tdkt_notify.signing import WebhookSecret
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Flag
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import CORRELATION_HEADER, Context, page_of
from tdkt_shared.kit.models import Command

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
    has_webhook_secret: Flag
    daily_digest: Flag

    @classmethod
    def of(cls, recipient: Recipient) -> RecipientView:
        return cls.model_validate(
            {
                **recipient.model_dump(exclude={"webhook_secret"}),
                "has_webhook_secret": recipient.webhook_secret is not None,
            }
        )

    @classmethod
    def loaded(cls, loaded: Loaded[Recipient]) -> RecipientView:
        return cls.of(loaded.aggregate)


@router.get("/recipients", response_model=Page[RecipientView])
async def list_recipients(
    recipients: RecipientsDep, page: PageQuery, kind: RecipientKind | None = None
) -> Page[RecipientView]:
    query = {} if kind is None else {"kind": kind.value}
    return await page_of(recipients, query, page, RecipientView.loaded)


@own_router.get("", response_model=RecipientView)
async def get_recipient(recipient_id: str, recipients: RecipientsDep) -> RecipientView:
    """One recipient with its preferences, without its webhook secret."""
    return RecipientView.loaded(await recipients.load(recipient_id))


class SubscriberCreated(RecipientView):
    webhook_secret: str | None
    """Shown once, at creation: the subscriber verifies webhook signatures with it."""


@router.post("/subscribers", status_code=status.HTTP_201_CREATED, response_model=SubscriberCreated)
async def subscribe(
    command: NewSubscriber, recipients: RecipientsDep, ctx: Context, response: Response
) -> SubscriberCreated:
    """Register an explicit subscriber; rules name it with a `SUBSCRIBERS` recipient."""
    recipient = (await add_subscriber(recipients, command, ctx)).aggregate
    response.headers["Location"] = f"/recipients/{recipient.id}"
    return SubscriberCreated(**RecipientView.of(recipient).model_dump(), webhook_secret=recipient.webhook_secret)


class SecretChange(BaseModel):
    secret: WebhookSecret


@router.put("/recipients/{recipient_id}/webhook-secret", status_code=status.HTTP_204_NO_CONTENT)
async def rotate_secret(recipient_id: str, change: SecretChange, recipients: RecipientsDep, ctx: Context) -> Response:
    """Set the secret that signs this recipient's webhooks (shared with the recipient out of band)."""
    await set_webhook_secret(recipients, recipient_id, change.secret, ctx)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers={CORRELATION_HEADER: ctx.correlation_id})


class Preferences(Command):
    daily_digest: Flag


@own_router.put("/preferences", response_model=RecipientView)
async def set_preferences(
    recipient_id: str, preferences: Preferences, recipients: RecipientsDep, ctx: Context
) -> RecipientView:
    """Switch the daily digest on or off: e-mails then wait for one message a day (at `DIGEST_HOUR`, UTC+7)."""
    return RecipientView.of(await set_daily_digest(recipients, recipient_id, preferences.daily_digest, ctx))
