from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tdkt_awards.api.deps import CatalogueDep
from tdkt_awards.domain.catalogue import AwardType, BaseSalary, EffectiveRules, RuleSet
from tdkt_awards.domain.eligibility import Evaluation, EvaluationRequest, evaluate_many
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.contract.text import Day
from tdkt_shared.kit.http import Context

router = APIRouter(tags=["catalogue"], responses=ERROR_RESPONSES)


@router.get("/catalogue/rule-sets", response_model=list[RuleSet])
async def rule_sets(catalogue: CatalogueDep) -> list[RuleSet]:
    """Every rule set with its effective dates (national sets and provincial layers)."""
    return catalogue.rule_sets


@router.get("/catalogue/rules", response_model=EffectiveRules)
async def rules(catalogue: CatalogueDep, on: Day, territory: str | None = None) -> EffectiveRules:
    """The rules in force on a day for a territory: national set plus the provincial layer."""
    return catalogue.rules_for(on, territory)


@router.get("/catalogue/awards/{code}", response_model=AwardType)
async def award(code: str, catalogue: CatalogueDep, on: Day, territory: str | None = None) -> AwardType:
    return catalogue.rules_for(on, territory).award(code)


@router.get("/catalogue/base-salary", response_model=BaseSalary)
async def base_salary(catalogue: CatalogueDep, on: Day) -> BaseSalary:
    """Mức lương cơ sở in force on a day."""
    return catalogue.base_salary_on(on)


class EvaluationBatch(BaseModel):
    requests: list[EvaluationRequest]
    as_of: Day | None = None


@router.post("/eligibility/evaluations", response_model=list[Evaluation])
async def evaluations(batch: EvaluationBatch, catalogue: CatalogueDep, ctx: Context) -> list[Evaluation]:
    """Judge nominees from the facts given (pure; nothing is stored). Any authenticated user."""
    return evaluate_many(batch.requests, catalogue, batch.as_of or ctx.now.date())
