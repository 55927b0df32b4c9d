"""Concurrent decisions on the real FerretDB: consecutive numbers from the register, none skipped or doubled."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain.grants import DecideNomination
from tdkt_awards.domain.nominations import Actor, CouncilSession, Nomination, NominationKind, Nominee, Status
from tdkt_awards.handlers import nominations
from tdkt_awards.handlers.numbering import take_number
from tdkt_awards.service import DEFINITION as AWARDS
from tdkt_awards.store import Repositories
from tdkt_shared.contract.awards import CouncilResult, NomineeKind
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import Runtime
from tests.integration.conftest import SettingsFactory

pytestmark = pytest.mark.usefixtures("drop_databases")

DECISIONS = 12
WHO = Actor(actor="chuyen-vien", organization_id="so-noi-vu-thai-nguyen")


def approved(nid: str, rule_set_id: str) -> Nomination:
    nominee = Nominee(nominee_id=f"p-{nid}", kind=NomineeKind.INDIVIDUAL, name="Nguyễn Thị Hà")
    result = CouncilResult(
        nominee_id=nominee.nominee_id, members_total=9, votes_cast=9, votes_yes=9, threshold_percent=50, passed=True
    )
    return Nomination(
        id=nid,
        kind=NominationKind.ANNUAL_MERIT,
        award_code="CSTD_CO_SO",
        year=2025,
        submitting_organization_id="so-noi-vu-thai-nguyen",
        nominees=[nominee],
        attachments=[],
        status=Status.APPROVED,
        rule_set_id=rule_set_id,
        council=CouncilSession(
            session_id="s-1", held_on=date(2026, 12, 1), members_total=9, attendees=9, results=[result]
        ),
        audit=[],
    )


async def test_concurrent_decisions_get_consecutive_numbers(make_settings: SettingsFactory, run_id: str) -> None:
    runtime = Runtime(AWARDS, make_settings("awards"))
    repositories = Repositories.of(runtime)
    catalogue = default_catalogue()
    rules = catalogue.rules_for(date(2025, 12, 31), "thai-nguyen")
    ctx = CommandContext.system(now=datetime(2026, 12, 5, 3, tzinfo=UTC))
    ids = [f"n-{run_id}-{i:02d}" for i in range(DECISIONS)]
    try:
        for nid in ids:
            await repositories.nominations.add(approved(nid, rules.id), (), ctx)

        async def decide(nid: str) -> str:
            command = DecideNomination(
                decision_id=f"qd-{nid}",
                date=date(2026, 12, 5),
                signer_role="CHU_TICH_UBND_TINH",
                issuer_id=f"ubnd-tinh-{run_id}",
                issuer_symbol="UBND",
                version=1,
            )
            decision, _ = await nominations.decide(repositories, catalogue, nid, command, WHO, ctx)
            return decision.number

        numbers = await asyncio.gather(*(decide(nid) for nid in ids))
        assert sorted(numbers) == [f"{i:02d}/QĐ-UBND" for i in range(1, DECISIONS + 1)]
        register = await repositories.registers.load(f"ubnd-tinh-{run_id}.2026")
        assert register.aggregate.last == DECISIONS
        assert sorted(e.number for e in register.aggregate.entries) == list(range(1, DECISIONS + 1))
        # asking again for a decision's number (a retry after a crash) finds the one it got
        first = await take_number(repositories.registers, f"ubnd-tinh-{run_id}", 2026, f"decision:qd-{ids[0]}", ctx)
        assert f"{first:02d}/QĐ-UBND" == numbers[0]
        assert (await repositories.registers.load(f"ubnd-tinh-{run_id}.2026")).aggregate.last == DECISIONS
    finally:
        await runtime.client.close()
