"""The council session aggregate (phiên họp Hội đồng TĐKT): open it with the council as constituted that day, take
one secret ballot per member and dossier, close it with the results, and conclude each dossier on the agenda.

Closing writes the session (results and minutes) first, then each dossier in its own write: a dossier the close
could not conclude (on hold, or interrupted) is concluded by closing again, which changes only those left.
"""

from __future__ import annotations

from collections.abc import Callable

from tdkt_awards import policy
from tdkt_awards.domain import council_sessions as sessions
from tdkt_awards.domain import nominations as workflow
from tdkt_awards.domain.catalogue import Catalogue
from tdkt_awards.domain.council_sessions import Session, SessionStatus
from tdkt_awards.domain.nominations import Actor, Nomination, Status
from tdkt_awards.handlers.nominations import step_rules
from tdkt_awards.store import Repositories
from tdkt_shared.contract.awards import CouncilResult
from tdkt_shared.errors import DomainError, InvalidTransition, UnknownReference
from tdkt_shared.kit import CommandContext, Loaded
from tdkt_shared.store import VersionConflict

_Step = Callable[[Nomination], tuple[Nomination, workflow.Events] | None]

RETRIES = 50
"""Ballots of one session are written one after the other; a ballot retries after a concurrent one."""


async def open_session(
    repositories: Repositories, catalogue: Catalogue, command: sessions.OpenSession, who: Actor, ctx: CommandContext
) -> Loaded[Session]:
    """Open a session of a council awards knows from the registry, on dossiers at the council stage that are on no
    other open session's agenda."""
    council = await repositories.councils.get(command.council_id)
    if council is None:
        raise UnknownReference(f"no council {command.council_id} is known", field="council_id")
    dossiers: list[Nomination] = []
    for i, nomination_id in enumerate(command.agenda):
        found = await repositories.nominations.get(nomination_id)
        if found is None:
            raise UnknownReference(f"no nomination {nomination_id}", field=f"agenda.{i}")
        dossiers.append(found.aggregate)
    busy = await repositories.sessions.find(
        {"status": SessionStatus.OPEN.value, "agenda.nomination_id": {"$in": list(command.agenda)}}, limit=1
    )
    if busy:
        raise DomainError(
            f"a dossier of the agenda is on the agenda of open session {busy[0].id}",
            field="agenda",
            code="on_another_agenda",
        )
    rules = {n.id: step_rules(n, catalogue, command.held_on) for n in dossiers}  # a vote is a procedural step
    opened = sessions.open_session(command, council.aggregate, dossiers, rules, who, ctx.now)
    return await repositories.sessions.add(*opened, ctx)


async def cast_ballot(
    repositories: Repositories, session_id: str, voter: str, ballot: sessions.CastBallot, ctx: CommandContext
) -> Loaded[Session]:
    """One member's secret ballot on one dossier; no version: ballots do not compete with one another, a ballot
    written at the same time as another is applied again on top of it."""
    for _ in range(RETRIES):
        loaded = await repositories.sessions.load(session_id)
        policy.ensure_session_seat(loaded.aggregate, voter)
        cast = sessions.cast_ballot(loaded.aggregate, voter, ballot)
        try:
            return await repositories.sessions.save(loaded, *cast, ctx)
        except VersionConflict:
            continue
    raise VersionConflict(session_id, 0, 0)


def _summary(session: Session, nomination_id: str) -> workflow.CouncilSession:
    """What the dossier keeps of the session: its own nominees' results."""
    fields = set(CouncilResult.model_fields)
    return workflow.CouncilSession(
        session_id=session.id,
        held_on=session.held_on,
        members_total=len(session.seats),
        attendees=len(session.attendees),
        results=[CouncilResult(**r.model_dump(include=fields)) for r in sessions.results_for(session, nomination_id)],
    )


def _concludable(n: Nomination, session_id: str) -> bool:
    return n.status is Status.COUNCIL_REVIEW and not (n.council and n.council.session_id == session_id)


def _concluding(session: Session, summary: workflow.CouncilSession, who: Actor, ctx: CommandContext) -> _Step:
    def step(n: Nomination) -> tuple[Nomination, workflow.Events] | None:
        if not _concludable(n, session.id):
            return None  # concluded meanwhile, or no longer at the council stage (a hold)
        return workflow.conclude_council(n, summary, who, ctx.now)

    return step


async def _conclude(repositories: Repositories, session: Session, who: Actor, ctx: CommandContext) -> list[str]:
    """Apply the results to each dossier still at the council stage; the ids of those concluded now."""
    concluded: list[str] = []
    for item in session.agenda:
        before = await repositories.nominations.get(item.nomination_id)
        if before is None or not _concludable(before.aggregate, session.id):
            continue
        step = _concluding(session, _summary(session, item.nomination_id), who, ctx)
        after = await repositories.nominations.change_latest(item.nomination_id, step, ctx)
        if after.status is not Status.COUNCIL_REVIEW:
            concluded.append(item.nomination_id)
    return concluded


async def close_session(
    repositories: Repositories, session_id: str, version: int, who: Actor, ctx: CommandContext
) -> tuple[Loaded[Session], list[str]]:
    """Count the ballots, record the results and the minutes, then conclude each dossier (APPROVED or REJECTED).

    Closing a closed session again concludes the dossiers the first close left at the council stage (a dossier on
    hold then, or a close interrupted); when none is left it is a 409."""
    loaded = await repositories.sessions.load(session_id, version)
    if loaded.aggregate.status is SessionStatus.CLOSED:
        concluded = await _conclude(repositories, loaded.aggregate, who, ctx)
        if not concluded:
            raise InvalidTransition(f"session {session_id} is closed and every dossier concluded", field="status")
        return loaded, concluded
    closed = await repositories.sessions.save(loaded, *sessions.close_session(loaded.aggregate, who, ctx.now), ctx)
    return closed, await _conclude(repositories, closed.aggregate, who, ctx)
