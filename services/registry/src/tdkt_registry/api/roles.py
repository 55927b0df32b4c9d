"""Functional roles: which organisation holds which role for which period, and who holds a role on a date."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from tdkt_registry.api.access import AdminWrites
from tdkt_registry.api.deps import OrganizationsDep, RoleAssignmentsDep, StoresDep
from tdkt_registry.domain.roles import AssignRole, EndRole, RoleAssignment
from tdkt_registry.handlers import role_assignments
from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract.registry import FunctionalRole
from tdkt_shared.contract.text import Day, Whole
from tdkt_shared.kit.filters import Filters
from tdkt_shared.kit.http import Context, page_of, versioned
from tdkt_shared.kit.responses import created

router = APIRouter(tags=["roles"], responses=ERROR_RESPONSES, route_class=AdminWrites)


class AssignmentView(RoleAssignment):
    version: Whole


@router.post("/role-assignments", status_code=status.HTTP_201_CREATED, response_model=AssignmentView)
async def assign(command: AssignRole, stores: StoresDep, response: Response, ctx: Context) -> AssignmentView:
    """An organisation takes a functional role for a period; emits `tdkt.registry.role.assigned.v1`."""
    assigned = await role_assignments.assign_role(command, stores, ctx)
    return created(response, f"/role-assignments/{assigned.id}", versioned(AssignmentView, assigned))


@router.post("/role-assignments/{assignment_id}/end", response_model=AssignmentView)
async def end(assignment_id: str, command: EndRole, store: RoleAssignmentsDep, ctx: Context) -> AssignmentView:
    """Set the last day of an assignment; emits `tdkt.registry.role.assigned.v1` with its `valid_to`."""
    return versioned(AssignmentView, await role_assignments.end_role(assignment_id, command, store, ctx))


@router.get("/role-assignments/{assignment_id}", response_model=AssignmentView)
async def get_assignment(assignment_id: str, store: RoleAssignmentsDep) -> AssignmentView:
    return versioned(AssignmentView, await role_assignments.assignment_repository(store).load(assignment_id))


class AssignmentFilters(Filters):
    role: FunctionalRole | None = None
    organization_id: str | None = Field(default=None, description="Only the roles this organisation holds or held")


@router.get("/role-assignments", response_model=Page[AssignmentView])
async def list_assignments(
    store: RoleAssignmentsDep, page: PageQuery, filters: Annotated[AssignmentFilters, Query()]
) -> Page[AssignmentView]:
    repository = role_assignments.assignment_repository(store)
    return await page_of(repository, filters.query(), page, partial(versioned, AssignmentView), sort="valid_from")


class HoldersView(BaseModel):
    role: FunctionalRole
    on: Day
    scope_organization_id: str | None
    holders: list[AssignmentView]


@router.get("/roles/{role}/holders", response_model=HoldersView)
async def holders(
    role: FunctionalRole,
    on: Day,
    store: RoleAssignmentsDep,
    organizations: OrganizationsDep,
    scope: str | None = Query(default=None, description="Only assignments for this organisation (or its successor)"),
) -> HoldersView:
    """Who holds role R on date D: other services ask this and hard-code no names."""
    found = await role_assignments.holders(role, on, store, organizations, scope)
    views = [versioned(AssignmentView, f) for f in found]
    return HoldersView(role=role, on=on, scope_organization_id=scope, holders=views)
