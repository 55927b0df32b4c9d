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
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tdkt_registry import handlers, people_handlers, role_handlers
from tdkt_registry.domain.clusters import FormCluster
from tdkt_registry.domain.lineage import ReorganizationBatch
from tdkt_registry.domain.organizations import RegisterOrganization
from tdkt_registry.domain.people import ConstituteCouncil, RegisterPerson, StartEmployment
from tdkt_registry.domain.roles import AssignRole, OwnerKind, SetContactPoint, contact_point_id
from tdkt_registry.store import (
    CLUSTERS,
    CONTACT_POINTS,
    COUNCILS,
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


class SeedEmployment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: str
    position: str
    valid_from: date


class SeedPerson(RegisterPerson):
    employments: list[SeedEmployment] = Field(default_factory=list)
    """In order: each one after the first is a transfer (the previous one ends the day before)."""


class SeedFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: list[str] = Field(default_factory=list)
    organizations: list[RegisterOrganization] = Field(default_factory=list)
    role_assignments: list[AssignRole] = Field(default_factory=list)
    contact_points: list[SeedContactPoint] = Field(default_factory=list)
    persons: list[SeedPerson] = Field(default_factory=list)
    clusters: list[FormCluster] = Field(default_factory=list)
    councils: list[ConstituteCouncil] = Field(default_factory=list)
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
    persons = stores.store(PERSONS)
    for seed_person in seed.persons:
        stored = await persons.get(seed_person.id)
        if stored is None:
            registration = RegisterPerson.model_validate(seed_person.model_dump(exclude={"employments"}))
            _, version = await people_handlers.register(registration, persons, correlation)
            held: list[tuple[str, str]] = []
        else:
            version = stored.version
            held = [(e["organization_id"], e["valid_from"]) for e in stored.state["employments"]]
        for job in seed_person.employments:  # the ones missing (a run that stopped halfway)
            if (job.organization_id, job.valid_from.isoformat()) not in held:
                start = StartEmployment(version=version, **job.model_dump())
                _, version = await people_handlers.change_employment(
                    seed_person.id, start, persons, organizations, correlation
                )
        report.count("persons", stored is None)
    clusters = stores.store(CLUSTERS)
    for cluster in seed.clusters:
        exists = await clusters.get(cluster.id) is not None
        if not exists:
            await people_handlers.form_cluster(cluster, clusters, organizations, correlation)
        report.count("clusters", not exists)
    councils = stores.store(COUNCILS)
    for council in seed.councils:
        exists = await councils.get(council.id) is not None
        if not exists:
            await people_handlers.constitute_council(council, councils, organizations, persons, correlation)
        report.count("councils", not exists)
    reorganizations = stores.store(REORGANIZATIONS)
    for batch in seed.reorganizations:
        _, applied = await handlers.apply_reorganization(
            batch, organizations, reorganizations, correlation_id=correlation
        )
        report.count("reorganizations", applied)
        if batch.batch_id == until:
            break
    return report
