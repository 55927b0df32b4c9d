"""Numbering (số, ký hiệu): one register per issuing body and year, no number skipped or given twice."""

from __future__ import annotations

import asyncio

import pytest

from tdkt_awards.domain import numbering
from tdkt_awards.domain.numbering import Register
from tdkt_awards.handlers.numbering import take_number
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import CommandContext, Repository
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
