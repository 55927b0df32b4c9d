from __future__ import annotations

from fastapi import APIRouter, Response, status

from tdkt_reporting import handlers
from tdkt_reporting.api.access import (
    SPECIALIST,
    OfficerOrSpecialist,
    ensure_own,
    ensure_party,
    load_own,
    scoped,
    visible,
)
from tdkt_reporting.api.deps import (
    CorrelationDep,
    MovementsDep,
    OrganizationsDep,
    PactsDep,
    RegistrationsDep,
    Versioned,
)
from tdkt_reporting.domain import registrations as domain
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Text, Year
from tdkt_shared.store import NotFound

router = APIRouter(tags=["registrations"], responses=ERROR_RESPONSES)
"""Unit officers for their own organisation (or one in its lineage), TĐKT specialists for all; only specialists
return and accept. Pacts are signed by one of the parties' officers or a specialist; reading a pact is public."""


class RegistrationView(domain.Registration):
    version: int


class PactView(domain.EmulationPact):
    version: int


class Return(Versioned):
    reason: Text


def _view(registration: domain.Registration, version: int) -> RegistrationView:
    return RegistrationView(**registration.model_dump(), version=version)


@router.post("/registrations", status_code=status.HTTP_201_CREATED, response_model=RegistrationView)
async def draft(
    command: domain.DraftRegistration,
    store: RegistrationsDep,
    organizations: OrganizationsDep,
    movements: MovementsDep,
    principal: OfficerOrSpecialist,
    response: Response,
    correlation: CorrelationDep = None,
) -> RegistrationView:
    """Draft an organisation's registration (đăng ký thi đua) for a year or a movement; emits
    `tdkt.reporting.registration.drafted.v1`."""
    await ensure_own(principal, organizations, command.organization_id)
    registration, version = await handlers.draft_registration(command, store, organizations, movements, correlation)
    response.headers["Location"] = f"/registrations/{registration.id}"
    return _view(registration, version)


@router.get("/registrations/{registration_id}", response_model=RegistrationView)
async def get(
    registration_id: str, store: RegistrationsDep, organizations: OrganizationsDep, principal: OfficerOrSpecialist
) -> RegistrationView:
    stored = await load_own(principal, store, registration_id, organizations)
    return _view(domain.Registration.model_validate(stored.state), stored.version)


@router.get("/registrations", response_model=Page[RegistrationView])
async def list_registrations(
    store: RegistrationsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    page: PageQuery,
    organization_id: str | None = None,
    year: Year | None = None,
) -> Page[RegistrationView]:
    """A unit officer sees only its own organisation's registrations (and its lineage's)."""
    query = scoped({} if year is None else {"year": year}, await visible(principal, organizations), organization_id)
    if query is None:
        return Page(items=[], total=0, offset=page.offset, limit=page.limit)
    found = await store.find(query, skip=page.offset, limit=page.limit)
    items = [_view(domain.Registration.model_validate(s.state), s.version) for s in found]
    return Page(items=items, total=await store.count(query), offset=page.offset, limit=page.limit)


@router.post("/registrations/{registration_id}/submit", response_model=RegistrationView)
async def submit(
    registration_id: str,
    body: Versioned,
    store: RegistrationsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    correlation: CorrelationDep = None,
) -> RegistrationView:
    """By the organisation (or one in its lineage) or a specialist; emits
    `tdkt.reporting.registration.submitted.v1`."""
    loaded = await load_own(principal, store, registration_id, organizations, body.version)
    return _view(
        *await handlers.submit_registration(
            registration_id, body.version, principal.organization_id, store, correlation, loaded
        )
    )


@router.post("/registrations/{registration_id}/return", response_model=RegistrationView, dependencies=[SPECIALIST])
async def return_registration(
    registration_id: str, body: Return, store: RegistrationsDep, correlation: CorrelationDep = None
) -> RegistrationView:
    """Emits `tdkt.reporting.registration.returned.v1`."""
    at = handlers.now()
    return _view(
        *await handlers.transition(
            store,
            registration_id,
            body.version,
            domain.Registration,
            lambda r, _v: domain.return_(r, body.reason, at),
            correlation,
        )
    )


@router.post("/registrations/{registration_id}/accept", response_model=RegistrationView, dependencies=[SPECIALIST])
async def accept(
    registration_id: str, body: Versioned, store: RegistrationsDep, correlation: CorrelationDep = None
) -> RegistrationView:
    """Emits `tdkt.reporting.registration.accepted.v1`."""
    at = handlers.now()
    return _view(
        *await handlers.transition(
            store, registration_id, body.version, domain.Registration, lambda r, _v: domain.accept(r, at), correlation
        )
    )


@router.post("/emulation-pacts", status_code=status.HTTP_201_CREATED, response_model=PactView)
async def sign(
    command: domain.SignPact,
    store: PactsDep,
    organizations: OrganizationsDep,
    principal: OfficerOrSpecialist,
    response: Response,
    correlation: CorrelationDep = None,
) -> PactView:
    """Record a cluster's yearly pact (giao ước thi đua), once per cluster and year, by one of the parties or a
    specialist; emits `tdkt.reporting.emulation_pact.signed.v1`."""
    await ensure_party(principal, organizations, command.signatory_organization_ids, field="signatory_organization_ids")
    pact, version = await handlers.sign_pact(command, store, correlation)
    response.headers["Location"] = f"/emulation-pacts/{pact.cluster_id}/{pact.year}"
    return PactView(**pact.model_dump(), version=version)


@router.get("/emulation-pacts/{cluster_id}/{year}", response_model=PactView)
async def get_pact(cluster_id: str, year: Year, store: PactsDep) -> PactView:
    stored = await store.get(domain.pact_id(cluster_id, year))
    if stored is None:
        raise NotFound(domain.pact_id(cluster_id, year))
    return PactView(**stored.state, version=stored.version)
