"""Routing rules: operators add and replace them; a change applies to the next event consumed."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from tdkt_notify.domain.routing import RoutingRule, RuleBody
from tdkt_shared.kit import CommandContext, Loaded, Repository
from tdkt_shared.store import AlreadyExists

MAX_RULES = 500


async def load_rules(rules: Repository[RoutingRule]) -> list[RoutingRule]:
    return [loaded.aggregate for loaded in await rules.find({}, limit=MAX_RULES)]


async def create_rule(rules: Repository[RoutingRule], rule: RoutingRule, ctx: CommandContext) -> Loaded[RoutingRule]:
    return await rules.add(rule, (), ctx)


async def replace_rule(
    rules: Repository[RoutingRule], rule_id: str, version: int, body: RuleBody, ctx: CommandContext
) -> Loaded[RoutingRule]:
    """The rule as written now, if it is still at the version the operator read (409 otherwise)."""
    rule = RoutingRule(id=rule_id, **body.model_dump())
    return await rules.change(rule_id, version, lambda _current: (rule, ()), ctx)


async def seed_rules(rules: Repository[RoutingRule], defaults: Sequence[RoutingRule], ctx: CommandContext) -> None:
    """Add the default rules that are missing; never overwrite an operator's change."""
    for rule in defaults:
        with contextlib.suppress(AlreadyExists):
            await create_rule(rules, rule, ctx)
