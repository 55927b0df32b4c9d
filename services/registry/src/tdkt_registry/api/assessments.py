"""Annual assessments of persons (mức độ hoàn thành nhiệm vụ), reported by the employing organisation's
`unit_officer` for its own persons."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from tdkt_registry.api.deps import AssessmentsDep, OrganizationsDep, PersonsDep
from tdkt_registry.api.records import RecordReader, add_imports
from tdkt_registry.domain.records import Assessment, RecordAssessment
from tdkt_registry.handlers import assessments
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.auth import Role, require
from tdkt_shared.contract.text import Identifier, Whole
from tdkt_shared.kit.filters import where
from tdkt_shared.kit.http import Context, page_of, versioned

router = APIRouter(prefix="/assessments", tags=["assessments"], responses=ERROR_RESPONSES)
WRITER = [require(Role.UNIT_OFFICER)]
"""Every write of this router needs this role (admins always)."""


class AssessmentView(Assessment):
    version: Whole


@router.post("", dependencies=WRITER, response_model=AssessmentView)
async def record(
    command: RecordAssessment,
    store: AssessmentsDep,
    persons: PersonsDep,
    organizations: OrganizationsDep,
    ctx: Context,
) -> AssessmentView:
    """Record (or correct) a person's assessment for a year, for the officer's own organisation (403 otherwise),
    which must have employed the person that year; emits `tdkt.registry.assessment.recorded.v1` when it changes."""
    return versioned(AssessmentView, await assessments.record(command, store, persons, organizations, ctx))


add_imports(
    router,
    WRITER,
    assessments.import_assessments,
    about="Load years of assessments (idempotent by person and year), a report line per refused row.",
    numbers=frozenset({"year"}),
)


@router.get("", response_model=Page[AssessmentView])
async def list_assessments(
    store: AssessmentsDep, _reader: RecordReader, page: PageQuery, person_id: Identifier | None = None
) -> Page[AssessmentView]:
    repository = assessments.assessment_repository(store)
    return await page_of(
        repository, where({"person_id": person_id}), page, partial(versioned, AssessmentView), sort="year"
    )
