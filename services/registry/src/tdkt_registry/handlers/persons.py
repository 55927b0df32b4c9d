"""Commands on persons (cá nhân) and their employment history; and reading them within the caller's scope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

from tdkt_registry import policy
from tdkt_registry.domain import people as domain
from tdkt_registry.domain.people import EndEmployment, Person, RegisterPerson, StartEmployment
from tdkt_registry.handlers.organizations import load_organization
from tdkt_registry.store import ORGANIZATIONS, PERSONS, repository
from tdkt_shared.auth import Principal
from tdkt_shared.contract.registry import PersonEmploymentChanged
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.kit.filters import where
from tdkt_shared.runtime import Stores
from tdkt_shared.store import AggregateStore

SCAN_LIMIT = 100_000


person_repository = partial(repository, model=Person)


async def register_person(command: RegisterPerson, persons: AggregateStore, ctx: CommandContext) -> Loaded[Person]:
    """Emits `person.registered.v1`."""
    person, registered = domain.register_person(command)
    return await person_repository(persons).add(person, registered, ctx)


def _employment(step: Callable[[Person], Person]) -> Callable[[Person], tuple[Person, PersonEmploymentChanged]]:
    """An employment change emits `person.employment.changed.v1` with the whole history."""

    def changed(person: Person) -> tuple[Person, PersonEmploymentChanged]:
        new = step(person)
        return new, new.employment_event()

    return changed


async def start_employment(
    person_id: str, command: StartEmployment, stores: Stores, ctx: CommandContext
) -> Loaded[Person]:
    """Start a position (a transfer when `close_previous`)."""
    org = await load_organization(stores.store(ORGANIZATIONS), command.organization_id)
    step = _employment(lambda person: domain.start_employment(person, command, org))
    return await person_repository(stores.store(PERSONS)).change(person_id, command.version, step, ctx)


async def end_employment(
    person_id: str, command: EndEmployment, persons: AggregateStore, ctx: CommandContext
) -> Loaded[Person]:
    step = _employment(lambda person: domain.end_employment(person, command))
    return await person_repository(persons).change(person_id, command.version, step, ctx)


# ---------------------------------------------------------------------------------------------------- reads


async def read_person(
    person_id: str, persons: AggregateStore, organizations: AggregateStore, principal: Principal
) -> Loaded[Person]:
    """The person (NotFound), if `principal` may see it (Forbidden otherwise)."""
    loaded = await person_repository(persons).load(person_id)
    await policy.ensure_may_read_person(principal, loaded.aggregate, organizations)
    return loaded


async def find_persons(
    persons: AggregateStore,
    organizations: AggregateStore,
    principal: Principal,
    organization_id: str | None = None,
    on: date | None = None,
) -> list[Loaded[Person]]:
    """The persons `principal` may see, optionally those employed in `organization_id` (on `on` if given)."""
    access = await policy.person_access(principal, organizations)
    query = where({"employments.organization_id": organization_id})
    found = [p for p in await person_repository(persons).find(query, limit=SCAN_LIMIT) if access.admits(p.aggregate)]
    if on is None:
        return found
    return [p for p in found if any(organization_id in (None, e.organization_id) for e in p.aggregate.employed_on(on))]
