"""Annual assessments of collectives (mức độ hoàn thành nhiệm vụ của tập thể), reported by the `unit_officer` of
the body that manages each collective."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from tdkt_registry.api.deps import CollectiveAssessmentsDep, OrganizationsDep
from tdkt_registry.api.records import RecordReader, add_imports
from tdkt_registry.domain.records import CollectiveAssessment, RecordCollectiveAssessment
from tdkt_registry.handlers import collective_assessments
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.auth import Role, require
from tdkt_shared.contract.text import Identifier, Whole
from tdkt_shared.kit.filters import where
from tdkt_shared.kit.http import Context, page_of, versioned

router = APIRouter(prefix="/collective-assessments", tags=["assessments"], responses=ERROR_RESPONSES)
WRITER = [require(Role.UNIT_OFFICER)]
"""Every write of this router needs this role (admins always)."""


class CollectiveAssessmentView(CollectiveAssessment):
    version: Whole


@router.post("", dependencies=WRITER, response_model=CollectiveAssessmentView)
async def record(
    command: RecordCollectiveAssessment, store: CollectiveAssessmentsDep, organizations: OrganizationsDep, ctx: Context
) -> CollectiveAssessmentView:
    """Record (or correct) a collective's assessment for a year, for the body the officer acts for (403 otherwise),
    which must have managed the collective that year; emits `tdkt.registry.collective_assessment.recorded.v1` when
    it changes."""
    loaded = await collective_assessments.record(command, store, organizations, ctx)
    return versioned(CollectiveAssessmentView, loaded)


add_imports(
    router,
    WRITER,
    collective_assessments.import_collective_assessments,
    about="Load years of collective assessments (idempotent by collective and year), a report line per refused row.",
    numbers=frozenset({"year"}),
)


@router.get("", response_model=Page[CollectiveAssessmentView])
async def list_collective_assessments(
    store: CollectiveAssessmentsDep, _reader: RecordReader, page: PageQuery, organization_id: Identifier | None = None
) -> Page[CollectiveAssessmentView]:
    repository = collective_assessments.collective_assessment_repository(store)
    query = where({"organization_id": organization_id})
    return await page_of(repository, query, page, partial(versioned, CollectiveAssessmentView), sort="year")
