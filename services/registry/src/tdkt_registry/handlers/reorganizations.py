"""Lineage operations over several organisations: merger (sáp nhập), split (chia tách), dissolution (giải thể), and a
bulk reorganisation (many of them in order, once per batch id).

An operation is cut into per-organisation writes (`tdkt_registry.domain.lineage.writes_of`). Every step is first
validated on a `Workspace` (an in-memory copy of the organisations involved); then each write is applied with
`apply_event` under a write id derived from the operation, and each event id derives from its write id, so an
interrupted operation re-sent with the same id finishes the job and emits each event exactly once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel

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
from tdkt_registry.domain.organizations import Organization
from tdkt_registry.handlers.organizations import Workspace, check_change_references, organization_repository
from tdkt_registry.store import repository
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import MappingKind, ReorganizationApplied
from tdkt_shared.contract.text import Day
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.kit import CommandContext
from tdkt_shared.store import AggregateStore, NotFound, Stored


class Reorganization(BaseModel):
    """The record of a bulk reorganisation: what was asked (and its fingerprint), and how far it went."""

    batch_id: str
    title: str | None
    legal_basis: str
    effective_date: Day
    fingerprint: str
    status: Literal["APPLYING", "APPLIED"]
    mappings: list[dict[str, Any]]


reorganization_repository = partial(repository, model=Reorganization)


# ---------------------------------------------------------------------------------------------------- planning


async def _check_step(workspace: Workspace, step: Step) -> None:
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
            await _check_step(workspace, step)
        for write in pending:
            org = workspace.orgs[write.aggregate_id]
            new, _ = write.apply(org, workspace.versions[write.aggregate_id] + 1)
            workspace.put(new)
            todo.append(write)
    return todo


async def execute(organizations: AggregateStore, writes: list[Write], ctx: CommandContext) -> None:
    """Apply each write once, in order; a write already applied (same write id) is skipped by the store."""
    repo = organization_repository(organizations)
    for write in writes:

        def mutation(current: Stored | None, write: Write = write) -> tuple[dict[str, Any], list[CloudEvent]]:
            if current is None:
                raise NotFound(write.aggregate_id)
            new, data = write.apply(Organization.model_validate(current.state), current.version + 1)
            events = [
                repo.envelope(d, write.aggregate_id, ctx, event_id=derived_event_id(write.write_id, n))
                for n, d in enumerate(data)
            ]
            return repo.state(new), events

        await organizations.apply_event(write.aggregate_id, write.write_id, mutation)


async def _operate(
    workspace: Workspace,
    mapping: Mapping,
    command: MergeOrganizations | SplitOrganization | DissolveOrganization,
    ctx: CommandContext,
    **field_names: Any,
) -> list[str]:
    """Plan and apply one operation; the organisations it touched, sorted. Its id is the command's, or one derived
    from the request itself, so the same request sent again after a failure part-way finishes the operation.
    `field_names` name the command's fields in error messages (see `single_step`)."""
    derived = fingerprint(command, exclude={"operation_id"})[:32]
    operation_id = command.operation_id or f"{mapping.kind.lower()}-{derived}"
    step = single_step(mapping, command.effective_date, command.legal_basis, operation_id, **field_names)
    await execute(workspace.store, await plan(workspace, [step]), ctx)
    return sorted({w.aggregate_id for w in writes_of(step)})


# ---------------------------------------------------------------------------------------------------- operations


async def merge_organizations(
    command: MergeOrganizations, organizations: AggregateStore, ctx: CommandContext
) -> list[str]:
    """Merge the predecessors into the successor; emits `organizations.merged.v1` keyed by the successor."""
    names = {"from_name": "predecessor_ids", "to_name": "successor_id", "to_indexed": False}
    return await _operate(Workspace(organizations), command.mapping(), command, ctx, **names)


async def split_organization(
    command: SplitOrganization, organizations: AggregateStore, ctx: CommandContext
) -> list[str]:
    """Split the predecessor into the successors; emits `organization.split.v1` keyed by the predecessor."""
    names = {"from_name": "predecessor_id", "from_indexed": False, "to_name": "successor_ids"}
    return await _operate(Workspace(organizations), command.mapping(), command, ctx, **names)


async def dissolve_organization(
    organization_id: str, command: DissolveOrganization, organizations: AggregateStore, ctx: CommandContext
) -> list[str]:
    """End the organisation with no successor; emits `organization.dissolved.v1`. With `command.version`, 409 unless
    it is the current one."""
    workspace = Workspace(organizations)
    await workspace.load(organization_id, command.version)
    dissolution = Mapping(kind=MappingKind.DISSOLVE, from_ids=[organization_id])
    return await _operate(workspace, dissolution, command, ctx, from_name="organization_id", from_indexed=False)


# ---------------------------------------------------------------------------------------------------- batches


def fingerprint(request: BaseModel, exclude: set[str] | None = None) -> str:
    """SHA-256 of the request's canonical JSON: the same request has the same fingerprint."""
    canonical = json.dumps(request.model_dump(mode="json", exclude=exclude), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


async def apply_reorganization(
    batch: ReorganizationBatch,
    organizations: AggregateStore,
    reorganizations: AggregateStore,
    ctx: CommandContext,
) -> tuple[Reorganization, bool]:
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
    records = reorganization_repository(reorganizations)
    digest = fingerprint(batch)
    found = await records.get(batch.batch_id)
    if found is not None:
        if found.aggregate.fingerprint != digest:
            raise InvalidTransition(
                f"batch {batch.batch_id} was already sent with other mappings", field="batch_id", code="batch_mismatch"
            )
        if found.aggregate.status == "APPLIED":
            return found.aggregate, False
    steps = steps_of(batch)
    writes = await plan(Workspace(organizations), steps)
    record = Reorganization(
        batch_id=batch.batch_id,
        title=batch.title,
        legal_basis=batch.legal_basis,
        effective_date=batch.effective_date,
        fingerprint=digest,
        status="APPLYING",
        mappings=[m.model_dump(mode="json", exclude_none=True) for m in batch.mappings],
    )
    if found is None:
        await reorganizations.apply_event(
            batch.batch_id, f"{batch.batch_id}/started", lambda _current: (records.state(record), [])
        )
    await execute(organizations, writes, ctx)

    applied = record.model_copy(update={"status": "APPLIED"})
    write_id = f"{batch.batch_id}/applied"
    closed = ReorganizationApplied(
        batch_id=batch.batch_id,
        title=batch.title,
        legal_basis=batch.legal_basis,
        steps=[s.summary() for s in steps],
    )

    def finish(current: Stored | None) -> tuple[dict[str, Any], list[CloudEvent]] | None:
        if current is not None and current.state.get("status") == "APPLIED":
            return None
        event = records.envelope(closed, batch.batch_id, ctx, event_id=derived_event_id(write_id))
        return records.state(applied), [event]

    await reorganizations.apply_event(batch.batch_id, write_id, finish)
    return applied, True
