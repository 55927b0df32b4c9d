"""Seed data: the province of Bắc Kạn (2024) and the 1/7/2025 reorganisation, loaded through the domain handlers.

`python -m tdkt_registry.seed [--file F] [--until BATCH_ID]` loads `bac_kan.json` (or F) into the registry's
MongoDB (the `MONGODB_*` settings). It writes through the same handlers as the API, so every record is validated
and every change puts its event in the outbox; a running registry worker's relay publishes them (its periodic
sweep finds writes made by other processes).

Loading is idempotent: an organisation, assignment, contact point, person, cluster or council whose id exists is
left alone, and a reorganisation batch is applied once per batch id, so the command can be run again (or resumed
after a crash) and changes nothing the second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tdkt_registry import handlers, role_handlers
from tdkt_registry.domain.lineage import ReorganizationBatch
from tdkt_registry.domain.organizations import RegisterOrganization
from tdkt_registry.domain.roles import AssignRole, OwnerKind, SetContactPoint, contact_point_id
from tdkt_registry.store import (
    CONTACT_POINTS,
    ORGANIZATIONS,
    PERSONS,
    REORGANIZATIONS,
    ROLE_ASSIGNMENTS,
)
from tdkt_shared.runtime import Stores

DEFAULT_FILE = "bac_kan.json"


class SeedContactPoint(SetContactPoint):
    owner_kind: OwnerKind
    owner_id: str


class SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: list[str] = Field(default_factory=list)
    organizations: list[RegisterOrganization] = Field(default_factory=list)
    role_assignments: list[AssignRole] = Field(default_factory=list)
    contact_points: list[SeedContactPoint] = Field(default_factory=list)
    reorganizations: list[ReorganizationBatch] = Field(default_factory=list)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        target = self.created if created else self.skipped
        target[kind] = target.get(kind, 0) + 1


def read_seed(path: Path | None = None) -> SeedFile:
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_FILE).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return SeedFile.model_validate(data)


async def load(seed: SeedFile, stores: Stores, *, until: str | None = None) -> SeedReport:
    """Load `seed` through the handlers; batches after `until` (a batch id) are left out."""
    report = SeedReport()
    organizations = stores.store(ORGANIZATIONS)
    correlation = "seed"
    for command in seed.organizations:
        exists = await organizations.get(command.id) is not None
        if not exists:
            await handlers.register_organization(command, organizations, correlation_id=correlation)
        report.count("organizations", not exists)
    assignments = stores.store(ROLE_ASSIGNMENTS)
    for assignment in seed.role_assignments:
        exists = assignment.id is not None and await assignments.get(assignment.id) is not None
        if not exists:
            await role_handlers.assign_role(assignment, assignments, organizations, correlation_id=correlation)
        report.count("role_assignments", not exists)
    points = stores.store(CONTACT_POINTS)
    for point in seed.contact_points:
        exists = await points.get(contact_point_id(point.owner_kind, point.owner_id)) is not None
        if not exists:
            owners = organizations if point.owner_kind == "ORGANIZATION" else stores.store(PERSONS)
            contact = SetContactPoint(email=point.email, webhook_url=point.webhook_url)
            await role_handlers.set_contact_point(
                point.owner_kind, point.owner_id, contact, points, owners, correlation_id=correlation
            )
        report.count("contact_points", not exists)
    reorganizations = stores.store(REORGANIZATIONS)
    for batch in seed.reorganizations:
        _, applied = await handlers.apply_reorganization(
            batch, organizations, reorganizations, correlation_id=correlation
        )
        report.count("reorganizations", applied)
        if batch.batch_id == until:
            break
    return report
