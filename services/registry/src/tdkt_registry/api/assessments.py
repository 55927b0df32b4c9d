"""Annual assessments of persons (mức độ hoàn thành nhiệm vụ), reported by the employing organisation's
`unit_officer` for its own persons."""

from __future__ import annotations

from fastapi import APIRouter

from tdkt_registry.api.deps import StoresDep
from tdkt_registry.api.records import add_imports, add_list
from tdkt_registry.domain.records import Assessment, RecordAssessment
from tdkt_registry.handlers import assessments
from tdkt_registry.store import ASSESSMENTS
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Role, require
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, versioned

router = APIRouter(prefix="/assessments", tags=["assessments"], responses=ERROR_RESPONSES)
WRITER = [require(Role.UNIT_OFFICER)]
"""Every write of this router needs this role (admins always)."""


class AssessmentView(Assessment):
    version: Whole


@router.post("", dependencies=WRITER, response_model=AssessmentView)
async def record(command: RecordAssessment, stores: StoresDep, ctx: Context) -> AssessmentView:
    """Record (or correct) a person's assessment for a year, for the officer's own organisation (403 otherwise),
    which must have employed the person that year; emits `tdkt.registry.assessment.recorded.v1` when it changes."""
    return versioned(AssessmentView, await assessments.record(command, stores, ctx))


add_imports(
    router,
    WRITER,
    assessments.import_assessments,
    about="Load years of assessments (idempotent by person and year), a report line per refused row.",
    numbers=frozenset({"year"}),
)


add_list(router, AssessmentView, ASSESSMENTS, assessments.assessment_repository, filter_by="person_id", sort="year")
