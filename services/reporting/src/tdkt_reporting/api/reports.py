from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from tdkt_reporting import handlers
from tdkt_reporting.api.access import ADMIN, OfficerOrSpecialist, Specialist, ensure_own, load_own, scoped, visible
from tdkt_reporting.api.deps import CorrelationDep, MovementsDep, OrganizationsDep, ReportsDep, Versioned
from tdkt_reporting.domain import reports as domain
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Text

router = APIRouter(prefix="/reports", tags=["reports"], responses=ERROR_RESPONSES)
"""Unit officers for their own organisation's reports (or one in its lineage), TĐKT specialists for all; only
specialists return and accept."""


class ReportView(domain.Report):
    version: int
    overdue: bool
    """Derived from the due date and `as_of` (default: today, UTC); never stored."""


def _view(report: domain.Report, version: int, as_of: date | None = None) -> ReportView:
    today = as_of or datetime.now(UTC).date()
    return ReportView(**report.model_dump(), version=version, overdue=domain.is_overdue(report, today))


class EditContent(Versioned):
    content: domain.ReportContent


class Return(Versioned):
    reason: Text


class Reminders(BaseModel):
    today: date
    days_before: int = Field(default=7, ge=0, le=90)
    """How many days before the due date the due-soon reminder goes out."""


class RemindersSent(BaseModel):
    sent: int


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReportView)
async def open_report(
    command: domain.OpenReport,
    store: ReportsDep,
    organizations: OrganizationsDep,
    movements: MovementsDep,
    principal: OfficerOrSpecialist,
    response: Response,
    correlation: CorrelationDep = None,
) -> ReportView:
    """Open a report for an organisation known from the registry; emits `tdkt.reporting.report.drafted.v1`."""
    await ensure_own(principal, organizations, command.organization_id)
    report, version = await handlers.open_report(command, store, organizations, movements, correlation)
    response.headers["Location"] = f"/reports/{report.id}"
    return _view(report, version)


@router.get("/{report_id}", response_model=ReportView)
async def get(
    report_id: str,
    store: ReportsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    as_of: date | None = None,
) -> ReportView:
    stored = await load_own(principal, store, report_id, organizations)
    return _view(domain.Report.model_validate(stored.state), stored.version, as_of)


@router.get("", response_model=Page[ReportView])
async def list_reports(
    store: ReportsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    page: PageQuery,
    organization_id: str | None = None,
    movement_id: str | None = None,
    status: domain.ReportStatus | None = None,
    as_of: date | None = None,
    overdue: bool | None = None,
) -> Page[ReportView]:
    """Reports by due date. `overdue` keeps only the reports that are (or are not) overdue on `as_of`
    (default: today, UTC). A unit officer sees only its own organisation's reports (and its lineage's)."""
    wanted = (("movement_id", movement_id), ("status", status))
    filters = {key: str(value) for key, value in wanted if value is not None}
    query = scoped(filters, await visible(principal, organizations), organization_id)
    if query is None:
        return Page(items=[], total=0, offset=page.offset, limit=page.limit)
    if overdue is None:
        found = await store.find(query, skip=page.offset, limit=page.limit, sort="due_date")
        items = [_view(domain.Report.model_validate(s.state), s.version, as_of) for s in found]
        return Page(items=items, total=await store.count(query), offset=page.offset, limit=page.limit)
    # OVERDUE is derived, so the store cannot filter on it: scan the matching reports by due date and keep the
    # wanted ones (only equality and `$in` filters are available).
    today = as_of or datetime.now(UTC).date()
    kept: list[ReportView] = []
    offset = 0
    while batch := await store.find(query, skip=offset, limit=200, sort="due_date"):
        offset += len(batch)
        views = [_view(domain.Report.model_validate(s.state), s.version, today) for s in batch]
        kept.extend(v for v in views if v.overdue is overdue)
    return Page(
        items=kept[page.offset : page.offset + page.limit], total=len(kept), offset=page.offset, limit=page.limit
    )


@router.put("/{report_id}/content", response_model=ReportView)
async def edit_content(
    report_id: str,
    body: EditContent,
    store: ReportsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    correlation: CorrelationDep = None,
) -> ReportView:
    """Replace the content (indicators, narrative, attachments) of a draft or returned report; emits
    `tdkt.reporting.report.content_edited.v1`."""
    loaded = await load_own(principal, store, report_id, organizations, body.version)
    report, version = await handlers.edit_report(
        report_id, body.version, body.content, principal.organization_id, store, correlation, loaded
    )
    return _view(report, version)


@router.post("/{report_id}/submit", response_model=ReportView)
async def submit(
    report_id: str,
    body: Versioned,
    store: ReportsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    correlation: CorrelationDep = None,
) -> ReportView:
    """By the reporting organisation (or one in its lineage: after a merger, its successor) or a specialist; emits
    `tdkt.reporting.report.submitted.v1` with the revision."""
    loaded = await load_own(principal, store, report_id, organizations, body.version)
    report, version = await handlers.submit_report(
        report_id, body.version, principal.organization_id, store, correlation, loaded=loaded
    )
    return _view(report, version)


@router.post("/{report_id}/return", response_model=ReportView)
async def return_report(
    report_id: str, body: Return, store: ReportsDep, principal: Specialist, correlation: CorrelationDep = None
) -> ReportView:
    """SUBMITTED -> RETURNED with a reason; emits `tdkt.reporting.report.returned.v1`."""
    now, actor = handlers.now(), principal.organization_id
    report, version = await handlers.transition(
        store,
        report_id,
        body.version,
        domain.Report,
        lambda r, _v: domain.return_(r, body.reason, actor, now),
        correlation,
    )
    return _view(report, version)


@router.post("/{report_id}/accept", response_model=ReportView)
async def accept(
    report_id: str,
    body: Versioned,
    store: ReportsDep,
    principal: Specialist,
    correlation: CorrelationDep = None,
) -> ReportView:
    """SUBMITTED -> ACCEPTED; emits `tdkt.reporting.report.accepted.v1`."""
    now, actor = handlers.now(), principal.organization_id
    report, version = await handlers.transition(
        store, report_id, body.version, domain.Report, lambda r, _v: domain.accept(r, actor, now), correlation
    )
    return _view(report, version)


reminders_router = APIRouter(prefix="/reminders", tags=["reports"], responses=ERROR_RESPONSES, dependencies=[ADMIN])
"""Admins only (the scheduler runs in-process; the endpoint is for operators)."""


@reminders_router.post("/sweep", response_model=RemindersSent)
async def sweep(body: Reminders, store: ReportsDep) -> RemindersSent:
    """Emit the due-soon and overdue reminders owed on `today` (called by a scheduler); each goes out once."""
    return RemindersSent(sent=await handlers.send_reminders(store, body.today, body.days_before))
