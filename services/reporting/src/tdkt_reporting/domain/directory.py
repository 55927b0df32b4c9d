"""Reporting's local read model of the registry's organisations, built only from registry events."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered


class KnownOrganization(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: OrganizationKind
    parent_id: str | None = None
    valid_from: date
    registry_version: int


def from_registered(data: OrganizationRegistered) -> KnownOrganization:
    return KnownOrganization(
        id=data.organization_id,
        name=data.name,
        kind=data.kind,
        parent_id=data.parent_id,
        valid_from=data.valid_from,
        registry_version=data.version,
    )
