"""The decision aggregate (quyết định khen thưởng, or a batch of imported grants) and the grants it holds."""

from __future__ import annotations

from collections.abc import Sequence

from tdkt_awards.domain import grants as grant_rules
from tdkt_awards.domain.catalogue import Catalogue, EffectiveRules
from tdkt_awards.domain.eligibility import GrantFact
from tdkt_awards.domain.grants import Decision
from tdkt_awards.domain.nominations import Nomination
from tdkt_awards.domain.numbering import Register, register_id, symbol
from tdkt_awards.handlers.numbering import take_number
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import CommandContext, Loaded, Repository
from tdkt_shared.store import NotFound


async def grants_of(decisions: Repository[Decision], recipient_ids: Sequence[str]) -> list[GrantFact]:
    """Every grant (active or revoked) to one of `recipient_ids`, as the eligibility engine sees it."""
    if not recipient_ids:
        return []
    found = await decisions.find_all({"grants.recipient_id": {"$in": list(recipient_ids)}})
    return [g.fact() for d in found for g in d.aggregate.grants if g.recipient_id in recipient_ids]


async def decision_of_grant(decisions: Repository[Decision], grant_id: str) -> Loaded[Decision]:
    found = await decisions.find({"grants.grant_id": grant_id}, limit=1)
    if not found:
        raise NotFound(grant_id)
    return found[0]


DECISION_ABBREVIATION = "QĐ"
"""Quyết định, in a symbol (Decree 30/2020, Appendix III)."""


async def numbered(
    registers: Repository[Register],
    nomination: Nomination,
    command: grant_rules.DecideNomination,
    rules: EffectiveRules,
    catalogue: Catalogue,
    ctx: CommandContext,
) -> grant_rules.DecideNomination:
    """The command with its number: as given, or the next one of the issuer's register for the decision's year
    (a retry of the same decision id gets the number it got before). A decision the domain refuses takes none."""
    if command.number is not None:
        return command
    if command.issuer_id is None or command.issuer_symbol is None:
        field = "issuer_id" if command.issuer_id is None else "issuer_symbol"
        raise DomainError("without a number, name the issuing body and its abbreviation to number it", field=field)
    existing = await registers.get(register_id(command.issuer_id, command.date.year))
    if existing is None or existing.aggregate.number_of(f"decision:{command.decision_id}") is None:
        grant_rules.decide(nomination, command.model_copy(update={"number": "…"}), rules, catalogue)
    number = await take_number(registers, command.issuer_id, command.date.year, f"decision:{command.decision_id}", ctx)
    return command.model_copy(update={"number": symbol(number, DECISION_ABBREVIATION, command.issuer_symbol)})


async def record_decision(
    decisions: Repository[Decision],
    nomination: Nomination,
    command: grant_rules.DecideNomination,
    rules: EffectiveRules,
    catalogue: Catalogue,
    ctx: CommandContext,
    signed_by: str | None = None,
) -> Decision:
    """The decision on `nomination` with its grants (award.granted each); a retry finds the one it recorded."""
    decision, granted = grant_rules.decide(nomination, command, rules, catalogue, signed_by)
    existing = await decisions.get(decision.id)
    if existing is None:
        await decisions.add(decision, granted, ctx)
        return decision
    if existing.aggregate.nomination_id != nomination.id:
        raise DomainError(f"decision {decision.id} belongs to another nomination", field="decision_id")
    return existing.aggregate


async def import_grants(
    decisions: Repository[Decision],
    catalogue: Catalogue,
    batch_id: str,
    lines: list[grant_rules.HistoricalGrant],
    ctx: CommandContext,
) -> Loaded[Decision]:
    """Historical grants as one imported batch, so chains can be judged from day one."""
    return await decisions.add(*grant_rules.import_grants(batch_id, lines, catalogue, ctx.now.date()), ctx)
