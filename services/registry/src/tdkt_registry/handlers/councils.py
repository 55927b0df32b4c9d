"""Commands on Emulation–Commendation Councils (Hội đồng Thi đua – Khen thưởng): constitute one, seat and unseat
members. Each change emits `council.membership.changed.v1` with the whole member list."""

from __future__ import annotations

from functools import partial

from tdkt_registry.domain import people as domain
from tdkt_registry.domain.people import ConstituteCouncil, Council, SeatMember, UnseatMember
from tdkt_registry.handlers.organizations import load_organization
from tdkt_registry.store import COUNCILS, ORGANIZATIONS, PERSONS, repository
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

council_repository = partial(repository, model=Council)


async def constitute_council(command: ConstituteCouncil, stores: Stores, ctx: CommandContext) -> Loaded[Council]:
    """A council for a term with its members; emits `council.constituted.v1`."""
    owner = await load_organization(stores.store(ORGANIZATIONS), command.organization_id)
    persons = stores.store(PERSONS)
    known = {m.person_id for m in command.members if await persons.get(m.person_id) is not None}
    council, constituted = domain.constitute(command, owner, known)
    return await council_repository(stores.store(COUNCILS)).add(council, constituted, ctx)


async def seat_member(council_id: str, command: SeatMember, stores: Stores, ctx: CommandContext) -> Loaded[Council]:
    """Seat a person (or give a member a new role) from `valid_from`."""
    repo = council_repository(stores.store(COUNCILS))
    loaded = await repo.load(council_id, command.version)
    new = domain.seat(loaded.aggregate, command, await stores.store(PERSONS).get(command.person_id) is not None)
    return await repo.save(loaded, new, new.event(command.person_id), ctx)


async def unseat_member(
    council_id: str, person_id: str, command: UnseatMember, councils: AggregateStore, ctx: CommandContext
) -> Loaded[Council]:
    repo = council_repository(councils)
    loaded = await repo.load(council_id, command.version)
    new = domain.unseat(loaded.aggregate, person_id, command)
    return await repo.save(loaded, new, new.event(person_id), ctx)
