from __future__ import annotations

from fastapi import APIRouter, Body, Response, status
from pydantic import BaseModel, Field, ValidationError

from tdkt_awards.api.deps import CatalogueDep, RepositoriesDep
from tdkt_awards.domain.grants import Decision, Grant, HistoricalGrant, RevokeGrant
from tdkt_awards.handlers import decisions, revocations
from tdkt_awards.policy import READ_ANY, recorded_actor
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.auth import CurrentPrincipal, MaybePrincipal, Role, require
from tdkt_shared.contract.text import Identifier, Whole
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import Context
from tdkt_shared.kit.models import Command
from tdkt_shared.kit.tables import csv_records

router = APIRouter(tags=["grants"], responses=ERROR_RESPONSES)
"""Decisions and grants are public; imports and revocations are the TĐKT body's (included at the end)."""
writes = APIRouter(dependencies=[require(Role.TDKT_SPECIALIST)])


class DecisionView(Decision):
    version: Whole


def _view(loaded: Loaded[Decision]) -> DecisionView:
    return DecisionView(**loaded.aggregate.model_dump(), version=loaded.version)


@router.get("/decisions/{decision_id}", response_model=DecisionView)
async def get_decision(decision_id: str, repositories: RepositoriesDep, principal: MaybePrincipal) -> DecisionView:
    """Public, as a signed decision is; `signed_by` (a platform account) only to those who read every dossier."""
    view = _view(await repositories.decisions.load(decision_id))
    if principal is None or not principal.has(*READ_ANY):
        return view.model_copy(update={"signed_by": None})
    return view


@router.get("/grants", response_model=Page[Grant])
async def list_grants(repositories: RepositoriesDep, page: PageQuery, recipient_id: str) -> Page[Grant]:
    """A recipient's grants (active and revoked), oldest year first."""
    facts = await decisions.grants_of(repositories.decisions, [recipient_id])
    ids = [g.grant_id for g in sorted(facts, key=lambda g: (g.year, g.grant_id))]
    found: list[Grant] = []
    for grant_id in ids[page.offset : page.offset + page.limit]:
        decision = await decisions.decision_of_grant(repositories.decisions, grant_id)
        found.append(decision.aggregate.grant(grant_id))
    return Page(items=found, total=len(ids), offset=page.offset, limit=page.limit)


MAX_GRANTS = 500
"""Grants in one import, JSON or CSV: a batch is one decision, stored as one MongoDB document (16 MiB at most).
Measured with `bson.encode` as the store writes it (state + outbox), 500 grants of maximal fields take 4.7 MiB
(names and numbers of 500 4-byte characters, the most text allows after NFC)."""


class GrantImport(Command):
    batch_id: Identifier
    grants: list[HistoricalGrant] = Field(min_length=1, max_length=MAX_GRANTS)


@writes.post("/grants/imports", response_model=DecisionView, status_code=status.HTTP_201_CREATED)
async def import_json(
    body: GrantImport, repositories: RepositoriesDep, catalogue: CatalogueDep, ctx: Context, response: Response
) -> DecisionView:
    """Import historical grants (JSON) so chains can be judged from day one; emits award.granted per grant. At most
    500 grants per batch (422 on `grants` above it): split a longer history into several batches."""
    imported = await decisions.import_grants(repositories.decisions, catalogue, body.batch_id, body.grants, ctx)
    return _created(imported, response)


def _created(loaded: Loaded[Decision], response: Response) -> DecisionView:
    response.headers["Location"] = f"/decisions/{loaded.id}"
    return _view(loaded)


@writes.post(
    "/grants/imports/csv",
    response_model=DecisionView,
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_csv(
    batch_id: Identifier,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
    body: str = Body(..., media_type="text/csv"),
) -> DecisionView:
    """The same import from CSV with a header line naming the fields of a historical grant (a leading UTF-8 BOM, as
    Excel writes, is ignored). At most 500 data lines (422 `too_many_rows` on `body` above it); text the csv module
    cannot read, such as a cell over 128 KiB, is refused with 422 `invalid_csv` on `body`."""
    lines = _csv_lines(body)
    return _created(await decisions.import_grants(repositories.decisions, catalogue, batch_id, lines, ctx), response)


def _csv_lines(body: str) -> list[HistoricalGrant]:
    """The historical grants of a CSV import: 422 on the first invalid line (`grants.<i>.<field>`)."""
    lines: list[HistoricalGrant] = []
    for i, row in enumerate(csv_records(body, MAX_GRANTS)):
        cleaned: dict[str, object] = {k.strip(): v.strip() for k, v in row.items() if k and v and v.strip()}
        if isinstance(year := cleaned.get("year"), str) and year.isdigit():
            cleaned["year"] = int(year)  # CSV has only text; JSON imports give the number
        try:
            lines.append(HistoricalGrant.model_validate(cleaned))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise DomainError(
                f"line {i + 2}: {first['msg']}", field=f"grants.{i}.{field}", code="invalid_line"
            ) from exc
    return lines


class RevocationView(BaseModel):
    grant: Grant
    reopened_nominations: list[str]
    """Open dossiers that relied on the grant, each judged again at once (or sent back to appraisal from a hold)."""
    flagged_grants: list[str]
    """Grants already decided on its strength, flagged for the deciding authority's review (they stay ACTIVE)."""


@writes.post("/grants/{grant_id}/revocation", response_model=RevocationView)
async def revoke(
    grant_id: str,
    command: RevokeGrant,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
) -> RevocationView:
    """Hủy bỏ (fraud, false information, unlawful review, later finding), and its cascade: every open dossier
    relying on it is judged again at once, its audit naming the token's `sub` and `org`; every grant decided on its
    strength is flagged for review (`tdkt.awards.grant.review_requested.v1`). `version` is the decision's version."""
    decision, cascade = await revocations.revoke(
        repositories, catalogue, grant_id, command, recorded_actor(principal), ctx
    )
    return RevocationView(
        grant=decision.grant(grant_id), reopened_nominations=cascade.reevaluated, flagged_grants=cascade.flagged
    )


router.include_router(writes)
