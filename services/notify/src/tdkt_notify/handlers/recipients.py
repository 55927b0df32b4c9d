"""Recipients (người nhận): organisations and persons kept from registry events, explicit subscribers, their contact
points and their own settings."""

from __future__ import annotations

from tdkt_notify.domain.directory import (
    NewSubscriber,
    Recipient,
    subscriber,
    with_contact_point,
    with_daily_digest,
    with_organization,
    with_person,
    with_webhook_secret,
)
from tdkt_notify.signing import new_secret
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import ContactPointSet, OrganizationRegistered, PersonRegistered
from tdkt_shared.kit import CommandContext, Loaded, Repository


async def find_recipient(recipients: Repository[Recipient], recipient_id: str) -> Recipient | None:
    loaded = await recipients.get(recipient_id)
    return None if loaded is None else loaded.aggregate


# --- from registry events --------------------------------------------------------------------------------------------


async def on_organization_registered(
    recipients: Repository[Recipient], event: CloudEvent, data: OrganizationRegistered
) -> None:
    await recipients.apply_once(data.organization_id, event, lambda current: (with_organization(current, data), ()))


async def on_person_registered(recipients: Repository[Recipient], event: CloudEvent, data: PersonRegistered) -> None:
    await recipients.apply_once(data.person_id, event, lambda current: (with_person(current, data), ()))


async def on_contact_point_set(recipients: Repository[Recipient], event: CloudEvent, data: ContactPointSet) -> None:
    candidate = new_secret()
    await recipients.apply_once(
        data.owner_id, event, lambda current: (with_contact_point(current, data, candidate), ())
    )


# --- commands ---------------------------------------------------------------------------------------------------------


async def add_subscriber(
    recipients: Repository[Recipient], command: NewSubscriber, ctx: CommandContext
) -> Loaded[Recipient]:
    """Register an explicit subscriber; a webhook without a secret of its own gets a generated one."""
    return await recipients.add(subscriber(command, new_secret()), (), ctx)


async def set_webhook_secret(
    recipients: Repository[Recipient], recipient_id: str, secret: str, ctx: CommandContext
) -> Recipient:
    return await recipients.change_latest(
        recipient_id, lambda recipient: (with_webhook_secret(recipient, secret), ()), ctx
    )


async def set_daily_digest(
    recipients: Repository[Recipient], recipient_id: str, on: bool, ctx: CommandContext
) -> Recipient:
    return await recipients.change_latest(recipient_id, lambda recipient: (with_daily_digest(recipient, on), ()), ctx)
