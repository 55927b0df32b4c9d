"""Bulk reorganisations: many mappings applied in order, once per batch id."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from pydantic import BaseModel

from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import OrganizationsDep, ReorganizationsDep
from tdkt_registry.domain.lineage import ReorganizationBatch
from tdkt_registry.handlers import reorganizations
from tdkt_registry.handlers.reorganizations import Reorganization
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.contract.text import Day, Flag
from tdkt_shared.kit.http import Context

router = APIRouter(prefix="/reorganizations", tags=["lineage"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class ReorganizationView(BaseModel):
    batch_id: str
    status: str
    applied_now: Flag
    """False when this request found the batch already applied (and changed nothing)."""
    title: str | None = None
    legal_basis: str
    effective_date: Day
    mappings: list[dict[str, object]]


def _view(record: Reorganization, applied_now: bool) -> ReorganizationView:
    return ReorganizationView(**record.model_dump(exclude={"fingerprint"}), applied_now=applied_now)


@router.post("", response_model=ReorganizationView)
async def reorganize(
    batch: ReorganizationBatch,
    organizations: OrganizationsDep,
    records: ReorganizationsDep,
    response: Response,
    ctx: Context,
) -> ReorganizationView:
    """Apply many mappings (merge, split, change, dissolve) in order, once per `batch_id`.

    Each step emits its own event (with the `batch_id`), then `tdkt.registry.reorganization.applied.v1` closes
    the batch. Re-sending an applied batch changes and emits nothing (200, `applied_now: false`); re-sending an
    interrupted one finishes it. Any invalid mapping refuses the whole batch before anything is written.
    """
    record, applied_now = await reorganizations.apply_reorganization(batch, organizations, records, ctx)
    response.status_code = status.HTTP_201_CREATED if applied_now else status.HTTP_200_OK
    return _view(record, applied_now)


@router.get("/{batch_id}", response_model=ReorganizationView)
async def get_reorganization(batch_id: str, records: ReorganizationsDep) -> ReorganizationView:
    return _view((await reorganizations.reorganization_repository(records).load(batch_id)).aggregate, False)
