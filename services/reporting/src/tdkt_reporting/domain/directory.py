"""Reporting's local read model of the registry's organisations, built only from registry events."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered, OrganizationsMerged


class KnownOrganization(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: OrganizationKind
    parent_id: str | None = None
    valid_from: date
    registry_version: int
    successor_id: str | None = None
    """Set when the organisation merged into another (sáp nhập)."""
    merged_on: date | None = None


def from_registered(data: OrganizationRegistered, current: KnownOrganization | None = None) -> KnownOrganization:
    """The organisation as registered, keeping a merger already learnt (events of two keys may arrive in any order)."""
    return KnownOrganization(
        id=data.organization_id,
        name=data.name,
        kind=data.kind,
        parent_id=data.parent_id,
        valid_from=data.valid_from,
        registry_version=data.version,
        successor_id=current.successor_id if current else None,
        merged_on=current.merged_on if current else None,
    )


def merged(organization: KnownOrganization, data: OrganizationsMerged) -> KnownOrganization:
    return organization.model_copy(update={"successor_id": data.successor_id, "merged_on": data.effective_date})
