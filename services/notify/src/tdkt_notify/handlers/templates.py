"""Message templates per key and channel: operators create and replace them; routing and the digest read them."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from tdkt_notify.defaults import BUILTIN_FALLBACK, DAILY_DIGEST, DEFAULT_TEMPLATES
from tdkt_notify.domain.routing import Target
from tdkt_notify.domain.templates import Template, TemplateBody, lookup_order, template_id
from tdkt_notify.templating import check
from tdkt_shared.contract.notify import Channel
from tdkt_shared.kit import CommandContext, Loaded, Repository
from tdkt_shared.store import AlreadyExists

DIGEST_FALLBACK = next(t for t in DEFAULT_TEMPLATES if t.key == DAILY_DIGEST)


async def template_for(templates: Repository[Template], target: Target, event_type: str) -> Template:
    """The most specific template for the target's key, the event type, or the generic one; else the built-in."""
    for candidate in lookup_order(target.template_key, event_type, target.channel):
        if (loaded := await templates.get(candidate)) is not None:
            return loaded.aggregate
    return BUILTIN_FALLBACK


async def digest_template(templates: Repository[Template]) -> Template:
    loaded = await templates.get(template_id(DAILY_DIGEST, Channel.EMAIL))
    return DIGEST_FALLBACK if loaded is None else loaded.aggregate


async def put_template(
    templates: Repository[Template],
    key: str,
    channel: Channel,
    body: TemplateBody,
    version: int | None,
    ctx: CommandContext,
) -> Loaded[Template]:
    """Create a template (no version) or replace it (the version read); its subject and body must parse."""
    check(body.subject, "subject")
    check(body.body, "body")
    template = Template(key=key, channel=channel, **body.model_dump())
    if version is None:
        return await templates.add(template, (), ctx, aggregate_id=template_id(key, channel))
    return await templates.change(template_id(key, channel), version, lambda _current: (template, ()), ctx)


async def seed_templates(templates: Repository[Template], defaults: Sequence[Template], ctx: CommandContext) -> None:
    """Add the default templates that are missing; never overwrite an operator's change."""
    for template in defaults:
        with contextlib.suppress(AlreadyExists):
            await templates.add(template, (), ctx, aggregate_id=template_id(template.key, template.channel))
