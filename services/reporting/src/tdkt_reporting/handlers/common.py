"""What the handlers of reporting's dossiers (reports, registrations) share: checks on references, the load of a
dossier for its own organisation, and the move of open dossiers after a merger."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial
from typing import TypeVar

from tdkt_reporting import policy, store
from tdkt_reporting.domain.registrations import Registration
from tdkt_reporting.domain.reports import Report
from tdkt_reporting.domain.scoring import Scorecard
from tdkt_shared.auth import Principal
from tdkt_shared.contract import CloudEvent, EventData
from tdkt_shared.contract.registry import OrganizationsMerged
from tdkt_shared.errors import UnknownReference
from tdkt_shared.kit import CommandContext, Loaded, Repository
from tdkt_shared.kit.directory import Directory
from tdkt_shared.runtime import Stores

BATCH = 200


Filed = TypeVar("Filed", Report, Registration, Scorecard)
"""An aggregate filed under one organisation."""


async def ensure_registered(directory: Directory, organization_id: str, *, field: str = "organization_id") -> None:
    """422 on `field` unless the registry announced the organisation."""
    if not await directory.is_registered(organization_id):
        raise UnknownReference(f"unknown organisation {organization_id}", field=field)


async def ensure_movement(stores: Stores, movement_id: str | None) -> None:
    """422 on `movement_id` when it names no movement."""
    if movement_id is not None and not await store.movements(stores).exists(movement_id):
        raise UnknownReference(f"unknown movement {movement_id}", field="movement_id")


async def ensure_may_file(stores: Stores, ctx: CommandContext, organization_id: str, movement_id: str | None) -> None:
    """A new dossier is filed for an organisation the principal acts for (403) and the registry announced (422), under
    no movement or a movement on record (422)."""
    directory = store.directory(stores)
    await policy.ensure_own(directory, ctx.principal, organization_id)
    await ensure_registered(directory, organization_id)
    await ensure_movement(stores, movement_id)


async def read_own(
    repository: Repository[Filed], directory: Directory, principal: Principal | None, aggregate_id: str
) -> Loaded[Filed]:
    """An aggregate filed under an organisation, admitted for the principal: 404 when missing, 403 when foreign."""
    loaded = await repository.load(aggregate_id)
    await policy.ensure_own(directory, principal, loaded.aggregate.organization_id)
    return loaded


async def load_own(
    repository: Repository[Filed], directory: Directory, ctx: CommandContext, aggregate_id: str, version: int
) -> Loaded[Filed]:
    """`read_own`, then 409 when `version` is not the stored one (a foreigner learns nothing of the versions)."""
    loaded = await read_own(repository, directory, ctx.principal, aggregate_id)
    loaded.expect(version)
    return loaded


async def change_own(
    repository: Repository[Filed],
    directory: Directory,
    ctx: CommandContext,
    aggregate_id: str,
    version: int,
    step: Callable[[Filed], tuple[Filed, EventData]],
) -> Loaded[Filed]:
    """The common command on an aggregate filed under an organisation: `load_own`, one pure step, save (without the
    load when the store knows the aggregate at `version`: `Repository.change_known`)."""

    async def admit(known: Filed) -> None:
        await policy.ensure_own(directory, ctx.principal, known.organization_id)

    if (changed := await repository.change_known(aggregate_id, version, step, ctx, admit)) is not None:
        return changed
    loaded = await load_own(repository, directory, ctx, aggregate_id, version)
    aggregate, events = step(loaded.aggregate)
    return await repository.save(loaded, aggregate, events, ctx)


async def submit_own(
    stores: Stores,
    repository: Repository[Filed],
    submit: Callable[..., tuple[Filed, EventData]],
    ctx: CommandContext,
    aggregate_id: str,
    version: int,
) -> Loaded[Filed]:
    """A dossier submitted by its organisation (or one in its lineage: after a merger, its successor) or a
    specialist: `submit(dossier, actor=, now=)`, the acting organisation signing, through `change_own`."""
    step = partial(submit, actor=policy.acting_organization(ctx), now=ctx.now)
    return await change_own(repository, store.directory(stores), ctx, aggregate_id, version, step)


Reassign = Callable[[Filed, OrganizationsMerged], tuple[Filed, EventData] | None]


async def move_open(
    repository: Repository[Filed],
    event: CloudEvent,
    merger: OrganizationsMerged,
    open_states: Collection[str],
    reassign: Reassign[Filed],
) -> int:
    """Move the open dossiers of the merged organisations to the successor, each once whatever the redeliveries;
    the number moved."""
    moved = 0
    seen: set[str] = set()
    query = {"organization_id": {"$in": list(merger.predecessor_ids)}, "status": {"$in": [str(s) for s in open_states]}}
    while batch := [d for d in await repository.find(query, limit=BATCH) if d.id not in seen]:
        for dossier in batch:
            seen.add(dossier.id)
            if await repository.apply_once(dossier.id, event, partial(_reassigned, reassign=reassign, merger=merger)):
                moved += 1
    return moved


def _reassigned(
    current: Filed | None, *, reassign: Reassign[Filed], merger: OrganizationsMerged
) -> tuple[Filed, EventData] | None:
    return None if current is None else reassign(current, merger)
