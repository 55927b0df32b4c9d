from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from tdkt_registry import role_handlers
from tdkt_registry.api.access import AdminWrites, PersonAccessDep
from tdkt_registry.api.deps import ContactPointsDep, CorrelationId, OrganizationsDep, PersonsDep, RoleAssignmentsDep
from tdkt_registry.domain.people import Person
from tdkt_registry.domain.roles import (
    AssignRole,
    ContactPoint,
    EndRole,
    OwnerKind,
    RoleAssignment,
    SetContactPoint,
    contact_point_id,
)
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.store import AggregateStore, NotFound

router = APIRouter(tags=["roles"], responses=ERROR_RESPONSES, route_class=AdminWrites)
contacts = APIRouter(tags=["contact points"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class AssignmentView(RoleAssignment):
    version: int


@router.post("/role-assignments", status_code=status.HTTP_201_CREATED, response_model=AssignmentView)
async def assign(
    command: AssignRole,
    assignments: RoleAssignmentsDep,
    organizations: OrganizationsDep,
    response: Response,
    x_correlation_id: CorrelationId = None,
) -> AssignmentView:
    """An organisation takes a functional role for a period; emits `tdkt.registry.role.assigned.v1`."""
    assignment, version = await role_handlers.assign_role(
        command, assignments, organizations, correlation_id=x_correlation_id
    )
    response.headers["Location"] = f"/role-assignments/{assignment.id}"
    return AssignmentView(**assignment.model_dump(), version=version)


@router.post("/role-assignments/{assignment_id}/end", response_model=AssignmentView)
async def end(
    assignment_id: str, command: EndRole, assignments: RoleAssignmentsDep, x_correlation_id: CorrelationId = None
) -> AssignmentView:
    """Set the last day of an assignment; emits `tdkt.registry.role.assigned.v1` with its `valid_to`."""
    assignment, version = await role_handlers.end_role(
        assignment_id, command, assignments, correlation_id=x_correlation_id
    )
    return AssignmentView(**assignment.model_dump(), version=version)


@router.get("/role-assignments/{assignment_id}", response_model=AssignmentView)
async def get_assignment(assignment_id: str, assignments: RoleAssignmentsDep) -> AssignmentView:
    stored = await assignments.get(assignment_id)
    if stored is None:
        raise NotFound(assignment_id)
    return AssignmentView(**stored.state, version=stored.version)


@router.get("/role-assignments", response_model=Page[AssignmentView])
async def list_assignments(
    assignments: RoleAssignmentsDep,
    page: PageQuery,
    role: FunctionalRole | None = None,
    organization_id: str | None = None,
) -> Page[AssignmentView]:
    query = {k: v for k, v in (("role", role), ("organization_id", organization_id)) if v is not None}
    found = await assignments.find(query, skip=page.offset, limit=page.limit, sort="valid_from")
    items = [AssignmentView(**s.state, version=s.version) for s in found]
    return Page(items=items, total=await assignments.count(query), offset=page.offset, limit=page.limit)


class HoldersView(BaseModel):
    role: FunctionalRole
    on: date
    scope_organization_id: str | None
    holders: list[AssignmentView]


@router.get("/roles/{role}/holders", response_model=HoldersView)
async def holders(
    role: FunctionalRole,
    on: date,
    assignments: RoleAssignmentsDep,
    organizations: OrganizationsDep,
    scope: str | None = Query(default=None, description="Only assignments for this organisation (or its successor)"),
) -> HoldersView:
    """Who holds role R on date D: other services ask this and hard-code no names."""
    found = await role_handlers.holders(role, on, assignments, organizations, scope)
    views = []
    for assignment in found:
        stored = await assignments.get(assignment.id)
        views.append(AssignmentView(**assignment.model_dump(), version=stored.version if stored else 1))
    return HoldersView(role=role, on=on, scope_organization_id=scope, holders=views)


class ContactPointView(ContactPoint):
    version: int


async def _put(
    kind: str, owner_id: str, command: SetContactPoint, points: AggregateStore, owners: AggregateStore, cid: str | None
) -> ContactPointView:
    owner_kind: OwnerKind = "ORGANIZATION" if kind == "organization" else "PERSON"
    point, version = await role_handlers.set_contact_point(
        owner_kind, owner_id, command, points, owners, correlation_id=cid
    )
    return ContactPointView(**point.model_dump(), version=version)


async def _get(kind: str, owner_id: str, points: AggregateStore) -> ContactPointView:
    key = contact_point_id("ORGANIZATION" if kind == "organization" else "PERSON", owner_id)
    stored = await points.get(key)
    if stored is None:
        raise NotFound(key)
    return ContactPointView(**stored.state, version=stored.version)


@contacts.put("/organizations/{organization_id}/contact-point", response_model=ContactPointView)
async def put_org_contact(
    organization_id: str,
    command: SetContactPoint,
    points: ContactPointsDep,
    organizations: OrganizationsDep,
    x_correlation_id: CorrelationId = None,
) -> ContactPointView:
    """Create or replace (with `version`) where an organisation's notifications go; emits
    `tdkt.registry.contact_point.set.v1`."""
    return await _put("organization", organization_id, command, points, organizations, x_correlation_id)


@contacts.get("/organizations/{organization_id}/contact-point", response_model=ContactPointView)
async def get_org_contact(organization_id: str, points: ContactPointsDep) -> ContactPointView:
    return await _get("organization", organization_id, points)


@contacts.put("/persons/{person_id}/contact-point", response_model=ContactPointView)
async def put_person_contact(
    person_id: str,
    command: SetContactPoint,
    points: ContactPointsDep,
    persons: PersonsDep,
    x_correlation_id: CorrelationId = None,
) -> ContactPointView:
    """Create or replace (with `version`) where a person's notifications go."""
    return await _put("person", person_id, command, points, persons, x_correlation_id)


@contacts.get("/persons/{person_id}/contact-point", response_model=ContactPointView)
async def get_person_contact(
    person_id: str, points: ContactPointsDep, persons: PersonsDep, access: PersonAccessDep
) -> ContactPointView:
    """Where a person's notifications go; readable by whoever may read the person."""
    stored = await persons.get(person_id)
    if stored is None:
        raise NotFound(person_id)
    access.check(Person.model_validate(stored.state))
    return await _get("person", person_id, points)
