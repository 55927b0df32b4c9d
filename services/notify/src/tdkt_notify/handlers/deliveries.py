"""Deliveries: one per (event, recipient, channel), recorded before anything is sent; the worker's claims and
attempts; the recipient reading an inbox message.

An event addressed to an organisation that has merged (sáp nhập) goes to its current successor, with the
successor's contact point and inbox; the delivery keeps the organisation the rule named (`addressed_to`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from tdkt_notify import policy
from tdkt_notify.defaults import BUILTIN_FALLBACK
from tdkt_notify.domain import deliveries as domain
from tdkt_notify.domain.deliveries import Delivery, DeliveryStatus
from tdkt_notify.domain.directory import Recipient
from tdkt_notify.domain.routing import Purpose, Target, redirected, route
from tdkt_notify.handlers.groups import routing_directory
from tdkt_notify.handlers.recipients import find_recipient
from tdkt_notify.handlers.rules import load_rules
from tdkt_notify.handlers.templates import DIGEST_FALLBACK, digest_template, template_for
from tdkt_notify.repositories import NotifyRepositories
from tdkt_notify.templating import render_message
from tdkt_shared.contract import CloudEvent, EventData
from tdkt_shared.contract.notify import Channel, PublicationRequested
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.kit import CommandContext, Repository
from tdkt_shared.kit.directory import Directory
from tdkt_shared.store import AlreadyExists, VersionConflict

log = logging.getLogger(__name__)


def answering(delivery: Delivery, now: datetime) -> CommandContext:
    """The context of the worker's writes on a delivery: they answer its source event."""
    correlation = delivery.event.get("correlationid") or delivery.event_id
    return CommandContext(correlation_id=str(correlation), now=now, causation_id=delivery.event_id)


# --- recording: one delivery per (event, recipient, channel) -------------------------------------------------------


async def current_successors(directory: Directory, recipient_ids: Sequence[str]) -> dict[str, str]:
    """Each merged organisation among `recipient_ids` -> the organisation it is part of now (the last successor)."""
    found: dict[str, str] = {}
    for recipient_id in dict.fromkeys(recipient_ids):
        if chain := await directory.successors(recipient_id):
            found[recipient_id] = chain[-1]
    return found


def _address(recipient: Recipient | None, channel: Channel) -> str | None:
    if channel == Channel.INBOX or recipient is None:
        return None
    return recipient.email if channel == Channel.EMAIL else recipient.webhook_url


async def _first_publication_request(
    deliveries: Repository[Delivery], event: CloudEvent, target: Target, announced: set[str]
) -> bool:
    """Whether this delivery is the first of a publication request to its press body: the one that announces it."""
    if target.purpose != Purpose.PUBLICATION_REQUEST or target.reminder_rule is not None:
        return False
    if target.recipient_id in announced:
        return False
    announced.add(target.recipient_id)
    for channel in Channel:
        if await deliveries.exists(domain.delivery_id(event.id, target.recipient_id, channel, None)):
            return False  # recorded on an earlier pass (a redelivery): announced then
    return True


def _publication_requested(
    event: CloudEvent, target: Target, targets: list[Target], recipient: Recipient | None
) -> PublicationRequested:
    """The channels are those the request goes over: the inbox, and those the press body has an address for."""
    channels = [
        t.channel
        for t in targets
        if t.recipient_id == target.recipient_id
        and t.purpose == Purpose.PUBLICATION_REQUEST
        and not t.reminder_rule
        and (t.channel == Channel.INBOX or _address(recipient, t.channel) is not None)
    ]
    return PublicationRequested(
        source_event_id=event.id,
        source_event_type=event.type,
        organization_id=target.recipient_id,
        on=target.on or event.time.date(),
        rule_id=target.rule_id,
        channels=channels,
    )


async def record_deliveries(
    repositories: NotifyRepositories, event: CloudEvent, ctx: CommandContext, *, digest_hour: int = 8
) -> list[Delivery]:
    """Route the event and write a delivery record for each target, before anything is sent.

    A record that exists already (the event was redelivered or replayed) is left alone: its create is refused, so
    nothing is sent twice (and the common case, a first delivery, costs no read to find that out).
    Targets without an address on their channel are skipped.
    """
    now = ctx.now
    rules = await load_rules(repositories.rules)
    routed = route(event, rules, await routing_directory(repositories, rules, event))
    targets = redirected(routed, await current_successors(repositories.directory, [t.recipient_id for t in routed]))
    created: list[Delivery] = []
    recipients: dict[str, Recipient | None] = {}
    announced: set[str] = set()
    for target in targets:
        if target.recipient_id not in recipients:
            recipients[target.recipient_id] = await find_recipient(repositories.recipients, target.recipient_id)
        recipient = recipients[target.recipient_id]
        address = _address(recipient, target.channel)
        if target.expires_at is not None and target.expires_at <= now:
            continue  # a reminder of a date already past
        if target.channel != Channel.INBOX and address is None:
            log.info("no %s address for %s; %s not sent there", target.channel, target.recipient_id, event.id)
            continue
        subject = body = None
        if target.channel != Channel.WEBHOOK:
            template = await template_for(repositories.templates, target, event.type)
            context = {
                "event": event.to_document(),
                "data": event.data,
                "recipient": {"id": target.recipient_id, "name": recipient.name if recipient else None},
                "purpose": target.purpose.value,
            }
            subject, body = render_message(template, context, BUILTIN_FALLBACK)
        digest = (
            target.channel == Channel.EMAIL and recipient is not None and recipient.daily_digest
        ) and target.not_before is None
        delivery, events = domain.new_delivery(
            event,
            target,
            recipient_name=recipient.name if recipient else None,
            address=address,
            subject=subject,
            body=body,
            now=now,
            digest_at=domain.next_digest_at(now, digest_hour) if digest else None,
        )
        outcomes: list[EventData] = list(events)
        if await _first_publication_request(repositories.deliveries, event, target, announced):
            outcomes.append(_publication_requested(event, target, targets, recipient))
        if not delivery.final:  # on the agenda first: a crash before the create leaves an entry the sweep drops
            await repositories.open.schedule(delivery.id, max(delivery.not_before or now, now))
        try:
            await repositories.deliveries.add(delivery, outcomes, ctx)
        except AlreadyExists:
            if not delivery.final:
                await _reschedule_existing(repositories, delivery.id)
            continue
        created.append(delivery)
    return created


async def _reschedule_existing(repositories: NotifyRepositories, delivery_id: str) -> None:
    """A redelivered event scheduled a delivery that exists: put its entry back as the delivery itself says."""
    loaded = await repositories.deliveries.get(delivery_id)
    if loaded is None:
        return  # not projected yet: the entry stays, and the sweep checks it again
    existing = loaded.aggregate
    if existing.final:
        await repositories.open.done(delivery_id)
    elif existing.status == DeliveryStatus.SENDING and existing.lease_until is not None:
        await repositories.open.schedule(delivery_id, existing.lease_until)
    else:
        await repositories.open.schedule(delivery_id, existing.not_before or existing.created_at)


# --- the delivery worker's writes ----------------------------------------------------------------------------------


async def claim_delivery(
    deliveries: Repository[Delivery], delivery_id: str, ctx: CommandContext, *, lease_until: datetime
) -> Delivery | None:
    """Take the delivery for sending; None when it is final, or another worker holds or just took it."""
    loaded = await deliveries.load(delivery_id)
    try:
        claimed = domain.claim(loaded.aggregate, now=ctx.now, lease_until=lease_until)
        await deliveries.save(loaded, claimed, (), ctx)
    except (VersionConflict, InvalidTransition):
        return None
    return claimed


async def record_attempt(
    deliveries: Repository[Delivery],
    delivery_id: str,
    ctx: CommandContext,
    *,
    ok: bool,
    error: str | None,
    max_attempts: int,
    lease_until: datetime,
) -> Delivery:
    """Log one attempt; the last failed one makes the delivery FAILED, a successful one DELIVERED."""
    return await deliveries.change_latest(
        delivery_id,
        lambda delivery: domain.record_attempt(
            delivery, ok=ok, error=error, now=ctx.now, max_attempts=max_attempts, lease_until=lease_until
        ),
        ctx,
    )


async def render_digest(repositories: NotifyRepositories, members: list[Delivery]) -> Delivery:
    """The one e-mail for a recipient's due digest deliveries, oldest first, from the `digest.daily` template."""
    members = sorted(members, key=lambda m: (m.created_at, m.id))
    first = members[0]
    context = {
        "recipient": {"id": first.recipient_id, "name": first.recipient_name},
        "items": [{"subject": m.subject, "body": m.body, "event_type": m.event_type} for m in members],
    }
    subject, body = render_message(await digest_template(repositories.templates), context, DIGEST_FALLBACK)
    return domain.digest_message(members, subject=subject, body=body)


# --- the recipient --------------------------------------------------------------------------------------------------


async def mark_read(
    deliveries: Repository[Delivery], recipient_id: str, delivery_id: str, ctx: CommandContext
) -> Delivery:
    """Mark an inbox message read (again is harmless: nothing is written); 404 for another recipient's message."""

    def read(delivery: Delivery) -> tuple[Delivery, list[EventData]] | None:
        policy.ensure_in_inbox(delivery, recipient_id)
        updated = domain.mark_read(delivery, now=ctx.now)
        return None if updated is None else (updated, [domain.read_event(updated, now=ctx.now)])

    return await deliveries.change_latest(delivery_id, read, ctx)
