"""Registry commands on organisations: load, ask the domain, write state and events.

A command on one organisation is one single-document write (state + events), guarded by the version the client
read. A lineage operation (merge, split, dissolve, bulk reorganisation) touches several organisations; see
`tdkt_registry.domain.lineage` for how it is cut into per-organisation writes that can be resumed, and
`apply_reorganization` for the batch.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from tdkt_registry.domain.lineage import (
    DissolveOrganization,
    Mapping,
    MergeOrganizations,
    ReorganizationBatch,
    SplitOrganization,
    Step,
    Write,
    check_no_children,
    derived_event_id,
    single_step,
    steps_of,
    writes_of,
)
from tdkt_registry.domain.organizations import (
    ChangeOrganization,
    Organization,
    RegisterOrganization,
    change,
    changed_event,
    check_parent,
    register,
)
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.registry import MappingKind, ReorganizationApplied
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError, InvalidTransition, UnknownReference
from tdkt_shared.store import AggregateStore, NotFound, Stored, VersionConflict

SCAN_LIMIT = 100_000


def to_event(
    data: EventData, key: str, subject: str, correlation_id: str | None, event_id: str | None = None
) -> CloudEvent:
    return make_event(data, partitionkey=key, subject=subject, correlationid=correlation_id, event_id=event_id)


def org_event(data: EventData, key: str, correlation_id: str | None, event_id: str | None = None) -> CloudEvent:
    return to_event(data, key, f"organizations/{key}", correlation_id, event_id)


async def load_organization(organizations: AggregateStore, organization_id: str) -> Organization | None:
    stored = await organizations.get(organization_id)
    return None if stored is None else Organization.model_validate(stored.state)


async def register_organization(
    command: RegisterOrganization, organizations: AggregateStore, *, correlation_id: str | None = None
) -> tuple[Organization, int]:
    parent = await load_organization(organizations, command.parent_id) if command.parent_id else None
    organization, data = register(command, parent)
    event = org_event(data, organization.id, correlation_id)
    stored = await organizations.create(organization.id, organization.model_dump(mode="json"), [event])
    return organization, stored.version


# ---------------------------------------------------------------------------------------------------- workspace


class Workspace:
    """Organisations read for one operation and changed in memory, to validate every step before writing any."""

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


# ---------------------------------------------------------------------------------------------------- one org


async def change_organization(
    organization_id: str,
    command: ChangeOrganization,
    organizations: AggregateStore,
    *,
    correlation_id: str | None = None,
) -> tuple[Organization, int]:
    """A new version from `effective_date`; 409 unless `command.version` is the current one."""
    stored = await organizations.get(organization_id)
    if stored is None:
        raise NotFound(organization_id)
    if stored.version != command.version:
        raise VersionConflict(organization_id, command.version, stored.version)
    workspace = Workspace(organizations)
    organization = await workspace.require(organization_id, "organization_id")
    values = command.values()
    await check_change_references(workspace, organization, values, command.effective_date, "parent_id")
    new, changed = change(organization, values, command.effective_date, command.legal_basis)
    event = org_event(changed_event(new, changed, command.version + 1), organization_id, correlation_id)
    result = await organizations.update(organization_id, command.version, new.model_dump(mode="json"), [event])
    return new, result.version


async def check_change_references(
    workspace: Workspace, organization: Organization, values: dict[str, object], day: date, field: str
) -> None:
    parent_id = values.get("parent_id")
    if isinstance(parent_id, str) and parent_id != organization.id:
        check_parent(parent_id, await workspace.get(parent_id), day, field)
        await workspace.check_no_cycle(organization.id, parent_id, day, field)


# ---------------------------------------------------------------------------------------------------- lineage


async def _check_step(workspace: Workspace, step: Step, writes: list[Write]) -> None:
    """Cross-organisation rules of a step, on the workspace as the earlier steps left it."""
    m, day = step.mapping, step.effective_date
    for i, org_id in enumerate(m.from_ids):
        await workspace.require(org_id, step.from_field(i))
    for i, org_id in enumerate(m.to_ids):
        await workspace.require(org_id, step.to_field(i))
    ending = {MappingKind.MERGE, MappingKind.DISSOLVE} | (set() if m.predecessor_continues else {MappingKind.SPLIT})
    if m.kind in ending:
        for i, org_id in enumerate(m.from_ids):
            check_no_children(org_id, await workspace.children_from(org_id, day), day, step.from_field(i))
    if m.kind is MappingKind.CHANGE and m.changes is not None:
        org = await workspace.require(m.from_ids[0], step.from_field(0))
        await check_change_references(workspace, org, m.changes.values(), day, step.field("changes.parent_id"))


async def plan(workspace: Workspace, steps: Iterable[Step]) -> list[Write]:
    """Validate every step in order against the workspace and return the writes still to do.

    Writes already recorded on their organisation (an interrupted run of the same operation id) are skipped, and so
    are the cross-organisation checks of a step that was started: they passed when it was first planned.
    """
    todo: list[Write] = []
    for step in steps:
        writes = writes_of(step)
        for write in writes:
            await workspace.require(write.aggregate_id, write.field)
        pending = [w for w in writes if not workspace.applied(w)]
        if len(pending) == len(writes):
            await _check_step(workspace, step, writes)
        for write in pending:
            org = workspace.orgs[write.aggregate_id]
            new, _ = write.apply(org, workspace.versions[write.aggregate_id] + 1)
            workspace.put(new)
            todo.append(write)
    return todo


async def execute(organizations: AggregateStore, writes: list[Write], correlation_id: str | None) -> None:
    """Apply each write once, in order; a write already applied (same write id) is skipped by the store."""
    for write in writes:

        def mutation(current: Stored | None, write: Write = write) -> tuple[dict[str, Any], list[CloudEvent]]:
            if current is None:
                raise NotFound(write.aggregate_id)
            org = Organization.model_validate(current.state)
            new, data = write.apply(org, current.version + 1)
            events = [
                org_event(d, _key(d), correlation_id, derived_event_id(write.write_id, n)) for n, d in enumerate(data)
            ]
            return new.model_dump(mode="json"), events

        await organizations.apply_event(write.aggregate_id, write.write_id, mutation)


def _key(data: EventData) -> str:
    key = getattr(data, data.key_description)
    assert isinstance(key, str)
    return key


async def run_operation(organizations: AggregateStore, step: Step, correlation_id: str | None) -> list[str]:
    workspace = Workspace(organizations)
    writes = await plan(workspace, [step])
    await execute(organizations, writes, correlation_id)
    return sorted({w.aggregate_id for w in writes_of(step)})


async def merge_organizations(
    command: MergeOrganizations, organizations: AggregateStore, *, correlation_id: str | None = None
) -> list[str]:
    """Merge the predecessors into the successor; emits `organizations.merged.v1` keyed by the successor."""
    step = single_step(
        command.mapping(),
        command.effective_date,
        command.legal_basis,
        command.operation_id or f"merge-{uuid.uuid4()}",
        from_name="predecessor_ids",
        to_name="successor_id",
        to_indexed=False,
    )
    return await run_operation(organizations, step, correlation_id)


async def split_organization(
    command: SplitOrganization, organizations: AggregateStore, *, correlation_id: str | None = None
) -> list[str]:
    step = single_step(
        command.mapping(),
        command.effective_date,
        command.legal_basis,
        command.operation_id or f"split-{uuid.uuid4()}",
        from_name="predecessor_id",
        from_indexed=False,
        to_name="successor_ids",
    )
    return await run_operation(organizations, step, correlation_id)


async def dissolve_organization(
    organization_id: str,
    command: DissolveOrganization,
    organizations: AggregateStore,
    *,
    correlation_id: str | None = None,
) -> list[str]:
    stored = await organizations.get(organization_id)
    if stored is None:
        raise NotFound(organization_id)
    if command.version is not None and stored.version != command.version:
        raise VersionConflict(organization_id, command.version, stored.version)
    step = single_step(
        Mapping(kind=MappingKind.DISSOLVE, from_ids=[organization_id]),
        command.effective_date,
        command.legal_basis,
        command.operation_id or f"dissolve-{uuid.uuid4()}",
        from_name="organization_id",
        from_indexed=False,
    )
    return await run_operation(organizations, step, correlation_id)


# ---------------------------------------------------------------------------------------------------- batches


def fingerprint(batch: ReorganizationBatch) -> str:
    canonical = json.dumps(batch.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def apply_reorganization(
    batch: ReorganizationBatch,
    organizations: AggregateStore,
    reorganizations: AggregateStore,
    *,
    correlation_id: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Apply a bulk reorganisation once per `batch_id`; returns the batch record and whether this call applied it.

    How it stays correct without multi-document transactions:

    1. The batch record (`reorganizations/<batch_id>`) remembers a fingerprint of the request. The same id with
       other content is refused (409); an APPLIED batch is answered from the record, writing and emitting nothing.
    2. Every step is validated, in order, on an in-memory copy of the organisations involved, before anything is
       written: one invalid mapping refuses the whole batch (4xx, field `mappings.<i>.…`) and nothing is written.
    3. The record is created as APPLYING, then each step is cut into per-organisation writes whose ids derive from
       the batch id, the step index and the organisation (`<batch>/<i>/<org>`), applied with `apply_event`, which
       stores the write id in the same insert as the new state. Each event id derives from its write id too.
    4. After the last step, the record becomes APPLIED in a write that carries `reorganization.applied.v1`.

    If the process dies midway, the record stays APPLYING and some organisations carry the batch's write ids.
    Re-sending the same batch plans again, skips every write already recorded (and the checks of the steps it
    started), applies the rest, and emits each step's event exactly once: the write that carries it is either
    recorded (and its event is in the outbox) or not written at all.
    """
    digest = fingerprint(batch)
    stored = await reorganizations.get(batch.batch_id)
    if stored is not None:
        if stored.state["fingerprint"] != digest:
            raise InvalidTransition(
                f"batch {batch.batch_id} was already sent with other mappings", field="batch_id", code="batch_mismatch"
            )
        if stored.state["status"] == "APPLIED":
            return stored.state, False
    steps = steps_of(batch)
    writes = await plan(Workspace(organizations), steps)
    record = {
        "batch_id": batch.batch_id,
        "title": batch.title,
        "legal_basis": batch.legal_basis,
        "effective_date": batch.effective_date.isoformat(),
        "fingerprint": digest,
        "status": "APPLYING",
        "mappings": [m.model_dump(mode="json", exclude_none=True) for m in batch.mappings],
    }
    if stored is None:
        await reorganizations.apply_event(batch.batch_id, f"{batch.batch_id}/started", lambda _c: (record, []))
    await execute(organizations, writes, correlation_id)

    applied = ReorganizationApplied(
        batch_id=batch.batch_id,
        title=batch.title,
        legal_basis=batch.legal_basis,
        steps=[s.summary() for s in steps],
    )
    write_id = f"{batch.batch_id}/applied"

    def finish(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]] | None:
        if current is not None and current.state.get("status") == "APPLIED":
            return None
        event = to_event(
            applied, batch.batch_id, f"reorganizations/{batch.batch_id}", correlation_id, derived_event_id(write_id)
        )
        return {**record, "status": "APPLIED"}, [event]

    await reorganizations.apply_event(batch.batch_id, write_id, finish)
    final = await reorganizations.get(batch.batch_id)
    assert final is not None
    return final.state, True
