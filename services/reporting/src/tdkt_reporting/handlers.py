"""Reporting's handlers of commands and consumed events: load, ask the domain, write state and events at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TypeVar

from pydantic import BaseModel

from tdkt_reporting.domain import clusters, congresses, movements, registrations, reports, scoring
from tdkt_reporting.domain.directory import KnownOrganization, from_registered, merged
from tdkt_shared.contract import CloudEvent, EventData, make_event
from tdkt_shared.contract.registry import (
    ClusterFormed,
    ClusterMembershipChanged,
    OrganizationRegistered,
    OrganizationsMerged,
)
from tdkt_shared.errors import UnknownReference
from tdkt_shared.store import AggregateStore, NotFound, Stored, VersionConflict

M = TypeVar("M", bound=BaseModel)
MAX_MERGER_HOPS = 20
MAX_LINEAGE = 200


def now() -> datetime:
    return datetime.now(UTC)


def _event(
    data: EventData,
    aggregate_id: str,
    subject: str,
    correlation_id: str | None,
    *,
    causation_id: str | None = None,
    event_id: str | None = None,
) -> CloudEvent:
    return make_event(
        data,
        partitionkey=aggregate_id,
        subject=f"{subject}/{aggregate_id}",
        correlationid=correlation_id,
        causationid=causation_id,
        event_id=event_id,
    )


async def load(store: AggregateStore, aggregate_id: str, model: type[M]) -> tuple[M, int]:
    stored = await store.get(aggregate_id)
    if stored is None:
        raise NotFound(aggregate_id)
    return model.model_validate(stored.state), stored.version


async def transition(
    store: AggregateStore,
    aggregate_id: str,
    expected_version: int,
    model: type[M],
    change: Callable[[M, int], tuple[M, EventData]],
    correlation_id: str | None = None,
    loaded: Stored | None = None,
) -> tuple[M, int]:
    """Load at the version the client read, apply one domain change, write the state and its event together.

    `loaded` is the aggregate as the caller just read it (the API, to admit the principal): no second read. The
    write is a compare-and-set on its version either way."""
    if loaded is not None and loaded.id == aggregate_id:
        current, version = model.model_validate(loaded.state), loaded.version
    else:
        current, version = await load(store, aggregate_id, model)
    if version != expected_version:
        raise VersionConflict(aggregate_id, expected_version, version)
    changed, data = change(current, version)
    event = _event(data, aggregate_id, store.collection, correlation_id)
    stored = await store.update(aggregate_id, expected_version, changed.model_dump(mode="json"), [event])
    return changed, stored.version


async def create(
    store: AggregateStore, aggregate_id: str, aggregate: BaseModel, data: EventData, correlation_id: str | None
) -> int:
    event = _event(data, aggregate_id, store.collection, correlation_id)
    stored = await store.create(aggregate_id, aggregate.model_dump(mode="json"), [event])
    return stored.version


# --- Directory ------------------------------------------------------------------------------------------------------


async def known_organization(organizations: AggregateStore, organization_id: str) -> KnownOrganization | None:
    stored = await organizations.get(organization_id)
    return None if stored is None else KnownOrganization.model_validate(stored.state)


async def successors(organizations: AggregateStore, organization_id: str) -> list[str]:
    """The organisations `organization_id` merged into, nearest first (a chain of mergers)."""
    chain: list[str] = []
    current = await known_organization(organizations, organization_id)
    while current is not None and current.successor_id and len(chain) < MAX_MERGER_HOPS:
        if current.successor_id in chain or current.successor_id == organization_id:
            break
        chain.append(current.successor_id)
        current = await known_organization(organizations, current.successor_id)
    return chain


async def predecessors(organizations: AggregateStore, organization_id: str) -> list[str]:
    """The organisations that merged into `organization_id`, directly or through earlier mergers, nearest first."""
    found: list[str] = []
    frontier = [organization_id]
    while frontier and len(found) < MAX_LINEAGE:
        merged_in = await organizations.find({"successor_id": {"$in": frontier}}, limit=MAX_LINEAGE)
        frontier = [s.id for s in merged_in if s.id != organization_id and s.id not in found]
        found.extend(frontier)
    return found


async def lineage(organizations: AggregateStore, organization_id: str) -> list[str]:
    """The organisations whose dossiers `organization_id` shares through mergers: its successors and predecessors."""
    return [
        *await successors(organizations, organization_id),
        *await predecessors(organizations, organization_id),
    ]


async def on_organization_registered(
    event: CloudEvent, data: OrganizationRegistered, organizations: AggregateStore
) -> bool:
    """Record the organisation once, whatever the number of deliveries; False for a repeat."""

    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = KnownOrganization.model_validate(current.state) if current else None
        return from_registered(data, known).model_dump(mode="json"), []

    return await organizations.apply_event(data.organization_id, event.id, mutate)


async def on_organizations_merged(
    event: CloudEvent,
    data: OrganizationsMerged,
    organizations: AggregateStore,
    report_store: AggregateStore,
    registration_store: AggregateStore,
) -> int:
    """Mark the predecessors as merged and move their open reports and registrations to the successor, keeping
    their history; the number of aggregates moved.

    Each aggregate applies the event once (by its id), so a redelivery after a crash finishes the job without repeats.
    """
    for predecessor_id in data.predecessor_ids:

        def mark(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]] | None:
            if current is None:
                return None  # never registered here: nothing to mark
            return merged(KnownOrganization.model_validate(current.state), data).model_dump(mode="json"), []

        await organizations.apply_event(predecessor_id, event.id, mark)

    def move_report(state: dict[str, object]) -> tuple[BaseModel, EventData] | None:
        report = reports.Report.model_validate(state)
        return reports.reassign(report, data.predecessor_ids, data.successor_id, data.effective_date, data.legal_basis)

    def move_registration(state: dict[str, object]) -> tuple[BaseModel, EventData] | None:
        registration = registrations.Registration.model_validate(state)
        return registrations.reassign(
            registration, data.predecessor_ids, data.successor_id, data.effective_date, data.legal_basis
        )

    moved = await _move_open(report_store, event, data.predecessor_ids, reports.OPEN, move_report)
    return moved + await _move_open(
        registration_store, event, data.predecessor_ids, registrations.OPEN, move_registration
    )


async def _move_open(
    store: AggregateStore,
    event: CloudEvent,
    predecessor_ids: list[str],
    open_states: tuple[str, ...],
    move: Callable[[dict[str, object]], tuple[BaseModel, EventData] | None],
) -> int:
    moved = 0
    seen: set[str] = set()
    query = {"organization_id": {"$in": list(predecessor_ids)}, "status": {"$in": [str(s) for s in open_states]}}
    while batch := [s for s in await store.find(query, limit=200) if s.id not in seen]:
        for stored in batch:
            seen.add(stored.id)

            def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]] | None:
                if current is None or (change := move(current.state)) is None:
                    return None
                aggregate, out = change
                reassigned = _event(out, current.id, store.collection, event.correlationid, causation_id=event.id)
                return aggregate.model_dump(mode="json"), [reassigned]

            if await store.apply_event(stored.id, event.id, mutate):
                moved += 1
    return moved


# --- Clusters read model ------------------------------------------------------------------------------------------


async def on_cluster_formed(event: CloudEvent, data: ClusterFormed, cluster_store: AggregateStore) -> bool:
    """Record the cluster's year once, whatever the number of deliveries; False for a repeat."""

    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = clusters.KnownCluster.model_validate(current.state) if current else None
        return clusters.formed(known, data).model_dump(mode="json"), []

    return await cluster_store.apply_event(data.cluster_id, event.id, mutate)


async def on_cluster_membership_changed(
    event: CloudEvent, data: ClusterMembershipChanged, cluster_store: AggregateStore
) -> bool:
    """Replace the year's member list once, whatever the number of deliveries; False for a repeat."""

    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = clusters.KnownCluster.model_validate(current.state) if current else None
        return clusters.membership_changed(known, data).model_dump(mode="json"), []

    return await cluster_store.apply_event(data.cluster_id, event.id, mutate)


async def cluster_members(cluster_store: AggregateStore, cluster_id: str, year: int) -> list[str]:
    """The cluster's members for `year` from the read model; 422 naming the field when it is unknown."""
    stored = await cluster_store.get(cluster_id)
    if stored is None:
        raise UnknownReference(f"unknown cluster {cluster_id}", field="cluster_id")
    members = clusters.KnownCluster.model_validate(stored.state).member_ids(year)
    if members is None:
        raise UnknownReference(f"cluster {cluster_id} has no membership for {year}", field="year")
    return members


# --- Movements ------------------------------------------------------------------------------------------------------


async def draft_movement(
    command: movements.DraftMovement,
    store: AggregateStore,
    correlation_id: str | None = None,
    organizations: AggregateStore | None = None,
) -> tuple[movements.Movement, int]:
    """Draft a movement. With the directory (the API passes it; the seed, run before any registry event, does not),
    the launching organisation must be known from the registry's events."""
    if organizations is not None and await organizations.get(command.launching_organization_id) is None:
        raise UnknownReference(
            f"unknown organisation {command.launching_organization_id}", field="launching_organization_id"
        )
    parent = None
    if command.parent_movement_id is not None:
        stored = await store.get(command.parent_movement_id)
        parent = None if stored is None else movements.Movement.model_validate(stored.state)
    movement, data = movements.draft(command, parent)
    return movement, await create(store, movement.id, movement, data, correlation_id)


# --- Reports --------------------------------------------------------------------------------------------------------


async def open_report(
    command: reports.OpenReport,
    store: AggregateStore,
    organizations: AggregateStore,
    movement_store: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[reports.Report, int]:
    if await organizations.get(command.organization_id) is None:
        raise UnknownReference(f"unknown organisation {command.organization_id}", field="organization_id")
    if command.movement_id is not None and await movement_store.get(command.movement_id) is None:
        raise UnknownReference(f"unknown movement {command.movement_id}", field="movement_id")
    report, data = reports.open_report(command)
    return report, await create(store, report.id, report, data, correlation_id)


async def submit_report(
    report_id: str,
    version: int,
    actor: str,
    store: AggregateStore,
    correlation_id: str | None = None,
    at: datetime | None = None,
    loaded: Stored | None = None,
) -> tuple[reports.Report, int]:
    """Submit on behalf of `actor` (the acting organisation), already admitted by the API."""
    when = at or now()
    return await transition(
        store, report_id, version, reports.Report, lambda r, _v: reports.submit(r, actor, when), correlation_id, loaded
    )


async def edit_report(
    report_id: str,
    version: int,
    content: reports.ReportContent,
    actor: str,
    store: AggregateStore,
    correlation_id: str | None = None,
    loaded: Stored | None = None,
) -> tuple[reports.Report, int]:
    return await transition(
        store, report_id, version, reports.Report, lambda r, _v: reports.edit(r, content, actor), correlation_id, loaded
    )


async def send_reminders(store: AggregateStore, today: date, days_before: int) -> int:
    """Emit the due-soon and overdue reminders owed on `today`; each is marked in the report with its event, so a
    rerun (or a restart) never sends it again. The number of reminders written."""
    sent = 0
    offset = 0
    query = {"status": {"$in": [s.value for s in reports.EDITABLE]}}
    while batch := await store.find(query, skip=offset, limit=200):
        offset += len(batch)
        for stored in batch:
            report = reports.Report.model_validate(stored.state)
            owed = reports.due_reminders(report, today, days_before)
            if not owed:
                continue
            events = [
                _event(
                    data,
                    report.id,
                    store.collection,
                    None,
                    event_id=reports.reminder_event_id(report.id, key, report.due_date),
                )
                for key, data in owed
            ]
            marked = report.model_copy(update={"reminders_sent": [*report.reminders_sent, *(k for k, _ in owed)]})
            try:
                await store.update(report.id, stored.version, marked.model_dump(mode="json"), events)
            except VersionConflict:
                continue  # changed meanwhile: the next sweep looks again
            sent += len(events)
    return sent


# --- Congresses -----------------------------------------------------------------------------------------------------


async def schedule_congress(
    command: congresses.ScheduleCongress, store: AggregateStore, correlation_id: str | None = None
) -> tuple[congresses.Congress, int]:
    congress, data = congresses.schedule(command)
    return congress, await create(store, congress.id, congress, data, correlation_id)


# --- Criteria sets, scorecards, rankings ----------------------------------------------------------------------------


async def create_criteria_set(
    command: scoring.CreateCriteriaSet, store: AggregateStore, correlation_id: str | None = None
) -> tuple[scoring.CriteriaSet, int]:
    criteria_set, data = scoring.create_criteria_set(command)
    return criteria_set, await create(store, criteria_set.id, criteria_set, data, correlation_id)


async def open_scorecard(
    command: scoring.OpenScorecard,
    store: AggregateStore,
    criteria_sets: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[scoring.Scorecard, int]:
    stored = await criteria_sets.get(command.criteria_set_id)
    if stored is None:
        raise UnknownReference(f"unknown criteria set {command.criteria_set_id}", field="criteria_set_id")
    card, data = scoring.open_scorecard(command, scoring.CriteriaSet.model_validate(stored.state))
    return card, await create(store, card.id, card, data, correlation_id)


async def rank_cluster(
    cluster_id: str,
    command: scoring.RankCluster,
    store: AggregateStore,
    scorecards: AggregateStore,
    cluster_store: AggregateStore,
    organizations: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[dict[str, object], int]:
    """Rank the members of the cluster for the year (from the read model, or the explicit list of older clients);
    a merged predecessor's scorecard filed under this cluster may count for its successor."""
    members = command.member_organization_ids or await cluster_members(cluster_store, cluster_id, command.year)
    query = {
        "cluster_id": cluster_id,
        "year": command.year,
        "criteria_set_id": command.criteria_set_id,
        "status": scoring.SC.PUBLISHED.value,
    }
    published: list[scoring.Scorecard] = []
    while batch := await scorecards.find(query, skip=len(published), limit=200):
        published.extend(scoring.Scorecard.model_validate(s.state) for s in batch)
    successor_of: dict[str, str] = {}
    for card in published:
        if card.organization_id not in members:
            chain = await successors(organizations, card.organization_id)
            if (target := next((o for o in chain if o in members), None)) is not None:
                successor_of[card.organization_id] = target
    data = scoring.rank_cluster(cluster_id, command, published, members, successor_of)
    state = {**data.model_dump(mode="json"), "criteria_set_id": command.criteria_set_id}
    event = _event(data, data.ranking_id, store.collection, correlation_id)
    return state, (await store.create(data.ranking_id, state, [event])).version


# --- Registrations and pacts ----------------------------------------------------------------------------------------


async def draft_registration(
    command: registrations.DraftRegistration,
    store: AggregateStore,
    organizations: AggregateStore,
    movement_store: AggregateStore,
    correlation_id: str | None = None,
) -> tuple[registrations.Registration, int]:
    if await organizations.get(command.organization_id) is None:
        raise UnknownReference(f"unknown organisation {command.organization_id}", field="organization_id")
    if command.movement_id is not None and await movement_store.get(command.movement_id) is None:
        raise UnknownReference(f"unknown movement {command.movement_id}", field="movement_id")
    registration, data = registrations.draft(command)
    return registration, await create(store, registration.id, registration, data, correlation_id)


async def submit_registration(
    registration_id: str,
    version: int,
    actor: str,
    store: AggregateStore,
    correlation_id: str | None = None,
    loaded: Stored | None = None,
) -> tuple[registrations.Registration, int]:
    """Submit on behalf of `actor` (the acting organisation), already admitted by the API."""
    at = now()
    return await transition(
        store,
        registration_id,
        version,
        registrations.Registration,
        lambda r, _v: registrations.submit(r, actor, at),
        correlation_id,
        loaded,
    )


async def sign_pact(
    command: registrations.SignPact, store: AggregateStore, correlation_id: str | None = None
) -> tuple[registrations.EmulationPact, int]:
    pact, data = registrations.sign(command)
    return pact, await create(store, pact.id, pact, data, correlation_id)
