from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from tdkt_reporting import policy, store
from tdkt_reporting.api.access import OFFICER_OR_SPECIALIST, SPECIALIST, OfficerOrSpecialist
from tdkt_reporting.api.deps import StoresDep
from tdkt_reporting.domain import registrations as domain
from tdkt_reporting.handlers import registrations as handlers
from tdkt_reporting.handlers.common import read_own
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Text, Whole, Year
from tdkt_shared.kit.filters import Filters, where
from tdkt_shared.kit.http import Context, Versioned, page_of, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(tags=["registrations"], responses=ERROR_RESPONSES)
"""Unit officers for their own organisation (or one in its lineage), TĐKT specialists for all; only specialists
return and accept. Pacts are signed by one of the parties' officers or a specialist; reading a pact is public."""


class RegistrationView(domain.Registration):
    version: Whole


class PactView(domain.EmulationPact):
    version: Whole


class Return(Versioned):
    reason: Text


_view = partial(versioned, RegistrationView)


_pact = partial(versioned, PactView)


@router.post(
    "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationView,
    dependencies=[OFFICER_OR_SPECIALIST],
)
async def draft(
    command: domain.DraftRegistration, stores: StoresDep, ctx: Context, response: Response
) -> RegistrationView:
    """Draft an organisation's registration (đăng ký thi đua) for a year or a movement; emits
    `tdkt.reporting.registration.drafted.v1`."""
    registration = await handlers.draft(stores, command, ctx)
    return created(response, f"/registrations/{registration.id}", _view(registration))


@router.get("/registrations/{registration_id}", response_model=RegistrationView)
async def get(registration_id: str, stores: StoresDep, principal: OfficerOrSpecialist) -> RegistrationView:
    return _view(await read_own(store.registrations(stores), store.directory(stores), principal, registration_id))


class RegistrationFilters(Filters):
    organization_id: str | None = None
    year: Year | None = None


@router.get("/registrations", response_model=Page[RegistrationView])
async def list_registrations(
    stores: StoresDep, principal: OfficerOrSpecialist, page: PageQuery, filters: Annotated[RegistrationFilters, Query()]
) -> Page[RegistrationView]:
    """A unit officer sees only its own organisation's registrations (and its lineage's)."""
    year = where({"year": filters.year})
    query = await policy.visible_query(store.directory(stores), principal, year, filters.organization_id)
    return await page_of(store.registrations(stores), query, page, _view)


@router.post(
    "/registrations/{registration_id}/submit", response_model=RegistrationView, dependencies=[OFFICER_OR_SPECIALIST]
)
async def submit(registration_id: str, body: Versioned, stores: StoresDep, ctx: Context) -> RegistrationView:
    """By the organisation (or one in its lineage) or a specialist; emits
    `tdkt.reporting.registration.submitted.v1`."""
    return _view(await handlers.submit(stores, registration_id, body.version, ctx))


@router.post("/registrations/{registration_id}/return", response_model=RegistrationView, dependencies=[SPECIALIST])
async def return_registration(registration_id: str, body: Return, stores: StoresDep, ctx: Context) -> RegistrationView:
    """Emits `tdkt.reporting.registration.returned.v1`."""
    return _view(await handlers.return_registration(stores, registration_id, body.version, body.reason, ctx))


@router.post("/registrations/{registration_id}/accept", response_model=RegistrationView, dependencies=[SPECIALIST])
async def accept(registration_id: str, body: Versioned, stores: StoresDep, ctx: Context) -> RegistrationView:
    """Emits `tdkt.reporting.registration.accepted.v1`."""
    return _view(await handlers.accept(stores, registration_id, body.version, ctx))


@router.post(
    "/emulation-pacts",
    status_code=status.HTTP_201_CREATED,
    response_model=PactView,
    dependencies=[OFFICER_OR_SPECIALIST],
)
async def sign(command: domain.SignPact, stores: StoresDep, ctx: Context, response: Response) -> PactView:
    """Record a cluster's yearly pact (giao ước thi đua), once per cluster and year, by one of the parties or a
    specialist; emits `tdkt.reporting.emulation_pact.signed.v1`."""
    pact = await handlers.sign_pact(stores, command, ctx)
    return created(response, f"/emulation-pacts/{pact.aggregate.cluster_id}/{pact.aggregate.year}", _pact(pact))


@router.get("/emulation-pacts/{cluster_id}/{year}", response_model=PactView)
async def get_pact(cluster_id: str, year: Year, stores: StoresDep) -> PactView:
    return _pact(await store.pacts(stores).load(domain.pact_id(cluster_id, year)))
