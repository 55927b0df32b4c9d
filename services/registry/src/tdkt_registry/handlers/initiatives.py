"""Initiatives (sáng kiến) and scientific works as their recognising bodies certified them: record, import, read."""

from __future__ import annotations

from functools import partial
from typing import Any

from tdkt_registry.domain import records as domain
from tdkt_registry.domain.imports import ImportReport
from tdkt_registry.domain.people import Person
from tdkt_registry.domain.records import Initiative, RecognizeInitiative
from tdkt_registry.handlers.organizations import organization_repository
from tdkt_registry.imports import Step, record_one, run_import
from tdkt_registry.store import INITIATIVES, ORGANIZATIONS, PERSONS, repository
from tdkt_shared.errors import UnknownReference
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

initiative_repository = partial(repository, model=Initiative)


async def _prepare(
    command: RecognizeInitiative, persons: AggregateStore, orgs: AggregateStore
) -> tuple[str, Step[Initiative]]:
    if not await organization_repository(orgs).exists(command.recognizing_organization_id):
        raise UnknownReference(
            f"unknown organisation {command.recognizing_organization_id}", field="recognizing_organization_id"
        )
    people = repository(persons, Person)
    unknown = [a for a in command.author_ids if not await people.exists(a)]
    record_id = domain.initiative_id(command.recognizing_organization_id, command.certificate_number)
    return record_id, lambda current: domain.recognize(current, command, unknown)


async def recognize(command: RecognizeInitiative, stores: Stores, ctx: CommandContext) -> Loaded[Initiative]:
    """Record (or correct) an initiative; emits `initiative.recognized.v1` unless the record already says so."""
    prepared = await _prepare(command, stores.store(PERSONS), stores.store(ORGANIZATIONS))
    return await record_one(initiative_repository(stores.store(INITIATIVES)), prepared, ctx)


async def import_initiatives(rows: list[dict[str, Any]], stores: Stores, ctx: CommandContext) -> ImportReport:
    """Load a history of initiatives, one per certificate of a recognising body."""
    persons, orgs = stores.store(PERSONS), stores.store(ORGANIZATIONS)
    repo = initiative_repository(stores.store(INITIATIVES))
    return await run_import(rows, RecognizeInitiative, lambda row: _prepare(row, persons, orgs), repo, ctx)
