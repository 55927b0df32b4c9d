"""Annual assessments of persons (mức độ hoàn thành nhiệm vụ), as their employing organisations report them."""

from __future__ import annotations

from functools import partial
from typing import Any

from tdkt_registry import policy
from tdkt_registry.domain import records as domain
from tdkt_registry.domain.imports import ImportReport
from tdkt_registry.domain.people import Person
from tdkt_registry.domain.records import Assessment, RecordAssessment
from tdkt_registry.imports import Step, record_one, run_import
from tdkt_registry.store import ASSESSMENTS, ORGANIZATIONS, PERSONS, repository
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

assessment_repository = partial(repository, model=Assessment)


async def _prepare(
    command: RecordAssessment, persons: AggregateStore, orgs: AggregateStore, ctx: CommandContext
) -> tuple[str, Step[Assessment]]:
    """A unit officer records only for its own organisation (or one in its lineage): 403 otherwise."""
    await policy.ensure_may_assess(ctx.principal, command.organization_id, orgs)
    person = await repository(persons, Person).get(command.person_id)
    found = person.aggregate if person else None
    record_id = domain.assessment_id(command.person_id, command.year)
    return record_id, lambda current: domain.record_assessment(current, command, found)


async def record(command: RecordAssessment, stores: Stores, ctx: CommandContext) -> Loaded[Assessment]:
    """Record (or correct) one assessment; emits `assessment.recorded.v1` unless the record already says so."""
    prepared = await _prepare(command, stores.store(PERSONS), stores.store(ORGANIZATIONS), ctx)
    return await record_one(assessment_repository(stores.store(ASSESSMENTS)), prepared, ctx)


async def import_assessments(rows: list[dict[str, Any]], stores: Stores, ctx: CommandContext) -> ImportReport:
    """Load years of assessments. An officer's import naming an organisation it does not act for is refused whole
    (403) before anything is written; other refused rows are reported."""
    persons, orgs = stores.store(PERSONS), stores.store(ORGANIZATIONS)
    await policy.ensure_may_assess_rows(ctx.principal, rows, "organization_id", orgs)
    repo = assessment_repository(stores.store(ASSESSMENTS))
    return await run_import(rows, RecordAssessment, lambda row: _prepare(row, persons, orgs, ctx), repo, ctx)
