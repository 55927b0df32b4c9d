"""Commands on one organisation (đơn vị): register it, give it a new version; and the workspace that validates
operations over several organisations (`tdkt_registry.handlers.reorganizations`) before anything is written."""

from __future__ import annotations

from datetime import date
from functools import partial

from tdkt_registry.domain.lineage import Write
from tdkt_registry.domain.organizations import (
    ChangeOrganization,
    Organization,
    RegisterOrganization,
    change,
    changed_event,
    check_parent,
    register,
)
from tdkt_registry.store import repository
from tdkt_shared.errors import DomainError, UnknownReference
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.store import AggregateStore, NotFound, Stored, VersionConflict

SCAN_LIMIT = 100_000


organization_repository = partial(repository, model=Organization)


async def load_organization(organizations: AggregateStore, organization_id: str) -> Organization | None:
    """The organisation, or None when unknown (the domain says what an unknown reference means)."""
    loaded = await organization_repository(organizations).get(organization_id)
    return None if loaded is None else loaded.aggregate


async def register_organization(
    command: RegisterOrganization, organizations: AggregateStore, ctx: CommandContext
) -> Loaded[Organization]:
    """Emits `organization.registered.v1`."""
    parent = await load_organization(organizations, command.parent_id) if command.parent_id else None
    organization, registered = register(command, parent)
    return await organization_repository(organizations).add(organization, registered, ctx)


async def change_organization(
    organization_id: str, command: ChangeOrganization, organizations: AggregateStore, ctx: CommandContext
) -> Loaded[Organization]:
    """A new version from `effective_date`; 409 unless `command.version` is the current one."""
    repo = organization_repository(organizations)
    loaded = await repo.load(organization_id, command.version)
    values = command.values()
    workspace = Workspace(organizations)
    await check_change_references(workspace, loaded.aggregate, values, command.effective_date, "parent_id")
    new, changed = change(loaded.aggregate, values, command.effective_date, command.legal_basis)
    return await repo.save(loaded, new, changed_event(new, changed, loaded.version + 1), ctx)


async def check_change_references(
    workspace: Workspace, organization: Organization, values: dict[str, object], day: date, field: str
) -> None:
    parent_id = values.get("parent_id")
    if isinstance(parent_id, str) and parent_id != organization.id:
        check_parent(parent_id, await workspace.get(parent_id), day, field)
        await workspace.check_no_cycle(organization.id, parent_id, day, field)


class Workspace:
    """Organisations read for one operation and changed in memory, to validate every step before writing any.

    It keeps what the store returned (with the write ids each organisation recorded), so an interrupted operation
    can be resumed: `applied` tells which of its writes are done."""

    def __init__(self, organizations: AggregateStore) -> None:
        self.store = organizations
        self._stored: dict[str, Stored | None] = {}
        self.orgs: dict[str, Organization] = {}
        self.versions: dict[str, int] = {}

    async def get(self, organization_id: str) -> Organization | None:
        if organization_id not in self._stored:
            stored = await self.store.get(organization_id)
            self._stored[organization_id] = stored
            if stored is not None:
                self.orgs[organization_id] = Organization.model_validate(stored.state)
                self.versions[organization_id] = stored.version
        return self.orgs.get(organization_id)

    async def require(self, organization_id: str, field: str) -> Organization:
        org = await self.get(organization_id)
        if org is None:
            raise UnknownReference(f"unknown organisation {organization_id}", field=field)
        return org

    async def load(self, organization_id: str, version: int | None) -> Organization:
        """The organisation a command names in its path (NotFound), at the version the client read (if it sent
        one; VersionConflict otherwise)."""
        org = await self.get(organization_id)
        if org is None:
            raise NotFound(organization_id)
        if version is not None and self.versions[organization_id] != version:
            raise VersionConflict(organization_id, version, self.versions[organization_id])
        return org

    def applied(self, write: Write) -> bool:
        stored = self._stored.get(write.aggregate_id)
        return stored is not None and write.write_id in stored.processed

    def put(self, org: Organization) -> None:
        self.orgs[org.id] = org
        self.versions[org.id] = self.versions.get(org.id, 0) + 1

    async def children_from(self, organization_id: str, day: date) -> list[str]:
        """Organisations with a version under `organization_id` in force on `day` or later."""
        found = await self.store.find({"versions.parent_id": organization_id}, limit=SCAN_LIMIT)
        candidates = {s.id for s in found} | {
            o.id for o in self.orgs.values() if organization_id in o.parent_ids_from(day)
        }
        children = []
        for child_id in sorted(candidates):
            child = await self.get(child_id)
            if child is not None and organization_id in child.parent_ids_from(day):
                children.append(child_id)
        return children

    async def check_no_cycle(self, organization_id: str, parent_id: str, day: date, field: str) -> None:
        """`organization_id` must not be an ancestor of `parent_id` on `day`, nor when an ancestor changes later."""
        days = {day}
        checked: set[date] = set()
        while days - checked:
            on = min(days - checked)
            checked.add(on)
            seen: set[str] = set()
            current: str | None = parent_id
            while current is not None and current not in seen:
                if current == organization_id:
                    raise DomainError(
                        f"{parent_id} is under {organization_id} on {on}: the hierarchy would have a cycle",
                        field=field,
                        code="cycle",
                    )
                seen.add(current)
                org = await self.get(current)
                if org is None:
                    break
                days |= {v.valid_from for v in org.versions if v.valid_from > day}
                version = org.as_of(on)
                current = version.parent_id if version else None
