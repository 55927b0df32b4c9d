"""Notify's named handlers, one module per aggregate: `recipients`, `groups` (role assignments, clusters and
councils), `rules`, `templates` and `deliveries` (the inbox included). The organisation directory is the kit's."""

from __future__ import annotations

from collections.abc import Sequence

from tdkt_notify.defaults import DEFAULT_RULES, DEFAULT_TEMPLATES
from tdkt_notify.domain.routing import RoutingRule
from tdkt_notify.domain.templates import Template
from tdkt_notify.handlers.rules import seed_rules
from tdkt_notify.handlers.templates import seed_templates
from tdkt_notify.repositories import NotifyRepositories
from tdkt_notify.store import NotifyStores
from tdkt_shared.kit import CommandContext
from tdkt_shared.runtime import Stores


async def seed_defaults(
    stores: Stores | NotifyStores,
    rules: Sequence[RoutingRule] = DEFAULT_RULES,
    templates: Sequence[Template] = DEFAULT_TEMPLATES,
) -> None:
    """Write the default rules and templates that are missing; never overwrite an operator's change."""
    repositories = NotifyRepositories.of(stores)
    ctx = CommandContext.system()
    await seed_rules(repositories.rules, rules, ctx)
    await seed_templates(repositories.templates, templates, ctx)
