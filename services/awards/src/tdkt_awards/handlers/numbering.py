"""The register aggregate (sổ đăng ký văn bản): the next number of an issuing body in a year."""

from __future__ import annotations

import asyncio
import random

from tdkt_awards.domain import numbering
from tdkt_awards.domain.numbering import Register
from tdkt_shared.kit import CommandContext, Repository
from tdkt_shared.store import AlreadyExists, VersionConflict

MAX_ATTEMPTS = 500
"""Compare-and-set attempts before giving up (each lost race means another document got a number meanwhile)."""


class RegisterBusy(VersionConflict):
    """Too many concurrent issuers on one register: nothing was taken (409, try again)."""


async def take_number(
    registers: Repository[Register], issuer_id: str, year: int, document_id: str, ctx: CommandContext
) -> int:
    """The number of `document_id` in the issuer's register for `year`: the one it has, or the next one.

    Compare-and-set on the register, again after a concurrent write: no number is given twice or skipped."""
    register_id = numbering.register_id(issuer_id, year)
    for attempt in range(MAX_ATTEMPTS):
        loaded = await registers.get(register_id)
        current = loaded.aggregate if loaded else numbering.empty_register(issuer_id, year)
        outcome = numbering.take(current, document_id)
        if isinstance(outcome, int):
            return outcome
        register, number = outcome
        try:
            if loaded is None:
                await registers.add(register, (), ctx)
            else:
                await registers.save(loaded, register, (), ctx)
        except (AlreadyExists, VersionConflict):
            await asyncio.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))
            continue
        return number
    raise RegisterBusy(register_id, -1, None)
