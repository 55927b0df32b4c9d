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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

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
from tdkt_shared.store import AggregateStore

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


T = TypeVar("T")


def _id(item: Any) -> str | None:
    """The id a seed item names (an assignment may leave it to the handler)."""
    item_id: str | None = item.id
    return item_id


SEED_CORRELATION = "seed"
"""Every event the seed writes carries this correlation id."""


async def _add_missing(
    report: SeedReport,
    kind: str,
    store: AggregateStore,
    items: Sequence[T],
    add: Callable[[T], Awaitable[object]],
    key: Callable[[T], str | None] = _id,
) -> None:
    """`add` each item whose id (`key`) the store does not hold yet, counted in `report` as created or skipped."""
    for item in items:
        item_id = key(item)
        exists = item_id is not None and await store.get(item_id) is not None
        if not exists:
            await add(item)
        report.count(kind, not exists)


async def load(seed: SeedFile, stores: Stores, *, until: str | None = None) -> SeedReport:
    """Load `seed` through the handlers; batches after `until` (a batch id) are left out."""
    report = SeedReport()
    ctx = CommandContext.system(correlation_id=SEED_CORRELATION)
    organization_store, person_store = stores.store(ORGANIZATIONS), stores.store(PERSONS)

    async def set_contact_point(point: SeedContactPoint) -> None:
        owners = organization_store if point.owner_kind == "ORGANIZATION" else person_store
        contact = SetContactPoint(email=point.email, webhook_url=point.webhook_url)
        point_store = stores.store(CONTACT_POINTS)
        await contact_points.set_contact_point(point.owner_kind, point.owner_id, contact, point_store, owners, ctx)

    await _add_missing(
        report,
        "organizations",
        organization_store,
        seed.organizations,
        lambda command: organizations.register_organization(command, organization_store, ctx),
    )
    await _add_missing(
        report,
        "role_assignments",
        stores.store(ROLE_ASSIGNMENTS),
        seed.role_assignments,
        lambda command: assignments.assign_role(command, stores, ctx),
    )
    await _add_missing(
        report,
        "contact_points",
        stores.store(CONTACT_POINTS),
        seed.contact_points,
        set_contact_point,
        key=lambda point: contact_point_id(point.owner_kind, point.owner_id),
    )
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
                version = (await persons.start_employment(seed_person.id, start, stores, ctx)).version
        report.count("persons", stored is None)
    await _add_missing(
        report, "clusters", stores.store(CLUSTERS), seed.clusters, lambda c: clusters.form_cluster(c, stores, ctx)
    )
    await _add_missing(
        report, "councils", stores.store(COUNCILS), seed.councils, lambda c: councils.constitute_council(c, stores, ctx)
    )
    reorganization_store = stores.store(REORGANIZATIONS)
    for batch in seed.reorganizations:
        _, applied = await reorganizations.apply_reorganization(batch, organization_store, reorganization_store, ctx)
        report.count("reorganizations", applied)
        if batch.batch_id == until:
            break
    return report
