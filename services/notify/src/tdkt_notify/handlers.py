"""Notification commands and event handlers: load through the store port, ask the domain, write once."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tdkt_notify.defaults import BUILTIN_FALLBACK, DAILY_DIGEST, DEFAULT_RULES, DEFAULT_TEMPLATES
from tdkt_notify.domain import deliveries as dm
from tdkt_notify.domain.deliveries import Delivery
from tdkt_notify.domain.directory import (
    Cluster,
    Council,
    NewSubscriber,
    Recipient,
    RoleAssignment,
    subscriber,
    with_cluster_formed,
    with_cluster_membership,
    with_contact_point,
    with_council_constituted,
    with_council_membership,
    with_organization,
    with_person,
)
from tdkt_notify.domain.routing import (
    Directory,
    Purpose,
    RoutingRule,
    RuleBody,
    Target,
    cluster_organizations_needed,
    councils_needed,
    roles_needed,
    route,
)
from tdkt_notify.domain.templates import Template, TemplateBody, lookup_order, template_id
from tdkt_notify.store import NotifyStores
from tdkt_notify.templating import check, render
from tdkt_shared.contract import CloudEvent, EventData, make_event
from tdkt_shared.contract.notify import Channel, PublicationRequested
from tdkt_shared.contract.registry import (
    ClusterFormed,
    ClusterMembershipChanged,
    ContactPointSet,
    CouncilConstituted,
    CouncilMembershipChanged,
    FunctionalRole,
    OrganizationRegistered,
    PersonRegistered,
    RoleAssigned,
)
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.store import AggregateStore, AlreadyExists, NotFound, Stored, VersionConflict

log = logging.getLogger(__name__)
MAX_RULES = 500
MAX_ASSIGNMENTS = 1000
MAX_CLUSTERS = 200
MAX_COUNCILS = 50
DIGEST_FALLBACK = next(t for t in DEFAULT_TEMPLATES if t.key == DAILY_DIGEST)


def new_secret() -> str:
    return secrets.token_hex(32)


# --- read models from registry events -------------------------------------------------------------------------


async def load_recipient(recipients: AggregateStore, recipient_id: str) -> Recipient | None:
    stored = await recipients.get(recipient_id)
    return None if stored is None else Recipient.model_validate(stored.state)


async def on_organization_registered(stores: NotifyStores, event: CloudEvent, data: OrganizationRegistered) -> None:
    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        recipient = Recipient.model_validate(current.state) if current else None
        return with_organization(recipient, data).model_dump(mode="json"), []

    await stores.recipients.apply_event(data.organization_id, event.id, mutate)


async def on_person_registered(stores: NotifyStores, event: CloudEvent, data: PersonRegistered) -> None:
    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        recipient = Recipient.model_validate(current.state) if current else None
        return with_person(recipient, data).model_dump(mode="json"), []

    await stores.recipients.apply_event(data.person_id, event.id, mutate)


async def on_contact_point_set(stores: NotifyStores, event: CloudEvent, data: ContactPointSet) -> None:
    candidate = new_secret()

    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        recipient = Recipient.model_validate(current.state) if current else None
        return with_contact_point(recipient, data, candidate).model_dump(mode="json"), []

    await stores.recipients.apply_event(data.owner_id, event.id, mutate)


async def on_role_assigned(stores: NotifyStores, event: CloudEvent, data: RoleAssigned) -> None:
    """The assignment replaces an earlier one with the same id (e.g. one ended by a reassignment)."""
    assignment = RoleAssignment.from_event(data).model_dump(mode="json")
    await stores.roles.apply_event(data.assignment_id, event.id, lambda _current: (assignment, []))


async def on_cluster_formed(stores: NotifyStores, event: CloudEvent, data: ClusterFormed) -> None:
    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        cluster = Cluster.model_validate(current.state) if current else None
        return with_cluster_formed(cluster, data).model_dump(mode="json"), []

    await stores.clusters.apply_event(data.cluster_id, event.id, mutate)


async def on_cluster_membership_changed(
    stores: NotifyStores, event: CloudEvent, data: ClusterMembershipChanged
) -> None:
    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        cluster = Cluster.model_validate(current.state) if current else None
        return with_cluster_membership(cluster, data).model_dump(mode="json"), []

    await stores.clusters.apply_event(data.cluster_id, event.id, mutate)


async def on_council_constituted(stores: NotifyStores, event: CloudEvent, data: CouncilConstituted) -> None:
    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        council = Council.model_validate(current.state) if current else None
        return with_council_constituted(council, data).model_dump(mode="json"), []

    await stores.councils.apply_event(data.council_id, event.id, mutate)


async def on_council_membership_changed(
    stores: NotifyStores, event: CloudEvent, data: CouncilMembershipChanged
) -> None:
    def mutate(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]]:
        council = Council.model_validate(current.state) if current else None
        return with_council_membership(council, data).model_dump(mode="json"), []

    await stores.councils.apply_event(data.council_id, event.id, mutate)


async def assignments_of(roles: AggregateStore, role: FunctionalRole) -> list[RoleAssignment]:
    found = await roles.find({"role": role.value}, limit=MAX_ASSIGNMENTS)
    return [RoleAssignment.model_validate(s.state) for s in found]


async def directory_for(stores: NotifyStores, rules: list[RoutingRule], event: CloudEvent) -> Directory:
    """Load only what the matching rules need to resolve their recipients."""
    assignments = {role: await assignments_of(stores.roles, role) for role in roles_needed(rules, event.type)}
    clusters: list[Cluster] = []
    if orgs := sorted(cluster_organizations_needed(rules, event)):
        found = await stores.clusters.find({"member_ids": {"$in": orgs}}, limit=MAX_CLUSTERS)
        clusters = [Cluster.model_validate(s.state) for s in found]
    councils: dict[str, Council] = {}
    if keys := sorted(councils_needed(rules, event)):
        for key in keys:
            if (stored := await stores.councils.get(key)) is not None:
                councils[stored.id] = Council.model_validate(stored.state)
        for stored in await stores.councils.find({"organization_id": {"$in": keys}}, limit=MAX_COUNCILS):
            councils[stored.id] = Council.model_validate(stored.state)
    return Directory(assignments=assignments, clusters=clusters, councils=list(councils.values()))


# --- routing: record one delivery per (event, recipient, channel) ---------------------------------------------------


async def load_rules(rules: AggregateStore) -> list[RoutingRule]:
    return [RoutingRule.model_validate(s.state) for s in await rules.find({}, limit=MAX_RULES)]


async def load_template(templates: AggregateStore, target: Target, event_type: str) -> Template:
    for candidate in lookup_order(target.template_key, event_type, target.channel):
        stored = await templates.get(candidate)
        if stored is not None:
            return Template.model_validate(stored.state)
    return BUILTIN_FALLBACK


def _render(template: Template, context: dict[str, Any]) -> tuple[str, str]:
    """Render; a template that fails on this event (e.g. a sandbox refusal) gives way to the built-in one."""
    try:
        return render(template.subject, context), render(template.body, context)
    except Exception:
        log.exception("template %s|%s failed; using the built-in one", template.key, template.channel)
        return render(BUILTIN_FALLBACK.subject, context), render(BUILTIN_FALLBACK.body, context)


def _address(recipient: Recipient | None, channel: Channel) -> str | None:
    if channel == Channel.INBOX:
        return None
    if recipient is None:
        return None
    return recipient.email if channel == Channel.EMAIL else recipient.webhook_url


def _outcome_event(data: EventData, delivery: Delivery) -> CloudEvent:
    return make_event(
        data,
        partitionkey=delivery.recipient_id,
        subject=f"deliveries/{delivery.id}",
        causationid=delivery.event_id,
        correlationid=delivery.event.get("correlationid"),
    )


async def _first_publication_request(
    stores: NotifyStores, event: CloudEvent, target: Target, announced: set[str]
) -> bool:
    """Whether this delivery is the first of a publication request to its press body: the one that announces it."""
    if target.purpose != Purpose.PUBLICATION_REQUEST or target.reminder_rule is not None:
        return False
    if target.recipient_id in announced:
        return False
    announced.add(target.recipient_id)
    for channel in Channel:
        if await stores.deliveries.get(dm.delivery_id(event.id, target.recipient_id, channel, None)) is not None:
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
    stores: NotifyStores, event: CloudEvent, *, now: datetime, digest_hour: int = 8
) -> list[Delivery]:
    """Route the event and write a delivery record for each target, before anything is sent.

    A record that exists already (the event was redelivered or replayed) is left alone: its create is refused, so
    nothing is sent twice (and the common case, a first delivery, costs no read to find that out).
    Targets without an address on their channel are skipped.
    """
    rules = await load_rules(stores.rules)
    directory = await directory_for(stores, rules, event)
    created: list[Delivery] = []
    recipients: dict[str, Recipient | None] = {}
    targets = route(event, rules, directory)
    announced: set[str] = set()
    for target in targets:
        if target.recipient_id not in recipients:
            recipients[target.recipient_id] = await load_recipient(stores.recipients, target.recipient_id)
        recipient = recipients[target.recipient_id]
        address = _address(recipient, target.channel)
        if target.expires_at is not None and target.expires_at <= now:
            continue  # a reminder of a date already past
        if target.channel != Channel.INBOX and address is None:
            log.info("no %s address for %s; %s not sent there", target.channel, target.recipient_id, event.id)
            continue
        subject = body = None
        if target.channel != Channel.WEBHOOK:
            template = await load_template(stores.templates, target, event.type)
            context = {
                "event": event.to_document(),
                "data": event.data,
                "recipient": {"id": target.recipient_id, "name": recipient.name if recipient else None},
                "purpose": target.purpose.value,
            }
            subject, body = _render(template, context)
        digest = (
            target.channel == Channel.EMAIL and recipient is not None and recipient.daily_digest
        ) and target.not_before is None
        delivery, events = dm.new_delivery(
            event,
            target,
            recipient_name=recipient.name if recipient else None,
            address=address,
            subject=subject,
            body=body,
            now=now,
            digest_at=dm.next_digest_at(now, digest_hour) if digest else None,
        )
        outcomes: list[EventData] = list(events)
        if await _first_publication_request(stores, event, target, announced):
            outcomes.append(_publication_requested(event, target, targets, recipient))
        if not delivery.final:  # on the agenda first: a crash before the create leaves an entry the sweep drops
            await stores.open.schedule(delivery.id, max(delivery.not_before or now, now))
        try:
            await stores.deliveries.create(
                delivery.id, delivery.model_dump(mode="json"), [_outcome_event(e, delivery) for e in outcomes]
            )
        except AlreadyExists:
            if not delivery.final:
                await _reschedule_existing(stores, delivery.id)
            continue
        created.append(delivery)
    return created


async def _reschedule_existing(stores: NotifyStores, delivery_id: str) -> None:
    """A redelivered event scheduled a delivery that exists: put its entry back as the delivery itself says."""
    stored = await stores.deliveries.get(delivery_id)
    if stored is None:
        return  # not projected yet: the entry stays, and the sweep checks it again
    existing = Delivery.model_validate(stored.state)
    if existing.final:
        await stores.open.done(delivery_id)
    elif existing.status == dm.DeliveryStatus.SENDING and existing.lease_until is not None:
        await stores.open.schedule(delivery_id, existing.lease_until)
    else:
        await stores.open.schedule(delivery_id, existing.not_before or existing.created_at)


# --- the delivery worker's writes --------------------------------------------------------------------------------


async def load_delivery(deliveries: AggregateStore, delivery_id: str) -> tuple[Delivery, int]:
    stored = await deliveries.get(delivery_id)
    if stored is None:
        raise NotFound(delivery_id)
    return Delivery.model_validate(stored.state), stored.version


async def claim_delivery(
    deliveries: AggregateStore, delivery_id: str, *, now: datetime, lease_until: datetime
) -> Delivery | None:
    """Take the delivery for sending; None when it is final, or another worker holds or just took it."""
    delivery, version = await load_delivery(deliveries, delivery_id)
    try:
        claimed = dm.claim(delivery, now=now, lease_until=lease_until)
        await deliveries.update(delivery_id, version, claimed.model_dump(mode="json"), [])
    except (VersionConflict, InvalidTransition):
        return None
    return claimed


async def record_attempt(
    deliveries: AggregateStore,
    delivery_id: str,
    *,
    ok: bool,
    error: str | None,
    now: datetime,
    max_attempts: int,
    lease_until: datetime,
) -> Delivery:
    while True:
        delivery, version = await load_delivery(deliveries, delivery_id)
        updated, events = dm.record_attempt(
            delivery, ok=ok, error=error, now=now, max_attempts=max_attempts, lease_until=lease_until
        )
        try:
            await deliveries.update(
                delivery_id, version, updated.model_dump(mode="json"), [_outcome_event(e, updated) for e in events]
            )
        except VersionConflict:
            continue
        return updated


async def render_digest(stores: NotifyStores, members: list[Delivery]) -> Delivery:
    """The one e-mail for a recipient's due digest deliveries, oldest first, from the `digest.daily` template."""
    members = sorted(members, key=lambda m: (m.created_at, m.id))
    first = members[0]
    stored = await stores.templates.get(template_id(DAILY_DIGEST, Channel.EMAIL))
    template = Template.model_validate(stored.state) if stored else DIGEST_FALLBACK
    context = {
        "recipient": {"id": first.recipient_id, "name": first.recipient_name},
        "items": [{"subject": m.subject, "body": m.body, "event_type": m.event_type} for m in members],
    }
    try:
        subject, body = render(template.subject, context), render(template.body, context)
    except Exception:
        log.exception("digest template failed; using the built-in one")
        subject, body = render(DIGEST_FALLBACK.subject, context), render(DIGEST_FALLBACK.body, context)
    return dm.digest_message(members, subject=subject, body=body)


async def set_daily_digest(recipients: AggregateStore, recipient_id: str, on: bool) -> Recipient:
    while True:
        stored = await recipients.get(recipient_id)
        if stored is None:
            raise NotFound(recipient_id)
        recipient = Recipient.model_validate(stored.state).model_copy(update={"daily_digest": on})
        try:
            await recipients.update(recipient_id, stored.version, recipient.model_dump(mode="json"), [])
        except VersionConflict:
            continue
        return recipient


async def mark_read(deliveries: AggregateStore, recipient_id: str, delivery_id: str, *, now: datetime) -> Delivery:
    while True:
        delivery, version = await load_delivery(deliveries, delivery_id)
        if delivery.recipient_id != recipient_id:
            raise NotFound(delivery_id)
        updated = dm.mark_read(delivery, now=now)
        if updated is None:
            return delivery
        read = _outcome_event(dm.read_event(updated, now=now), updated)
        try:
            await deliveries.update(delivery_id, version, updated.model_dump(mode="json"), [read])
        except VersionConflict:
            continue
        return updated


# --- operators: rules, templates, subscribers ------------------------------------------------------------------


async def create_rule(rules: AggregateStore, rule: RoutingRule) -> int:
    return (await rules.create(rule.id, rule.model_dump(mode="json"), [])).version


async def replace_rule(rules: AggregateStore, rule_id: str, version: int, body: RuleBody) -> tuple[RoutingRule, int]:
    rule = RoutingRule(id=rule_id, **body.model_dump())
    stored = await rules.update(rule_id, version, rule.model_dump(mode="json"), [])
    return rule, stored.version


def _check_template(body: TemplateBody) -> None:
    check(body.subject, "subject")
    check(body.body, "body")


async def put_template(
    templates: AggregateStore, key: str, channel: Channel, body: TemplateBody, version: int | None
) -> tuple[Template, int]:
    """Create a template (no version) or replace it (the version read)."""
    _check_template(body)
    template = Template(key=key, channel=channel, **body.model_dump())
    state = template.model_dump(mode="json")
    if version is None:
        return template, (await templates.create(template_id(key, channel), state, [])).version
    return template, (await templates.update(template_id(key, channel), version, state, [])).version


async def add_subscriber(recipients: AggregateStore, command: NewSubscriber) -> tuple[Recipient, int]:
    recipient = subscriber(command, new_secret())
    stored = await recipients.create(recipient.id, recipient.model_dump(mode="json"), [])
    return recipient, stored.version


async def set_webhook_secret(recipients: AggregateStore, recipient_id: str, secret: str) -> None:
    while True:
        stored = await recipients.get(recipient_id)
        if stored is None:
            raise NotFound(recipient_id)
        recipient = Recipient.model_validate(stored.state).model_copy(update={"webhook_secret": secret})
        try:
            await recipients.update(recipient_id, stored.version, recipient.model_dump(mode="json"), [])
        except VersionConflict:
            continue
        return


async def seed_defaults(
    stores: NotifyStores,
    rules: Sequence[RoutingRule] = DEFAULT_RULES,
    templates: Sequence[Template] = DEFAULT_TEMPLATES,
) -> None:
    """Write the default rules and templates that are missing; never overwrite an operator's change."""
    for rule in rules:
        with contextlib.suppress(AlreadyExists):
            await create_rule(stores.rules, rule)
    for template in templates:
        with contextlib.suppress(AlreadyExists):
            await stores.templates.create(
                template_id(template.key, template.channel), template.model_dump(mode="json"), []
            )
