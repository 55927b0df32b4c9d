"""Persons (cá nhân) and their employment history. Reading them needs a reader's role; a unit officer sees only the
persons ever employed by its organisation or one in its lineage."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from tdkt_registry.api.access import AdminWrites, PersonReader
from tdkt_registry.api.deps import OrganizationsDep, PersonsDep, StoresDep
from tdkt_registry.domain.people import EndEmployment, Person, RegisterPerson, StartEmployment
from tdkt_registry.handlers import persons
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.text import Day, Whole
from tdkt_shared.kit.http import Context, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(prefix="/persons", tags=["persons"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class PersonView(Person):
    version: Whole


@router.post("", status_code=status.HTTP_201_CREATED, response_model=PersonView)
async def register_person(command: RegisterPerson, store: PersonsDep, response: Response, ctx: Context) -> PersonView:
    """Register a person; emits `tdkt.registry.person.registered.v1`."""
    registered = await persons.register_person(command, store, ctx)
    return created(response, f"/persons/{registered.id}", versioned(PersonView, registered))


@router.get("", response_model=Page[PersonView])
async def list_persons(
    store: PersonsDep,
    organizations: OrganizationsDep,
    principal: PersonReader,
    page: PageQuery,
    organization_id: str | None = None,
    on: Day | None = None,
) -> Page[PersonView]:
    """Persons, optionally those employed in `organization_id` (on `on` if given, else at any time). A unit officer
    sees only the persons ever employed by its organisation or one in its lineage."""
    found = await persons.find_persons(store, organizations, principal, organization_id, on)
    items = [versioned(PersonView, f) for f in found[page.offset : page.offset + page.limit]]
    return Page(items=items, total=len(found), offset=page.offset, limit=page.limit)


@router.get("/{person_id}", response_model=PersonView)
async def get_person(
    person_id: str, store: PersonsDep, organizations: OrganizationsDep, principal: PersonReader
) -> PersonView:
    """One person; 403 for a unit officer when the person was never employed by its organisation (or lineage)."""
    return versioned(PersonView, await persons.read_person(person_id, store, organizations, principal))


@router.post("/{person_id}/employments", response_model=PersonView)
async def start_employment(person_id: str, command: StartEmployment, stores: StoresDep, ctx: Context) -> PersonView:
    """Start a position (a transfer when `close_previous`); emits `tdkt.registry.person.employment.changed.v1`
    with the whole history."""
    return versioned(PersonView, await persons.start_employment(person_id, command, stores, ctx))


@router.post("/{person_id}/employments/end", response_model=PersonView)
async def end_employment(person_id: str, command: EndEmployment, store: PersonsDep, ctx: Context) -> PersonView:
    return versioned(PersonView, await persons.end_employment(person_id, command, store, ctx))
