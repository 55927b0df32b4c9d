"""Routing rules: operators (`admin`) list, add and change them (changes apply to the next event consumed)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from tdkt_notify.api.deps import ADMIN_ONLY, RulesDep
from tdkt_notify.domain.routing import RoutingRule, RuleBody
from tdkt_notify.handlers import create_rule, replace_rule
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.store import NotFound

router = APIRouter(prefix="/rules", tags=["routing rules"], responses=ERROR_RESPONSES, dependencies=[ADMIN_ONLY])


class RuleView(RoutingRule):
    version: int


class RuleChange(RuleBody):
    version: int
    """The version read: a stale one is refused with 409."""


@router.get("", response_model=Page[RuleView])
async def list_rules(rules: RulesDep, page: PageQuery, event_type: str | None = None) -> Page[RuleView]:
    """Every rule, or those matching `event_type`."""
    found = await rules.find({}, skip=0, limit=10000, sort="priority")
    views = [RuleView(version=s.version, **s.state) for s in found]
    if event_type is not None:
        views = [v for v in views if v.matches(event_type)]
    items = views[page.offset : page.offset + page.limit]
    return Page(items=items, total=len(views), offset=page.offset, limit=page.limit)


@router.get("/{rule_id}", response_model=RuleView)
async def get_rule(rule_id: str, rules: RulesDep) -> RuleView:
    stored = await rules.get(rule_id)
    if stored is None:
        raise NotFound(rule_id)
    return RuleView(version=stored.version, **stored.state)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RuleView)
async def add_rule(rule: RoutingRule, rules: RulesDep, response: Response) -> RuleView:
    version = await create_rule(rules, rule)
    response.headers["Location"] = f"/rules/{rule.id}"
    return RuleView(version=version, **rule.model_dump())


@router.put("/{rule_id}", response_model=RuleView)
async def change_rule(rule_id: str, change: RuleChange, rules: RulesDep) -> RuleView:
    """Replace a rule; set `enabled: false` to switch it off."""
    body = RuleBody(**change.model_dump(exclude={"version"}))
    rule, version = await replace_rule(rules, rule_id, change.version, body)
    return RuleView(version=version, **rule.model_dump())
