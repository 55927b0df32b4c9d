"""Routing rules: operators (`admin`) list, add and change them (changes apply to the next event consumed)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from tdkt_notify.api.deps import ADMIN_ONLY, RulesDep
from tdkt_notify.domain.routing import RoutingRule, RuleBody
from tdkt_notify.handlers.rules import create_rule, replace_rule
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, versioned

router = APIRouter(prefix="/rules", tags=["routing rules"], responses=ERROR_RESPONSES, dependencies=[ADMIN_ONLY])


class RuleView(RoutingRule):
    version: Whole


class RuleChange(RuleBody):
    version: Whole
    """The version read: a stale one is refused with 409."""


@router.get("", response_model=Page[RuleView])
async def list_rules(rules: RulesDep, page: PageQuery, event_type: str | None = None) -> Page[RuleView]:
    """Every rule, or those matching `event_type`."""
    views = [versioned(RuleView, loaded) for loaded in await rules.find({}, skip=0, limit=10000, sort="priority")]
    if event_type is not None:
        views = [v for v in views if v.matches(event_type)]
    items = views[page.offset : page.offset + page.limit]
    return Page(items=items, total=len(views), offset=page.offset, limit=page.limit)


@router.get("/{rule_id}", response_model=RuleView)
async def get_rule(rule_id: str, rules: RulesDep) -> RuleView:
    return versioned(RuleView, await rules.load(rule_id))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RuleView)
async def add_rule(rule: RoutingRule, rules: RulesDep, ctx: Context, response: Response) -> RuleView:
    created = await create_rule(rules, rule, ctx)
    response.headers["Location"] = f"/rules/{rule.id}"
    return versioned(RuleView, created)


@router.put("/{rule_id}", response_model=RuleView)
async def change_rule(rule_id: str, change: RuleChange, rules: RulesDep, ctx: Context) -> RuleView:
    """Replace a rule; set `enabled: false` to switch it off."""
    body = RuleBody(**change.model_dump(exclude={"version"}))
    return versioned(RuleView, await replace_rule(rules, rule_id, change.version, body, ctx))
