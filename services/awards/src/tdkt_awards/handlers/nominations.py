"""The nomination aggregate (hồ sơ đề nghị): the workflow's steps, the dossiers a cluster ranking drafts, and the
ones a revocation sends back to appraisal.

Each step loads the nomination once, checks the policy on what it loaded, then the version the client read (409),
asks the pure workflow (`domain.nominations`) and saves the new state with its events in one write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import partial

from tdkt_awards import policy
from tdkt_awards.domain import cluster_flags, holds, links
from tdkt_awards.domain import grants as grant_rules
from tdkt_awards.domain import nominations as workflow
from tdkt_awards.domain.calendar import WorkingDays
from tdkt_awards.domain.catalogue import Catalogue, EffectiveRules
from tdkt_awards.domain.council_sessions import SessionStatus
from tdkt_awards.domain.grants import DecideNomination, Decision
from tdkt_awards.domain.nominations import Actor, Nomination, Status
from tdkt_awards.handlers import decisions, records, rule_sets
from tdkt_awards.store import Repositories
from tdkt_shared.auth import Principal
from tdkt_shared.contract import CloudEvent
from tdkt_shared.contract.reporting import ClusterRankingPublished
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.store import AlreadyExists

Step = Callable[[Nomination, Actor, datetime], tuple[Nomination, workflow.Events]]
"""A workflow step that needs nothing but who acts and when."""


def rules_of(n: Nomination, catalogue: Catalogue) -> EffectiveRules:
    """The rules recorded on the nomination (those in force for the period judged, in its territory)."""
    return catalogue.rules_by_id(n.rule_set_id)


def step_rules(n: Nomination, catalogue: Catalogue, day: date) -> EffectiveRules:
    """The rules a procedural step (a consultation, a council vote) follows on `day`: those in force that day when
    they say so (`procedure_rules`), else the period's; merit stays judged by the period's (`rules_of`)."""
    step = catalogue.rules_for_step(n.rule_set_id, day, n.territory)
    return step if n.award_code in step.award_types else rules_of(n, catalogue)


async def load(
    repositories: Repositories, nomination_id: str, version: int, ctx: CommandContext, *, own: bool = False
) -> Loaded[Nomination]:
    """The nomination (404); with `own`, only for whoever acts for its proposer (403); at `version` (409)."""
    loaded = await repositories.nominations.load(nomination_id)
    if own:
        proposer = loaded.aggregate.submitting_organization_id
        await policy.ensure_own(ctx.principal, repositories.directory, proposer, any_org=policy.EDIT_ANY)
    loaded.expect(version)
    return loaded


async def _advance(
    repositories: Repositories, nomination_id: str, version: int, who: Actor, ctx: CommandContext, *, step: Step
) -> Loaded[Nomination]:
    """A step that needs nothing but who acts and when (the named ones below)."""
    loaded = await load(repositories, nomination_id, version, ctx)
    return await repositories.nominations.save(loaded, *step(loaded.aggregate, who, ctx.now), ctx)


# reads


async def read(repositories: Repositories, nomination_id: str, principal: Principal) -> Loaded[Nomination]:
    """The nomination (404), for staff, the council and its own proposer's officers (403)."""
    loaded = await repositories.nominations.load(nomination_id)
    proposer = loaded.aggregate.submitting_organization_id
    await policy.ensure_own(principal, repositories.directory, proposer, any_org=policy.READ_ANY)
    return loaded


async def readable(
    repositories: Repositories,
    principal: Principal,
    statuses: Sequence[Status] | None,
    *,
    offset: int,
    limit: int,
) -> tuple[list[Loaded[Nomination]], int]:
    """One page of the nominations the principal may read (in any of `statuses`), and how many there are."""
    query: dict[str, object] = {}
    if statuses:
        values = sorted({s.value for s in statuses})
        query["status"] = values[0] if len(values) == 1 else {"$in": values}
    own = await policy.readable_organizations(principal, repositories.directory)
    if own is not None:
        query["submitting_organization_id"] = {"$in": sorted(own)}
    return await repositories.nominations.page(query, skip=offset, limit=limit)


# the dossier: the proposer's steps


async def draft(
    repositories: Repositories,
    catalogue: Catalogue,
    command: workflow.DraftNomination,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    """Draft a hồ sơ đề nghị for an organisation the principal acts for; the rules in force are recorded on it."""
    organization_id = command.submitting_organization_id
    await policy.ensure_own(ctx.principal, repositories.directory, organization_id, any_org=policy.EDIT_ANY)
    rules = catalogue.rules_for(date(command.year, 12, 31), command.territory)
    return await repositories.nominations.add(*workflow.draft(command, rules, ctx.now, who), ctx)


async def _submission_links(repositories: Repositories, n: Nomination) -> links.SubmissionLinks:
    congress = await repositories.congresses.get(n.congress_id) if n.congress_id else None
    movement = await repositories.movements.get(n.movement_id) if n.movement_id else None
    return links.SubmissionLinks(
        congress=congress.aggregate if congress else None,
        movement=movement.aggregate if movement else None,
    )


async def submit(
    repositories: Repositories,
    catalogue: Catalogue,
    nomination_id: str,
    version: int,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    """Submit, checked against the congress deadline and the movement's final review known at this time, and with a
    file for every checklist item."""
    loaded = await load(repositories, nomination_id, version, ctx, own=True)
    known = await _submission_links(repositories, loaded.aggregate)
    holds = await records.holds_of(repositories, [x.nominee_id for x in loaded.aggregate.nominees])
    rules = rules_of(loaded.aggregate, catalogue)
    submitted = workflow.submit(loaded.aggregate, who, ctx.now, known, holds, rules)
    return await repositories.nominations.save(loaded, *submitted, ctx)


# the TĐKT body's steps


receive = partial(_advance, step=workflow.receive)
"""Tiếp nhận: the TĐKT body receives a submitted dossier."""
start_appraisal = partial(_advance, step=workflow.start_appraisal)
put_on_hold = partial(_advance, step=workflow.put_on_hold)
"""ON_HOLD (discipline, inspection, complaint…) from any state before the decision; needs a reason."""
release_hold = partial(_advance, step=workflow.release_hold)
"""End the hold: back to the state it was in."""


async def appraise(
    repositories: Repositories,
    catalogue: Catalogue,
    nomination_id: str,
    version: int,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    """Thẩm định: the checklist, then each nominee's eligibility judged from the records (the declaration only
    warns); records the grants the verdicts relied on. A case open on a nominee puts the dossier ON_HOLD instead:
    it waits for the case to end (Decree 152/2025)."""
    loaded = await load(repositories, nomination_id, version, ctx)
    n = loaded.aggregate
    rules = rules_of(n, catalogue)
    verdicts = await records.judge(repositories, n, rules, ctx.now.date())
    if verdicts.open_cases and n.status is Status.UNDER_APPRAISAL:
        held = holds.hold_for_cases(n, verdicts.open_cases, who, ctx.now)
        if held is not None:
            return await repositories.nominations.save(loaded, *held, ctx)
    appraised = workflow.appraise(n, verdicts.evaluations, verdicts.relied_on, rules, who, ctx.now)
    return await repositories.nominations.save(loaded, *appraised, ctx)


async def open_consultation(
    repositories: Repositories,
    catalogue: Catalogue,
    calendar: WorkingDays,
    nomination_id: str,
    version: int,
    channel: str,
    start: date,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    loaded = await load(repositories, nomination_id, version, ctx)
    rules = step_rules(loaded.aggregate, catalogue, start)
    opened = workflow.open_consultation(loaded.aggregate, channel, start, rules, calendar, who, ctx.now)
    return await repositories.nominations.save(loaded, *opened, ctx)


async def add_comment(
    repositories: Repositories, nomination_id: str, author: str, text: str, objection: bool, ctx: CommandContext
) -> Loaded[Nomination]:
    """Comments are appended whatever the client's version: they do not compete with workflow steps."""
    loaded = await repositories.nominations.load(nomination_id)
    comment = workflow.Comment(at=ctx.now, author=author, text=text, objection=objection)
    return await repositories.nominations.save(loaded, workflow.add_comment(loaded.aggregate, comment), (), ctx)


# the council and the decision


async def send_to_council(
    repositories: Repositories,
    catalogue: Catalogue,
    nomination_id: str,
    version: int,
    session_on: date | None,
    council_id: str | None,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    loaded = await load(repositories, nomination_id, version, ctx)
    rules = step_rules(loaded.aggregate, catalogue, ctx.now.date())
    sent = workflow.to_council(loaded.aggregate, rules, who, ctx.now, session_on, council_id)
    return await repositories.nominations.save(loaded, *sent, ctx)


async def record_council_vote(
    repositories: Repositories,
    catalogue: Catalogue,
    nomination_id: str,
    version: int,
    vote: workflow.CouncilVote,
    who: Actor,
    ctx: CommandContext,
) -> Loaded[Nomination]:
    """Only a member seated on the day may vote, when awards knows the council's members (403)."""
    loaded = await repositories.nominations.load(nomination_id)
    council_id = loaded.aggregate.council_id
    council = await repositories.councils.get(council_id) if council_id else None
    policy.ensure_seated(ctx.principal, council.aggregate if council else None, who.actor, vote.held_on)
    loaded.expect(version)
    on_agenda = {"status": SessionStatus.OPEN.value, "agenda.nomination_id": nomination_id}
    if await repositories.sessions.find(on_agenda, limit=1):
        raise InvalidTransition(
            f"{nomination_id} is on the agenda of an open council session: its ballots decide",
            field="status",
            code="on_session_agenda",
        )
    rules = step_rules(loaded.aggregate, catalogue, vote.held_on)
    voted = workflow.record_council_vote(loaded.aggregate, vote, rules, who, ctx.now)
    return await repositories.nominations.save(loaded, *voted, ctx)


async def decide(
    repositories: Repositories,
    catalogue: Catalogue,
    nomination_id: str,
    command: DecideNomination,
    who: Actor,
    ctx: CommandContext,
    signed_by: str | None = None,
) -> tuple[Decision, Loaded[Nomination]]:
    """Close the nomination as DECIDED, then record the decision with its grants. `signed_by`: the leader signing
    it, when the signer acts in the platform (the audit records `who` either way).

    Two writes, the dossier's first: its compare-and-set refuses a dossier a case put on hold meanwhile, before any
    grant exists. The same decision sent again to the DECIDED dossier records the decision if the first attempt
    stopped between the two writes (and finds it there otherwise).
    """
    loaded = await repositories.nominations.load(nomination_id)
    n = loaded.aggregate
    resumed = n.status is Status.DECIDED and n.decision_id == command.decision_id
    if not resumed:
        loaded.expect(command.version)
    approved = n.model_copy(update={"status": Status.APPROVED}) if resumed else n
    rules = rules_of(n, catalogue)
    command = await decisions.numbered(repositories.registers, approved, command, rules, catalogue, ctx)
    grant_rules.decide(approved, command, rules, catalogue, signed_by)  # refused here closes nothing
    if not resumed:
        loaded = await repositories.nominations.save(
            loaded, *workflow.mark_decided(n, command.decision_id, who, ctx.now), ctx
        )
    decision = await decisions.record_decision(
        repositories.decisions, approved, command, rules, catalogue, ctx, signed_by
    )
    return decision, loaded


# consumed events


async def on_cluster_ranking_published(
    event: CloudEvent, data: ClusterRankingPublished, repositories: Repositories, catalogue: Catalogue | None = None
) -> bool:
    """Draft one Cờ thi đua nomination per leader; the id comes from the ranking, so a redelivery drafts nothing.
    The rules are those published at the time (the shipped seed and the versions published since)."""
    catalogue = catalogue or await rule_sets.published_catalogue(repositories)
    rules = catalogue.rules_for(date(data.year, 12, 31))
    names: dict[str, str] = {}
    for leader in data.leaders:
        known = await repositories.directory.get(leader)
        if known is not None and known.name and known.name.strip():
            names[leader] = known.name
    ctx = CommandContext.caused_by(event, now=event.time)
    drafted_any = False
    for command in cluster_flags.cluster_leader_drafts(data, rules, names):
        if await repositories.nominations.exists(command.id):
            continue  # drafted by an earlier delivery, maybe already worked on: leave it as it is
        try:
            await repositories.nominations.add(*workflow.draft(command, rules, ctx.now), ctx)
        except AlreadyExists:
            continue  # a concurrent delivery drafted it first
        drafted_any = True
    return drafted_any
