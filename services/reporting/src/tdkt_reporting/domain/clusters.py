"""Reporting's read model of the registry's emulation clusters and blocs (cụm, khối thi đua), built only from
registry events: who belongs to a cluster in a year, and with which role."""

from __future__ import annotations

from pydantic import Field

from tdkt_shared.contract.registry import (
    ClusterChangeReason,
    ClusterFormed,
    ClusterKind,
    ClusterMember,
    ClusterMembershipChanged,
)
from tdkt_shared.contract.text import Day, Whole
from tdkt_shared.kit.models import Value


class ClusterYear(Value):
    """The membership of a cluster for one year, as the registry last stated it."""

    year: Whole
    formed_on: Day | None = None
    members: list[ClusterMember] = Field(default_factory=list)
    changed_on: Day | None = None
    """Effective date of the last membership change applied (None: as formed)."""
    last_change: ClusterChangeReason | None = None


class KnownCluster(Value):
    id: str
    name: str | None = None
    """None until the `cluster.formed` event arrives (a membership change may be the first event seen)."""
    kind: ClusterKind | None = None
    managing_organization_id: str | None = None
    years: list[ClusterYear] = Field(default_factory=list)
    """Ascending by year."""

    def year(self, year: int) -> ClusterYear | None:
        return next((y for y in self.years if y.year == year), None)

    def member_ids(self, year: int) -> list[str] | None:
        """The members' organisation ids for `year`; None when the cluster has no membership for that year."""
        found = self.year(year)
        return None if found is None else [m.organization_id for m in found.members]


def _with_year(cluster: KnownCluster, entry: ClusterYear) -> KnownCluster:
    years = sorted([*(y for y in cluster.years if y.year != entry.year), entry], key=lambda y: y.year)
    return cluster.model_copy(update={"years": years})


def formed(current: KnownCluster | None, data: ClusterFormed) -> KnownCluster:
    """The cluster as formed for `data.year`. A membership already learnt for that year from a later change is kept."""
    cluster = (current or KnownCluster(id=data.cluster_id)).model_copy(
        update={"name": data.name, "kind": data.kind, "managing_organization_id": data.managing_organization_id}
    )
    existing = cluster.year(data.year)
    if existing is not None and existing.changed_on is not None:
        return _with_year(cluster, existing.model_copy(update={"formed_on": data.formed_on}))
    return _with_year(cluster, ClusterYear(year=data.year, formed_on=data.formed_on, members=list(data.members)))


def membership_changed(current: KnownCluster | None, data: ClusterMembershipChanged) -> KnownCluster:
    """The whole member list replaces the year's list, unless it is older than the change already applied."""
    cluster = current or KnownCluster(id=data.cluster_id)
    existing = cluster.year(data.year)
    if existing is not None and existing.changed_on is not None and data.effective_date < existing.changed_on:
        return cluster
    entry = ClusterYear(
        year=data.year,
        formed_on=existing.formed_on if existing else None,
        members=list(data.members),
        changed_on=data.effective_date,
        last_change=data.reason,
    )
    return _with_year(cluster, entry)
