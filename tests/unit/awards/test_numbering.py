"""Numbering (số, ký hiệu): one register per issuing body and year, no number skipped or given twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from tdkt_awards.catalogue_data import default_catalogue
from tdkt_awards.domain import numbering
from tdkt_awards.domain.grants import DecideNomination
from tdkt_awards.domain.nominations import Actor, CouncilSession, Nomination, NominationKind, Nominee, Status
from tdkt_awards.domain.numbering import Register
from tdkt_awards.handlers import nominations
from tdkt_awards.handlers.numbering import take_number
from tdkt_awards.service import DEFINITION
from tdkt_awards.store import Repositories
from tdkt_shared.contract.awards import CouncilResult, NomineeKind
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import CommandContext, Repository
from tdkt_shared.runtime import InMemoryRuntime
from tdkt_shared.store import InMemoryAggregateStore


def test_a_number_is_written_with_a_leading_zero_below_ten() -> None:
    assert numbering.number_text(5) == "05"
    assert numbering.number_text(10) == "10"
    assert numbering.symbol(7, "QĐ", "UBND") == "07/QĐ-UBND"
    assert numbering.symbol(123, "TTr", "SNV") == "123/TTr-SNV"
    with pytest.raises(DomainError):
        numbering.symbol(1, "QĐ", "")


def test_the_same_document_keeps_its_number() -> None:
    register = numbering.empty_register("ubnd-tinh", 2026)
    first = numbering.take(register, "decision:a")
    assert not isinstance(first, int)
    register, number = first
    assert (number, register.last) == (1, 1)
    assert numbering.take(register, "decision:a") == 1
    second = numbering.take(register, "decision:b")
    assert not isinstance(second, int)
    assert second[1] == 2


async def test_concurrent_takers_get_consecutive_numbers_per_issuer_and_year() -> None:
    registers = Repository(InMemoryAggregateStore("registers"), Register)
    ctx = CommandContext.system()

    async def take(issuer: str, year: int, i: int) -> int:
        await asyncio.sleep(0)
        return await take_number(registers, issuer, year, f"doc-{i}", ctx)

    ubnd = await asyncio.gather(*(take("ubnd", 2026, i) for i in range(25)))
    other = await asyncio.gather(*(take("snv", 2026, i) for i in range(5)))
    next_year = await take("ubnd", 2027, 0)
    assert sorted(ubnd) == list(range(1, 26))
    assert sorted(other) == [1, 2, 3, 4, 5]
    assert next_year == 1
    again = await asyncio.gather(*(take("ubnd", 2026, i) for i in range(25)))
    assert again == ubnd  # a retry keeps its number: nothing new is taken
    loaded = await registers.load("ubnd.2026")
    assert loaded.aggregate.last == 25


async def test_a_refused_decision_takes_no_number() -> None:
    runtime = InMemoryRuntime(DEFINITION)
    repositories = Repositories.of(runtime)
    catalogue = default_catalogue()
    rules = catalogue.rules_for(date(2025, 12, 31), "thai-nguyen")
    ctx = CommandContext.system(now=datetime(2026, 12, 5, 3, tzinfo=UTC))
    nominee = Nominee(nominee_id="p-1", kind=NomineeKind.INDIVIDUAL, name="Nguyễn Thị Hà")
    result = CouncilResult(
        nominee_id="p-1", members_total=9, votes_cast=9, votes_yes=9, threshold_percent=50, passed=True
    )
    approved = Nomination(
        id="n-1",
        kind=NominationKind.ANNUAL_MERIT,
        award_code="CSTD_CO_SO",
        year=2025,
        submitting_organization_id="so-y-te",
        nominees=[nominee],
        attachments=[],
        status=Status.APPROVED,
        rule_set_id=rules.id,
        council=CouncilSession(
            session_id="s", held_on=date(2026, 12, 1), members_total=9, attendees=9, results=[result]
        ),
        audit=[],
    )
    await repositories.nominations.add(approved, (), ctx)
    who = Actor(actor="chuyen-vien", organization_id="so-noi-vu")
    command = DecideNomination(
        decision_id="qd-1",
        date=date(2026, 12, 5),
        signer_role="CHU_TICH",
        issuer_id="ubnd",
        issuer_symbol="UBND",
        recipient_ids=["p-9"],  # not an approved nominee
        version=1,
    )
    with pytest.raises(DomainError):
        await nominations.decide(repositories, catalogue, "n-1", command, who, ctx)
    assert await repositories.registers.get("ubnd.2026") is None
    decision, _ = await nominations.decide(
        repositories, catalogue, "n-1", command.model_copy(update={"recipient_ids": None}), who, ctx
    )
    assert decision.number == "01/QĐ-UBND"
