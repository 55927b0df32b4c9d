"""Local read models built from registry events: who a recipient is, where it is reached, who holds a role."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import Field, HttpUrl

from tdkt_notify.signing import WebhookSecret
from tdkt_shared.contract.registry import (
    ClusterFormed,
    ClusterMember,
    ClusterMembershipChanged,
    ClusterRole,
    ContactPointSet,
    CouncilConstituted,
    CouncilMember,
    CouncilMembershipChanged,
    FunctionalRole,
    OrganizationRegistered,
    PersonRegistered,
    RoleAssigned,
)
from tdkt_shared.contract.text import Day, Flag, Identifier, Text, Whole
from tdkt_shared.kit.models import Command, Value


class RecipientKind(StrEnum):
    ORGANIZATION = "ORGANIZATION"
    PERSON = "PERSON"
    SUBSCRIBER = "SUBSCRIBER"
    """An explicit subscriber registered by an operator (e.g. a portal or an external system)."""


class Recipient(Value):
    """Anyone a notification can go to, with the addresses known for it.

    `webhook_secret` signs the webhooks sent to this recipient; the API never shows it.
    """

    id: Identifier
    kind: RecipientKind
    name: str | None = None
    email: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    daily_digest: Flag = False
    """E-mails wait for one daily digest instead of going one by one (bản tin tổng hợp hằng ngày)."""


class NewSubscriber(Command):
    """Command: register an explicit subscriber."""

    id: Identifier
    name: Text
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)
    webhook_url: HttpUrl | None = None
    webhook_secret: WebhookSecret | None = None


def subscriber(command: NewSubscriber, generated_secret: str) -> Recipient:
    url = str(command.webhook_url) if command.webhook_url else None
    secret = command.webhook_secret or (generated_secret if url else None)
    return Recipient(
        id=command.id,
        kind=RecipientKind.SUBSCRIBER,
        name=command.name,
        email=command.email,
        webhook_url=url,
        webhook_secret=secret,
    )


def with_organization(current: Recipient | None, event: OrganizationRegistered) -> Recipient:
    if current is None:
        return Recipient(id=event.organization_id, kind=RecipientKind.ORGANIZATION, name=event.name)
    return current.model_copy(update={"name": event.name})


def with_person(current: Recipient | None, event: PersonRegistered) -> Recipient:
    if current is None:
        return Recipient(id=event.person_id, kind=RecipientKind.PERSON, name=event.full_name)
    return current.model_copy(update={"name": event.full_name})


def with_contact_point(current: Recipient | None, event: ContactPointSet, generated_secret: str) -> Recipient:
    """The contact point replaces the previous one; a webhook gets a secret the first time it is needed."""
    base = current or Recipient(id=event.owner_id, kind=RecipientKind(event.owner_kind))
    secret = base.webhook_secret or (generated_secret if event.webhook_url else None)
    return base.model_copy(update={"email": event.email, "webhook_url": event.webhook_url, "webhook_secret": secret})


def with_webhook_secret(recipient: Recipient, secret: str) -> Recipient:
    return recipient.model_copy(update={"webhook_secret": secret})


def with_daily_digest(recipient: Recipient, on: bool) -> Recipient:
    return recipient.model_copy(update={"daily_digest": on})


class RoleAssignment(RoleAssigned):
    """An organisation holding a functional role from `valid_from` to `valid_to` (inclusive): the registry's
    `role.assigned` as announced, kept as it is."""

    @classmethod
    def from_event(cls, event: RoleAssigned) -> RoleAssignment:
        return cls.model_validate(event.model_dump())

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def holders_on(
    assignments: Iterable[RoleAssignment], role: FunctionalRole, day: date, authorities: Iterable[str] | None = None
) -> list[str]:
    """Every organisation holding `role` on `day` (several may), sorted by id; with `authorities`, only those
    serving one of them (DECIDING_AUTHORITY)."""
    wanted = None if authorities is None else set(authorities)
    return sorted(
        {
            a.organization_id
            for a in assignments
            if a.role == role and a.in_force_on(day) and (wanted is None or a.authority in wanted)
        }
    )


# --- emulation clusters and blocs (cụm, khối thi đua) -----------------------------------------------------------


class ClusterPeriod(Value):
    """The cluster's whole member list from `valid_from` until the next period starts."""

    valid_from: Day
    members: list[ClusterMember]


class Cluster(Value):
    """An emulation cluster or bloc of one year, with its membership over time.

    `member_ids` is every organisation that was a member in any period: what the store is searched by.
    """

    cluster_id: Identifier
    name: str | None = None
    year: Whole
    periods: list[ClusterPeriod] = Field(default_factory=list)
    member_ids: list[str] = Field(default_factory=list)

    def members_on(self, day: date) -> list[ClusterMember]:
        """The members in force on `day`; none before the cluster was formed."""
        current: list[ClusterMember] = []
        for period in self.periods:
            if period.valid_from <= day:
                current = period.members
        return current

    def with_period(self, valid_from: date, members: list[ClusterMember]) -> Cluster:
        """A period starting on `valid_from` replaces one starting that same day (a re-sent or same-day change)."""
        kept = [p for p in self.periods if p.valid_from != valid_from]
        periods = sorted([*kept, ClusterPeriod(valid_from=valid_from, members=members)], key=lambda p: p.valid_from)
        ids = sorted({m.organization_id for p in periods for m in p.members})
        return self.model_copy(update={"periods": periods, "member_ids": ids})


def with_cluster_formed(current: Cluster | None, event: ClusterFormed) -> Cluster:
    base = current or Cluster(cluster_id=event.cluster_id, year=event.year)
    named = base.model_copy(update={"name": event.name, "year": event.year})
    return named.with_period(event.formed_on, list(event.members))


def with_cluster_membership(current: Cluster | None, event: ClusterMembershipChanged) -> Cluster:
    base = current or Cluster(cluster_id=event.cluster_id, year=event.year)
    return base.with_period(event.effective_date, list(event.members))


ClusterEvent = ClusterFormed | ClusterMembershipChanged


def with_cluster_event(current: Cluster | None, event: ClusterEvent) -> Cluster:
    """The cluster after a registry event about it: formed, or its member list changed."""
    if isinstance(event, ClusterFormed):
        return with_cluster_formed(current, event)
    return with_cluster_membership(current, event)


def clusters_of(clusters: Iterable[Cluster], organization_id: str, day: date) -> list[Cluster]:
    """The clusters (a unit may be in a cluster and a bloc) `organization_id` belongs to on `day`.

    Clusters are formed per year: the latest year not after `day`'s year in which the unit is a member.
    """
    found = [
        c
        for c in clusters
        if c.year <= day.year and any(m.organization_id == organization_id for m in c.members_on(day))
    ]
    if not found:
        return []
    latest = max(c.year for c in found)
    return sorted((c for c in found if c.year == latest), key=lambda c: c.cluster_id)


def cluster_recipients(
    clusters: Iterable[Cluster], organization_id: str, day: date, *, leaders_only: bool
) -> list[str]:
    """The members (or only the leaders, trưởng cụm/khối) of the clusters of `organization_id` on `day`."""
    found: list[str] = []
    for cluster in clusters_of(clusters, organization_id, day):
        for member in cluster.members_on(day):
            if not leaders_only or member.role == ClusterRole.LEADER:
                found.append(member.organization_id)
    return list(dict.fromkeys(found))


# --- Emulation–Commendation Councils (Hội đồng Thi đua – Khen thưởng) -------------------------------------------


class Council(Value):
    """A council, its owning organisation, its term and its members (persons) each with their own period."""

    council_id: Identifier
    name: str | None = None
    organization_id: str | None = None
    term_from: Day | None = None
    term_to: Day | None = None
    members: list[CouncilMember] = Field(default_factory=list)

    def in_term_on(self, day: date) -> bool:
        return (self.term_from is None or self.term_from <= day) and (self.term_to is None or day <= self.term_to)

    def members_on(self, day: date) -> list[str]:
        """The persons sitting on the council on `day` (none outside its term), sorted by id."""
        if not self.in_term_on(day):
            return []
        return sorted(
            {m.person_id for m in self.members if m.valid_from <= day and (m.valid_to is None or day <= m.valid_to)}
        )


def with_council_constituted(current: Council | None, event: CouncilConstituted) -> Council:
    update = {
        "name": event.name,
        "organization_id": event.organization_id,
        "term_from": event.term_from,
        "term_to": event.term_to,
        "members": list(event.members),
    }
    return (current or Council(council_id=event.council_id)).model_copy(update=update)


def with_council_membership(current: Council | None, event: CouncilMembershipChanged) -> Council:
    """The event carries the whole member list, each member with their period: it replaces the previous one."""
    return (current or Council(council_id=event.council_id)).model_copy(update={"members": list(event.members)})


CouncilEvent = CouncilConstituted | CouncilMembershipChanged


def with_council_event(current: Council | None, event: CouncilEvent) -> Council:
    """The council after a registry event about it: constituted, or its members changed (kiện toàn)."""
    if isinstance(event, CouncilConstituted):
        return with_council_constituted(current, event)
    return with_council_membership(current, event)
