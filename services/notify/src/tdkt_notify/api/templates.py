"""Message templates per key (event type, rule key or `*`) and channel: operators (`admin`) only."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Path

from tdkt_notify.api.deps import ADMIN_ONLY, TemplatesDep
from tdkt_notify.domain.templates import KEY_PATTERN, Template, TemplateBody, template_id
from tdkt_notify.handlers.templates import put_template
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.notify import Channel
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, page_of, versioned

router = APIRouter(prefix="/templates", tags=["templates"], responses=ERROR_RESPONSES, dependencies=[ADMIN_ONLY])


class TemplateView(Template):
    version: Whole


class TemplateChange(TemplateBody):
    version: Whole | None = None
    """Absent to create; the version read to replace (409 when stale)."""


@router.get("", response_model=Page[TemplateView])
async def list_templates(templates: TemplatesDep, page: PageQuery) -> Page[TemplateView]:
    return await page_of(templates, {}, page, partial(versioned, TemplateView))


@router.get("/{key}/{channel}", response_model=TemplateView)
async def get_template(key: str, channel: Channel, templates: TemplatesDep) -> TemplateView:
    return versioned(TemplateView, await templates.load(template_id(key, channel)))


@router.put("/{key}/{channel}", response_model=TemplateView)
async def save_template(
    change: TemplateChange,
    templates: TemplatesDep,
    channel: Channel,
    ctx: Context,
    key: str = Path(pattern=KEY_PATTERN),
) -> TemplateView:
    """Create or replace a template; its subject and body must parse as Jinja2."""
    body = TemplateBody(**change.model_dump(exclude={"version"}))
    return versioned(TemplateView, await put_template(templates, key, channel, body, change.version, ctx))
