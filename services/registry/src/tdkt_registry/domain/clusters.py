"""Emulation clusters and blocks (cụm, khối thi đua): formed per year, with a leader, deputies and members.

The leader rotates (`rotate_leader`); after a merger the clusters are re-formed: a member must be in force on the
day it joins, so an organisation that no longer exists cannot be put in a new cluster.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from tdkt_registry.domain.organizations import Organization
from tdkt_shared.contract.registry import (
    ClusterChangeReason,
    ClusterFormed,
    ClusterKind,
    ClusterMember,
    ClusterMembershipChanged,
    ClusterRole,
)
from tdkt_shared.contract.text import Day, Identifier, Text, Whole
from tdkt_shared.errors import DomainError, UnknownReference
from tdkt_shared.kit.models import Command, Value


class Cluster(Value):
    id: Identifier
    name: Text
    kind: ClusterKind
    year: Whole
    formed_on: Day
    managing_organization_id: Identifier | None = None
    members: list[ClusterMember] = Field(default_factory=list)

    @property
    def leader(self) -> str | None:
        return next((m.organization_id for m in self.members if m.role is ClusterRole.LEADER), None)

    def member(self, organization_id: str) -> ClusterMember | None:
        return next((m for m in self.members if m.organization_id == organization_id), None)


class FormCluster(Command):
    """Command: form a cluster or bloc for a year with its first members (at most one leader)."""

    id: Identifier
    name: Text
    kind: ClusterKind
    year: Whole = Field(ge=1945, le=2200)
    formed_on: Day
    managing_organization_id: Identifier | None = None
    members: list[ClusterMember] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _shape(self) -> FormCluster:
        if self.formed_on.year != self.year:
            raise ValueError("formed_on must fall in the cluster's year")
        ids = [m.organization_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("an organisation is listed twice in members")
        if sum(m.role is ClusterRole.LEADER for m in self.members) > 1:
            raise ValueError("a cluster has at most one leader")
        return self


class SetClusterMember(Command):
    """Command: add an organisation to the cluster, or change its role (not to LEADER: rotate the leader)."""

    version: Whole = Field(ge=1)
    organization_id: Identifier
    role: ClusterRole = ClusterRole.MEMBER
    effective_date: Day


class RemoveClusterMember(Command):
    version: Whole = Field(ge=1)
    effective_date: Day


class RotateLeader(Command):
    """Command: a member becomes the leader; the previous leader stays as a member."""

    version: Whole = Field(ge=1)
    organization_id: Identifier
    effective_date: Day


def check_member_org(org_id: str, org: Organization | None, day: date, field: str) -> None:
    if org is None:
        raise UnknownReference(f"unknown organisation {org_id}", field=field)
    if org.as_of(day) is None:
        raise DomainError(f"{org_id} is not in force on {day}", field=field, code="not_in_force")


def form(command: FormCluster, orgs: dict[str, Organization | None]) -> tuple[Cluster, ClusterFormed]:
    if command.managing_organization_id is not None:
        managing = orgs.get(command.managing_organization_id)
        check_member_org(command.managing_organization_id, managing, command.formed_on, "managing_organization_id")
    for i, member in enumerate(command.members):
        field = f"members.{i}.organization_id"
        check_member_org(member.organization_id, orgs.get(member.organization_id), command.formed_on, field)
    cluster = Cluster(**command.model_dump())
    return cluster, ClusterFormed(cluster_id=cluster.id, **command.model_dump(exclude={"id"}))


def _check_date(cluster: Cluster, day: date) -> None:
    if day.year != cluster.year or day < cluster.formed_on:
        raise DomainError(
            f"effective_date must fall in {cluster.year}, on or after {cluster.formed_on}",
            field="effective_date",
            code="out_of_period",
        )


def _changed(
    cluster: Cluster, members: list[ClusterMember], reason: ClusterChangeReason, org_id: str, day: date
) -> tuple[Cluster, ClusterMembershipChanged]:
    new = cluster.model_copy(update={"members": members})
    event = ClusterMembershipChanged(
        cluster_id=cluster.id,
        year=cluster.year,
        reason=reason,
        organization_id=org_id,
        effective_date=day,
        members=members,
    )
    return new, event


def set_member(
    cluster: Cluster, command: SetClusterMember, org: Organization | None
) -> tuple[Cluster, ClusterMembershipChanged]:
    _check_date(cluster, command.effective_date)
    check_member_org(command.organization_id, org, command.effective_date, "organization_id")
    current = cluster.member(command.organization_id)
    if command.role is ClusterRole.LEADER and cluster.leader not in (None, command.organization_id):
        raise DomainError(
            f"{cluster.leader} leads the cluster: rotate the leader instead", field="role", code="leader_taken"
        )
    if current is not None and current.role == command.role:
        raise DomainError(f"{command.organization_id} is already {command.role}", field="role", code="no_change")
    member = ClusterMember(organization_id=command.organization_id, role=command.role)
    if current is None:
        members, reason = [*cluster.members, member], ClusterChangeReason.MEMBER_ADDED
    else:
        members = [member if m.organization_id == member.organization_id else m for m in cluster.members]
        reason = ClusterChangeReason.ROLE_CHANGED
    return _changed(cluster, members, reason, command.organization_id, command.effective_date)


def remove_member(
    cluster: Cluster, organization_id: str, command: RemoveClusterMember
) -> tuple[Cluster, ClusterMembershipChanged]:
    _check_date(cluster, command.effective_date)
    if cluster.member(organization_id) is None:
        raise DomainError(f"{organization_id} is not a member", field="organization_id", code="not_a_member")
    members = [m for m in cluster.members if m.organization_id != organization_id]
    return _changed(cluster, members, ClusterChangeReason.MEMBER_REMOVED, organization_id, command.effective_date)


def rotate_leader(
    cluster: Cluster, command: RotateLeader, org: Organization | None
) -> tuple[Cluster, ClusterMembershipChanged]:
    _check_date(cluster, command.effective_date)
    if cluster.member(command.organization_id) is None:
        raise DomainError(
            f"{command.organization_id} is not a member of {cluster.id}", field="organization_id", code="not_a_member"
        )
    check_member_org(command.organization_id, org, command.effective_date, "organization_id")
    if cluster.leader == command.organization_id:
        raise DomainError(f"{command.organization_id} already leads", field="organization_id", code="no_change")
    members = [
        ClusterMember(organization_id=m.organization_id, role=ClusterRole.LEADER)
        if m.organization_id == command.organization_id
        else ClusterMember(organization_id=m.organization_id, role=ClusterRole.MEMBER)
        if m.role is ClusterRole.LEADER
        else m
        for m in cluster.members
    ]
    return _changed(
        cluster, members, ClusterChangeReason.LEADER_ROTATED, command.organization_id, command.effective_date
    )
