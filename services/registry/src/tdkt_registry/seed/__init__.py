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

from pydantic import Field

from tdkt_registry.domain.clusters import FormCluster
from tdkt_registry.domain.lineage import ReorganizationBatch
from tdkt_registry.domain.organizations import RegisterOrganization
from tdkt_registry.domain.people import ConstituteCouncil, RegisterPerson, StartEmployment
from tdkt_registry.domain.roles import AssignRole, OwnerKind, SetContactPoint, contact_point_id
from tdkt_registry.handlers import clusters, contact_points, councils, organizations, persons, reorganizations
from tdkt_registry.handlers import role_assignments as assignments
from tdkt_registry.store import (
    CLUSTERS,
    CONTACT_POINTS,
    COUNCILS,
    ORGANIZATIONS,
    PERSONS,
    REORGANIZATIONS,
    ROLE_ASSIGNMENTS,
)
from tdkt_shared.contract.text import Day
from tdkt_shared.kit import CommandContext
from tdkt_shared.kit.models import Command
from tdkt_shared.runtime import Stores

DEFAULT_FILE = "bac_kan.json"


class SeedContactPoint(SetContactPoint):
    owner_kind: OwnerKind
    owner_id: str


class SeedEmployment(Command):
    organization_id: str
    position: str
    valid_from: Day


class SeedPerson(RegisterPerson):
    employments: list[SeedEmployment] = Field(default_factory=list)
    """In order: each one after the first is a transfer (the previous one ends the day before)."""


class SeedFile(Command):
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


SEED_CORRELATION = "seed"
"""Every event the seed writes carries this correlation id."""


async def load(seed: SeedFile, stores: Stores, *, until: str | None = None) -> SeedReport:
    """Load `seed` through the handlers; batches after `until` (a batch id) are left out."""
    report = SeedReport()
    ctx = CommandContext.system(correlation_id=SEED_CORRELATION)
    organization_store = stores.store(ORGANIZATIONS)
    for command in seed.organizations:
        exists = await organization_store.get(command.id) is not None
        if not exists:
            await organizations.register_organization(command, organization_store, ctx)
        report.count("organizations", not exists)
    assignment_store = stores.store(ROLE_ASSIGNMENTS)
    for assignment in seed.role_assignments:
        exists = assignment.id is not None and await assignment_store.get(assignment.id) is not None
        if not exists:
            await assignments.assign_role(assignment, assignment_store, organization_store, ctx)
        report.count("role_assignments", not exists)
    point_store = stores.store(CONTACT_POINTS)
    person_store = stores.store(PERSONS)
    for point in seed.contact_points:
        exists = await point_store.get(contact_point_id(point.owner_kind, point.owner_id)) is not None
        if not exists:
            owners = organization_store if point.owner_kind == "ORGANIZATION" else person_store
            contact = SetContactPoint(email=point.email, webhook_url=point.webhook_url)
            await contact_points.set_contact_point(point.owner_kind, point.owner_id, contact, point_store, owners, ctx)
        report.count("contact_points", not exists)
    for seed_person in seed.persons:
        stored = await persons.person_repository(person_store).get(seed_person.id)
        if stored is None:
            registration = RegisterPerson.model_validate(seed_person.model_dump(exclude={"employments"}))
            version = (await persons.register_person(registration, person_store, ctx)).version
            held: set[tuple[str, date]] = set()
        else:
            version = stored.version
            held = {(e.organization_id, e.valid_from) for e in stored.aggregate.employments}
        for job in seed_person.employments:  # the ones missing (a run that stopped halfway)
            if (job.organization_id, job.valid_from) not in held:
                start = StartEmployment(version=version, **job.model_dump())
                version = (
                    await persons.start_employment(seed_person.id, start, person_store, organization_store, ctx)
                ).version
        report.count("persons", stored is None)
    cluster_store = stores.store(CLUSTERS)
    for cluster in seed.clusters:
        exists = await cluster_store.get(cluster.id) is not None
        if not exists:
            await clusters.form_cluster(cluster, cluster_store, organization_store, ctx)
        report.count("clusters", not exists)
    council_store = stores.store(COUNCILS)
    for council in seed.councils:
        exists = await council_store.get(council.id) is not None
        if not exists:
            await councils.constitute_council(council, council_store, organization_store, person_store, ctx)
        report.count("councils", not exists)
    reorganization_store = stores.store(REORGANIZATIONS)
    for batch in seed.reorganizations:
        _, applied = await reorganizations.apply_reorganization(batch, organization_store, reorganization_store, ctx)
        report.count("reorganizations", applied)
        if batch.batch_id == until:
            break
    return report
