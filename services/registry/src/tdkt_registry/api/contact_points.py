"""Contact points: where an organisation's or a person's notifications go."""

from __future__ import annotations

from fastapi import APIRouter

from tdkt_registry.api.access import AdminWrites, PersonReader
from tdkt_registry.api.deps import ContactPointsDep, OrganizationsDep, PersonsDep
from tdkt_registry.domain.roles import ContactPoint, SetContactPoint
from tdkt_registry.handlers import contact_points, persons
from tdkt_shared.api import ERROR_RESPONSES
from tdkt_shared.contract.text import Whole
from tdkt_shared.kit.http import Context, versioned

router = APIRouter(tags=["contact points"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class ContactPointView(ContactPoint):
    version: Whole


@router.put("/organizations/{organization_id}/contact-point", response_model=ContactPointView)
async def put_org_contact(
    organization_id: str,
    command: SetContactPoint,
    store: ContactPointsDep,
    organizations: OrganizationsDep,
    ctx: Context,
) -> ContactPointView:
    """Create or replace (with `version`) where an organisation's notifications go; emits
    `tdkt.registry.contact_point.set.v1`."""
    point = await contact_points.set_contact_point("ORGANIZATION", organization_id, command, store, organizations, ctx)
    return versioned(ContactPointView, point)


@router.get("/organizations/{organization_id}/contact-point", response_model=ContactPointView)
async def get_org_contact(organization_id: str, store: ContactPointsDep) -> ContactPointView:
    return versioned(ContactPointView, await contact_points.read_contact_point("ORGANIZATION", organization_id, store))


@router.put("/persons/{person_id}/contact-point", response_model=ContactPointView)
async def put_person_contact(
    person_id: str, command: SetContactPoint, store: ContactPointsDep, owners: PersonsDep, ctx: Context
) -> ContactPointView:
    """Create or replace (with `version`) where a person's notifications go."""
    return versioned(
        ContactPointView, await contact_points.set_contact_point("PERSON", person_id, command, store, owners, ctx)
    )


@router.get("/persons/{person_id}/contact-point", response_model=ContactPointView)
async def get_person_contact(
    person_id: str,
    store: ContactPointsDep,
    owners: PersonsDep,
    organizations: OrganizationsDep,
    principal: PersonReader,
) -> ContactPointView:
    """Where a person's notifications go; readable by whoever may read the person."""
    await persons.read_person(person_id, owners, organizations, principal)
    return versioned(ContactPointView, await contact_points.read_contact_point("PERSON", person_id, store))
