"""The organisation directory every service keeps from the registry's events, with the merger lineage.

A projection, not a source: the registry owns organisations; reporting, awards and notify each keep this read model
in their own `organizations` collection, fed by `organization.registered` and `organizations.merged`, and ask it
who an organisation is, which organisations merged into it (sáp nhập) and which one it merged into.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from tdkt_shared.api import ERROR_RESPONSES, Page, PageQuery
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.registry import OrganizationKind, OrganizationRegistered, OrganizationsMerged
from tdkt_shared.kit.repository import Repository
from tdkt_shared.store import AggregateStore, NotFound

ORGANIZATIONS = "organizations"
MAX_HOPS = 20
"""Longest merger chain followed (a province merged into one merged again, ...); a cycle stops earlier."""
MAX_LINEAGE = 200


class Predecessor(BaseModel):
    """An organisation merged into another; its own history counts up to `until`, the eve of the merger."""

    model_config = ConfigDict(frozen=True)

    organization_id: str
    until: date


class Organization(BaseModel):
    """An organisation as the registry announced it. Merger fields appear once it merged or absorbed others."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    name: str | None = None
    kind: OrganizationKind | None = None
    parent_id: str | None = None
    valid_from: date | None = None
    registry_version: int | None = None
    """None until `organization.registered` arrives (a merger may be learnt first)."""
    successor_id: str | None = Field(default=None, validation_alias=AliasChoices("successor_id", "merged_into"))
    """The organisation this one merged into."""
    merged_on: date | None = None
    predecessors: list[Predecessor] = Field(default_factory=list)
    """Organisations merged into this one."""

    @property
    def registered(self) -> bool:
        return self.registry_version is not None


# --- the projection (pure) -------------------------------------------------------------------------------------------


def registered(current: Organization | None, data: OrganizationRegistered) -> Organization:
    """The organisation as registered, keeping merger facts already learnt (two keys' events come in any order)."""
    registration = {
        "name": data.name,
        "kind": data.kind,
        "parent_id": data.parent_id,
        "valid_from": data.valid_from,
        "registry_version": data.version,
    }
    if current is None:
        return Organization(id=data.organization_id, **registration)
    return current.model_copy(update=registration)


def absorbed(current: Organization | None, data: OrganizationsMerged) -> Organization:
    """The successor learns its predecessors, each with the eve of the merger."""
    base = current or Organization(id=data.successor_id)
    until = data.effective_date - timedelta(days=1)
    known = {p.organization_id for p in base.predecessors}
    added = [Predecessor(organization_id=p, until=until) for p in data.predecessor_ids if p not in known]
    return base.model_copy(update={"predecessors": [*base.predecessors, *added]})


def merged_into(current: Organization | None, organization_id: str, data: OrganizationsMerged) -> Organization:
    base = current or Organization(id=organization_id)
    return base.model_copy(update={"successor_id": data.successor_id, "merged_on": data.effective_date})


# --- the directory over a store ---------------------------------------------------------------------------------------


class Directory:
    """Reads and projection over one service's `organizations` collection."""

    def __init__(self, store: AggregateStore) -> None:
        self.organizations = Repository(store, Organization)

    async def get(self, organization_id: str) -> Organization | None:
        loaded = await self.organizations.get(organization_id)
        return None if loaded is None else loaded.aggregate

    async def is_registered(self, organization_id: str) -> bool:
        found = await self.get(organization_id)
        return found is not None and found.registered

    async def successors(self, organization_id: str) -> list[str]:
        """The organisations `organization_id` merged into, nearest first."""
        chain: list[str] = []
        current = await self.get(organization_id)
        while current is not None and current.successor_id and len(chain) < MAX_HOPS:
            if current.successor_id in chain or current.successor_id == organization_id:
                break
            chain.append(current.successor_id)
            current = await self.get(current.successor_id)
        return chain

    async def predecessors(self, organization_id: str) -> list[Predecessor]:
        """Every organisation merged into `organization_id`, directly or through earlier mergers, nearest first;
        a predecessor's `until` is the earliest eve on the way (its history stops counting there)."""
        found: dict[str, Predecessor] = {}
        frontier = [(organization_id, date.max)]
        while frontier and len(found) < MAX_LINEAGE:
            next_frontier: list[tuple[str, date]] = []
            for current_id, ceiling in frontier:
                current = await self.get(current_id)
                for p in current.predecessors if current else []:
                    if p.organization_id in found or p.organization_id == organization_id:
                        continue
                    until = min(p.until, ceiling)
                    found[p.organization_id] = Predecessor(organization_id=p.organization_id, until=until)
                    next_frontier.append((p.organization_id, until))
            frontier = next_frontier
        return list(found.values())[:MAX_LINEAGE]

    async def lineage(self, organization_id: str) -> list[str]:
        """The organisations `organization_id` shares work with through mergers: its successors, then its
        predecessors (a merged unit's officers keep acting for its dossiers, and the successor for theirs)."""
        return [
            *await self.successors(organization_id),
            *[p.organization_id for p in await self.predecessors(organization_id)],
        ]

    async def on_registered(self, event: CloudEvent, data: OrganizationRegistered) -> bool:
        """Record the organisation once, whatever the number of deliveries; False for a repeat."""
        return await self.organizations.apply_once(
            data.organization_id, event, lambda current: (registered(current, data), ())
        )

    async def on_merged(self, event: CloudEvent, data: OrganizationsMerged) -> bool:
        """The successor learns its predecessors; each predecessor learns its successor. Each document applies the
        event once, so a redelivery after a crash finishes the job; False when the successor had it already."""
        applied = await self.organizations.apply_once(
            data.successor_id, event, lambda current: (absorbed(current, data), ())
        )
        for predecessor_id in data.predecessor_ids:
            await self.organizations.apply_once(
                predecessor_id, event, partial(_merged_into_change, organization_id=predecessor_id, data=data)
            )
        return applied

    def event_handlers(self) -> dict[str, Any]:
        """The projection's consumers, keyed by event type (a service adds them to its own)."""
        return {
            OrganizationRegistered.event_type: self.on_registered,
            OrganizationsMerged.event_type: self.on_merged,
        }


def _merged_into_change(
    current: Organization | None, *, organization_id: str, data: OrganizationsMerged
) -> tuple[Organization, tuple[()]]:
    return merged_into(current, organization_id, data), ()


# --- the read API ----------------------------------------------------------------------------------------------------


def _directory(request: Request, collection: str) -> Directory:
    return Directory(request.app.state.runtime.store(collection))


def router(collection: str = ORGANIZATIONS, *, description: str = "") -> APIRouter:
    """`GET /organizations` and `GET /organizations/{id}`: the directory as this service knows it (public)."""
    api = APIRouter(prefix="/organizations", tags=["organizations"], responses=ERROR_RESPONSES)

    @api.get("/{organization_id}", response_model=Organization, response_model_exclude_defaults=True)
    async def get(organization_id: str, request: Request) -> Organization:
        found = await _directory(request, collection).get(organization_id)
        if found is None:
            raise NotFound(organization_id)
        return found

    get.__doc__ = description or "An organisation as this service knows it from the registry's events."

    @api.get("", response_model=Page[Organization], response_model_exclude_defaults=True)
    async def list_organizations(request: Request, page: PageQuery) -> Page[Organization]:
        repository = _directory(request, collection).organizations
        found = await repository.find({}, skip=page.offset, limit=page.limit)
        return Page(
            items=[f.aggregate for f in found],
            total=await repository.count({}),
            offset=page.offset,
            limit=page.limit,
        )

    return api
