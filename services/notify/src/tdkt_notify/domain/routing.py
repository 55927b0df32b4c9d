"""Routing rules as data: an event type goes to some recipients over some channels.

A rule names its recipients by where they come from, never by code: the organisation(s) named at a path in the
event's data, the holder(s) of a functional role on the event's date, or explicit subscribers.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tdkt_notify.domain.directory import Cluster, Council, RoleAssignment, cluster_recipients, holders_on
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.contract.text import Day, Flag, Identifier, Instant, Text, Whole
from tdkt_shared.kit.models import Value

VIETNAM = timezone(timedelta(hours=7), "ICT")
DataPath = str
"""A dotted path into the event's `data`; lists are descended into (`nominees.organization_id`)."""

TYPE_PATTERN = r"^(\*|tdkt\.[a-z0-9_.]*\*?)$"


class RecipientSource(StrEnum):
    EVENT_ORGANIZATION = "EVENT_ORGANIZATION"
    """The organisation(s) whose ids are at `path` in the event's data."""
    ROLE_HOLDER = "ROLE_HOLDER"
    """Whoever holds `role` on the event's date (the date at `date_path`, or the event's time)."""
    SUBSCRIBERS = "SUBSCRIBERS"
    """The explicit subscribers listed in `ids`."""
    CLUSTER_MEMBERS = "CLUSTER_MEMBERS"
    """The members of the cluster(s) of the organisation(s) at `path`, on the event's date (thành viên cụm, khối)."""
    CLUSTER_LEADER = "CLUSTER_LEADER"
    """The leader of the cluster(s) of the organisation(s) at `path`, on the event's date (trưởng cụm, khối)."""
    DECIDING_AUTHORITY = "DECIDING_AUTHORITY"
    """The organisation(s) holding DECIDING_AUTHORITY on the event's date for the deciding authority named at `path`
    (cấp có thẩm quyền quyết định); where the registry knows none, whoever holds `role` (the fallback)."""
    COUNCIL_MEMBERS = "COUNCIL_MEMBERS"
    """The persons sitting, on the event's date, on the councils listed in `ids`, or else on the councils whose id, or
    whose owning organisation's id, is at `path` (thành viên Hội đồng Thi đua – Khen thưởng)."""


CLUSTER_SOURCES = (RecipientSource.CLUSTER_MEMBERS, RecipientSource.CLUSTER_LEADER)


class RecipientSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: RecipientSource
    path: DataPath | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
    role: FunctionalRole | None = None
    date_path: DataPath | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
    ids: list[Identifier] = Field(default_factory=list)

    @model_validator(mode="after")
    def _complete(self) -> RecipientSpec:
        if self.source == RecipientSource.EVENT_ORGANIZATION and not self.path:
            raise ValueError("EVENT_ORGANIZATION needs a path")
        if self.source == RecipientSource.ROLE_HOLDER and self.role is None:
            raise ValueError("ROLE_HOLDER needs a role")
        if self.source == RecipientSource.SUBSCRIBERS and not self.ids:
            raise ValueError("SUBSCRIBERS needs ids")
        if self.source in CLUSTER_SOURCES and not self.path:
            raise ValueError(f"{self.source.value} needs a path")
        if self.source == RecipientSource.DECIDING_AUTHORITY and not (self.path and self.role):
            raise ValueError("DECIDING_AUTHORITY needs a path (the authority) and a role (the fallback)")
        if self.source == RecipientSource.COUNCIL_MEMBERS and not (self.path or self.ids):
            raise ValueError("COUNCIL_MEMBERS needs a path or ids")
        return self


class Reminder(BaseModel):
    """Send not at once but `days_before` the date at `date_path` in the event's data (nhắc trước hạn).

    The number of days is the operator's parameter, kept in the rule. When the reminder's moment has passed it goes
    at once, unless the date itself has passed too (then it is dropped).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date_path: DataPath = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
    days_before: Whole = Field(ge=0, le=366)
    at_hour: Whole = Field(default=8, ge=0, le=23, description="local hour (Asia/Ho_Chi_Minh, UTC+7)")

    def when(self, event: CloudEvent) -> tuple[datetime, datetime] | None:
        """When to send, and when the reminded date is over; None when the data has no such date."""
        for value in values_at(event.data, self.date_path):
            try:
                day = datetime.fromisoformat(str(value)).date()
            except ValueError:
                continue
            moment = datetime.combine(day - timedelta(days=self.days_before), time(self.at_hour), VIETNAM)
            over = datetime.combine(day + timedelta(days=1), time(0), VIETNAM)
            return moment.astimezone(UTC), over.astimezone(UTC)
        return None


class Condition(BaseModel):
    """The rule applies only to events whose data has, at `path`, one of the values `any_of` — or, with `none_of`,
    none of those values (an absent field has none)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: DataPath = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
    any_of: list[str] | None = Field(default=None, min_length=1)
    none_of: list[str] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if (self.any_of is None) == (self.none_of is None):
            raise ValueError("a condition has exactly one of any_of and none_of")
        return self

    def holds(self, event: CloudEvent) -> bool:
        values = [str(v) for v in values_at(event.data, self.path)]
        if self.none_of is not None:
            return not any(v in self.none_of for v in values)
        return any(v in (self.any_of or []) for v in values)


class Purpose(StrEnum):
    NOTIFICATION = "NOTIFICATION"
    PUBLICATION_REQUEST = "PUBLICATION_REQUEST"
    """Yêu cầu đăng tải: ask the press body to publicise honourees, a congress, a consultation."""


class RuleBody(BaseModel):
    """What an operator writes: everything of a rule but its id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: Text
    event_types: list[str] = Field(min_length=1, description="exact types, or a prefix ending in `*`")
    recipients: list[RecipientSpec] = Field(min_length=1)
    channels: list[Channel] = Field(min_length=1)
    purpose: Purpose = Purpose.NOTIFICATION
    template_key: str | None = Field(default=None, pattern=r"^[a-z0-9_.*]{1,120}$")
    """Templates looked up first; the event type when absent."""
    priority: Whole = Field(default=100, ge=0, le=10000)
    """Lower first; when two rules reach one recipient on one channel, the first one's message is sent."""
    enabled: Flag = True
    reminder: Reminder | None = None
    """When set, the rule schedules a reminder instead of notifying at once."""
    conditions: list[Condition] = Field(default_factory=list)
    """All must hold for the rule to apply (e.g. only the status change that opens a public consultation)."""

    @model_validator(mode="after")
    def _patterns(self) -> RuleBody:
        for pattern in self.event_types:
            if re.match(TYPE_PATTERN, pattern) is None:
                raise ValueError(f"event type pattern {pattern!r} is not tdkt.<...> or a prefix ending in *")
        return self


class RoutingRule(RuleBody):
    id: Identifier

    def matches(self, event_type: str) -> bool:
        return self.enabled and any(fnmatch.fnmatchcase(event_type, p) for p in self.event_types)

    def applies(self, event: CloudEvent) -> bool:
        return self.matches(event.type) and all(c.holds(event) for c in self.conditions)


class Target(Value):
    """One recipient on one channel for one event, and the rule that put it there."""

    rule_id: str
    purpose: Purpose
    template_key: str = Field(
        description="The template the message is rendered from: the rule's own, else the one named by the event type"
    )
    recipient_id: str
    channel: Channel
    reminder_rule: str | None = None
    """The rule's id when this is a scheduled reminder (a separate message from the event's notification)."""
    not_before: Instant | None = None
    expires_at: Instant | None = None
    """A reminder still unsent at this moment is pointless."""
    on: Day | None = None
    """The date the recipient was resolved on (role holders, cluster and council members)."""
    addressed_to: str | None = None
    """The organisation the rule named, when it has merged (sáp nhập) into `recipient_id`, its current successor."""


def values_at(value: Any, path: str) -> list[Any]:
    """The values at a dotted path, descending into lists."""
    if isinstance(value, list):
        return [v for item in value for v in values_at(item, path)]
    if not path:
        return [] if value is None else [value]
    if not isinstance(value, dict):
        return []
    head, _, rest = path.partition(".")
    return values_at(value.get(head), rest)


def event_date(event: CloudEvent, date_path: str | None) -> date:
    """The date a role is resolved on: the date at `date_path` in the data if there is one, else the event's time."""
    for value in values_at(event.data, date_path) if date_path else []:
        try:
            return datetime.fromisoformat(str(value)).date()
        except ValueError:
            continue
    return event.time.date()


ROLE_SOURCES = (RecipientSource.ROLE_HOLDER, RecipientSource.DECIDING_AUTHORITY)


def roles_needed(rules: Sequence[RoutingRule], event_type: str) -> set[FunctionalRole]:
    """The roles whose assignments the matching rules read (a deciding authority's, and its fallback)."""
    needed: set[FunctionalRole] = set()
    for spec in _specs(rules, event_type, ROLE_SOURCES):
        if spec.source == RecipientSource.DECIDING_AUTHORITY:
            needed.add(FunctionalRole.DECIDING_AUTHORITY)
        if spec.role is not None:
            needed.add(spec.role)
    return needed


def _specs(rules: Sequence[RoutingRule], event_type: str, sources: Sequence[RecipientSource]) -> list[RecipientSpec]:
    return [s for r in rules if r.matches(event_type) for s in r.recipients if s.source in sources]


def _organizations_at(event: CloudEvent, path: str) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values_at(event.data, path) if isinstance(v, str) and v))


def cluster_organizations_needed(rules: Sequence[RoutingRule], event: CloudEvent) -> set[str]:
    """The organisations whose clusters the matching rules ask about."""
    return {
        org for spec in _specs(rules, event.type, CLUSTER_SOURCES) for org in _organizations_at(event, spec.path or "")
    }


def councils_needed(rules: Sequence[RoutingRule], event: CloudEvent) -> set[str]:
    """The ids the matching rules name councils by: council ids, or owning organisations' ids."""
    keys: set[str] = set()
    for spec in _specs(rules, event.type, (RecipientSource.COUNCIL_MEMBERS,)):
        keys.update(spec.ids or _organizations_at(event, spec.path or ""))
    return keys


@dataclass(frozen=True)
class Directory:
    """What routing knows besides the event: role assignments, clusters and councils (from registry events)."""

    assignments: Mapping[FunctionalRole, Sequence[RoleAssignment]] = field(default_factory=dict)
    clusters: Sequence[Cluster] = ()
    councils: Sequence[Council] = ()


def route(
    event: CloudEvent,
    rules: Sequence[RoutingRule],
    assignments: Mapping[FunctionalRole, Sequence[RoleAssignment]] | Directory,
) -> list[Target]:
    """Every (recipient, channel) the rules send this event to, once each, in rule priority order."""
    directory = assignments if isinstance(assignments, Directory) else Directory(assignments=assignments)
    targets: dict[tuple[str, Channel, str | None], Target] = {}
    for rule in sorted(rules, key=lambda r: (r.priority, r.id)):
        if not rule.applies(event):
            continue
        schedule = rule.reminder.when(event) if rule.reminder else None
        if rule.reminder is not None and schedule is None:
            continue  # the event carries no date to remind of
        not_before, expires_at = schedule or (None, None)
        reminder_rule = rule.id if rule.reminder else None
        for spec in rule.recipients:
            for recipient_id in _recipients(event, spec, directory):
                for channel in rule.channels:
                    targets.setdefault(
                        (recipient_id, channel, reminder_rule),
                        Target(
                            rule_id=rule.id,
                            purpose=rule.purpose,
                            template_key=rule.template_key or event.type,
                            recipient_id=recipient_id,
                            channel=channel,
                            reminder_rule=reminder_rule,
                            not_before=not_before,
                            expires_at=expires_at,
                            on=event_date(event, spec.date_path),
                        ),
                    )
    return list(targets.values())


def redirected(targets: Sequence[Target], successors: Mapping[str, str]) -> list[Target]:
    """The targets with each merged organisation replaced by its current successor (`successors`: merged id ->
    successor id), once per (recipient, channel, reminder): the first target to reach the successor wins."""
    found: dict[tuple[str, Channel, str | None], Target] = {}
    for target in targets:
        successor = successors.get(target.recipient_id)
        if successor is not None:
            target = target.model_copy(update={"recipient_id": successor, "addressed_to": target.recipient_id})
        found.setdefault((target.recipient_id, target.channel, target.reminder_rule), target)
    return list(found.values())


def _recipients(event: CloudEvent, spec: RecipientSpec, directory: Directory) -> list[str]:
    day = event_date(event, spec.date_path)
    if spec.source == RecipientSource.EVENT_ORGANIZATION:
        return _organizations_at(event, spec.path or "")
    if spec.source == RecipientSource.ROLE_HOLDER:
        assert spec.role is not None
        return holders_on(directory.assignments.get(spec.role, ()), spec.role, day)
    if spec.source == RecipientSource.DECIDING_AUTHORITY:
        assert spec.role is not None
        deciding = FunctionalRole.DECIDING_AUTHORITY
        authorities = _organizations_at(event, spec.path or "")
        found = holders_on(directory.assignments.get(deciding, ()), deciding, day, authorities)
        return found or holders_on(directory.assignments.get(spec.role, ()), spec.role, day)
    if spec.source in CLUSTER_SOURCES:
        leaders_only = spec.source == RecipientSource.CLUSTER_LEADER
        found = [
            member
            for org in _organizations_at(event, spec.path or "")
            for member in cluster_recipients(directory.clusters, org, day, leaders_only=leaders_only)
        ]
        return list(dict.fromkeys(found))
    if spec.source == RecipientSource.COUNCIL_MEMBERS:
        keys = set(spec.ids or _organizations_at(event, spec.path or ""))
        chosen = [
            c
            for c in sorted(directory.councils, key=lambda c: c.council_id)
            if c.council_id in keys or (c.organization_id is not None and c.organization_id in keys)
        ]
        return list(dict.fromkeys(p for c in chosen for p in c.members_on(day)))
    return list(spec.ids)
