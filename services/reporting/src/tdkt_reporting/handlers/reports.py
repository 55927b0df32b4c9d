"""Reports (báo cáo) of organisations: opened, edited and submitted by their organisation (or one in its lineage)
or a specialist, returned and accepted by specialists; reminded by the scheduler; moved to the successor when their
organisation merges."""

from __future__ import annotations

from datetime import date
from functools import partial

from tdkt_reporting import policy, store
from tdkt_reporting.domain import reports as domain
from tdkt_reporting.domain.reports import Report
from tdkt_reporting.handlers.common import change_own, ensure_may_file, move_open, submit_own
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import VersionConflict


async def open_report(stores: Stores, command: domain.OpenReport, ctx: CommandContext) -> Loaded[Report]:
    """For an organisation the principal acts for (403) and the registry announced (422)."""
    await ensure_may_file(stores, ctx, command.organization_id, command.movement_id)
    report, event = domain.open_report(command)
    return await store.reports(stores).add(report, event, ctx)


async def edit_content(
    stores: Stores, report_id: str, version: int, content: domain.ReportContent, ctx: CommandContext
) -> Loaded[Report]:
    edit = partial(domain.edit, content=content, actor=policy.acting_organization(ctx))
    return await change_own(store.reports(stores), store.directory(stores), ctx, report_id, version, edit)


async def submit(stores: Stores, report_id: str, version: int, ctx: CommandContext) -> Loaded[Report]:
    return await submit_own(stores, store.reports(stores), domain.submit, ctx, report_id, version)


async def return_report(
    stores: Stores, report_id: str, version: int, reason: str, ctx: CommandContext
) -> Loaded[Report]:
    """SUBMITTED -> RETURNED with a reason (specialists: the router's role)."""
    return await store.reports(stores).change(
        report_id, version, lambda r: domain.return_(r, reason, ctx.organization_id, ctx.now), ctx
    )


async def accept(stores: Stores, report_id: str, version: int, ctx: CommandContext) -> Loaded[Report]:
    """SUBMITTED -> ACCEPTED (specialists: the router's role)."""
    return await store.reports(stores).change(
        report_id, version, lambda r: domain.accept(r, ctx.organization_id, ctx.now), ctx
    )


async def send_reminders(stores: Stores, today: date, days_before: int, ctx: CommandContext) -> int:
    """Emit the due-soon and overdue reminders owed on `today`; each is marked in the report with its event, so a
    rerun (or a restart) never sends it again. The number of reminders written."""
    reports = store.reports(stores)
    sent = 0
    offset = 0
    query = {"status": {"$in": [s.value for s in domain.EDITABLE]}}
    while batch := await reports.find(query, skip=offset, limit=200):
        offset += len(batch)
        for loaded in batch:
            report = loaded.aggregate
            owed = domain.due_reminders(report, today, days_before)
            if not owed:
                continue
            events = [
                reports.envelope(
                    data, report.id, ctx, event_id=domain.reminder_event_id(report.id, key, report.due_date)
                )
                for key, data in owed
            ]
            marked = report.model_copy(update={"reminders_sent": [*report.reminders_sent, *(k for k, _ in owed)]})
            try:
                await reports.save_with(loaded, marked, events)
            except VersionConflict:
                continue  # changed meanwhile: the next sweep looks again
            sent += len(events)
    return sent


async def move_to_successor(stores: Stores, event: CloudEvent, merger: OrganizationsMerged) -> int:
    """The open reports of the merged organisations pass to the successor, keeping their history."""
    return await move_open(store.reports(stores), event, merger, domain.OPEN, domain.reassign)
