"""`/catalogue/rule-set-versions`: rule-set versions an administrator drafts, validates and publishes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response, status

from tdkt_awards.api.deps import RepositoriesDep, tagged, with_status
from tdkt_awards.domain.catalogue import RuleSet
from tdkt_awards.domain.rule_set_versions import RuleSetVersion, Validation, VersionStatus
from tdkt_awards.handlers import rule_sets
from tdkt_awards.policy import recorded_actor
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.auth import CurrentPrincipal, Principal, Role, require
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import Context, page_of
from tdkt_shared.kit.models import Command

ADMIN: Any = require(Role.ADMIN)
"""Drafting and publishing rules is an administrator's work."""
Reader = Annotated[Principal, require(Role.TDKT_SPECIALIST)]
"""Drafts are read by the TĐKT body and administrators; published versions are public (`/catalogue/rule-sets`)."""

router = APIRouter(prefix="/catalogue/rule-set-versions", tags=["catalogue"], responses=ERROR_RESPONSES)


class RuleSetVersionView(RuleSetVersion):
    version: Whole


def _view(loaded: Loaded[RuleSetVersion], response: Response | None = None) -> RuleSetVersionView:
    return tagged(RuleSetVersionView, loaded, response)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RuleSetVersionView, dependencies=[ADMIN])
async def draft(
    rule_set: RuleSet, principal: CurrentPrincipal, repositories: RepositoriesDep, ctx: Context, response: Response
) -> RuleSetVersionView:
    """Draft a version: a national set (`extends` the national set it builds on) or a territory's provincial layer,
    with its effective dates, parameters, citations and award types. Nothing uses it until it is published."""
    drafted = await rule_sets.draft(repositories, rule_set, recorded_actor(principal), ctx)
    response.headers["Location"] = f"{router.prefix}/{drafted.id}"
    return _view(drafted, response)


class Revision(Command):
    version: Whole
    rule_set: RuleSet


@router.put("/{rule_set_id}", response_model=RuleSetVersionView, dependencies=[ADMIN])
async def revise(
    rule_set_id: str,
    revision: Revision,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    ctx: Context,
    response: Response,
) -> RuleSetVersionView:
    """Replace a draft's content (409 once published: a published version never changes)."""
    who = recorded_actor(principal)
    revised = await rule_sets.revise(repositories, rule_set_id, revision.version, revision.rule_set, who, ctx)
    return _view(revised, response)


@router.get("/{rule_set_id}", response_model=RuleSetVersionView)
async def get(
    rule_set_id: str, principal: Reader, repositories: RepositoriesDep, response: Response
) -> RuleSetVersionView:
    return _view(await repositories.rule_sets.load(rule_set_id), response)


@router.get("", response_model=Page[RuleSetVersionView])
async def list_versions(
    principal: Reader, repositories: RepositoriesDep, page: PageQuery, status: VersionStatus | None = None
) -> Page[RuleSetVersionView]:
    return await page_of(repositories.rule_sets, with_status(status), page, _view)


@router.get("/{rule_set_id}/validation", response_model=Validation)
async def validation(rule_set_id: str, principal: Reader, repositories: RepositoriesDep) -> Validation:
    """Every problem that would stop the draft from being published now: the layer's dates (a gap or an overlap
    with the published versions), rules that do not resolve (an unknown check, parameter or citation), values out
    of range. Each names its field."""
    return await rule_sets.validation(repositories, rule_set_id)


class Publish(Command):
    version: Whole


@router.post("/{rule_set_id}/publish", response_model=RuleSetVersionView, dependencies=[ADMIN])
async def publish(
    rule_set_id: str,
    command: Publish,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    ctx: Context,
    response: Response,
) -> RuleSetVersionView:
    """Publish a valid draft (422 `invalid_rule_set` naming the first problem's field, the detail listing them
    all); emits `rule_set.published.v1`. From then on the version judges the periods it covers, for new
    evaluations; those made before keep the version they recorded."""
    published = await rule_sets.publish(repositories, rule_set_id, command.version, recorded_actor(principal), ctx)
    return _view(published, response)
