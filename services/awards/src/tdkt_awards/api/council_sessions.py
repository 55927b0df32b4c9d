"""`/council-sessions`: a council's session, its secret ballots, its close and its minutes (biên bản)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Response, status
from pydantic import BaseModel

from tdkt_awards.api.deps import CatalogueDep, RepositoriesDep, signed_in_router, tag, with_status
from tdkt_awards.domain.council_sessions import CastBallot, Minutes, OpenSession, Session, SessionStatus
from tdkt_awards.handlers import council_sessions
from tdkt_awards.policy import SESSION_READERS, ballot_voter, recorded_actor
from tdkt_shared.api import Page, PageQuery
from tdkt_shared.auth import CurrentPrincipal, Principal, Role, require
from tdkt_shared.contract.text import Identifier, Whole
from tdkt_shared.errors import InvalidTransition
from tdkt_shared.kit import Loaded
from tdkt_shared.kit.http import Context, page_of
from tdkt_shared.kit.models import Command

Reader = Annotated[Principal, require(*SESSION_READERS)]
Voter = Annotated[Principal, require(Role.COUNCIL_MEMBER)]
RUNS_SESSIONS: Any = require(Role.COUNCIL_SECRETARY, Role.TDKT_SPECIALIST)
"""The council's standing body (or the TĐKT body) opens and closes a session."""

router = signed_in_router("/council-sessions", tag="council sessions")


class SessionView(Session):
    version: Whole
    sealed: bool
    """True while the session is open: the tallies stay hidden until the count (they show empty)."""


def _view(loaded: Loaded[Session], response: Response | None = None) -> SessionView:
    tag(response, loaded)
    session = loaded.aggregate
    sealed = session.status is SessionStatus.OPEN
    if sealed:
        session = session.model_copy(
            update={"agenda": [item.model_copy(update={"tallies": []}) for item in session.agenda]}
        )
    return SessionView(**session.model_dump(), version=loaded.version, sealed=sealed)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SessionView, dependencies=[RUNS_SESSIONS])
async def open_session(
    command: OpenSession,
    principal: CurrentPrincipal,
    repositories: RepositoriesDep,
    catalogue: CatalogueDep,
    ctx: Context,
    response: Response,
) -> SessionView:
    """Open a session: the council as constituted on `held_on` (from the registry), the attendees (each must sit on
    it that day: 422 on `attendees.<i>`), the agenda of dossiers at the council stage, and the quorum of each
    dossier's vote rule, as an exact fraction (422 `no_quorum`). The opener is the token's `sub` and `org`."""
    opened = await council_sessions.open_session(repositories, catalogue, command, recorded_actor(principal), ctx)
    response.headers["Location"] = f"{router.prefix}/{opened.id}"
    return _view(opened, response)


@router.get("/{session_id}", response_model=SessionView)
async def get(session_id: str, principal: Reader, repositories: RepositoriesDep, response: Response) -> SessionView:
    """The session; who voted on each dossier shows, the tallies only once it is closed."""
    return _view(await repositories.sessions.load(session_id), response)


@router.get("", response_model=Page[SessionView])
async def list_sessions(
    principal: Reader, repositories: RepositoriesDep, page: PageQuery, status: SessionStatus | None = None
) -> Page[SessionView]:
    return await page_of(repositories.sessions, with_status(status), page, _view)


@router.get("/{session_id}/minutes", response_model=Minutes)
async def minutes(session_id: str, principal: Reader, repositories: RepositoriesDep) -> Minutes:
    """Biên bản: the data the minutes are written from (409 while the session is open)."""
    loaded = await repositories.sessions.load(session_id)
    if loaded.aggregate.minutes is None:
        raise InvalidTransition(f"session {session_id} is still open", field="status")
    return loaded.aggregate.minutes


class BallotCommand(CastBallot):
    voter: Identifier | None = None
    """The token's `sub` if omitted; only an admin names another member (a paper ballot entered for them)."""


@router.post("/{session_id}/ballots", response_model=SessionView, status_code=status.HTTP_201_CREATED)
async def cast_ballot(
    session_id: str,
    command: BallotCommand,
    principal: Voter,
    repositories: RepositoriesDep,
    ctx: Context,
    response: Response,
) -> SessionView:
    """A member's secret ballot on one dossier: a choice per nominee. The voter must sit on the council on the
    session day (403 on `voter`); a member absent from the session votes in writing only where the dossier's vote
    rule counts written votes; a second ballot on the same dossier is a 409. Who voted is recorded, not what."""
    voter = ballot_voter(principal, command.voter)
    ballot = CastBallot(nomination_id=command.nomination_id, choices=command.choices)
    return _view(await council_sessions.cast_ballot(repositories, session_id, voter, ballot, ctx), response)


class CloseSession(Command):
    version: Whole


class ClosedSessionView(BaseModel):
    session: SessionView
    concluded: list[str]
    """The dossiers this close moved to APPROVED or REJECTED."""


@router.post("/{session_id}/close", response_model=ClosedSessionView, dependencies=[RUNS_SESSIONS])
async def close(
    session_id: str, command: CloseSession, principal: CurrentPrincipal, repositories: RepositoriesDep, ctx: Context
) -> ClosedSessionView:
    """Count the ballots: each nominee's yes votes against the base of the vote rule (all members seated that day,
    or the attendees and written voters), exactly; record the minutes, and conclude each dossier on the agenda
    (APPROVED or REJECTED; nomination.approved for those passed). Closing again concludes what was left (a dossier
    on hold at the close); 409 when nothing is."""
    who = recorded_actor(principal)
    closed, concluded = await council_sessions.close_session(repositories, session_id, command.version, who, ctx)
    return ClosedSessionView(session=_view(closed), concluded=concluded)
