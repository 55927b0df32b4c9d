"""Cases about a person or a collective (kỷ luật, thanh tra, điều tra, khiếu nại, tố cáo), kept by the bodies that
handle them (`inspection_officer`). An open case is a hold on any proposal for its subject."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from tdkt_registry.api.deps import CasesDep, StoresDep
from tdkt_registry.api.records import RecordReader, add_imports, add_list
from tdkt_registry.domain.records import Case, ConcludeCase, OpenCase, WithdrawCase
from tdkt_registry.handlers import cases
from tdkt_registry.store import CASES
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.auth import Role, require
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/cases", tags=["cases"], responses=ERROR_RESPONSES)
WRITER = [require(Role.INSPECTION_OFFICER)]
"""Every write of this router needs this role (admins always)."""


class CaseView(Case):
    version: Whole


@router.post("", dependencies=WRITER, status_code=status.HTTP_201_CREATED, response_model=CaseView)
async def open_case(command: OpenCase, stores: StoresDep, response: Response, ctx: Context) -> CaseView:
    """Open a case (its id follows from the case number); emits `tdkt.registry.case.opened.v1`."""
    opened = await cases.open_case(command, stores, ctx)
    return created(response, f"/cases/{opened.id}", versioned(CaseView, opened))


@router.post("/{case_id}/conclusion", dependencies=WRITER, response_model=CaseView)
async def conclude(case_id: str, command: ConcludeCase, store: CasesDep, ctx: Context) -> CaseView:
    """Conclude with an outcome (a discipline with its level and period); emits `tdkt.registry.case.concluded.v1`."""
    return versioned(CaseView, await cases.conclude_case(case_id, command, store, ctx))


@router.post("/{case_id}/withdrawal", dependencies=WRITER, response_model=CaseView)
async def withdraw(case_id: str, command: WithdrawCase, store: CasesDep, ctx: Context) -> CaseView:
    """Withdraw the case; emits `tdkt.registry.case.withdrawn.v1`."""
    return versioned(CaseView, await cases.withdraw_case(case_id, command, store, ctx))


add_imports(
    router,
    WRITER,
    cases.import_cases,
    about="Load a history of cases (rows with the fields of a case, and its end when it has one); idempotent by case\n"
    "number; a refused row is reported and the others load.",
    about_csv="The same import from CSV with a header line naming the fields.",
)


add_list(
    router,
    CaseView,
    CASES,
    cases.case_repository,
    filter_by="subject_id",
    sort="opened_on",
    about="Cases, or those about one person or collective, oldest first.",
)


@router.get("/{case_id}", response_model=CaseView)
async def get_case(case_id: str, store: CasesDep, _reader: RecordReader) -> CaseView:
    return versioned(CaseView, await cases.case_repository(store).load(case_id))
