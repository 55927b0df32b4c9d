from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from tdkt_reporting import policy, store
from tdkt_reporting.api.access import ADMIN, OFFICER_OR_SPECIALIST, SPECIALIST, OfficerOrSpecialist
from tdkt_reporting.api.deps import StoresDep
from tdkt_reporting.domain import reports as domain
from tdkt_reporting.handlers import reports as handlers
from tdkt_reporting.handlers.common import read_own
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Day, Flag, Text, Whole
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.filters import Filters, where
from tdkt_shared.kit.http import Context, Versioned, page_of
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/reports", tags=["reports"], responses=ERROR_RESPONSES)
"""Unit officers for their own organisation's reports (or one in its lineage), TĐKT specialists for all; only
specialists return and accept."""


class ReportView(domain.Report):
    version: Whole
    overdue: Flag
    """Derived from the due date and `as_of` (default: today, UTC); never stored."""


def _view(loaded: Loaded[domain.Report], as_of: date | None = None) -> ReportView:
    today = as_of or datetime.now(UTC).date()
    report = loaded.aggregate
    return ReportView(**report.model_dump(), version=loaded.version, overdue=domain.is_overdue(report, today))


class EditContent(Versioned):
    content: domain.ReportContent


class Return(Versioned):
    reason: Text


class Reminders(BaseModel):
    today: Day
    days_before: Whole = Field(default=7, ge=0, le=90)
    """How many days before the due date the due-soon reminder goes out."""


class RemindersSent(BaseModel):
    sent: Whole


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReportView, dependencies=[OFFICER_OR_SPECIALIST])
async def open_report(command: domain.OpenReport, stores: StoresDep, ctx: Context, response: Response) -> ReportView:
    """Open a report for an organisation known from the registry; emits `tdkt.reporting.report.drafted.v1`."""
    report = await handlers.open_report(stores, command, ctx)
    return created(response, f"/reports/{report.id}", _view(report))


@router.get("/{report_id}", response_model=ReportView)
async def get(
    report_id: str, stores: StoresDep, principal: OfficerOrSpecialist, as_of: date | None = None
) -> ReportView:
    return _view(await read_own(store.reports(stores), store.directory(stores), principal, report_id), as_of)


class ReportFilters(Filters):
    organization_id: str | None = None
    movement_id: str | None = None
    status: domain.ReportStatus | None = None


@router.get("", response_model=Page[ReportView])
async def list_reports(
    stores: StoresDep,
    principal: OfficerOrSpecialist,
    page: PageQuery,
    filters: Annotated[ReportFilters, Query()],
    as_of: Day | None = None,
    overdue: bool | None = None,
) -> Page[ReportView]:
    """Reports by due date. `overdue` keeps only the reports that are (or are not) overdue on `as_of`
    (default: today, UTC). A unit officer sees only its own organisation's reports (and its lineage's)."""
    status = None if filters.status is None else str(filters.status)
    equal = where({"movement_id": filters.movement_id, "status": status})
    query = await policy.visible_query(store.directory(stores), principal, equal, filters.organization_id)
    reports = store.reports(stores)
    if query is None or overdue is None:
        return await page_of(reports, query, page, partial(_view, as_of=as_of), sort="due_date")
    # OVERDUE is derived, so the store cannot filter on it: scan the matching reports by due date and keep the
    # wanted ones (only equality and `$in` filters are available).
    today = as_of or datetime.now(UTC).date()
    kept: list[ReportView] = []
    offset = 0
    while batch := await reports.find(query, skip=offset, limit=200, sort="due_date"):
        offset += len(batch)
        kept.extend(v for v in (_view(r, today) for r in batch) if v.overdue is overdue)
    return Page(
        items=kept[page.offset : page.offset + page.limit], total=len(kept), offset=page.offset, limit=page.limit
    )


@router.put("/{report_id}/content", response_model=ReportView, dependencies=[OFFICER_OR_SPECIALIST])
async def edit_content(report_id: str, body: EditContent, stores: StoresDep, ctx: Context) -> ReportView:
    """Replace the content (indicators, narrative, attachments) of a draft or returned report; emits
    `tdkt.reporting.report.content_edited.v1`."""
    return _view(await handlers.edit_content(stores, report_id, body.version, body.content, ctx))


@router.post("/{report_id}/submit", response_model=ReportView, dependencies=[OFFICER_OR_SPECIALIST])
async def submit(report_id: str, body: Versioned, stores: StoresDep, ctx: Context) -> ReportView:
    """By the reporting organisation (or one in its lineage: after a merger, its successor) or a specialist; emits
    `tdkt.reporting.report.submitted.v1` with the revision."""
    return _view(await handlers.submit(stores, report_id, body.version, ctx))


@router.post("/{report_id}/return", response_model=ReportView, dependencies=[SPECIALIST])
async def return_report(report_id: str, body: Return, stores: StoresDep, ctx: Context) -> ReportView:
    """SUBMITTED -> RETURNED with a reason; emits `tdkt.reporting.report.returned.v1`."""
    return _view(await handlers.return_report(stores, report_id, body.version, body.reason, ctx))


@router.post("/{report_id}/accept", response_model=ReportView, dependencies=[SPECIALIST])
async def accept(report_id: str, body: Versioned, stores: StoresDep, ctx: Context) -> ReportView:
    """SUBMITTED -> ACCEPTED; emits `tdkt.reporting.report.accepted.v1`."""
    return _view(await handlers.accept(stores, report_id, body.version, ctx))


reminders_router = APIRouter(prefix="/reminders", tags=["reports"], responses=ERROR_RESPONSES, dependencies=[ADMIN])
"""Admins only (the scheduler runs in-process; the endpoint is for operators)."""


@reminders_router.post("/sweep", response_model=RemindersSent)
async def sweep(body: Reminders, stores: StoresDep, ctx: Context) -> RemindersSent:
    """Emit the due-soon and overdue reminders owed on `today` (called by a scheduler); each goes out once."""
    return RemindersSent(sent=await handlers.send_reminders(stores, body.today, body.days_before, ctx))
