from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Body, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tdkt_awards import handlers
from tdkt_awards.api.access import recorded_actor
from tdkt_awards.api.deps import CatalogueDep, DecisionsDep, NowDep, StoresDep
from tdkt_awards.domain.grants import Decision, Grant, HistoricalGrant, RevokeGrant
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.auth import CurrentPrincipal, Role, require
from tdkt_shared.contract.text import Identifier
from tdkt_shared.errors import DomainError
from tdkt_shared.store import NotFound

router = APIRouter(tags=["grants"], responses=ERROR_RESPONSES)
"""Decisions and grants are public; imports and revocations are the TĐKT body's (included at the end)."""
writes = APIRouter(dependencies=[require(Role.TDKT_SPECIALIST)])


class DecisionView(Decision):
    version: int


@router.get("/decisions/{decision_id}", response_model=DecisionView)
async def get_decision(decision_id: str, decisions: DecisionsDep) -> DecisionView:
    stored = await decisions.get(decision_id)
    if stored is None:
        raise NotFound(decision_id)
    return DecisionView(**Decision.model_validate(stored.state).model_dump(), version=stored.version)


@router.get("/grants", response_model=Page[Grant])
async def list_grants(decisions: DecisionsDep, page: PageQuery, recipient_id: str) -> Page[Grant]:
    """A recipient's grants (active and revoked), oldest year first."""
    facts = sorted(await handlers.grants_of(decisions, [recipient_id]), key=lambda g: (g.year, g.grant_id))
    ids = [g.grant_id for g in facts]
    found: list[Grant] = []
    for gid in ids[page.offset : page.offset + page.limit]:
        decision, _ = await handlers.find_decision_of_grant(decisions, gid)
        found.append(decision.grant(gid))
    return Page(items=found, total=len(ids), offset=page.offset, limit=page.limit)


class GrantImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    batch_id: Identifier
    grants: list[HistoricalGrant] = Field(min_length=1)


@writes.post("/grants/imports", response_model=DecisionView, status_code=status.HTTP_201_CREATED)
async def import_json(
    body: GrantImport, decisions: DecisionsDep, catalogue: CatalogueDep, now: NowDep, response: Response
) -> DecisionView:
    """Import historical grants (JSON) so chains can be judged from day one; emits award.granted per grant."""
    decision = await handlers.import_grants(decisions, catalogue, body.batch_id, body.grants, now.date())
    response.headers["Location"] = f"/decisions/{decision.id}"
    return DecisionView(**decision.model_dump(), version=1)


@writes.post(
    "/grants/imports/csv",
    response_model=DecisionView,
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_csv(
    batch_id: Identifier,
    decisions: DecisionsDep,
    catalogue: CatalogueDep,
    now: NowDep,
    response: Response,
    body: str = Body(..., media_type="text/csv"),
) -> DecisionView:
    """The same import from CSV with a header line naming the fields of a historical grant."""
    lines: list[HistoricalGrant] = []
    for i, row in enumerate(csv.DictReader(io.StringIO(body))):
        cleaned = {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
        try:
            lines.append(HistoricalGrant.model_validate(cleaned))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise DomainError(
                f"line {i + 2}: {first['msg']}", field=f"grants.{i}.{field}", code="invalid_line"
            ) from exc
    decision = await handlers.import_grants(decisions, catalogue, batch_id, lines, now.date())
    response.headers["Location"] = f"/decisions/{decision.id}"
    return DecisionView(**decision.model_dump(), version=1)


class RevocationView(BaseModel):
    grant: Grant
    reopened_nominations: list[str]


@writes.post("/grants/{grant_id}/revocation", response_model=RevocationView)
async def revoke(
    grant_id: str, command: RevokeGrant, principal: CurrentPrincipal, stores: StoresDep, now: NowDep
) -> RevocationView:
    """Hủy bỏ (fraud, false information, unlawful review, later finding); open nominations relying on it are
    sent back to appraisal, their audit naming the token's `sub` and `org`. `version` is the decision's version."""
    decision, reopened = await handlers.revoke(stores, grant_id, command, recorded_actor(principal), now)
    return RevocationView(grant=decision.grant(grant_id), reopened_nominations=reopened)


router.include_router(writes)
