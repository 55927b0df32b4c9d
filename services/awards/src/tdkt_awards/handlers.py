"""Award commands and consumed events: load, ask the domain, write state and events in one store call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from tdkt_awards.domain import cluster_flags, directory, links
from tdkt_awards.domain import grants as grant_rules
from tdkt_awards.domain import nominations as workflow
from tdkt_awards.domain.calendar import WorkingDays
from tdkt_awards.domain.catalogue import Catalogue, EffectiveRules
from tdkt_awards.domain.eligibility import Evaluation, GrantFact, NomineeFacts, Predecessor, evaluate
from tdkt_awards.domain.grants import Decision
from tdkt_awards.domain.nominations import Actor, Nomination
from tdkt_shared.contract import CloudEvent, make_event
from tdkt_shared.contract.awards import NomineeKind
from tdkt_shared.contract.registry import (
    CouncilConstituted,
    CouncilMembershipChanged,
    OrganizationRegistered,
    OrganizationsMerged,
    PersonEmploymentChanged,
)
from tdkt_shared.contract.reporting import (
    ClusterRankingPublished,
    CongressCancelled,
    CongressRescheduled,
    CongressScheduled,
    MovementFinalReviewed,
)
from tdkt_shared.contract.types import EventData
from tdkt_shared.errors import DomainError
from tdkt_shared.store import AggregateStore, AlreadyExists, NotFound, Stored, VersionConflict

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class AwardStores:
    nominations: AggregateStore
    decisions: AggregateStore
    organizations: AggregateStore


def _events(data: Sequence[EventData], key: str, subject: str, correlation_id: str | None) -> list[CloudEvent]:
    return [make_event(d, partitionkey=key, subject=subject, correlationid=correlation_id) for d in data]


async def load_nomination(nominations: AggregateStore, nomination_id: str) -> tuple[Nomination, int]:
    stored = await nominations.get(nomination_id)
    if stored is None:
        raise NotFound(nomination_id)
    return Nomination.model_validate(stored.state), stored.version


def rules_of(n: Nomination, catalogue: Catalogue) -> EffectiveRules:
    """The rules recorded on the nomination (those in force for the period judged, in its territory)."""
    return catalogue.rules_by_id(n.rule_set_id)


async def save_nomination(
    nominations: AggregateStore,
    n: Nomination,
    version: int,
    data: Sequence[EventData],
    correlation_id: str | None = None,
) -> tuple[Nomination, int]:
    events = _events(data, n.id, f"nominations/{n.id}", correlation_id)
    stored = await nominations.update(n.id, version, n.model_dump(mode="json"), events)
    return n, stored.version


async def draft_nomination(
    command: workflow.DraftNomination,
    who: Actor,
    nominations: AggregateStore,
    catalogue: Catalogue,
    now: datetime,
    correlation_id: str | None = None,
) -> tuple[Nomination, int]:
    rules = catalogue.rules_for(date(command.year, 12, 31), command.territory)
    n, data = workflow.draft(command, rules, now, who)
    stored = await nominations.create(
        n.id, n.model_dump(mode="json"), _events(data, n.id, f"nominations/{n.id}", correlation_id)
    )
    return n, stored.version


async def transition(
    nominations: AggregateStore,
    nomination_id: str,
    version: int,
    step: Callable[[Nomination], tuple[Nomination, list[EventData]]],
    correlation_id: str | None = None,
) -> tuple[Nomination, int]:
    """Any workflow step: the domain refuses illegal ones before anything is written."""
    n, current = await load_nomination(nominations, nomination_id)
    if current != version:
        raise VersionConflict(nomination_id, version, current)
    moved, data = step(n)
    return await save_nomination(nominations, moved, version, data, correlation_id)


async def submission_links(
    congresses: AggregateStore, movements: AggregateStore, n: Nomination
) -> links.SubmissionLinks:
    congress = await congresses.get(n.congress_id) if n.congress_id else None
    movement = await movements.get(n.movement_id) if n.movement_id else None
    return links.SubmissionLinks(
        congress=links.KnownCongress.model_validate(congress.state) if congress else None,
        movement=links.KnownMovement.model_validate(movement.state) if movement else None,
    )


async def submit_nomination(
    nominations: AggregateStore,
    congresses: AggregateStore,
    movements: AggregateStore,
    nomination_id: str,
    version: int,
    who: Actor,
    now: datetime,
) -> tuple[Nomination, int]:
    """Submit, checked against the congress deadline and the movement's final review known at this time."""
    n, _ = await load_nomination(nominations, nomination_id)
    known = await submission_links(congresses, movements, n)
    return await transition(nominations, nomination_id, version, lambda x: workflow.submit(x, who, now, known))


async def grants_of(decisions: AggregateStore, recipient_ids: Sequence[str]) -> list[GrantFact]:
    if not recipient_ids:
        return []
    found: list[GrantFact] = []
    offset = 0
    while True:
        page = await decisions.find({"grants.recipient_id": {"$in": list(recipient_ids)}}, skip=offset, limit=200)
        for stored in page:
            decision = Decision.model_validate(stored.state)
            found += [g.fact() for g in decision.grants if g.recipient_id in recipient_ids]
        if len(page) < 200:
            return found
        offset += 200


async def lineage(organizations: AggregateStore, organization_id: str) -> list[Predecessor]:
    """Every organisation merged into this one, transitively, each with the last day its history counts."""
    out: list[Predecessor] = []
    todo = [organization_id]
    seen = {organization_id}
    while todo:
        stored = await organizations.get(todo.pop())
        if stored is None:
            continue
        for p in directory.KnownOrganization.model_validate(stored.state).predecessors:
            if p.organization_id not in seen:
                seen.add(p.organization_id)
                out.append(p)
                todo.append(p.organization_id)
    return out


async def organization_lineage(organizations: AggregateStore, organization_id: str) -> set[str]:
    """The organisations an officer of `organization_id` also acts for: every predecessor merged into it
    (transitively) and every successor it was merged into, from the registry's read model."""
    related = {p.organization_id for p in await lineage(organizations, organization_id)}
    current, seen = organization_id, {organization_id}
    while True:
        stored = await organizations.get(current)
        successor = directory.KnownOrganization.model_validate(stored.state).merged_into if stored else None
        if successor is None or successor in seen:
            return related
        seen.add(successor)
        related.add(successor)
        current = successor


async def nominee_facts(stores: AwardStores, nominee: workflow.Nominee) -> NomineeFacts:
    predecessors = (
        await lineage(stores.organizations, nominee.nominee_id) if nominee.kind is NomineeKind.COLLECTIVE else []
    )
    member_ids = [m.person_id for m in nominee.members]
    ids = [nominee.nominee_id, *[p.organization_id for p in predecessors], *member_ids]
    all_grants = await grants_of(stores.decisions, ids)
    members = [
        m.model_copy(update={"grants": [g for g in all_grants if g.recipient_id == m.person_id]})
        for m in nominee.members
    ]
    own = {nominee.nominee_id, *(p.organization_id for p in predecessors)}
    return NomineeFacts(
        nominee_id=nominee.nominee_id,
        kind=nominee.kind,
        grants=[g for g in all_grants if g.recipient_id in own],
        ratings=nominee.ratings,
        disciplines=nominee.disciplines,
        holds=nominee.holds,
        initiatives=nominee.initiatives,
        predecessors=predecessors,
        members=members,
    )


async def appraise(
    stores: AwardStores,
    catalogue: Catalogue,
    nomination_id: str,
    version: int,
    who: Actor,
    now: datetime,
    correlation_id: str | None = None,
) -> tuple[Nomination, int]:
    n, _ = await load_nomination(stores.nominations, nomination_id)
    rules = rules_of(n, catalogue)
    evaluations: list[Evaluation] = []
    relied: list[str] = []
    for nominee in n.nominees:
        facts = await nominee_facts(stores, nominee)
        evaluations.append(evaluate(facts, n.award_code, n.year, now.date(), rules))
        relied += [g.grant_id for g in facts.grants if not g.revoked]
        relied += [g.grant_id for m in facts.members for g in m.grants if not g.revoked]
    return await transition(
        stores.nominations,
        nomination_id,
        version,
        lambda x: workflow.appraise(x, evaluations, relied, rules, who, now),
        correlation_id,
    )


async def open_consultation(
    nominations: AggregateStore,
    catalogue: Catalogue,
    calendar: WorkingDays,
    nomination_id: str,
    version: int,
    channel: str,
    start: date,
    who: Actor,
    now: datetime,
) -> tuple[Nomination, int]:
    n, _ = await load_nomination(nominations, nomination_id)
    rules = rules_of(n, catalogue)
    return await transition(
        nominations,
        nomination_id,
        version,
        lambda x: workflow.open_consultation(x, channel, start, rules, calendar, who, now),
    )


async def add_comment(nominations: AggregateStore, nomination_id: str, comment: workflow.Comment) -> Nomination:
    """Comments are appended whatever the client's version: they do not compete with workflow steps."""
    n, version = await load_nomination(nominations, nomination_id)
    updated = workflow.add_comment(n, comment)
    await nominations.update(n.id, version, updated.model_dump(mode="json"), [])
    return updated


async def decide(
    stores: AwardStores,
    catalogue: Catalogue,
    nomination_id: str,
    command: grant_rules.DecideNomination,
    who: Actor,
    now: datetime,
    correlation_id: str | None = None,
) -> tuple[Decision, Nomination, int]:
    """Create the decision with its grants, then close the nomination.

    Two writes: a retry with the same decision id finds the decision already there and only closes the nomination.
    """
    n, version = await load_nomination(stores.nominations, nomination_id)
    if version != command.version:
        raise VersionConflict(nomination_id, command.version, version)
    decision, granted = grant_rules.decide(n, command, rules_of(n, catalogue), catalogue)
    existing = await stores.decisions.get(decision.id)
    if existing is None:
        await stores.decisions.create(
            decision.id,
            decision.model_dump(mode="json"),
            [
                make_event(e, partitionkey=e.recipient_id, subject=f"grants/{e.grant_id}", correlationid=correlation_id)
                for e in granted
            ],
        )
    else:
        decision = Decision.model_validate(existing.state)
        if decision.nomination_id != n.id:
            raise DomainError(f"decision {decision.id} belongs to another nomination", field="decision_id")
    moved, data = workflow.mark_decided(n, decision.id, who, now)
    n2, v2 = await save_nomination(stores.nominations, moved, version, data, correlation_id)
    return decision, n2, v2


async def import_grants(
    decisions: AggregateStore,
    catalogue: Catalogue,
    batch_id: str,
    lines: list[grant_rules.HistoricalGrant],
    today: date,
) -> Decision:
    decision, granted = grant_rules.import_grants(batch_id, lines, catalogue, today)
    events = [make_event(e, partitionkey=e.recipient_id, subject=f"grants/{e.grant_id}") for e in granted]
    await decisions.create(decision.id, decision.model_dump(mode="json"), events)
    return decision


async def find_decision_of_grant(decisions: AggregateStore, grant_id: str) -> tuple[Decision, int]:
    found = await decisions.find({"grants.grant_id": grant_id}, limit=1)
    if not found:
        raise NotFound(grant_id)
    return Decision.model_validate(found[0].state), found[0].version


async def revoke(
    stores: AwardStores, grant_id: str, command: grant_rules.RevokeGrant, who: Actor, now: datetime
) -> tuple[Decision, list[str]]:
    """Revoke one grant, then send every open nomination that relied on it back to appraisal (`who` revoked it:
    their audit records that)."""
    decision, version = await find_decision_of_grant(stores.decisions, grant_id)
    if version != command.version:
        raise VersionConflict(decision.id, command.version, version)
    updated, event = grant_rules.revoke(decision, grant_id, command)
    await stores.decisions.update(
        decision.id,
        version,
        updated.model_dump(mode="json"),
        [make_event(event, partitionkey=event.recipient_id, subject=f"grants/{grant_id}")],
    )
    reopened: list[str] = []
    for stored in await stores.nominations.find({"relied_on_grants": grant_id}, limit=500):
        n = Nomination.model_validate(stored.state)
        change = workflow.reopen_after_revocation(n, grant_id, who, now)
        if change is not None:
            await save_nomination(stores.nominations, change[0], stored.version, change[1])
            reopened.append(n.id)
    return updated, reopened


# consumed registry events


async def on_organization_registered(
    event: CloudEvent, data: OrganizationRegistered, organizations: AggregateStore
) -> bool:
    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = directory.KnownOrganization.model_validate(current.state) if current else None
        return directory.registered(known, data).model_dump(mode="json"), []

    return await organizations.apply_event(data.organization_id, event.id, mutate)


async def on_organizations_merged(event: CloudEvent, data: OrganizationsMerged, organizations: AggregateStore) -> bool:
    """The successor learns its predecessors (lineage for chains); each predecessor learns its successor."""

    def successor(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = directory.KnownOrganization.model_validate(current.state) if current else None
        return directory.merged_successor(known, data).model_dump(mode="json"), []

    applied = await organizations.apply_event(data.successor_id, event.id, successor)
    for pid in data.predecessor_ids:

        def predecessor(current: Stored | None, pid: str = pid) -> tuple[dict[str, object], list[CloudEvent]]:
            known = directory.KnownOrganization.model_validate(current.state) if current else None
            return directory.merged_predecessor(known, pid, data.successor_id).model_dump(mode="json"), []

        await organizations.apply_event(pid, event.id, predecessor)
    return applied


async def on_person_employment_changed(
    event: CloudEvent, data: PersonEmploymentChanged, persons: AggregateStore
) -> bool:
    def mutate(_current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        return directory.person_from(data).model_dump(mode="json"), []

    return await persons.apply_event(data.person_id, event.id, mutate)


async def on_council_constituted(event: CloudEvent, data: CouncilConstituted, councils: AggregateStore) -> bool:
    def mutate(_current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        return directory.council_constituted(data).model_dump(mode="json"), []

    return await councils.apply_event(data.council_id, event.id, mutate)


async def on_council_membership_changed(
    event: CloudEvent, data: CouncilMembershipChanged, councils: AggregateStore
) -> bool:
    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = directory.KnownCouncil.model_validate(current.state) if current else None
        return directory.council_membership_changed(known, data).model_dump(mode="json"), []

    return await councils.apply_event(data.council_id, event.id, mutate)


async def known_council(councils: AggregateStore, council_id: str | None) -> directory.KnownCouncil | None:
    stored = await councils.get(council_id) if council_id else None
    return directory.KnownCouncil.model_validate(stored.state) if stored else None


# consumed reporting events


async def on_cluster_ranking_published(
    event: CloudEvent,
    data: ClusterRankingPublished,
    nominations: AggregateStore,
    organizations: AggregateStore,
    catalogue: Catalogue,
) -> bool:
    """Draft one Cờ thi đua nomination per leader; the id comes from the ranking, so a redelivery drafts nothing."""
    rules = catalogue.rules_for(date(data.year, 12, 31))
    names: dict[str, str] = {}
    for leader in data.leaders:
        known = await organizations.get(leader)
        name = known.state.get("name") if known else None
        if isinstance(name, str) and name.strip():
            names[leader] = name
    drafted_any = False
    for command in cluster_flags.cluster_leader_drafts(data, rules, names):
        if await nominations.get(command.id) is not None:
            continue  # drafted by an earlier delivery, maybe already worked on: leave it as it is
        n, drafted = workflow.draft(command, rules, event.time)
        correlation = event.correlationid or event.id
        try:
            await nominations.create(
                n.id, n.model_dump(mode="json"), _events(drafted, n.id, f"nominations/{n.id}", correlation)
            )
        except AlreadyExists:
            continue  # a concurrent delivery drafted it first
        drafted_any = True
    return drafted_any


async def on_congress_scheduled(event: CloudEvent, data: CongressScheduled, congresses: AggregateStore) -> bool:
    def mutate(_current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        return links.congress_scheduled(data).model_dump(mode="json"), []

    return await congresses.apply_event(data.congress_id, event.id, mutate)


async def on_congress_rescheduled(event: CloudEvent, data: CongressRescheduled, congresses: AggregateStore) -> bool:
    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = links.KnownCongress.model_validate(current.state) if current else None
        return links.congress_rescheduled(known, data).model_dump(mode="json"), []

    return await congresses.apply_event(data.congress_id, event.id, mutate)


async def on_congress_cancelled(event: CloudEvent, data: CongressCancelled, congresses: AggregateStore) -> bool:
    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = links.KnownCongress.model_validate(current.state) if current else None
        return links.congress_cancelled(known, data, event.time.date()).model_dump(mode="json"), []

    return await congresses.apply_event(data.congress_id, event.id, mutate)


async def on_movement_final_reviewed(event: CloudEvent, data: MovementFinalReviewed, movements: AggregateStore) -> bool:
    def mutate(current: Stored | None) -> tuple[dict[str, object], list[CloudEvent]]:
        known = links.KnownMovement.model_validate(current.state) if current else None
        return links.movement_final_reviewed(known, data, event.time.date()).model_dump(mode="json"), []

    return await movements.apply_event(data.movement_id, event.id, mutate)
