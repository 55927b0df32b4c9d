"""Cases about a person or a collective (discipline, inspection, investigation, complaint, denunciation): open,
conclude, withdraw, import; and reading them."""

from __future__ import annotations

from functools import partial
from typing import Any

from tdkt_registry.domain import records as domain
from tdkt_registry.domain.imports import ImportReport
from tdkt_registry.domain.people import Person
from tdkt_registry.domain.records import Case, CaseRow, ConcludeCase, OpenCase, WithdrawCase
from tdkt_registry.handlers.organizations import organization_repository
from tdkt_registry.imports import Step, run_import
from tdkt_registry.store import CASES, ORGANIZATIONS, PERSONS, repository
from tdkt_shared.contract.records import CaseSubject
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

case_repository = partial(repository, model=Case)


async def _subject_known(subject: CaseSubject, subject_id: str, persons: AggregateStore, orgs: AggregateStore) -> bool:
    if subject is CaseSubject.PERSON:
        return await repository(persons, Person).exists(subject_id)
    return await organization_repository(orgs).exists(subject_id)


async def open_case(command: OpenCase, stores: Stores, ctx: CommandContext) -> Loaded[Case]:
    """Emits `case.opened.v1`; the id follows from the case number (AlreadyExists for a number on record)."""
    persons, orgs = stores.store(PERSONS), stores.store(ORGANIZATIONS)
    known = await _subject_known(command.subject, command.subject_id, persons, orgs)
    return await case_repository(stores.store(CASES)).add(*domain.open_case(command, known), ctx)


async def conclude_case(
    case_id: str, command: ConcludeCase, cases: AggregateStore, ctx: CommandContext
) -> Loaded[Case]:
    """Emits `case.concluded.v1`."""
    return await case_repository(cases).change(
        case_id, command.version, lambda case: domain.conclude_case(case, command), ctx
    )


async def withdraw_case(
    case_id: str, command: WithdrawCase, cases: AggregateStore, ctx: CommandContext
) -> Loaded[Case]:
    """Emits `case.withdrawn.v1`."""
    return await case_repository(cases).change(
        case_id, command.version, lambda case: domain.withdraw_case(case, command), ctx
    )


async def import_cases(rows: list[dict[str, Any]], stores: Stores, ctx: CommandContext) -> ImportReport:
    """Load a history of cases: each row opens its case (by case number) and ends it when the row says so."""

    persons, orgs = stores.store(PERSONS), stores.store(ORGANIZATIONS)

    async def prepare(row: CaseRow) -> tuple[str, Step[Case]]:
        known = await _subject_known(row.subject, row.subject_id, persons, orgs)
        return domain.case_id(row.case_number), lambda current: domain.import_case(current, row, known)

    return await run_import(rows, CaseRow, prepare, case_repository(stores.store(CASES)), ctx)
