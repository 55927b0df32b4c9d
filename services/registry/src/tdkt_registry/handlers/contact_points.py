"""Contact points: where an organisation's or a person's notifications go (one per owner)."""

from __future__ import annotations

from functools import partial

from tdkt_registry.domain.roles import ContactPoint, OwnerKind, SetContactPoint, contact_point_id
from tdkt_registry.store import repository
from tdkt_shared.errors import DomainError
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.store import AggregateStore, NotFound, VersionConflict

contact_point_repository = partial(repository, model=ContactPoint)


async def set_contact_point(
    owner_kind: OwnerKind,
    owner_id: str,
    command: SetContactPoint,
    contact_points: AggregateStore,
    owners: AggregateStore,
    ctx: CommandContext,
) -> Loaded[ContactPoint]:
    """Create the owner's contact point, or replace it (with `command.version`); emits `contact_point.set.v1` keyed
    by the owner. `owners` is the collection of the owner's kind."""
    if await owners.get(owner_id) is None:
        raise NotFound(owner_id)
    repo = contact_point_repository(contact_points)
    key = contact_point_id(owner_kind, owner_id)
    point = ContactPoint(
        owner_id=owner_id,
        owner_kind=owner_kind,
        email=command.email,
        webhook_url=None if command.webhook_url is None else str(command.webhook_url),
    )
    current = await repo.get(key)
    if current is None:
        if command.version is not None:
            raise VersionConflict(key, command.version, None)
        return await repo.add(point, point.event(), ctx, aggregate_id=key)
    if command.version is None:
        raise DomainError(
            "a contact point exists: send its version to replace it", field="version", code="version_required"
        )
    if current.version != command.version:
        raise VersionConflict(key, command.version, current.version)
    if current.aggregate == point:
        raise DomainError("the contact point is unchanged", field="email", code="no_change")
    return await repo.save(current, point, point.event(), ctx)


async def read_contact_point(
    owner_kind: OwnerKind, owner_id: str, contact_points: AggregateStore
) -> Loaded[ContactPoint]:
    return await contact_point_repository(contact_points).load(contact_point_id(owner_kind, owner_id))
