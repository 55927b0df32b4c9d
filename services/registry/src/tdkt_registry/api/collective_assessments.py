"""Annual assessments of collectives (mức độ hoàn thành nhiệm vụ của tập thể), reported by the `unit_officer` of
the body that manages each collective."""

from __future__ import annotations

from fastapi import APIRouter

from tdkt_registry.api.deps import StoresDep
from tdkt_registry.api.records import add_imports, add_list
from tdkt_registry.domain.records import CollectiveAssessment, RecordCollectiveAssessment
from tdkt_registry.handlers import collective_assessments
from tdkt_registry.store import COLLECTIVE_ASSESSMENTS
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Role, require
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, versioned

router = APIRouter(prefix="/collective-assessments", tags=["assessments"], responses=ERROR_RESPONSES)
WRITER = [require(Role.UNIT_OFFICER)]
"""Every write of this router needs this role (admins always)."""


class CollectiveAssessmentView(CollectiveAssessment):
    version: Whole


@router.post("", dependencies=WRITER, response_model=CollectiveAssessmentView)
async def record(command: RecordCollectiveAssessment, stores: StoresDep, ctx: Context) -> CollectiveAssessmentView:
    """Record (or correct) a collective's assessment for a year, for the body the officer acts for (403 otherwise),
    which must have managed the collective that year; emits `tdkt.registry.collective_assessment.recorded.v1` when
    it changes."""
    return versioned(CollectiveAssessmentView, await collective_assessments.record(command, stores, ctx))


add_imports(
    router,
    WRITER,
    collective_assessments.import_collective_assessments,
    about="Load years of collective assessments (idempotent by collective and year), a report line per refused row.",
    numbers=frozenset({"year"}),
)


add_list(
    router,
    CollectiveAssessmentView,
    COLLECTIVE_ASSESSMENTS,
    collective_assessments.collective_assessment_repository,
    filter_by="organization_id",
    sort="year",
)
