"""Lineage operations as pure steps: merge, split, change (rename, reparent…) and dissolve.

A step touches several organisations, and the store is atomic per aggregate only. So a step is described as an
ordered list of `Write`s, one per organisation, each with a deterministic `write_id` derived from the operation
id (`<operation id>/<step>/<organisation>`). The handler applies each write with `apply_event(aggregate,
write_id, …)`, which records the write id in the same single-document insert as the new state: a write that
was already applied is skipped, so re-sending an interrupted operation with the same id finishes it without
doing anything twice. The write that emits the step's event comes last, so the event is only published once every
organisation it speaks about has been updated.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tdkt_registry.domain.organizations import (
    LineageLink,
    LinkKind,
    Organization,
    OrganizationChanges,
    OrganizationStatus,
    change,
    changed_event,
    continue_split,
    end,
    receive,
)
from tdkt_shared.contract.registry import (
    MappingKind,
    OrganizationDissolved,
    OrganizationsMerged,
    OrganizationSplit,
    ReorganizationStep,
)
from tdkt_shared.contract.text import Day, Flag, Identifier, Text, Whole
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError
from tdkt_shared.kit.models import Command

EVENT_NAMESPACE = uuid.UUID("6f1d7c1e-3a0b-5c55-9d1e-2a0f7b3c4d5e")

OperationId = str


def derived_event_id(write_id: str, n: int = 0) -> str:
    """The id of the n-th event of a write: the same on every retry, so a resumed write emits the same event."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{write_id}#{n}"))


Apply = Callable[[Organization, int], tuple[Organization, list[EventData]]]
"""Given an organisation and the version its write will get, the new organisation and the events to emit."""


@dataclass(frozen=True)
class Write:
    aggregate_id: str
    write_id: str
    apply: Apply
    field: str
    """The input that names this organisation (for error messages)."""


class Mapping(Command):
    """One step of a lineage operation or of a bulk reorganisation.

    - MERGE: every `from_ids` organisation merges into `to_ids[0]` (which must exist and be in force).
    - SPLIT: `from_ids[0]` splits into `to_ids` (which must exist: register them from the effective date first).
    - CHANGE: a new version of `from_ids[0]` with `changes` (rename, retype, reparent, recode).
    - DISSOLVE: `from_ids[0]` ends with no successor.
    """

    kind: MappingKind
    from_ids: list[Identifier] = Field(min_length=1, max_length=500)
    to_ids: list[Identifier] = Field(default_factory=list, max_length=500)
    effective_date: Day | None = None
    """Defaults to the batch's effective date."""
    legal_basis: Text | None = None
    """Defaults to the batch's legal basis."""
    changes: OrganizationChanges | None = None
    predecessor_continues: Flag = False

    @model_validator(mode="after")
    def _shape(self) -> Mapping:
        if len(set(self.from_ids)) != len(self.from_ids):
            raise ValueError("from_ids lists an organisation twice")
        if len(set(self.to_ids)) != len(self.to_ids):
            raise ValueError("to_ids lists an organisation twice")
        if set(self.from_ids) & set(self.to_ids):
            raise ValueError("an organisation cannot be its own predecessor")
        many_from = self.kind is MappingKind.MERGE
        if not many_from and len(self.from_ids) != 1:
            raise ValueError(f"{self.kind} takes exactly one organisation in from_ids")
        wanted_to = {MappingKind.MERGE: (1, 1), MappingKind.SPLIT: (1, 500)}.get(self.kind, (0, 0))
        if not wanted_to[0] <= len(self.to_ids) <= wanted_to[1]:
            raise ValueError(f"{self.kind} takes {wanted_to[0]} to {wanted_to[1]} organisations in to_ids")
        if (self.kind is MappingKind.CHANGE) != (self.changes is not None):
            raise ValueError("changes are given with CHANGE and only with it")
        if self.predecessor_continues and self.kind is not MappingKind.SPLIT:
            raise ValueError("predecessor_continues applies to SPLIT only")
        return self


class ReorganizationBatch(Command):
    """Command: many mappings applied in order as one reorganisation, idempotent by `batch_id`."""

    batch_id: Identifier
    title: Text | None = None
    legal_basis: Text
    effective_date: Day
    mappings: list[Mapping] = Field(min_length=1, max_length=5000)


class _LineageCommand(BaseModel):
    """A merger or a split: its shape is checked as the mapping it stands for."""

    def mapping(self) -> Mapping:
        raise NotImplementedError

    @model_validator(mode="after")
    def _shape(self) -> Self:
        self.mapping()
        return self


class MergeOrganizations(_LineageCommand):
    """Command: predecessors merge into an existing successor on `effective_date`."""

    model_config = ConfigDict(extra="forbid")

    predecessor_ids: list[Identifier] = Field(min_length=1, max_length=500)
    successor_id: Identifier
    effective_date: Day
    legal_basis: Text
    operation_id: Identifier | None = None
    """Pass one to make the request safe to re-send: a repeat, or the rest of an interrupted one, is applied once."""

    def mapping(self) -> Mapping:
        return Mapping(kind=MappingKind.MERGE, from_ids=self.predecessor_ids, to_ids=[self.successor_id])


class SplitOrganization(_LineageCommand):
    """Command: a predecessor splits into existing successors on `effective_date`."""

    model_config = ConfigDict(extra="forbid")

    predecessor_id: Identifier
    successor_ids: list[Identifier] = Field(min_length=1, max_length=500)
    effective_date: Day
    legal_basis: Text
    predecessor_continues: Flag = False
    operation_id: Identifier | None = None

    def mapping(self) -> Mapping:
        return Mapping(
            kind=MappingKind.SPLIT,
            from_ids=[self.predecessor_id],
            to_ids=self.successor_ids,
            predecessor_continues=self.predecessor_continues,
        )


class DissolveOrganization(Command):
    """Command: an organisation ends on `effective_date` without a successor."""

    effective_date: Day
    legal_basis: Text
    version: Whole | None = Field(default=None, ge=1, description="If given, 409 unless it is the current version")
    operation_id: Identifier | None = None


@dataclass(frozen=True)
class Step:
    """A mapping with its defaults resolved, ready to become writes."""

    index: Whole
    mapping: Mapping
    effective_date: Day
    legal_basis: str
    operation_id: OperationId
    batch_id: str | None
    prefix: str
    """The dotted path of this mapping in the request, for error fields ("" for a single operation)."""
    from_name: str = "from_ids"
    to_name: str = "to_ids"
    from_indexed: Flag = True
    to_indexed: Flag = True

    def field(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def from_field(self, i: int) -> str:
        return self.field(f"{self.from_name}.{i}" if self.from_indexed else self.from_name)

    def to_field(self, i: int) -> str:
        return self.field(f"{self.to_name}.{i}" if self.to_indexed else self.to_name)

    def write_id(self, aggregate_id: str) -> str:
        return f"{self.operation_id}/{self.index}/{aggregate_id}"

    def summary(self) -> ReorganizationStep:
        m = self.mapping
        return ReorganizationStep(kind=m.kind, from_ids=m.from_ids, to_ids=m.to_ids, effective_date=self.effective_date)


def steps_of(batch: ReorganizationBatch) -> list[Step]:
    return [
        Step(
            index=i,
            mapping=m,
            effective_date=m.effective_date or batch.effective_date,
            legal_basis=m.legal_basis or batch.legal_basis,
            operation_id=batch.batch_id,
            batch_id=batch.batch_id,
            prefix=f"mappings.{i}.",
        )
        for i, m in enumerate(batch.mappings)
    ]


def single_step(
    mapping: Mapping,
    effective_date: date,
    legal_basis: str,
    operation_id: str,
    *,
    from_name: str,
    to_name: str = "to_ids",
    from_indexed: bool = True,
    to_indexed: bool = True,
) -> Step:
    return Step(
        0, mapping, effective_date, legal_basis, operation_id, None, "", from_name, to_name, from_indexed, to_indexed
    )


def _link(step: Step, kind: LinkKind, other: str) -> LineageLink:
    return LineageLink(
        kind=kind,
        organization_id=other,
        effective_date=step.effective_date,
        legal_basis=step.legal_basis,
        operation_id=step.operation_id,
        batch_id=step.batch_id,
    )


def writes_of(step: Step) -> list[Write]:
    """The per-organisation writes of a step, in the order they must be applied (the event-carrying one last)."""
    m, day, basis = step.mapping, step.effective_date, step.legal_basis
    writes: list[Write] = []

    if m.kind is MappingKind.MERGE:
        successor = m.to_ids[0]
        for i, pred in enumerate(m.from_ids):

            def close(org: Organization, _v: int, field: str = step.from_field(i)) -> Any:
                link = _link(step, LinkKind.MERGED_INTO, successor)
                ended = end(org, day, OrganizationStatus.MERGED, basis, [link], field=field, date_field=_date(step))
                return ended, []

            writes.append(Write(pred, step.write_id(pred), close, step.from_field(i)))

        def absorb(org: Organization, _v: int) -> Any:
            links = [_link(step, LinkKind.MERGED_FROM, p) for p in m.from_ids]
            merged = OrganizationsMerged(
                predecessor_ids=m.from_ids,
                successor_id=successor,
                effective_date=day,
                legal_basis=basis,
                batch_id=step.batch_id,
            )
            return receive(org, day, links, field=step.to_field(0)), [merged]

        writes.append(Write(successor, step.write_id(successor), absorb, step.to_field(0)))

    elif m.kind is MappingKind.SPLIT:
        pred = m.from_ids[0]
        for i, succ in enumerate(m.to_ids):

            def take(org: Organization, _v: int, field: str = step.to_field(i)) -> Any:
                return receive(org, day, [_link(step, LinkKind.SPLIT_FROM, pred)], field=field), []

            writes.append(Write(succ, step.write_id(succ), take, step.to_field(i)))

        def split(org: Organization, _v: int) -> Any:
            links = [_link(step, LinkKind.SPLIT_INTO, s) for s in m.to_ids]
            field = step.from_field(0)
            if m.predecessor_continues:
                new = continue_split(org, links, field=field)
            else:
                new = end(org, day, OrganizationStatus.SPLIT, basis, links, field=field, date_field=_date(step))
            event = OrganizationSplit(
                predecessor_id=pred,
                successor_ids=m.to_ids,
                effective_date=day,
                legal_basis=basis,
                predecessor_continues=m.predecessor_continues,
                batch_id=step.batch_id,
            )
            return new, [event]

        writes.append(Write(pred, step.write_id(pred), split, step.from_field(0)))

    elif m.kind is MappingKind.CHANGE:
        target = m.from_ids[0]
        values = m.changes.values() if m.changes is not None else {}

        def alter(org: Organization, version: int) -> Any:
            new, changed = change(org, values, day, basis, field_prefix=step.prefix)
            return new, [changed_event(new, changed, version, step.batch_id)]

        writes.append(Write(target, step.write_id(target), alter, step.from_field(0)))

    else:
        target = m.from_ids[0]

        def dissolve(org: Organization, _v: int) -> Any:
            field = step.from_field(0)
            ended = end(org, day, OrganizationStatus.DISSOLVED, basis, [], field=field, date_field=_date(step))
            event = OrganizationDissolved(
                organization_id=target, effective_date=day, legal_basis=basis, batch_id=step.batch_id
            )
            return ended, [event]

        writes.append(Write(target, step.write_id(target), dissolve, step.from_field(0)))
    return writes


def _date(step: Step) -> str:
    return step.field("effective_date")


def check_no_children(org_id: str, children: list[str], day: date, field: str) -> None:
    if children:
        raise DomainError(
            f"{org_id} still has organisations under it from {day}: {', '.join(sorted(children))}; "
            "reparent, merge or dissolve them first (earlier in the same batch)",
            field=field,
            code="has_children",
        )
