"""Annual assessments of collectives (xếp loại mức độ hoàn thành nhiệm vụ của tập thể), as the bodies that manage
them report them."""

from __future__ import annotations

from functools import partial
from typing import Any

from tdkt_registry import policy
from tdkt_registry.domain import records as domain
from tdkt_registry.domain.imports import ImportReport
from tdkt_registry.domain.organizations import Organization
from tdkt_registry.domain.records import CollectiveAssessment, RecordCollectiveAssessment
from tdkt_registry.imports import Step, record_one, run_import
from tdkt_registry.store import COLLECTIVE_ASSESSMENTS, ORGANIZATIONS, repository
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

collective_assessment_repository = partial(repository, model=CollectiveAssessment)


async def _prepare(
    command: RecordCollectiveAssessment, orgs: AggregateStore, ctx: CommandContext
) -> tuple[str, Step[CollectiveAssessment]]:
    """A unit officer records only for the body it acts for (or one in its lineage): 403 otherwise."""
    await policy.ensure_may_assess(ctx.principal, command.assessed_by_organization_id, orgs)
    collective = await repository(orgs, Organization).get(command.organization_id)
    found = collective.aggregate if collective else None
    record_id = domain.collective_assessment_id(command.organization_id, command.year)
    return record_id, lambda current: domain.record_collective_assessment(current, command, found)


async def record(
    command: RecordCollectiveAssessment, stores: Stores, ctx: CommandContext
) -> Loaded[CollectiveAssessment]:
    """Record (or correct) one collective's assessment; emits `collective_assessment.recorded.v1` unless the record
    already says so."""
    prepared = await _prepare(command, stores.store(ORGANIZATIONS), ctx)
    return await record_one(collective_assessment_repository(stores.store(COLLECTIVE_ASSESSMENTS)), prepared, ctx)


async def import_collective_assessments(
    rows: list[dict[str, Any]], stores: Stores, ctx: CommandContext
) -> ImportReport:
    """Load years of collective assessments. An officer's import naming an assessing body it does not act for is
    refused whole (403) before anything is written; other refused rows are reported."""
    orgs = stores.store(ORGANIZATIONS)
    await policy.ensure_may_assess_rows(ctx.principal, rows, "assessed_by_organization_id", orgs)
    repo = collective_assessment_repository(stores.store(COLLECTIVE_ASSESSMENTS))
    return await run_import(rows, RecordCollectiveAssessment, lambda row: _prepare(row, orgs, ctx), repo, ctx)
